package aws

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

func TestRoute53Text(t *testing.T) {
	tests := []struct {
		route53, presentation string
	}{
		{`\052.example.org.`, `*.example.org.`},
		{`plain.example.org.`, `plain.example.org.`},
		{`a\100b.example.org.`, `a\064b.example.org.`},
		{`"caf\303\251"`, `"caf\195\169"`},
		{`"say \"hi\""`, `"say \"hi\""`},
		{`"back\\slash"`, `"back\\slash"`},
	}
	for _, tt := range tests {
		if got := fromRoute53Text(tt.route53); got != tt.presentation {
			t.Errorf("fromRoute53Text(%q) = %q, want %q", tt.route53, got, tt.presentation)
		}
		back := toRoute53Text(tt.presentation)
		if again := fromRoute53Text(back); again != tt.presentation {
			t.Errorf("toRoute53Text(%q) = %q, which reads back as %q", tt.presentation, back, again)
		}
	}
	if got := toRoute53Text(`"caf\195\169"`); got != `"caf\303\251"` {
		t.Errorf("toRoute53Text = %q, want octal escapes", got)
	}
}

func TestFromRoute53(t *testing.T) {
	set := func(name string, typ types.RRType, values ...string) types.ResourceRecordSet {
		return *recordSet(name, typ, 300, values...)
	}
	weighted := set("w.x.test.", "A", "192.0.2.1")
	weighted.SetIdentifier, weighted.Weight = aws.String("blue"), aws.Int64(10)
	alias := types.ResourceRecordSet{Name: aws.String("a.x.test."), Type: "A", AliasTarget: &types.AliasTarget{DNSName: aws.String("lb.example."), HostedZoneId: aws.String("Z1")}}
	tests := []struct {
		name string
		in   types.ResourceRecordSet
		want *dns.Record
	}{
		{"wildcard", set(`\052.x.test.`, "A", "192.0.2.1"), &dns.Record{Name: "*.x.test.", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}},
		{"mx upper case", set("X.Test.", "MX", "20 MX2.Example.NET.", "10 mail.x.test."), &dns.Record{Name: "x.test.", Type: "MX", TTL: 300, Values: []string{"10 mail.x.test.", "20 mx2.example.net."}}},
		{"txt", set("t.x.test.", "TXT", `"v=spf1 -all"`), &dns.Record{Name: "t.x.test.", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 -all"`}}},
		{"weighted", weighted, nil},
		{"alias", alias, nil},
		{"unsupported type", set("x.test.", "CAA2", "x"), nil},
		{"unreadable value", set("x.test.", "A", "not-an-address"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fromRoute53(tt.in)
			if ok != (tt.want != nil) {
				t.Fatalf("ok = %v, want %v", ok, tt.want != nil)
			}
			if tt.want != nil {
				if diff := cmp.Diff(*tt.want, got); diff != "" {
					t.Errorf("record (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestCallerReference(t *testing.T) {
	const addr = `aws_route53_zone.site["example.org"]`
	a := CallerReference(addr, "example.org", 1)
	if b := CallerReference(addr, "Example.ORG.", 1); a != b {
		t.Errorf("the name's case and dot change the reference: %s, %s", a, b)
	}
	if CallerReference("aws_route53_zone.other", "example.org", 1) == a || CallerReference(addr, "example.net", 1) == a {
		t.Error("another address or name gives the same reference")
	}
	if len(a) > 128 || a[:len(callerRefPrefix)] != callerRefPrefix {
		t.Errorf("reference %q: want plumb's prefix and at most 128 characters", a)
	}
	tests := []struct {
		ref  string
		want bool
	}{
		{a, true},
		{CallerReference(addr, "example.org", 7), true},
		{a + "-1", false},
		{a + "-x", false},
		{a + "-07", false},
		{"someone-else", false},
		{CallerReference(addr, "example.net", 1), false},
	}
	for _, tt := range tests {
		if got := madeFor(tt.ref, addr, "example.org."); got != tt.want {
			t.Errorf("madeFor(%q) = %v, want %v", tt.ref, got, tt.want)
		}
	}
}

// TestZoneListReadOnce: refreshing many zones at once lists the account's
// zones in one pass (one request per 100 zones), however many goroutines
// ask, and no zone is read on its own.
func TestZoneListReadOnce(t *testing.T) {
	e := awstest.StartKumo(t)
	const n = 250
	states := make([]cty.Value, n)
	_, r := zoneRes(t, e)
	for i := range n {
		id := createZoneByHand(t, e, fmt.Sprintf("z%03d.once.test", i), fmt.Sprintf("hand-%d", i))
		imp := r.Import(context.Background(), providers.ImportRequest{ID: id})
		if imp.Diagnostics.HasErrors() {
			t.Fatal(imp.Diagnostics.Error())
		}
		v := imp.State.AsValueMap()
		v["records"] = cty.NullVal(cty.List(dns.RecordType)) // records unmanaged: no record requests
		states[i] = cty.ObjectVal(v)
	}
	e.Route53().ResetCounts()
	_, fresh := zoneRes(t, e)
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			resp := fresh.Read(context.Background(), providers.ReadRequest{Prior: states[i]})
			if resp.Diagnostics.HasErrors() || !resp.State.RawEquals(states[i]) {
				errs[i] = fmt.Sprintf("zone %d: read %v", i, resp.Diagnostics)
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	if diff := cmp.Diff(map[string]int{"ListHostedZones": 3}, e.Route53().Counts()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
