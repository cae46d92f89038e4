package dns

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseZone feeds the zone-file reader arbitrary files. Whatever the
// input, the reader must return (no panic, no hang: the record limit
// bounds $GENERATE), every problem must carry the file and a message, and
// a zone it accepts must survive a round trip: written with WriteZone and
// read again it gives the same record sets, and Normalize leaves each set
// as it is. The seed corpus is testdata/fuzz/FuzzParseZone and the zone
// files of the conformance folder.
func FuzzParseZone(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "conformance", "*", "zone.db"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := ParseOptions{Root: t.TempDir(), MaxRecords: 5000}
		res, err := ParseZone(bytes.NewReader(data), filepath.Join(opts.Root, "zone.db"), "example.org", opts)
		var zes ZoneErrors
		if err != nil && !errors.As(err, &zes) {
			t.Fatalf("error is not ZoneErrors: %v", err)
		}
		for _, ze := range append(zes, res.Warnings...) {
			if ze.File == "" || ze.Msg == "" || ze.Line < 0 || ze.Column < 0 {
				t.Fatalf("problem without a place or a message: %#v", ze)
			}
		}
		if err != nil {
			return
		}
		for _, r := range res.Records {
			n, err := Normalize(r)
			if err != nil {
				t.Fatalf("Normalize refuses %s the reader gave: %v", r.Key(), err)
			}
			if diff := cmp.Diff(r, n); diff != "" {
				t.Fatalf("Normalize changes %s (-read +normalised):\n%s", r.Key(), diff)
			}
		}
		var b bytes.Buffer
		if err := WriteZone(&b, "example.org", res.Records); err != nil {
			t.Fatalf("WriteZone: %v", err)
		}
		again, err := ParseZone(bytes.NewReader(b.Bytes()), filepath.Join(opts.Root, "written.zone"), "example.org", ParseOptions{Root: opts.Root, MaxRecords: 5000})
		if err != nil {
			t.Fatalf("the written zone does not read back: %v\n%s", err, b.String())
		}
		if diff := cmp.Diff(res.Records, again.Records); diff != "" {
			t.Fatalf("round trip changes the zone (-read +written and read):\n%s", diff)
		}
	})
}
