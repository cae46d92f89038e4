package plan

import "strings"

// This file holds the line diff the renderers use for multi-line strings:
// a file's content, a hook script, a long TXT value split over lines. The
// change shows as the hunks of a unified diff, with context, so a change on
// line 62 of a file is shown on line 62, never cut off.

// diffContext is how many unchanged lines a hunk shows around a change.
const diffContext = 3

// maxEditDistance bounds the work of the line diff: past this many
// inserted and deleted lines, the rest of the changed region is shown as
// removed and added whole. A reviewer learns nothing more from a minimal
// diff of two unrelated 100,000-line files.
const maxEditDistance = 1000

// textLine is one line of a multi-line string. eol is false for a last
// line with no newline after it, which a diff shows as a change of its
// own ("\ No newline at end of file").
type textLine struct {
	text string
	eol  bool
}

// splitLines splits s into lines. A final newline ends the last line; it
// does not start an empty one.
func splitLines(s string) []textLine {
	if s == "" {
		return nil
	}
	n := strings.Count(s, "\n")
	out := make([]textLine, 0, n+1)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, textLine{text: s})
			break
		}
		out = append(out, textLine{text: s[:i], eol: true})
		s = s[i+1:]
	}
	return out
}

// isMultiline reports whether s has more than one line, so a change to it
// reads best as a line diff.
func isMultiline(s string) bool {
	i := strings.IndexByte(s, '\n')
	return i >= 0 && i < len(s)-1
}

// editOp is one step of a line diff.
type editOp uint8

const (
	opKeep editOp = iota
	opDelete
	opInsert
)

// edit is a run of n lines that are kept, deleted from the old text or
// inserted from the new one.
type edit struct {
	op editOp
	n  int
}

// diffLineSeqs returns a shortest edit script turning a into b (Myers'
// algorithm, after trimming the common head and tail), as runs of edits
// in order. Past maxEditDistance it gives up on minimality for what is
// left and deletes and inserts the rest whole.
func diffLineSeqs(a, b []textLine) []edit {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	var out []edit
	add := func(op editOp, n int) {
		if n == 0 {
			return
		}
		if len(out) > 0 && out[len(out)-1].op == op {
			out[len(out)-1].n += n
			return
		}
		out = append(out, edit{op, n})
	}
	add(opKeep, head)
	for _, e := range myers(a[head:len(a)-tail], b[head:len(b)-tail]) {
		add(e.op, e.n)
	}
	add(opKeep, tail)
	return out
}

// myers returns a shortest edit script from a to b, or, past
// maxEditDistance, the deletion of a and the insertion of b.
func myers(a, b []textLine) []edit {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return []edit{{opDelete, n}, {opInsert, m}}
	}
	limit := min(n+m, maxEditDistance)
	offset := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] keeps v[-d-1 … d+1] as it was before step d: all the
	// backward walk reads of it.
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		trace = append(trace, append([]int(nil), v[offset-d-1:offset+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[offset+k-1] < v[offset+k+1] {
				x = v[offset+k+1] // down: an insertion
			} else {
				x = v[offset+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[offset+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return []edit{{opDelete, n}, {opInsert, m}}
	}
	// Walk the trace back from (n, m), collecting single steps in reverse.
	var rev []editOp
	x, y := n, m
	for d := found; d > 0; d-- {
		pv := trace[d]
		at := func(k int) int { return pv[k+d+1] }
		k := x - y
		var pk int
		if k == -d || k != d && at(k-1) < at(k+1) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			rev = append(rev, opKeep)
			x--
			y--
		}
		if pk == k+1 {
			rev = append(rev, opInsert)
		} else {
			rev = append(rev, opDelete)
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		rev = append(rev, opKeep)
		x--
		y--
	}
	var out []edit
	for i := len(rev) - 1; i >= 0; i-- {
		op := rev[i]
		if len(out) > 0 && out[len(out)-1].op == op {
			out[len(out)-1].n++
			continue
		}
		out = append(out, edit{op, 1})
	}
	return out
}

// hunk is one hunk of a unified diff: where it starts in the old and the
// new text (1-based, as diff prints them), how many lines of each it
// covers, and its edits, context included.
type hunk struct {
	oldStart, oldLines int
	newStart, newLines int
	edits              []edit
}

// hunks groups an edit script into hunks with ctx lines of context,
// merging hunks whose context would touch.
func hunks(script []edit, ctx int) []hunk {
	var out []hunk
	var cur *hunk
	oldLine, newLine := 0, 0 // lines consumed so far
	for i, e := range script {
		if e.op != opKeep {
			if cur == nil {
				lead := 0
				if i > 0 && script[i-1].op == opKeep {
					lead = min(script[i-1].n, ctx)
				}
				out = append(out, hunk{oldStart: oldLine - lead + 1, newStart: newLine - lead + 1})
				cur = &out[len(out)-1]
				if lead > 0 {
					cur.edits = append(cur.edits, edit{opKeep, lead})
					cur.oldLines += lead
					cur.newLines += lead
				}
			}
			cur.edits = append(cur.edits, e)
			if e.op == opDelete {
				cur.oldLines += e.n
				oldLine += e.n
			} else {
				cur.newLines += e.n
				newLine += e.n
			}
			continue
		}
		if cur != nil {
			last := i == len(script)-1
			if !last && e.n <= 2*ctx {
				// Close enough to the next change: one hunk.
				cur.edits = append(cur.edits, e)
				cur.oldLines += e.n
				cur.newLines += e.n
			} else {
				trail := min(e.n, ctx)
				cur.edits = append(cur.edits, edit{opKeep, trail})
				cur.oldLines += trail
				cur.newLines += trail
				cur = nil
			}
		}
		oldLine += e.n
		newLine += e.n
	}
	for i := range out {
		// diff prints an empty range as starting at the line before it.
		if out[i].oldLines == 0 {
			out[i].oldStart--
		}
		if out[i].newLines == 0 {
			out[i].newStart--
		}
	}
	return out
}
