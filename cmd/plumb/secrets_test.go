package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// canary is the secret the secrets tests look for in every output.
const canary = "CANARY-51d2c0e8"

// TestSensitiveVariableInEveryProviderBlock sets every string attribute
// of every provider's block from a sensitive variable, then validates and
// plans. Nothing may panic (providers get the plain value), and whatever
// a provider says about the value must not repeat it.
func TestSensitiveVariableInEveryProviderBlock(t *testing.T) {
	reg := registry()
	for _, name := range reg.Names() {
		f, _ := reg.Factory(name)
		schema := f().Schema()
		var lines []string
		for attr, a := range schema.Attributes {
			switch {
			case a.Type == cty.String:
				lines = append(lines, fmt.Sprintf("  %s = var.secret", attr))
			case a.Type.IsListType() && a.Type.ElementType() == cty.String, a.Type.IsSetType() && a.Type.ElementType() == cty.String:
				lines = append(lines, fmt.Sprintf("  %s = [var.secret]", attr))
			}
		}
		if len(lines) == 0 {
			continue
		}
		sort.Strings(lines)
		t.Run(name, func(t *testing.T) {
			dir := configDir(t, map[string]string{"main.hcl": fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
  default   = %q
}
provider %q {
%s
}
`, canary, name, strings.Join(lines, "\n"))})
			for _, cmd := range [][]string{{"validate"}, {"plan", "-no-color"}} {
				r := plumb(t, dir, cmd...)
				out := r.stdout + r.stderr
				if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
					t.Fatalf("plumb %s panicked:\n%s", cmd[0], r)
				}
				if strings.Contains(out, canary) {
					t.Errorf("plumb %s shows the secret:\n%s", cmd[0], r)
				}
			}
		})
	}
}
