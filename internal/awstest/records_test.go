package awstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
)

func TestListRecordsPagination(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	id := newZone(t, c, "big.test")
	var changes []types.Change
	for i := range 998 { // with the apex SOA and NS: 1,000 record sets
		changes = append(changes, changeOf(types.ChangeActionCreate, rec(fmt.Sprintf("h%04d.big.test", 997-i), types.RRTypeA, 300, "192.0.2.1")))
	}
	mustApply(t, c, id, changes...)

	var sizes []int
	var names []string
	p := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.ResourceRecordSets))
		for _, r := range page.ResourceRecordSets {
			names = append(names, *r.Name+" "+string(r.Type))
		}
	}
	if diff := cmp.Diff([]int{300, 300, 300, 100}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	want := []string{"big.test. NS", "big.test. SOA"}
	for i := range 998 {
		want = append(want, fmt.Sprintf("h%04d.big.test. A", i))
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("records in Route 53 order (-want +got):\n%s", diff)
	}

	from, err := c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(id), StartRecordName: aws.String("H0500.big.test"), MaxItems: aws.Int32(2),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := *from.ResourceRecordSets[0].Name; got != "h0500.big.test." || aws.ToString(from.NextRecordName) != "h0502.big.test." || from.NextRecordType != types.RRTypeA {
		t.Errorf("start at H0500: first %s, next %s %s; want h0500, then h0502 A", got, aws.ToString(from.NextRecordName), from.NextRecordType)
	}
	_, err = c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id), StartRecordType: types.RRTypeA})
	var invalid *types.InvalidInput
	if !errors.As(err, &invalid) {
		t.Errorf("StartRecordType without StartRecordName: err = %v, want InvalidInput", err)
	}
}

func TestListRecordsOrder(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	id := newZone(t, c, "example.com")
	mustApply(t, c, id,
		changeOf(types.ChangeActionCreate, rec("WWW.example.com", types.RRTypeTxt, 60, `"x"`)),
		changeOf(types.ChangeActionCreate, rec("www.example.com.", types.RRTypeA, 60, "192.0.2.1")),
		changeOf(types.ChangeActionCreate, rec("*.example.com", types.RRTypeA, 60, "192.0.2.2")),
		changeOf(types.ChangeActionCreate, rec("a.b.example.com", types.RRTypeA, 60, "192.0.2.3")),
		changeOf(types.ChangeActionCreate, rec("b.example.com", types.RRTypeMx, 60, "10 mx.example.com.")),
		changeOf(types.ChangeActionCreate, rec("example.com", types.RRTypeAaaa, 60, "2001:db8::1")),
		changeOf(types.ChangeActionCreate, rec("0.example.com", types.RRTypeA, 60, "192.0.2.4")),
	)
	recs, _ := allRecords(t, c, id)
	var got []string
	for _, r := range recs {
		got = append(got, *r.Name+" "+string(r.Type))
	}
	want := []string{
		"example.com. AAAA", "example.com. NS", "example.com. SOA",
		"0.example.com. A", `\052.example.com. A`,
		"b.example.com. MX", "a.b.example.com. A",
		"www.example.com. A", "www.example.com. TXT",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	// The wildcard is deleted by the name it was created with.
	mustApply(t, c, id, changeOf(types.ChangeActionDelete, rec("*.example.com.", types.RRTypeA, 60, "192.0.2.2")))
	if recs, _ := allRecords(t, c, id); len(recs) != len(want)-1 {
		t.Errorf("after deleting the wildcard: %d records, want %d", len(recs), len(want)-1)
	}
}

func TestChangeBatchValidation(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	id := newZone(t, c, "v.test")
	mustApply(t, c, id,
		changeOf(types.ChangeActionCreate, rec("a.v.test", types.RRTypeA, 300, "192.0.2.1", "192.0.2.2")),
		changeOf(types.ChangeActionCreate, rec("c.v.test", types.RRTypeCname, 300, "a.v.test.")),
	)
	before, _ := allRecords(t, c, id)
	create := func(rs *types.ResourceRecordSet) types.Change { return changeOf(types.ChangeActionCreate, rs) }
	del := func(rs *types.ResourceRecordSet) types.Change { return changeOf(types.ChangeActionDelete, rs) }
	var soa types.ResourceRecordSet
	for _, r := range before {
		if r.Type == types.RRTypeSoa {
			soa = r
		}
	}
	tests := []struct {
		name    string
		changes []types.Change
		want    []string
	}{
		{"create existing", []types.Change{create(rec("A.v.test", types.RRTypeA, 300, "192.0.2.9"))},
			[]string{"Tried to create resource record set [name='a.v.test.', type='A'] but it already exists"}},
		{"delete missing", []types.Change{del(rec("nope.v.test", types.RRTypeA, 300, "192.0.2.1"))},
			[]string{"Tried to delete resource record set [name='nope.v.test.', type='A'] but it was not found"}},
		{"delete with other values", []types.Change{del(rec("a.v.test", types.RRTypeA, 300, "192.0.2.1"))},
			[]string{"Tried to delete resource record set [name='a.v.test.', type='A'] but the values provided do not match the current values"}},
		{"outside the zone", []types.Change{create(rec("www.other.test", types.RRTypeA, 300, "192.0.2.1"))},
			[]string{"RRSet with DNS name www.other.test. is not permitted in zone v.test."}},
		{"cname beside a", []types.Change{create(rec("a.v.test", types.RRTypeCname, 300, "x.test."))},
			[]string{"RRSet of type CNAME with DNS name a.v.test. is not permitted because a conflicting RRSet of type A with the same DNS name already exists in zone v.test."}},
		{"cname at apex", []types.Change{create(rec("v.test", types.RRTypeCname, 300, "x.test."))},
			[]string{"RRSet of type CNAME with DNS name v.test. is not permitted at apex in zone v.test."}},
		{"delete apex soa", []types.Change{del(&soa)},
			[]string{"A HostedZone must contain exactly one SOA record."}},
		{"bad address", []types.Change{create(rec("b.v.test", types.RRTypeA, 300, "not-an-ip"))},
			[]string{"ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'not-an-ip'"}},
		{"valid change then invalid one", []types.Change{
			del(rec("a.v.test", types.RRTypeA, 300, "192.0.2.2", "192.0.2.1")),
			create(rec("c.v.test", types.RRTypeCname, 300, "y.test.")),
		}, []string{"Tried to create resource record set [name='c.v.test.', type='CNAME'] but it already exists"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apply(c, id, tt.changes...)
			var icb *types.InvalidChangeBatch
			if !errors.As(err, &icb) {
				t.Fatalf("err = %v, want InvalidChangeBatch", err)
			}
			if diff := cmp.Diff(tt.want, icb.Messages); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			after, _ := allRecords(t, c, id)
			if len(after) != len(before) {
				t.Errorf("refused batch changed the zone: %d records, want %d", len(after), len(before))
			}
		})
	}
}

func TestChangeBatchLimits(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	id := newZone(t, c, "limits.test")
	var changes []types.Change
	for i := range 501 {
		changes = append(changes, changeOf(types.ChangeActionUpsert, rec(fmt.Sprintf("u%d.limits.test", i), types.RRTypeA, 60, "192.0.2.1")))
	}
	var icb *types.InvalidChangeBatch
	if err := apply(c, id, changes...); !errors.As(err, &icb) || !strings.Contains(strings.Join(icb.Messages, " "), "limit of 1000") {
		t.Errorf("501 UPSERTs (1,002 records): err = %v, want the 1,000-record limit", err)
	}
	if err := apply(c, id, changes[:500]...); err != nil {
		t.Errorf("500 UPSERTs: %v", err)
	}
}
