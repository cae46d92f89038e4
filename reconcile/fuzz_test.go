package reconcile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/config"
)

// FuzzLoad loads any bytes as a configuration file, as plumb validate and
// plan begin: parsing (with the nesting guard), decoding the blocks,
// resolving variables and building the graph. Nothing may panic or
// overflow the stack; every diagnostic has a summary and, when it points
// somewhere, points into the file. The seeds are the invalid
// configurations of testdata/invalid, the examples, and the corpus in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*", "*.hcl"))
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*", "*.hcl"))
	for _, s := range append(seeds, examples...) {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, diags := config.LoadSource(".", map[string]string{"main.hcl": string(src)})
		check := func(when string) {
			for _, d := range diags {
				if strings.TrimSpace(d.Summary) == "" {
					t.Fatalf("%s: a diagnostic without a summary: %#v", when, d)
				}
				if d.Subject != nil && d.Subject.Filename != "main.hcl" {
					t.Fatalf("%s: a diagnostic points into %q: %s", when, d.Subject.Filename, d.Summary)
				}
			}
		}
		check("parse")
		if cfg == nil || diags.HasErrors() {
			return
		}
		_, diags = reconcile.LoadConfig(reconcile.Options{Dir: t.TempDir(), Registry: testRegistry(), Inputs: reconcile.Inputs{AllowMissing: true}}, cfg)
		check("load")
	})
}
