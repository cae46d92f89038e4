package plan

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// This file holds the review model that RenderMarkdown and RenderHTML
// share: which changes a reviewer sees, the tally per resource type, and
// the warnings derived from the plan. Both renderers build it from the
// Plan and from Diff, never from rendered text.

// Thresholds of the derived warnings.
const (
	// massChangePercent is the share of a keyed collection's elements that
	// must change, strictly more than, for a mass-change warning.
	massChangePercent = 30
	// massChangeMinElements is the smallest collection a mass-change
	// warning is given for: changing two records of five is not news.
	massChangeMinElements = 10
)

// reviewed reports whether a change is shown to a reviewer: anything but
// a no-op, and a no-op that imports or moves an object.
func reviewed(c *Change) bool {
	return c.Action != NoOp || c.ImportID != "" || c.PrevAddr != ""
}

// riskOrder lists the actions in the order the renderers show resources,
// most destructive first, so that a size limit cuts the least risky.
var riskOrder = [...]Action{Delete, DeleteThenCreate, CreateThenDelete, Update, Create, Read, Forget, NoOp}

// typeCounts is one row of the summary table. It counts as the summary
// line does: a replacement once in Add, once in Destroy, and in Replace,
// which says how many of them are replacements; an import counts under
// Import as well.
type typeCounts struct {
	Type                                        string
	Add, Change, Replace, Destroy, Read, Import int
	// Changes is the number of reviewed changes the row counts.
	Changes int
}

// add counts c in the row.
func (r *typeCounts) add(c *Change) {
	r.Changes++
	switch c.Action {
	case Create:
		r.Add++
	case Update:
		r.Change++
	case DeleteThenCreate, CreateThenDelete:
		r.Add++
		r.Destroy++
		r.Replace++
	case Delete:
		r.Destroy++
	case Read:
		r.Read++
	}
	if c.ImportID != "" {
		r.Import++
	}
}

// review is what both renderers show above the resources.
type review struct {
	counts   Counts
	types    []typeCounts      // sorted by type name
	all      typeCounts        // the totals row
	changes  int               // reviewed changes
	byAction [actionCount]int  // reviewed changes by action
	warnings []reviewWarning   // at most warnLimit of each kind
	hidden   [warnPlan + 1]int // warnings not kept, by kind
	// zones groups the zones whose records change, by how they change.
	zones zoneGroups
	// tallies holds, by index in Plan.Changes, each zone's record tally
	// ("+1 ~2 −1"), for the resource headings; "" for other changes.
	tallies []string
}

// warnKind orders and names the kinds of warning.
type warnKind int

const (
	warnDestroy warnKind = iota
	warnReplace
	warnRecordDelete
	warnApexNS
	warnMass
	warnPlan
)

// title is the label a renderer puts before a warning of the kind.
func (k warnKind) title() string {
	switch k {
	case warnDestroy:
		return "Destroy"
	case warnReplace:
		return "Replace"
	case warnRecordDelete:
		return "Record deletion"
	case warnApexNS:
		return "Apex NS"
	case warnMass:
		return "Mass change"
	}
	return "Warning"
}

// plural names many warnings of the kind, for "… and 12 more ...".
func (k warnKind) plural() string {
	switch k {
	case warnDestroy:
		return "resources to destroy"
	case warnReplace:
		return "resources to replace"
	case warnRecordDelete:
		return "zones deleting records"
	case warnApexNS:
		return "apex NS changes"
	case warnMass:
		return "mass changes"
	}
	return "warnings"
}

// reviewWarning is one warning: a kind, the resource it is about (empty
// for the plan's own warnings) and its parts as plain text. Renderers
// escape the parts; code parts print as code.
type reviewWarning struct {
	kind  warnKind
	addr  string
	index int // the change's index in Plan.Changes, or -1
	parts []textPart
}

// textPart is a run of a warning's or a banner's text, shown as code or
// as prose; each renderer escapes it its own way.
type textPart struct {
	text string
	code bool
}

// buildReview tallies the plan and derives its warnings, keeping at most
// warnLimit warnings of each kind and counting the others, so memory stays
// bounded however large the plan. Warnings need Diff for replacements and
// for updates of resources with keyed collections; those diffs run in
// parallel over chunks of the plan, and the chunks' warnings are merged
// in plan order.
func buildReview(p *Plan, warnLimit int) *review {
	r := &review{counts: p.Count()}
	rows := map[string]*typeCounts{}
	for _, c := range p.Changes {
		if !reviewed(c) {
			continue
		}
		r.changes++
		r.byAction[c.Action]++
		row := rows[c.Type]
		if row == nil {
			row = &typeCounts{Type: c.Type}
			rows[c.Type] = row
		}
		row.add(c)
		r.all.add(c)
	}
	r.types = make([]typeCounts, 0, len(rows))
	for _, row := range rows {
		r.types = append(r.types, *row)
	}
	slices.SortFunc(r.types, func(a, b typeCounts) int { return strings.Compare(a.Type, b.Type) })
	r.all.Type = "Total"

	r.tallies = make([]string, len(p.Changes))
	workers := 1
	if len(p.Changes) >= 512 {
		workers = min(runtime.GOMAXPROCS(0), 8)
	}
	chunks := make([]warnings, workers)
	size := (len(p.Changes) + workers - 1) / workers
	var wg sync.WaitGroup
	for i := range workers {
		lo, hi := min(i*size, len(p.Changes)), min((i+1)*size, len(p.Changes))
		wg.Go(func() { chunks[i].collect(p.Changes[lo:hi], lo, warnLimit, r.tallies[lo:hi]) })
	}
	wg.Wait()
	var all warnings
	var dels zoneGroups
	for i := range chunks {
		for _, w := range chunks[i].list {
			all.keep(w, warnLimit)
		}
		for k, n := range chunks[i].hidden {
			all.hidden[k] += n
		}
		r.zones.merge(&chunks[i].zones)
		dels.merge(&chunks[i].dels)
	}
	for _, g := range dels.list {
		all.keep(deletionWarning(g), warnLimit)
	}
	all.hidden[warnRecordDelete] += dels.overflw
	for _, w := range p.Warnings {
		all.keep(reviewWarning{kind: warnPlan, index: -1, parts: []textPart{{text: w}}}, warnLimit)
	}
	slices.SortStableFunc(all.list, func(a, b reviewWarning) int { return int(a.kind) - int(b.kind) })
	r.warnings, r.hidden = all.list, all.hidden
	return r
}

// warnings collects warnings, at most a limit of each kind, counting the
// ones it does not keep.
type warnings struct {
	list   []reviewWarning
	kept   [warnPlan + 1]int
	hidden [warnPlan + 1]int
	// zones groups the zones by their record edits; dels groups them by
	// the records they delete, for the warnings.
	zones, dels zoneGroups
}

// keep adds w unless limit warnings of its kind are kept already.
func (ws *warnings) keep(w reviewWarning, limit int) {
	if ws.kept[w.kind] >= limit {
		ws.hidden[w.kind]++
		return
	}
	ws.kept[w.kind]++
	ws.list = append(ws.list, w)
}

// collect derives the warnings of changes, the first of which has index
// offset in Plan.Changes.
func (ws *warnings) collect(changes []*Change, offset, limit int, tallies []string) {
	for i, c := range changes {
		if c.MassChange != nil {
			ws.keep(massWarning(c, offset+i), limit)
		}
		switch {
		case c.Action == Delete:
			w := reviewWarning{kind: warnDestroy, addr: c.Addr, index: offset + i}
			if c.Reason != "" {
				w.parts = []textPart{{text: "(" + c.Reason + ")"}}
			}
			ws.keep(w, limit)
		case c.Action.IsReplace() || c.Action == Update && len(c.Keys) > 0:
			diffs := Diff(c)
			if c.Action.IsReplace() {
				ws.keep(replaceWarning(c, offset+i, diffs), limit)
			}
			for _, w := range derivedWarnings(c, offset+i, diffs) {
				ws.keep(w, limit)
			}
			if z, ok := zoneEditsOf(c, diffs); ok {
				tallies[i] = z.tally()
				ws.zones.add(c.Addr, offset+i, z)
				if z.del > 0 {
					ws.dels.add(c.Addr, offset+i, deletionsOnly(z))
				}
			}
		}
	}
}

// massWarning says what a mass change let through does, with the
// provider's numbers: "8 of the 20 records of zone big.example change or
// go (40%); allowed by -allow-mass-change".
func massWarning(c *Change, index int) reviewWarning {
	return reviewWarning{kind: warnMass, addr: c.Addr, index: index, parts: []textPart{
		{text: ": " + c.MassChange.Text() + "; allowed by "},
		{text: c.MassChange.AllowedBy, code: true},
	}}
}

// deletionsOnly returns the record deletions of z, so zones deleting the
// same records group together whatever else they change.
func deletionsOnly(z *zoneEdits) *zoneEdits {
	d := &zoneEdits{del: z.del}
	for _, e := range z.edits {
		if e.act == Delete {
			d.edits = append(d.edits, e)
		}
	}
	return d
}

// deletionWarning says which records a group of zones deletes:
// "`old CNAME`, `x TXT` deleted", and in how many zones.
func deletionWarning(g *zoneGroup) reviewWarning {
	w := reviewWarning{kind: warnRecordDelete, addr: g.addrs[0], index: g.first, parts: []textPart{{text: ": "}}}
	for k, e := range g.edits {
		if k == maxEditsShown {
			w.parts = append(w.parts, textPart{text: " and " + formatCount(len(g.edits)-k) + " more"})
			break
		}
		if k > 0 {
			w.parts = append(w.parts, textPart{text: ", "})
		}
		w.parts = append(w.parts, textPart{text: e.label, code: true})
	}
	w.parts = append(w.parts, textPart{text: " deleted"})
	if g.zones > 1 {
		w.parts = append(w.parts, textPart{text: ", and the same in " + formatCount(g.zones-1) + " other zones"})
		if len(g.addrs) > 1 {
			w.parts = append(w.parts, textPart{text: " ("})
			for i, a := range g.addrs[1:] {
				if i > 0 {
					w.parts = append(w.parts, textPart{text: ", "})
				}
				w.parts = append(w.parts, textPart{text: a, code: true})
			}
			if g.zones > len(g.addrs) {
				w.parts = append(w.parts, textPart{text: ", …"})
			}
			w.parts = append(w.parts, textPart{text: ")"})
		}
	}
	return w
}

// formatCount formats n with commas between thousands: 4,812.
func formatCount(n int) string {
	return string(appendCount(nil, n))
}

// appendCount appends formatCount(n) to b.
func appendCount(b []byte, n int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	s := strconv.Itoa(n)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return b
}

// actionLabel is the short name of an action in filters and headings.
func actionLabel(a Action) string {
	switch a {
	case NoOp:
		return "import/move" // a no-op is reviewed only when it imports or moves
	case Forget:
		return "forget"
	case Create:
		return "create"
	case Read:
		return "read"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return "replace"
}

// resourceHeading is what a reviewer reads on a resource's collapsed
// line: "will be updated in-place", or "will be imported" for a no-op
// import.
func resourceHeading(c *Change) string {
	switch {
	case c.Action == NoOp && c.ImportID != "":
		return "will be imported"
	case c.Action == NoOp && c.PrevAddr != "":
		return "has moved from " + c.PrevAddr
	case c.PrevAddr != "":
		return verb(c.Action) + " (moved from " + c.PrevAddr + ")"
	}
	return verb(c.Action)
}
