package main

import (
	"strings"
	"testing"
)

// moduleConfig calls a local module with for_each; the module writes a
// file and keeps a value.
var moduleConfig = map[string]string{
	"main.hcl": `
module "site" {
  source   = "./modules/site"
  for_each = toset(["a", "b"])
  domain   = "${each.key}.example"
}
output "a_file" { value = module.site["a"].file }
`,
	"modules/site/main.hcl": `
variable "domain" { type = string }
resource "plumb_data" "meta" { input = var.domain }
resource "local_file" "index" {
  filename = "out/${var.domain}.html"
  content  = "<h1>${plumb_data.meta.output}</h1>"
}
output "file" { value = local_file.index.filename }
`,
}

// TestModuleAddressesInEveryCommand runs a configuration with modules
// through the binary: every plan rendering, plumb graph, -target,
// plumb state list|show|mv|rm and plumb import name module addresses.
func TestModuleAddressesInEveryCommand(t *testing.T) {
	dir := configDir(t, moduleConfig)
	const index = `module.site["a"].local_file.index`
	planFile := dir + "/plan.bin"
	if r := plumb(t, dir, "plan", "-out", planFile); r.code != exitOK || !strings.Contains(r.stdout, index+" will be created") {
		t.Fatalf("plan:\n%s", r)
	}
	for _, format := range []string{"text", "json", "markdown", "html"} {
		r := plumb(t, dir, "show", "-format="+format, planFile)
		want := index
		switch format {
		case "json":
			want = `"address":"module.site[\"a\"].local_file.index","module_address":"module.site[\"a\"]","mode":"managed","type":"local_file","name":"index"`
		case "html":
			want = `module.site[&#34;a&#34;].local_file.index`
		}
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("show -format=%s does not show %s:\n%s", format, want, r)
		}
	}
	if r := plumb(t, dir, "graph"); !strings.Contains(r.stdout, `"module.site.local_file.index" -> "module.site.plumb_data.meta"`) ||
		!strings.Contains(r.stdout, `"module.site.var.domain" -> "module.site"`) || !strings.Contains(r.stdout, `"output.a_file" -> "module.site.output.file"`) {
		t.Errorf("graph lacks the module's nodes:\n%s", plumb(t, dir, "graph").stdout)
	}
	if r := plumb(t, dir, "apply", "-auto-approve", "-target", `module.site["b"]`); r.code != exitOK || !strings.Contains(r.stdout, "2 added") {
		t.Fatalf("apply -target module.site[\"b\"]:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list"); r.stdout != "module.site[\"b\"].local_file.index\nmodule.site[\"b\"].plumb_data.meta\n" {
		t.Fatalf("state after the targeted apply:\n%s", r)
	}
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", `module.site["a"]`); r.stdout != "module.site[\"a\"].local_file.index\nmodule.site[\"a\"].plumb_data.meta\n" {
		t.Fatalf("state list module.site[\"a\"]:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", "module.site.plumb_data.meta"); r.stdout != "module.site[\"a\"].plumb_data.meta\nmodule.site[\"b\"].plumb_data.meta\n" {
		t.Fatalf("state list module.site.plumb_data.meta:\n%s", r)
	}
	if r := plumb(t, dir, "state", "show", index); r.code != exitOK || !strings.Contains(r.stdout, `"out/a.example.html"`) {
		t.Fatalf("state show:\n%s", r)
	}
	// Moving a module instance moves everything in it.
	if r := plumb(t, dir, "state", "mv", `module.site["a"]`, `module.site["c"]`); r.code != exitOK || !strings.Contains(r.stdout, `Moved module.site["a"].plumb_data.meta to module.site["c"].plumb_data.meta`) {
		t.Fatalf("state mv of a module instance:\n%s", r)
	}
	r := plumb(t, dir, "plan", "-detailed-exitcode")
	if r.code != exitChanges || !strings.Contains(r.stdout, `module.site["c"].local_file.index will be destroyed`) || !strings.Contains(r.stdout, index+" will be created") {
		t.Fatalf("plan after state mv:\n%s", r)
	}
	plumb(t, dir, "state", "mv", `module.site["c"]`, `module.site["a"]`)
	if r := plumb(t, dir, "state", "rm", `module.site["a"]`); r.code != exitOK || !strings.Contains(r.stdout, "Forgot 2 instance(s)") {
		t.Fatalf("state rm of a module instance:\n%s", r)
	}
	if r := plumb(t, dir, "import", index, "out/a.example.html"); r.code != exitOK {
		t.Fatalf("import into a module:\n%s", r)
	}
	if r := plumb(t, dir, "state", "list", `module.site["a"]`); r.stdout != index+"\n" {
		t.Fatalf("state after import:\n%s", r)
	}
}
