package aws

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/providers/dns"
)

// batchChange makes a change of action ("C", "U", "D") for the set "name type"
// with n values of width characters each.
func batchChange(action, key string, n, width int) recordChange {
	name, typ, _ := strings.Cut(key, " ")
	r := dns.Record{Name: name, Type: typ, TTL: 300}
	for i := range n {
		v := fmt.Sprintf("%0*d", width, i)
		r.Values = append(r.Values, v)
	}
	a := map[string]types.ChangeAction{"C": types.ChangeActionCreate, "U": types.ChangeActionUpsert, "D": types.ChangeActionDelete}[action]
	return recordChange{action: a, rec: r, set: toRoute53(r)}
}

// showBatches renders batches as "action key" lists for comparison.
func showBatches(batches [][]recordChange) [][]string {
	var out [][]string
	for _, b := range batches {
		var s []string
		for _, c := range b {
			s = append(s, string(c.action)[:1]+" "+c.rec.Key())
		}
		out = append(out, s)
	}
	return out
}

func TestSplitBatches(t *testing.T) {
	tests := []struct {
		name    string
		lim     batchLimits
		changes []recordChange
		want    [][]string
	}{
		{
			name:    "one batch, deletes first",
			lim:     route53Limits,
			changes: []recordChange{batchChange("C", "b.x. A", 1, 4), batchChange("U", "c.x. A", 1, 4), batchChange("D", "d.x. A", 1, 4)},
			want:    [][]string{{"D d.x. A", "U c.x. A", "C b.x. A"}},
		},
		{
			name:    "records limit",
			lim:     batchLimits{Records: 4, Chars: 1000},
			changes: []recordChange{batchChange("C", "a.x. A", 2, 4), batchChange("C", "b.x. A", 2, 4), batchChange("C", "c.x. A", 2, 4)},
			want:    [][]string{{"C a.x. A", "C b.x. A"}, {"C c.x. A"}},
		},
		{
			name:    "upsert counts twice",
			lim:     batchLimits{Records: 4, Chars: 1000},
			changes: []recordChange{batchChange("U", "a.x. A", 2, 4), batchChange("C", "b.x. A", 1, 4)},
			want:    [][]string{{"U a.x. A"}, {"C b.x. A"}},
		},
		{
			name:    "characters limit",
			lim:     batchLimits{Records: 100, Chars: 25},
			changes: []recordChange{batchChange("C", "a.x. TXT", 1, 10), batchChange("C", "b.x. TXT", 1, 10), batchChange("C", "c.x. TXT", 1, 10)},
			want:    [][]string{{"C a.x. TXT", "C b.x. TXT"}, {"C c.x. TXT"}},
		},
		{
			name: "a name's changes stay together",
			lim:  batchLimits{Records: 3, Chars: 1000},
			changes: []recordChange{
				batchChange("C", "a.x. A", 1, 4), batchChange("C", "www.x. CNAME", 1, 4), batchChange("D", "www.x. A", 1, 4), batchChange("D", "www.x. AAAA", 1, 4),
			},
			want: [][]string{{"C a.x. A"}, {"D www.x. A", "D www.x. AAAA", "C www.x. CNAME"}},
		},
		{
			name: "a name too big for one batch is split deletes first",
			lim:  batchLimits{Records: 2, Chars: 1000},
			changes: []recordChange{
				batchChange("C", "www.x. CNAME", 1, 4), batchChange("D", "www.x. A", 1, 4), batchChange("D", "www.x. AAAA", 1, 4),
			},
			want: [][]string{{"D www.x. A", "D www.x. AAAA"}, {"C www.x. CNAME"}},
		},
		{
			name:    "names in DNS order",
			lim:     batchLimits{Records: 2, Chars: 1000},
			changes: []recordChange{batchChange("C", "b.x. A", 1, 4), batchChange("C", "x. A", 1, 4), batchChange("C", "a.b.x. A", 1, 4)},
			want:    [][]string{{"C x. A", "C b.x. A"}, {"C a.b.x. A"}},
		},
		{name: "nothing", lim: route53Limits, changes: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitBatches(tt.changes, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, showBatches(got)); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
			for i, b := range got {
				records, chars := 0, 0
				for _, c := range b {
					r, ch := c.cost()
					records, chars = records+r, chars+ch
				}
				if records > tt.lim.Records || chars > tt.lim.Chars {
					t.Errorf("batch %d counts %d records and %d characters, over %+v", i+1, records, chars, tt.lim)
				}
			}
		})
	}
}

func TestSplitBatchesRoute53Limits(t *testing.T) {
	var changes []recordChange
	for i := range 2500 {
		changes = append(changes, batchChange("C", fmt.Sprintf("h%04d.x. TXT", i), 1, 20))
	}
	changes = append(changes, batchChange("U", "big.x. TXT", 400, 30))
	got, err := splitBatches(changes, route53Limits)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, b := range got {
		records, chars := 0, 0
		for _, c := range b {
			r, ch := c.cost()
			records, chars = records+r, chars+ch
		}
		if records > MaxBatchRecords || chars > MaxBatchChars {
			t.Errorf("batch %d: %d records, %d characters", i+1, records, chars)
		}
		total += len(b)
	}
	if total != len(changes) || len(got) != 4 {
		t.Errorf("%d changes in %d batches, want %d in 4", total, len(got), len(changes))
	}
}

func TestSplitBatchesTooBig(t *testing.T) {
	_, err := splitBatches([]recordChange{batchChange("U", "huge.x. TXT", 600, 4)}, route53Limits)
	if err == nil || !strings.Contains(err.Error(), "huge.x. TXT") || !strings.Contains(err.Error(), "1200 records") {
		t.Errorf("err = %v, want the oversized change named", err)
	}
}

func TestZoneDiffApexNS(t *testing.T) {
	ns := func(v string) dns.Record { return dns.Record{Name: "x.", Type: "NS", TTL: 300, Values: []string{v}} }
	a := dns.Record{Name: "a.x.", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}
	d := zoneDiff([]dns.Record{ns("ns1.y.")}, []dns.Record{a}, "x.")
	if len(d.Delete) != 0 || len(d.Create) != 1 {
		t.Errorf("apex NS no longer managed: %+v, want it left alone", d)
	}
	d = zoneDiff(nil, []dns.Record{ns("ns1.y."), a}, "x.")
	if len(d.Update) != 1 || d.Update[0].Type != "NS" || len(d.Create) != 1 {
		t.Errorf("apex NS newly managed: %+v, want an update (UPSERT)", d)
	}
}

func TestApplyChanges(t *testing.T) {
	a := dns.Record{Name: "a.x.", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}}
	b := dns.Record{Name: "b.x.", Type: "A", TTL: 300, Values: []string{"192.0.2.2"}}
	b2 := b
	b2.TTL = 60
	c := dns.Record{Name: "c.x.", Type: "A", TTL: 300, Values: []string{"192.0.2.3"}}
	got := applyChanges([]dns.Record{a, b}, []recordChange{
		{action: types.ChangeActionDelete, rec: a}, {action: types.ChangeActionUpsert, rec: b2}, {action: types.ChangeActionCreate, rec: c},
	})
	if diff := cmp.Diff([]dns.Record{b2, c}, got); diff != "" {
		t.Errorf("records after the changes (-want +got):\n%s", diff)
	}
}

func BenchmarkSplitBatches(b *testing.B) {
	var changes []recordChange
	for i := range 5000 {
		changes = append(changes, batchChange("C", fmt.Sprintf("h%04d.x. A", i), 1, 12))
	}
	for b.Loop() {
		if _, err := splitBatches(changes, route53Limits); err != nil {
			b.Fatal(err)
		}
	}
}
