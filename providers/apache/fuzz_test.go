package apache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParseFile reads any bytes as an access file, as plumb does before
// it touches one. A file whose markers do not pair up is a *markerError
// on a line of the file; any other is read whole: written back unchanged
// it is the same bytes, each block's body that parses renders and parses
// back to the same allow and deny lists, and putting a block in (or
// taking it out) leaves a file that parses with every other block intact.
// The seeds are the edit cases of testdata/edit and the corpus in
// testdata/fuzz/FuzzParseFile.
func FuzzParseFile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "edit", "*"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("# BEGIN plumb a\r\n<RequireAny>\r\n    Require ip 192.0.2.1\r\n</RequireAny>\r\n# END plumb a\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		hf, err := parseFile(data)
		if err != nil {
			var me *markerError
			lines := bytes.Count(data, []byte{'\n'}) + 1
			if !errors.As(err, &me) || me.Line < 1 || me.Line > lines || me.Msg == "" {
				t.Fatalf("error %v is not a marker error on one of the %d lines", err, lines)
			}
			return
		}
		if got := hf.bytes(); !bytes.Equal(got, data) && len(data) > 0 {
			t.Fatalf("written back unchanged, the file differs:\n%q\n%q", data, got)
		}
		scanOutside(hf) // must not panic
		bodies := map[string][]string{}
		for i, b := range hf.blocks {
			if b.begin >= b.end || b.end >= len(hf.lines) {
				t.Fatalf("block %s spans lines %d..%d of %d", b.marker, b.begin, b.end, len(hf.lines))
			}
			body := hf.body(i)
			bodies[b.marker] = body
			a, err := parseBody(body)
			if err != nil || a.syntax == "" {
				continue
			}
			again, err := parseBody(a.lines())
			if len(a.allow) == 0 {
				a.deny = nil // a block that lets nobody in writes no deny lines (Read keeps them)
			}
			if err != nil || !slices.Equal(again.allow, a.allow) || !slices.Equal(again.deny, a.deny) {
				t.Fatalf("block %s renders as %q, which reads back as %+v (%v), not %+v", b.marker, a.lines(), again, err, a)
			}
		}
		const marker = "fuzz.added"
		body := access{syntax: Syntax24, allow: []string{"192.0.2.1"}}.lines()
		hf.set(marker, body)
		after, err := parseFile(hf.bytes())
		if err != nil {
			t.Fatalf("after adding a block the file does not parse: %v\n%q", err, hf.bytes())
		}
		if i := after.find(marker); i < 0 || !slices.Equal(after.body(i), body) {
			t.Fatalf("the added block is not read back:\n%q", hf.bytes())
		}
		for m, b := range bodies {
			if m == marker {
				continue
			}
			if i := after.find(m); i < 0 || !slices.Equal(after.body(i), b) {
				t.Fatalf("block %s changed when another was added", m)
			}
		}
		after.remove(marker)
		if _, err := parseFile(after.bytes()); err != nil && !strings.Contains(err.Error(), "line") {
			t.Fatalf("after removing the block the file does not parse: %v", err)
		}
	})
}
