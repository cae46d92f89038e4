package awstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
)

func TestCreateZoneAddsApexRecords(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	ctx := context.Background()
	out, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("Example.COM"), CallerReference: aws.String("apex-1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.HostedZone.Name); got != "example.com." {
		t.Errorf("zone name = %q, want example.com.", got)
	}
	if got := aws.ToInt64(out.HostedZone.ResourceRecordSetCount); got != 2 {
		t.Errorf("ResourceRecordSetCount = %d, want 2", got)
	}
	recs, _ := allRecords(t, c, *out.HostedZone.Id)
	if len(recs) != 2 || recs[0].Type != types.RRTypeNs || recs[1].Type != types.RRTypeSoa {
		t.Fatalf("records = %v, want the apex NS then SOA", recs)
	}
	var ns []string
	for _, r := range recs[0].ResourceRecords {
		ns = append(ns, *r.Value)
	}
	var want []string
	for _, n := range out.DelegationSet.NameServers {
		want = append(want, n+".")
	}
	if diff := cmp.Diff(want, ns); diff != "" || len(ns) != 4 {
		t.Errorf("apex NS values (-delegation set +record), want 4:\n%s", diff)
	}
	if aws.ToInt64(recs[0].TTL) != apexNSTTL || aws.ToInt64(recs[1].TTL) != apexSOATTL {
		t.Errorf("TTLs NS %d SOA %d, want %d and %d", aws.ToInt64(recs[0].TTL), aws.ToInt64(recs[1].TTL), apexNSTTL, apexSOATTL)
	}
	g, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: out.HostedZone.Id})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(g.HostedZone.CallerReference); got != "apex-1" {
		t.Errorf("GetHostedZone CallerReference = %q, want apex-1", got)
	}
}

func TestCallerReferenceReuse(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	ctx := context.Background()
	create := func(name, ref string) (*route53.CreateHostedZoneOutput, error) {
		return c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(ref)})
	}
	first, err := create("one.test", "ref-a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = create("two.test", "ref-a")
	var exists *types.HostedZoneAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second create with ref-a: err = %v, want HostedZoneAlreadyExists", err)
	}
	if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: first.HostedZone.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := create("one.test", "ref-a"); !errors.As(err, &exists) {
		t.Errorf("create with the reference of a deleted zone: err = %v, want HostedZoneAlreadyExists", err)
	}
	if _, err := create("one.test", "ref-b"); err != nil {
		t.Errorf("create with a fresh reference after a refusal: %v", err)
	}
	lz, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lz.HostedZones) != 1 || aws.ToString(lz.HostedZones[0].CallerReference) != "ref-b" {
		t.Errorf("ListHostedZones = %+v, want the one zone with CallerReference ref-b", lz.HostedZones)
	}
}

func TestListZonesPagination(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	want := map[string]bool{}
	for i := range 250 {
		want[newZone(t, c, fmt.Sprintf("z%03d.test", i))] = true
	}
	var sizes []int
	seen := map[string]bool{}
	p := route53.NewListHostedZonesPaginator(c, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.HostedZones))
		for _, z := range page.HostedZones {
			if seen[*z.Id] {
				t.Errorf("zone %s listed twice", *z.Id)
			}
			seen[*z.Id] = true
		}
	}
	if diff := cmp.Diff([]int{100, 100, 50}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("zones listed (-created +listed):\n%s", diff)
	}
	big, err := c.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{MaxItems: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	if len(big.HostedZones) != 100 || !big.IsTruncated {
		t.Errorf("MaxItems 500 gave %d zones (truncated %v), want 100 and truncated", len(big.HostedZones), big.IsTruncated)
	}
}

func TestListZonesByName(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	for _, n := range []string{"b.example.org", "example.com", "a.example.com", "example.org", "www.example.com"} {
		newZone(t, c, n)
	}
	var names []string
	in := &route53.ListHostedZonesByNameInput{MaxItems: aws.Int32(2)}
	for {
		out, err := c.ListHostedZonesByName(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range out.HostedZones {
			names = append(names, *z.Name)
		}
		if !out.IsTruncated {
			break
		}
		in.DNSName, in.HostedZoneId = out.NextDNSName, out.NextHostedZoneId
	}
	want := []string{"example.com.", "a.example.com.", "www.example.com.", "example.org.", "b.example.org."}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("zones by name (-want +got):\n%s", diff)
	}
}

func TestEmulatorsAreIsolated(t *testing.T) {
	a, b := StartKumo(t), StartKumo(t)
	ca, cb := a.Route53Client(), b.Route53Client()
	id := newZone(t, ca, "mine.test")
	ctx := context.Background()
	lz, err := cb.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lz.HostedZones) != 0 {
		t.Errorf("other emulator lists %d zones, want 0", len(lz.HostedZones))
	}
	var missing *types.NoSuchHostedZone
	if _, err := cb.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)}); !errors.As(err, &missing) {
		t.Errorf("other emulator GetHostedZone: err = %v, want NoSuchHostedZone", err)
	}
	n, err := ca.GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(n.HostedZoneCount) != 1 {
		t.Errorf("GetHostedZoneCount = %d, want 1", aws.ToInt64(n.HostedZoneCount))
	}
}

func TestDeleteZoneNotEmpty(t *testing.T) {
	e := StartKumo(t)
	c := e.Route53Client()
	ctx := context.Background()
	id := newZone(t, c, "full.test")
	sub := rec("sub.full.test.", types.RRTypeNs, 300, "ns1.elsewhere.test.")
	mustApply(t, c, id, changeOf(types.ChangeActionCreate, sub))
	var notEmpty *types.HostedZoneNotEmpty
	if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)}); !errors.As(err, &notEmpty) {
		t.Fatalf("delete zone holding a delegation: err = %v, want HostedZoneNotEmpty", err)
	}
	mustApply(t, c, id, changeOf(types.ChangeActionDelete, sub))
	if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)}); err != nil {
		t.Fatalf("delete zone holding only SOA and NS: %v", err)
	}
	var missing *types.NoSuchHostedZone
	if _, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)}); !errors.As(err, &missing) {
		t.Errorf("GetHostedZone after delete: err = %v, want NoSuchHostedZone", err)
	}
}
