package reconcile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// renderAll renders p in every format.
func renderAll(t *testing.T, p *plan.Plan) map[string]string {
	t.Helper()
	var text, js, md, page bytes.Buffer
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plan.RenderJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	if err := plan.RenderMarkdown(&md, p, plan.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := plan.RenderHTML(&page, p); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"text": text.String(), "json": js.String(), "markdown": md.String(), "html": page.String()}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestHashOfASecretIsSensitive follows a local_file whose text is a short
// secret through create, change and delete, and a plumb_data whose input
// comes from a sensitive variable: the hash of the secret (id,
// content_sha256) and what mirrors it (output) never show, in any format,
// nor through an output that refers to them.
func TestHashOfASecretIsSensitive(t *testing.T) {
	const v1, v2 = "pw1", "pw2"
	cfg := func(secret string) string {
		return `
variable "pin" {
  type      = string
  sensitive = true
}
resource "local_file" "key" {
  filename          = "key.txt"
  sensitive_content = "` + secret + `"
}
resource "local_file" "pin" {
  filename = "pin.txt"
  content  = var.pin
}
resource "plumb_data" "pin" { input = var.pin }
output "key_sum" { value = local_file.key.content_sha256 }
`
	}
	dir := writeConfig(t, map[string]string{"main.hcl": cfg(v1)})
	opts := reconcile.Options{Inputs: reconcile.Inputs{Vars: []string{"pin=" + v1}}}
	check := func(step string, p *plan.Plan, secrets ...string) {
		t.Helper()
		for format, out := range renderAll(t, p) {
			for _, s := range secrets {
				for _, leak := range []string{sha(s), `"` + s + `"`} {
					if strings.Contains(out, leak) {
						t.Errorf("%s: the %s plan shows %q", step, format, leak)
					}
				}
			}
		}
		for _, c := range p.Changes {
			if c.Type == "local_file" && c.Action != plan.NoOp {
				for _, attr := range []string{"id", "content_sha256"} {
					if !strings.Contains(strings.Join(c.Sensitive, " "), attr) {
						t.Errorf("%s: %s %s is not sensitive (sensitive: %v)", step, c.Addr, attr, c.Sensitive)
					}
				}
			}
		}
	}
	p, _, diags := run(t, dir, opts)
	if diags.HasErrors() {
		t.Fatalf("create: %v", diags)
	}
	check("create", p, v1)
	for _, o := range p.Outputs {
		if o.Name == "key_sum" && !o.Sensitive {
			t.Errorf("output key_sum, the hash of a secret, is not sensitive")
		}
	}
	// Change both secrets: before and after are hashes of secrets.
	writeFile(t, "main.hcl", cfg(v2))
	opts.Inputs.Vars = []string{"pin=" + v2}
	p, _, diags = run(t, dir, opts)
	if diags.HasErrors() {
		t.Fatalf("change: %v", diags)
	}
	check("change", p, v1, v2)
	// Delete everything: the state's hashes stay hidden.
	writeFile(t, "main.hcl", `variable "pin" {
  type      = string
  sensitive = true
}`)
	p = planOnly(t, dir, opts)
	check("delete", p, v2)
	if _, err := os.Stat("key.txt"); err != nil {
		t.Fatal(err)
	}
}

// TestHashOfPlainContentStaysVisible checks the other side: a file whose
// content is not secret shows its hash, as before.
func TestHashOfPlainContentStaysVisible(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "local_file" "open" {
  filename = "open.txt"
  content  = "hello"
}`})
	p := planOnly(t, dir, reconcile.Options{})
	var text bytes.Buffer
	if err := plan.RenderText(&text, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), sha("hello")) {
		t.Errorf("the hash of plain content is hidden:\n%s", text.String())
	}
}
