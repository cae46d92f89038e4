package plan

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// massEditPlan is the mass edit of the issue: n zones whose mail A record
// moves from its own address in 198.51.100.0/24 to 198.51.100.7, with
// absolute record names as an import writes them; every tenth zone also
// deletes its old CNAME record, and one zone changes otherwise.
func massEditPlan(n int) *Plan {
	p := &Plan{PlumbVersion: "test"}
	for i := range n {
		zone := fmt.Sprintf("z%05d.example", i)
		abs := func(rel string) string { return rel + "." + zone + "." }
		before := []cty.Value{
			record(zone+".", "NS", 172800, "ns1.example.net.", "ns2.example.net."),
			record(abs("mail"), "A", 300, fmt.Sprintf("198.51.100.%d", 10+i%200)),
			record(abs("old"), "CNAME", 300, "mail."+zone+"."),
			record(abs("www"), "A", 300, "192.0.2.1"),
		}
		after := slices.Clone(before)
		after[1] = record(abs("mail"), "A", 300, "198.51.100.7")
		if i%10 == 0 {
			after = slices.Delete(after, 2, 3)
		}
		if i == n-1 {
			after[len(after)-1] = record(abs("www"), "A", 60, "192.0.2.1")
		}
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("aws_route53_zone.z[%q]", zone), Mode: Managed, Type: "aws_route53_zone", Name: "z",
			Action: Update, Before: route53Val(zone, before), After: route53Val(zone, after),
			Keys: map[string][]string{"records": {"name", "type"}},
		})
	}
	return p
}

func TestMassEditRendersGroupedUnderTheLimit(t *testing.T) {
	p := massEditPlan(5000)
	var md, page bytes.Buffer
	if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderHTML(&page, p); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	t.Logf("5,000-zone mass edit: %d bytes of Markdown", len(out))
	if len(out) > GitHubCommentMaxBytes {
		t.Errorf("the comment is %d bytes, over %d", len(out), GitHubCommentMaxBytes)
	}
	for _, want := range []string{
		"**4,499 zones** (+0 ~1 −0 each): `mail A` `198.51.100.x` → `198.51.100.7` — `aws_route53_zone.z[\"z00001.example\"]`",
		"**500 zones** (+0 ~1 −1 each): `old CNAME` deleted; `mail A` `198.51.100.x` → `198.51.100.7`",
		"- **Record deletion** `aws_route53_zone.z[\"z00000.example\"]`: `old CNAME` deleted, and the same in 499 other zones",
		"will be updated in-place: 2 changes (records +0 ~1 −1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	// The one zone that also changes its www TTL stays out of the groups.
	if strings.Contains(out, "**1 zones**") {
		t.Error("a group of one zone is listed")
	}
	// How much is shown is said at the top and at the bottom.
	top, bottom := strings.Index(out, "_Showing "), strings.LastIndex(out, "_Showing ")
	if top < 0 || top == bottom || top > strings.Index(out, "<details") || bottom < strings.LastIndex(out, "</details>") {
		t.Errorf("\"Showing N of 5,000 changes\" is not both above and below the changes")
	}
	if !strings.Contains(out, " of 5,000 changes") {
		t.Error("the Showing line does not count all 5,000 changes")
	}
	for _, want := range []string{"<strong>4,499 zones</strong> (+0 ~1 −0 each): <code>mail A</code> <code>198.51.100.x</code> → <code>198.51.100.7</code>"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestPattern(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"198.51.100.1"}, "198.51.100.1"},
		{[]string{"198.51.100.1", "198.51.100.1"}, "198.51.100.1"},
		{[]string{"198.51.100.1", "198.51.100.23", "198.51.100.4"}, "198.51.100.x"},
		{[]string{"198.51.100.4", "198.51.100.44"}, "198.51.100.x"},
		{[]string{"10 mail1.example.com.", "10 mail22.example.com."}, "10 x.example.com."},
		{[]string{"2001:db8::1", "2001:db8::ff"}, "2001:db8::x"},
		{[]string{"alpha", "beta"}, "(various)"},
	}
	for _, tt := range tests {
		var p pattern
		for _, s := range tt.in {
			p.add(s)
		}
		if got := p.String(); got != tt.want {
			t.Errorf("pattern of %q = %q, want %q", tt.in, got, tt.want)
		}
		// Merging halves gives the same as adding all.
		var a, b pattern
		for i, s := range tt.in {
			if i < len(tt.in)/2 {
				a.add(s)
			} else {
				b.add(s)
			}
		}
		mergePattern(&a, &b)
		if got := a.String(); got != tt.want {
			t.Errorf("merged pattern of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestZoneEditsNameRecordsRelativeToTheZone(t *testing.T) {
	c := massEditPlan(1).Changes[0]
	z, ok := zoneEditsOf(c, Diff(c))
	if !ok {
		t.Fatal("no record edits found")
	}
	var labels []string
	for _, e := range z.edits {
		labels = append(labels, e.label)
	}
	if want := []string{"old CNAME", "mail A", "www A"}; !slices.Equal(labels, want) || z.tally() != "+0 ~2 −1" {
		t.Errorf("edits %q, tally %s; want %q and +0 ~2 −1", labels, z.tally(), want)
	}
	// A plan's own zone without records, or a file, has no record edits.
	if _, ok := zoneEditsOf(samplePlan().Changes[3], nil); ok {
		t.Error("a deleted local_file has record edits")
	}
}

func TestMassChangeWarningUsesTheProvidersRule(t *testing.T) {
	// 20 records; 6 change, 2 go and 5 are added: the providers count 8 of
	// 20 (40%), not 13 of 25.
	before := make([]cty.Value, 20)
	for i := range before {
		before[i] = record(fmt.Sprintf("h%d", i), "A", 300, "192.0.2.1")
	}
	after := slices.Clone(before[:18])
	for i := range 6 {
		after[i] = record(fmt.Sprintf("h%d", i), "A", 300, "192.0.2.2")
	}
	for i := range 5 {
		after = append(after, record(fmt.Sprintf("new%d", i), "A", 300, "192.0.2.3"))
	}
	c := &Change{Addr: "aws_route53_zone.big", Type: "aws_route53_zone", Action: Update,
		Before: route53Val("big.example", before), After: route53Val("big.example", after),
		Keys: map[string][]string{"records": {"name", "type"}}}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, &Plan{Changes: []*Change{c}}, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "8 of the 20 elements of `records` change or go (40%)"; !strings.Contains(md.String(), want) {
		t.Errorf("the comment lacks %q:\n%s", want, md.String())
	}
}

// TestOneResourceMayUseTheWholeRoom: a file whose 900 lines all change
// takes about 30 KB of diff; the comment shows all of it, not a fixed
// share of the room, and says nothing is left out.
func TestOneResourceMayUseTheWholeRoom(t *testing.T) {
	var old, new strings.Builder
	for i := range 900 {
		fmt.Fprintf(&old, "setting_%d = old\n", i)
		fmt.Fprintf(&new, "setting_%d = new\n", i)
	}
	p := &Plan{Changes: []*Change{{
		Addr: "local_file.conf", Type: "local_file", Name: "conf", Action: Update,
		Before: fileVal(old.String(), "app.conf", "0644", cty.StringVal("a")),
		After:  fileVal(new.String(), "app.conf", "0644", cty.StringVal("a")),
	}}}
	var md bytes.Buffer
	if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	if md.Len() < 30000 || strings.Contains(out, "not shown") || !strings.Contains(out, "+     setting_899 = new") {
		t.Errorf("the one resource's diff was cut (%d bytes):\n%s", md.Len(), out[max(0, len(out)-400):])
	}
}
