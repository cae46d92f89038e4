package plan

import (
	"fmt"
	"slices"

	"github.com/zclconf/go-cty/cty"
)

// route53Type is an aws_route53_zone-like object: a name and a list of
// records keyed by name and type.
var route53Type = cty.Object(map[string]cty.Type{
	"name": cty.String, "records": cty.List(recordType),
})

// zoneRecords returns the 16 records of zone i: the apex NS and MX, and
// hosts h0..h13.
func zoneRecords(i int) []cty.Value {
	recs := []cty.Value{
		record("@", "NS", 172800, "ns1.example.net.", "ns2.example.net."),
		record("@", "MX", 3600, "10 mail.example.net."),
	}
	for j := range 14 {
		recs = append(recs, record(fmt.Sprintf("h%d", j), "A", 300, fmt.Sprintf("192.0.2.%d", (i+j)%250)))
	}
	return recs
}

func route53Val(name string, recs []cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "records": cty.ListVal(recs)})
}

// zoneChange is the update of zone i changing one record's values.
func zoneChange(i int) *Change {
	name := fmt.Sprintf("z%05d.example.org", i)
	before := zoneRecords(i)
	after := slices.Clone(before)
	after[7] = record("h5", "A", 300, "198.51.100.7")
	return &Change{
		Addr: fmt.Sprintf("aws_route53_zone.zone[%q]", name), Mode: Managed, Type: "aws_route53_zone",
		Name: "zone", Provider: "aws", Action: Update,
		Before: route53Val(name, before), After: route53Val(name, after),
		Keys: map[string][]string{"records": {"name", "type"}},
	}
}

// zonesPlan returns a plan of n zones with one changed record each.
func zonesPlan(n int) *Plan {
	p := &Plan{PlumbVersion: "bench", Lineage: "l", Serial: 1}
	for i := range n {
		p.Changes = append(p.Changes, zoneChange(i))
	}
	return p
}

// oneRecordPlan returns a plan changing one record among 5,000 in one
// zone.
func oneRecordPlan() *Plan {
	before := records(5000)
	after := slices.Clone(before)
	after[2500] = record("www2500", "A", 300, "192.0.2.250", "192.0.2.251")
	return &Plan{Changes: []*Change{{
		Addr: "aws_route53_zone.big", Mode: Managed, Type: "aws_route53_zone", Name: "big", Provider: "aws",
		Action: Update, Before: route53Val("big.example.org", before), After: route53Val("big.example.org", after),
		Keys: map[string][]string{"records": {"name", "type"}},
	}}}
}

// reviewPlan returns a plan of zone updates with a few deletions,
// replacements, creations, an apex NS change and a mass change among
// them, in address order.
func reviewPlan(zones int) *Plan {
	p := zonesPlan(zones)
	for i := range 12 {
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("local_file.gone[%d]", i), Mode: Managed, Type: "local_file", Name: "gone", Provider: "builtin",
			Action: Delete, Before: fileVal("bye", fmt.Sprintf("gone%d.txt", i), "0644", cty.StringVal(fmt.Sprint("g", i))),
			After: cty.NullVal(fileType), Reason: "no longer in configuration",
		})
	}
	for i := range 5 {
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("plumb_data.moved[%d]", i), Mode: Managed, Type: "plumb_data", Name: "moved", Provider: "builtin",
			Action:          DeleteThenCreate,
			Before:          cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("a"), "id": cty.StringVal(fmt.Sprint("d", i))}),
			After:           cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("b"), "id": cty.UnknownVal(cty.String)}),
			RequiresReplace: []string{"input"},
		})
	}
	for i := range 7 {
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("local_file.page[%d]", i), Mode: Managed, Type: "local_file", Name: "page", Provider: "builtin",
			Action: Create, Before: cty.NullVal(fileType),
			After: fileVal(fmt.Sprintf("<h1>page %d</h1>", i), fmt.Sprintf("page%d.html", i), "0644", cty.UnknownVal(cty.String)),
		})
	}
	// An apex NS change and a mass change.
	before := zoneRecords(0)
	after := slices.Clone(before)
	after[0] = record("@", "NS", 172800, "ns1.other.net.", "ns2.other.net.")
	for j := 2; j < 10; j++ {
		after[j] = record(fmt.Sprintf("h%d", j-2), "A", 60, "203.0.113.9")
	}
	p.Changes = append(p.Changes, &Change{
		Addr: "aws_route53_zone.main", Mode: Managed, Type: "aws_route53_zone", Name: "main", Provider: "aws",
		Action: Update, Before: route53Val("example.org", before), After: route53Val("example.org", after),
		Keys: map[string][]string{"records": {"name", "type"}},
	})
	slices.SortFunc(p.Changes, func(a, b *Change) int {
		switch {
		case a.Addr < b.Addr:
			return -1
		case a.Addr > b.Addr:
			return 1
		}
		return 0
	})
	return p
}

// count returns how many changes of p have action a.
func count(p *Plan, a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a {
			n++
		}
	}
	return n
}
