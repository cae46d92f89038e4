package dns

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDiff(t *testing.T) {
	a := func(name string, ttl uint32, vs ...string) Record {
		return Record{Name: name, Type: "A", TTL: ttl, Values: vs}
	}
	mx := Record{Name: "example.org.", Type: "MX", TTL: 300, Values: []string{"10 mail.example.org."}}
	txt := Record{Name: "example.org.", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 -all"`}}
	tests := []struct {
		name              string
		existing, desired []Record
		want              Changes
	}{
		{"both empty", nil, nil, Changes{}},
		{"no change", []Record{a("www.example.org.", 300, "192.0.2.1"), mx}, []Record{mx, a("www.example.org.", 300, "192.0.2.1")}, Changes{}},
		{"create all", nil, []Record{mx, txt}, Changes{Create: []Record{mx, txt}}},
		{"delete all", []Record{txt, mx}, nil, Changes{Delete: []Record{mx, txt}}},
		{"value changed",
			[]Record{a("www.example.org.", 300, "192.0.2.1")},
			[]Record{a("www.example.org.", 300, "192.0.2.1", "192.0.2.2")},
			Changes{Update: []Record{a("www.example.org.", 300, "192.0.2.1", "192.0.2.2")}, UpdateFrom: []Record{a("www.example.org.", 300, "192.0.2.1")}}},
		{"TTL changed",
			[]Record{a("www.example.org.", 300, "192.0.2.1")},
			[]Record{a("www.example.org.", 60, "192.0.2.1")},
			Changes{Update: []Record{a("www.example.org.", 60, "192.0.2.1")}, UpdateFrom: []Record{a("www.example.org.", 300, "192.0.2.1")}}},
		{"same name, other type is create and delete",
			[]Record{a("example.org.", 300, "192.0.2.1")},
			[]Record{mx},
			Changes{Create: []Record{mx}, Delete: []Record{a("example.org.", 300, "192.0.2.1")}}},
		{"mixed",
			[]Record{mx, a("a.example.org.", 300, "192.0.2.1"), a("c.example.org.", 300, "192.0.2.3"), a("d.example.org.", 300, "192.0.2.4")},
			[]Record{mx, a("b.example.org.", 300, "192.0.2.2"), a("c.example.org.", 300, "192.0.2.33"), a("d.example.org.", 300, "192.0.2.4"), a("e.example.org.", 300, "192.0.2.5")},
			Changes{
				Create:     []Record{a("b.example.org.", 300, "192.0.2.2"), a("e.example.org.", 300, "192.0.2.5")},
				Update:     []Record{a("c.example.org.", 300, "192.0.2.33")},
				UpdateFrom: []Record{a("c.example.org.", 300, "192.0.2.3")},
				Delete:     []Record{a("a.example.org.", 300, "192.0.2.1")},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.existing, tt.desired)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			wantCount := len(tt.want.Create) + len(tt.want.Update) + len(tt.want.Delete)
			if got.Count() != wantCount || got.Empty() != (wantCount == 0) {
				t.Errorf("Count() = %d, Empty() = %v; want %d", got.Count(), got.Empty(), wantCount)
			}
		})
	}
}

// Diff must not reorder the caller's slices when it sorts.
func TestDiffLeavesInputAlone(t *testing.T) {
	existing := []Record{{Name: "b.example.", Type: "A", Values: []string{"192.0.2.2"}}, {Name: "a.example.", Type: "A", Values: []string{"192.0.2.1"}}}
	before := append([]Record(nil), existing...)
	Diff(existing, nil)
	if diff := cmp.Diff(before, existing); diff != "" {
		t.Errorf("input changed (-before +after):\n%s", diff)
	}
}

// A zone read from a file and the same zone read back through cty are the
// same, so the diff is empty; one changed value shows as one update.
func TestDiffZoneFile(t *testing.T) {
	res := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	back, err := FromListValue(ListValue(res.Records))
	if err != nil {
		t.Fatal(err)
	}
	if c := Diff(res.Records, back); !c.Empty() {
		t.Fatalf("diff of a zone with itself: %+v", c)
	}
	changed := append([]Record(nil), back...)
	for i, r := range changed {
		if r.Name == "ns1.example.org." && r.Type == "A" {
			changed[i].Values = []string{"192.0.2.253"}
		}
	}
	c := Diff(res.Records, changed)
	if c.Count() != 1 || len(c.Update) != 1 || c.Update[0].Key() != "ns1.example.org. A" || c.UpdateFrom[0].Values[0] != "192.0.2.53" {
		t.Errorf("got %+v, want one update of ns1.example.org. A", c)
	}
}

// Unsorted input, and input whose sorted start hides a later set that
// belongs before it, give the same changes as sorted input.
func TestDiffUnsortedInput(t *testing.T) {
	a := func(name, v string) Record { return Record{Name: name, Type: "A", TTL: 60, Values: []string{v}} }
	existing := []Record{a("b.example.", "1"), a("c.example.", "2"), a("a.example.", "3"), a("d.example.", "4")}
	desired := []Record{a("b.example.", "1"), a("c.example.", "22"), a("e.example.", "5"), a("a.example.", "3")}
	want := Changes{
		Create:     []Record{a("e.example.", "5")},
		Update:     []Record{a("c.example.", "22")},
		UpdateFrom: []Record{a("c.example.", "2")},
		Delete:     []Record{a("d.example.", "4")},
	}
	sortedE, sortedD := append([]Record(nil), existing...), append([]Record(nil), desired...)
	Sort(sortedE)
	Sort(sortedD)
	for _, tt := range []struct {
		name string
		e, d []Record
	}{{"unsorted", existing, desired}, {"sorted", sortedE, sortedD}} {
		if diff := cmp.Diff(want, Diff(tt.e, tt.d), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
