package plan

import (
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// This file reads DNS zones in a plan the way a DNS operator does: as
// records added, changed and deleted, named relative to their zone
// ("mail A"), and, when a mass edit gives thousands of zones the same
// change, as one line for all of them: "4,974 zones: `mail A`
// 198.51.100.x → 198.51.100.7".

// Limits of the grouping.
const (
	// maxGroups bounds how many distinct changes are tracked; past it,
	// zones with yet another change are counted but not grouped.
	maxGroups = 10000
	// groupAddrs is how many zone addresses a group keeps as examples.
	groupAddrs = 3
	// maxEditsShown is how many record edits a group's line names.
	maxEditsShown = 6
)

// recordEdit is one record added, changed or deleted in one zone.
type recordEdit struct {
	act   Action // Create, Update or Delete
	label string // "mail A": the name relative to the zone, and the type
	// sig is what the edit does, without the old values: zones whose
	// edits have equal sigs group together.
	sig string
	// olds are the old texts of what changed (values, ttl), one per
	// entry of news; news are the new ones.
	olds, news []string
	attrs      []string // the attributes olds and news are of
}

// zoneEdits is what one change does to the records of a zone.
type zoneEdits struct {
	add, change, del int
	edits            []recordEdit
	other            []string // other attributes that change, by path
}

// tally formats the counts as "+1 ~2 −1".
func (z *zoneEdits) tally() string {
	b := []byte("+")
	b = appendCount(b, z.add)
	b = append(b, " ~"...)
	b = appendCount(b, z.change)
	b = append(b, " −"...)
	b = appendCount(b, z.del)
	return string(b)
}

// recordCollection returns the attribute of c that holds DNS records: a
// list or set of objects keyed by name and type, with values.
func recordCollection(c *Change) (string, bool) {
	for name, keys := range c.Keys {
		if !slices.Equal(keys, []string{"name", "type"}) {
			continue
		}
		for _, v := range []cty.Value{norm(c.After), norm(c.Before)} {
			ty := attrOf(v, name).Type()
			if (ty.IsListType() || ty.IsSetType()) && ty.ElementType().IsObjectType() && ty.ElementType().HasAttribute("values") {
				return name, true
			}
		}
	}
	return "", false
}

// zoneEditsOf reads the record edits of an update or replacement of a
// zone from its diffs; ok is false when c holds no records or changes
// none.
func zoneEditsOf(c *Change, diffs []AttrDiff) (*zoneEdits, bool) {
	coll, ok := recordCollection(c)
	if !ok || c.Action != Update && !c.Action.IsReplace() {
		return nil, false
	}
	zone := zoneName(c)
	z := &zoneEdits{}
	var changed []string // element paths of changed records, in order
	for i := range diffs {
		d := &diffs[i]
		if topLevel(d.Path) != coll {
			if len(z.other) == 0 || z.other[len(z.other)-1] != topLevel(d.Path) {
				z.other = append(z.other, topLevel(d.Path))
			}
			continue
		}
		_, elem, _, ok := keyedElement(d.Path, c.Keys)
		if !ok {
			continue
		}
		switch {
		case d.Path == elem && d.Action == Create:
			z.add++
			label := recordLabel(d.After, zone)
			vals, ttl := recordValues(d.After), FormatValue(attrOf(d.After, "ttl"))
			z.edits = append(z.edits, recordEdit{act: Create, label: label, sig: "+" + label + "\x00" + vals + "\x00" + ttl,
				news: []string{vals}, attrs: []string{"values"}})
		case d.Path == elem && d.Action == Delete:
			z.del++
			label := recordLabel(d.Before, zone)
			z.edits = append(z.edits, recordEdit{act: Delete, label: label, sig: "-" + label})
		case len(changed) == 0 || changed[len(changed)-1] != elem:
			changed = append(changed, elem)
		}
	}
	if len(changed) > 0 {
		z.change = len(changed)
		z.edits = append(z.edits, changedRecords(c, coll, zone, changed)...)
	}
	if len(z.edits) == 0 {
		return nil, false
	}
	return z, true
}

// changedRecords describes the records at the element paths changed, from
// their old and new values.
func changedRecords(c *Change, coll, zone string, changed []string) []recordEdit {
	want := make(map[string]bool, len(changed))
	for _, e := range changed {
		want[e] = true
	}
	keys := c.Keys[coll]
	old := elementsAt(attrOf(norm(c.Before), coll), coll, keys, want)
	new := elementsAt(attrOf(norm(c.After), coll), coll, keys, want)
	out := make([]recordEdit, 0, len(changed))
	for _, path := range changed {
		o, n := old[path], new[path]
		if o == cty.NilVal || n == cty.NilVal {
			continue
		}
		e := recordEdit{act: Update, label: recordLabel(n, zone)}
		sig := []byte("~" + e.label)
		for _, attr := range attrNames(o.Type(), n.Type()) {
			ov, nv := attrOf(o, attr), attrOf(n, attr)
			if attr == "name" || attr == "type" || equal(ov, nv) {
				continue
			}
			ot, nt := FormatValue(ov), FormatValue(nv)
			if attr == "values" {
				ot, nt = recordValues(o), recordValues(n)
			}
			e.attrs = append(e.attrs, attr)
			e.olds = append(e.olds, ot)
			e.news = append(e.news, nt)
			sig = append(sig, 0)
			sig = append(sig, attr...)
			sig = append(sig, '=')
			sig = append(sig, nt...)
		}
		e.sig = string(sig)
		out = append(out, e)
	}
	return out
}

// elementsAt returns the elements of a keyed collection whose paths
// (coll[name="www",type="A"]) are in want.
func elementsAt(v cty.Value, coll string, keys []string, want map[string]bool) map[string]cty.Value {
	out := make(map[string]cty.Value, len(want))
	if v.IsNull() || !v.IsKnown() {
		return out
	}
	var scratch []byte
	seen := map[string]int{}
	for it := v.ElementIterator(); it.Next() && len(out) < len(want); {
		_, e := it.Element()
		k, ok := elementKey(&scratch, keys, e)
		if !ok {
			continue
		}
		if path := coll + "[" + occurrence(seen, k) + "]"; want[path] {
			out[path] = e
		}
	}
	return out
}

// zoneName returns the zone's name from its name (or zone) attribute,
// lower-case without the final dot; "" when it has none.
func zoneName(c *Change) string {
	for _, v := range []cty.Value{norm(c.After), norm(c.Before)} {
		for _, attr := range []string{"name", "zone"} {
			if a := attrOf(v, attr); a.Type() == cty.String && a.IsKnown() && !a.IsNull() {
				return strings.TrimSuffix(strings.ToLower(a.AsString()), ".")
			}
		}
	}
	return ""
}

// recordLabel returns "mail A": a record's name relative to the zone
// ("@" for the apex) and its type.
func recordLabel(rec cty.Value, zone string) string {
	name, typ := attrOf(rec, "name"), attrOf(rec, "type")
	n, t := "?", "?"
	if name.Type() == cty.String && name.IsKnown() && !name.IsNull() {
		n = relativeName(name.AsString(), zone)
	}
	if typ.Type() == cty.String && typ.IsKnown() && !typ.IsNull() {
		t = typ.AsString()
	}
	return n + " " + t
}

// relativeName returns name relative to zone: "@" for the zone itself,
// "www" for "www.example.org." in example.org; a relative name stays as
// it is.
func relativeName(name, zone string) string {
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	switch {
	case zone == "" || name == "@":
		return name
	case n == zone:
		return "@"
	case strings.HasSuffix(n, "."+zone):
		return name[:len(n)-len(zone)-1]
	}
	return name
}

// recordValues formats a record's values as a reviewer reads them:
// plain values as they are, others quoted, separated by ", ".
func recordValues(rec cty.Value) string {
	vs := attrOf(rec, "values")
	if vs.IsNull() || !vs.IsKnown() || !(vs.Type().IsListType() || vs.Type().IsSetType() || vs.Type().IsTupleType()) {
		return FormatValue(vs)
	}
	var b []byte
	i := 0
	for it := vs.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if i > 0 {
			b = append(b, ", "...)
		}
		if e.Type() == cty.String && e.IsKnown() && !e.IsNull() && isPlainValue(e.AsString()) {
			b = append(b, e.AsString()...)
		} else {
			b = appendValue(b, e)
		}
	}
	if i == 0 {
		return "(no values)"
	}
	return string(b)
}

// isPlainValue reports whether a record value reads unambiguously
// without quotes: letters, digits and . : - _ / @ +.
func isPlainValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(".:-_/@+*", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// pattern summarises the old texts of one edit across the zones of a
// group: the text itself when all are equal, else their common head and
// tail around an x ("198.51.100.x").
type pattern struct {
	n              int
	first          string
	prefix, suffix string
	minLen         int
	mixed          bool
}

func (p *pattern) add(s string) {
	p.n++
	switch {
	case p.n == 1:
		p.first, p.prefix, p.suffix, p.minLen = s, s, s, len(s)
		return
	case s == p.first && !p.mixed:
		return
	}
	p.mixed = true
	p.minLen = min(p.minLen, len(s))
	p.prefix = p.prefix[:commonBytes(p.prefix, s)]
	n := 0
	for n < len(p.suffix) && n < len(s) && p.suffix[len(p.suffix)-1-n] == s[len(s)-1-n] {
		n++
	}
	p.suffix = p.suffix[len(p.suffix)-n:]
}

func commonBytes(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// String returns the summary: the text, "198.51.100.x", or "(various)".
func (p *pattern) String() string {
	if !p.mixed {
		return p.first
	}
	const seps = ".:, -/_@"
	pre := p.prefix[:strings.LastIndexAny(p.prefix, seps)+1]
	suf := ""
	if i := strings.IndexAny(p.suffix, seps); i >= 0 {
		suf = p.suffix[i:]
	}
	if len(pre)+len(suf) >= p.minLen {
		suf = ""
	}
	if pre == "" && suf == "" {
		return "(various)"
	}
	return pre + "x" + suf
}

// zoneGroup is the zones of a plan that change their records the same
// way.
type zoneGroup struct {
	sig   string
	zones int
	addrs []string // the first groupAddrs zones, in plan order
	first int      // plan index of the first zone, for ordering
	tally string
	edits []recordEdit // the first zone's edits
	olds  [][]pattern  // per edit, per changed attribute
	other []string
}

// zoneGroups collects zone groups, bounded in number.
type zoneGroups struct {
	bySig   map[string]*zoneGroup
	list    []*zoneGroup
	overflw int // zones not grouped because maxGroups was reached
}

// add counts the edits z of the change at plan index i in their group.
func (gs *zoneGroups) add(addr string, i int, z *zoneEdits) {
	var sig []byte
	for _, e := range z.edits {
		sig = append(sig, e.sig...)
		sig = append(sig, 1)
	}
	for _, o := range z.other {
		sig = append(sig, o...)
		sig = append(sig, 2)
	}
	if gs.bySig == nil {
		gs.bySig = map[string]*zoneGroup{}
	}
	g := gs.bySig[string(sig)]
	if g == nil {
		if len(gs.list) >= maxGroups {
			gs.overflw++
			return
		}
		g = &zoneGroup{sig: string(sig), first: i, tally: z.tally(), edits: z.edits, other: z.other}
		g.olds = make([][]pattern, len(z.edits))
		for k, e := range z.edits {
			g.olds[k] = make([]pattern, len(e.olds))
		}
		gs.bySig[g.sig] = g
		gs.list = append(gs.list, g)
	}
	g.zones++
	if len(g.addrs) < groupAddrs {
		g.addrs = append(g.addrs, addr)
	}
	for k, e := range z.edits {
		for a, o := range e.olds {
			g.olds[k][a].add(o)
		}
	}
}

// merge adds the groups of other, collected over later changes.
func (gs *zoneGroups) merge(other *zoneGroups) {
	for _, og := range other.list {
		g := gs.bySig[og.sig]
		if g == nil {
			if len(gs.list) >= maxGroups {
				gs.overflw += og.zones
				continue
			}
			if gs.bySig == nil {
				gs.bySig = map[string]*zoneGroup{}
			}
			gs.bySig[og.sig] = og
			gs.list = append(gs.list, og)
			continue
		}
		g.zones += og.zones
		for _, a := range og.addrs {
			if len(g.addrs) < groupAddrs {
				g.addrs = append(g.addrs, a)
			}
		}
		for k := range g.olds {
			for a := range g.olds[k] {
				mergePattern(&g.olds[k][a], &og.olds[k][a])
			}
		}
	}
	gs.overflw += other.overflw
}

// mergePattern folds the pattern o into p.
func mergePattern(p, o *pattern) {
	if o.n == 0 {
		return
	}
	p.add(o.first)
	if o.mixed {
		p.add(o.prefix + "\x00" + o.suffix) // any text with o's head and tail, and differing
		p.minLen = min(p.minLen, o.minLen)
	}
}

// shared returns the groups of more than one zone, largest first.
func (gs *zoneGroups) shared() []*zoneGroup {
	var out []*zoneGroup
	for _, g := range gs.list {
		if g.zones > 1 {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b *zoneGroup) int {
		if a.zones != b.zones {
			return b.zones - a.zones
		}
		return a.first - b.first
	})
	return out
}

// groupParts returns what a group's line says after its count, as text
// and code parts: "`mail A` 198.51.100.x → 198.51.100.7; `old CNAME`
// deleted".
func groupParts(g *zoneGroup) []textPart {
	var parts []textPart
	for k, e := range g.edits {
		if k == maxEditsShown {
			parts = append(parts, textPart{text: "; and " + formatCount(len(g.edits)-k) + " more records"})
			break
		}
		if k > 0 {
			parts = append(parts, textPart{text: "; "})
		}
		parts = append(parts, textPart{text: e.label, code: true})
		switch e.act {
		case Create:
			parts = append(parts, textPart{text: " added: "}, textPart{text: e.news[0], code: true})
		case Delete:
			parts = append(parts, textPart{text: " deleted"})
		default:
			for a, attr := range e.attrs {
				if a > 0 {
					parts = append(parts, textPart{text: ","})
				}
				if attr != "values" {
					parts = append(parts, textPart{text: " " + attr})
				}
				parts = append(parts, textPart{text: " "}, textPart{text: g.olds[k][a].String(), code: true},
					textPart{text: " → "}, textPart{text: e.news[a], code: true})
			}
		}
	}
	for _, o := range g.other {
		parts = append(parts, textPart{text: "; "}, textPart{text: o, code: true}, textPart{text: " changes"})
	}
	return parts
}
