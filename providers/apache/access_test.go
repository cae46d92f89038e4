package apache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

const ownLines = "# Written by hand; plumb keeps it.\nRewriteEngine On\nRewriteRule ^old$ /new [R=301,L]\n"

func idOfState(s cty.Value) string { return s.GetAttr("id").AsString() }

// TestConformance drives the resource through the harness in a file that
// already holds hand-written lines, with an unusual mode and owner: create,
// change, deny list, syntax switch, drift repaired, allow_empty, recreate
// after the block is deleted by hand, move to another file, delete.
//
// It runs locally and over SSH (a login working through sudo).
func TestConformance(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { conformance(t, tr) })
	}
}

func conformance(t *testing.T, tr providertest.Transport) {
	dir := filepath.Join(tr.Dir, "admin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, ".htaccess")
	other := filepath.Join(dir, "other.htaccess")
	writeFile(t, file, ownLines, 0o640)
	if err := os.Chown(file, 4242, 4343); err != nil {
		t.Fatalf("%v", err)
	}
	// kept checks that the hand-written lines, the mode and the owner are
	// as they were, and that the block holds want.
	kept := func(want string) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, s cty.Value) {
			t.Helper()
			got := readFile(t, file)
			if !strings.HasPrefix(got, ownLines) {
				t.Errorf("the hand-written lines changed:\n%s", got)
			}
			block := "# BEGIN plumb site\n" + want + "# END plumb site\n"
			if got[len(ownLines):] != block {
				t.Errorf("the block is\n%s\nwant\n%s", got[len(ownLines):], block)
			}
			wantOwnerMode(t, file, 0o640, 4242, 4343)
			wantNoLitter(t, dir)
		}
	}
	edit := func(old, new string) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, s cty.Value) {
			t.Helper()
			got := readFile(t, file)
			if !strings.Contains(got, old) {
				t.Fatalf("cannot make drift: %q is not in\n%s", old, got)
			}
			if err := os.WriteFile(file, []byte(strings.Replace(got, old, new, 1)), 0o640); err != nil {
				t.Fatalf("%v", err)
			}
		}
	}
	refreshed := func(attr string, want cty.Value) func(providertest.TB, cty.Value, cty.Value) {
		return func(t providertest.TB, prior, _ cty.Value) {
			t.Helper()
			if got := prior.GetAttr(attr); !got.RawEquals(want) {
				t.Errorf("refreshed %s = %#v, want the drift %#v", attr, got, want)
			}
		}
	}
	v24 := "<RequireAny>\n    Require ip 203.0.113.7\n</RequireAny>\n"
	providertest.Run(t, providertest.Case{
		Resource: providertest.Configure(t, New(), tr, nil).Resources()["apache_htaccess_access"],
		Steps: []providertest.Step{
			{Name: "create", Config: allowCfg(file, "203.0.113.7"), Check: kept(v24)},
			{Name: "the office address changes", Config: allowCfg(file, "203.0.113.9", "2001:db8:1::/48"),
				Check: kept("<RequireAny>\n    Require ip 203.0.113.9\n    Require ip 2001:db8:1::/48\n</RequireAny>\n")},
			{Name: "deny list", Config: cfg(file, map[string]cty.Value{"allow": strs("10.0.0.0/8"), "deny": strs("10.0.0.66")}),
				Check: kept("<RequireAll>\n    <RequireAny>\n        Require ip 10.0.0.0/8\n    </RequireAny>\n    Require not ip 10.0.0.66\n</RequireAll>\n")},
			{Name: "apache22", Config: cfg(file, map[string]cty.Value{"allow": strs("203.0.113.9"), "syntax": cty.StringVal(Syntax22)}),
				Check: func(t providertest.TB, s cty.Value) {
					kept("Order deny,allow\nDeny from all\nAllow from 203.0.113.9\n")(t, s)
					edit("Allow from 203.0.113.9", "Allow from 198.51.100.1")(t, s)
				}},
			{Name: "an address edited by hand is drift", Config: cfg(file, map[string]cty.Value{"allow": strs("203.0.113.9"), "syntax": cty.StringVal(Syntax22)}),
				PlanCheck: refreshed("allow", strs("198.51.100.1")),
				Check: func(t providertest.TB, s cty.Value) {
					kept("Order deny,allow\nDeny from all\nAllow from 203.0.113.9\n")(t, s)
					edit("Deny from all\n", "")(t, s)
				}},
			{Name: "a line deleted by hand is drift", Config: cfg(file, map[string]cty.Value{"allow": strs("203.0.113.9"), "syntax": cty.StringVal(Syntax22)}),
				PlanCheck: refreshed("lines", strs("Order deny,allow", "Allow from 203.0.113.9")),
				Check:     kept("Order deny,allow\nDeny from all\nAllow from 203.0.113.9\n")},
			{Name: "allow_empty denies everyone", Config: cfg(file, map[string]cty.Value{"allow": strs(), "allow_empty": cty.True}),
				Check: func(t providertest.TB, s cty.Value) {
					kept("Require all denied\n")(t, s)
					if err := os.WriteFile(file, []byte(ownLines), 0o640); err != nil {
						t.Fatalf("%v", err)
					}
				}},
			{Name: "recreated after the block was deleted by hand", Config: allowCfg(file, "203.0.113.7"),
				PlanCheck: func(t providertest.TB, prior, _ cty.Value) {
					if !prior.IsNull() {
						t.Errorf("refreshed %#v, want null once the block is gone", prior)
					}
				},
				Check: kept(v24)},
			{Name: "another file", Config: allowCfg(other, "203.0.113.7"), ExpectReplace: true,
				Check: func(t providertest.TB, s cty.Value) {
					if got := readFile(t, file); got != ownLines {
						t.Errorf("the old file still holds the block:\n%s", got)
					}
					if got := readFile(t, other); got != "# BEGIN plumb site\n"+v24+"# END plumb site\n" {
						t.Errorf("the new file holds\n%s", got)
					}
					wantOwnerMode(t, other, 0o644, 0, 0)
				}},
			{Name: "back", Config: allowCfg(file, "203.0.113.7"), ExpectReplace: true,
				Check: func(t providertest.TB, s cty.Value) {
					kept(v24)(t, s)
					if _, err := os.Stat(other); !os.IsNotExist(err) {
						t.Errorf("%s, which only held the block, is still there (%v)", other, err)
					}
				}},
		},
		ImportID:     idOfState,
		ImportIgnore: []string{"allow_empty"},
		Gone: func(t providertest.TB, last cty.Value) {
			if got := readFile(t, file); got != ownLines {
				t.Errorf("after the delete the file holds\n%s\nwant only the hand-written lines", got)
			}
			wantOwnerMode(t, file, 0o640, 4242, 4343)
		},
	})
}

// TestMarkerFromAddress checks that the block is named after the instance
// address the engine passes, and kept when the configuration changes.
func TestMarkerFromAddress(t *testing.T) {
	r := resourceUnderTest()
	file := filepath.Join(htdir(t), ".htaccess")
	addr := `apache_htaccess_access.admin["shop.example"]`
	config := r.Schema().Complete(cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal(file), "allow": strs("192.0.2.1")}))
	s := apply(t, r, addr, cty.NullVal(r.Schema().ImpliedType()), config)
	if got := s.GetAttr("marker"); !got.RawEquals(cty.StringVal(addr)) {
		t.Errorf("marker = %#v, want the address", got)
	}
	if got := s.GetAttr("id"); !got.RawEquals(cty.StringVal(file + "#" + addr)) {
		t.Errorf("id = %#v", got)
	}
	if got := readFile(t, file); !strings.HasPrefix(got, "# BEGIN plumb "+addr+"\n") || !strings.HasSuffix(got, "# END plumb "+addr+"\n") {
		t.Errorf("file:\n%s", got)
	}
	changed := r.Schema().Complete(cty.ObjectVal(map[string]cty.Value{"path": cty.StringVal(file), "allow": strs("192.0.2.2")}))
	p := plan(t, r, "", s, changed)
	if p.Diagnostics.HasErrors() || !p.Planned.GetAttr("marker").RawEquals(cty.StringVal(addr)) {
		t.Errorf("an update without an address keeps the marker: %#v %s", p.Planned, diagText(p.Diagnostics))
	}
	none := plan(t, r, "", cty.NullVal(r.Schema().ImpliedType()), changed)
	if !none.Diagnostics.HasErrors() || !strings.Contains(diagText(none.Diagnostics), "set marker") {
		t.Errorf("a create with neither address nor marker: %s; want an error saying to set marker", diagText(none.Diagnostics))
	}
}

// TestRenamedMarkerMovesBlock changes the marker in place: the old block
// goes and the new one takes its place in the same apply.
func TestRenamedMarkerMovesBlock(t *testing.T) {
	r := resourceUnderTest()
	file := filepath.Join(htdir(t), ".htaccess")
	s := apply(t, r, "", cty.NullVal(r.Schema().ImpliedType()), cfg(file, map[string]cty.Value{"allow": strs("192.0.2.1"), "marker": cty.StringVal("old")}))
	s = apply(t, r, "", s, cfg(file, map[string]cty.Value{"allow": strs("192.0.2.1"), "marker": cty.StringVal("new")}))
	got := readFile(t, file)
	if strings.Contains(got, "plumb old") || !strings.Contains(got, "# BEGIN plumb new\n") {
		t.Errorf("after renaming the marker the file holds\n%s", got)
	}
	if s.GetAttr("marker").AsString() != "new" {
		t.Errorf("state marker %#v", s.GetAttr("marker"))
	}
}

// TestImportWithoutMarker adopts a file's only block from its path alone.
func TestImportWithoutMarker(t *testing.T) {
	file := filepath.Join(htdir(t), ".htaccess")
	writeFile(t, file, "# BEGIN plumb legacy\nOrder deny,allow\nDeny from all\nAllow from 192.0.2.1\n# END plumb legacy\n", 0o644)
	resp := resourceUnderTest().Import(context.Background(), providers.ImportRequest{ID: file})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	for attr, want := range map[string]cty.Value{
		"marker": cty.StringVal("legacy"), "syntax": cty.StringVal(Syntax22), "allow": strs("192.0.2.1"),
		"deny": cty.NullVal(cty.List(cty.String)), "id": cty.StringVal(file + "#legacy"),
	} {
		if got := resp.State.GetAttr(attr); !got.RawEquals(want) {
			t.Errorf("%s = %#v, want %#v", attr, got, want)
		}
	}
	bad := resourceUnderTest().Import(context.Background(), providers.ImportRequest{ID: file + "#nope"})
	if !bad.Diagnostics.HasErrors() || !strings.Contains(diagText(bad.Diagnostics), `no block marked "nope"`) {
		t.Errorf("import of a missing block: %s", diagText(bad.Diagnostics))
	}
}

// TestUnknownAllowAtPlanTime plans with an allow list known only at apply
// time (it depends on another resource): the lines are unknown in the
// plan, and apply works them out from the configuration it is given.
func TestUnknownAllowAtPlanTime(t *testing.T) {
	r := resourceUnderTest()
	file := filepath.Join(htdir(t), ".htaccess")
	null := cty.NullVal(r.Schema().ImpliedType())
	unknown := cfg(file, map[string]cty.Value{"allow": cty.UnknownVal(cty.List(cty.String))})
	if diags := r.ValidateConfig(context.Background(), unknown); diags.HasErrors() {
		t.Fatalf("ValidateConfig refuses an unknown allow list: %s", diagText(diags))
	}
	p := r.Plan(context.Background(), providers.PlanRequest{Addr: "apache_htaccess_access.a", Prior: null, Config: unknown})
	if p.Diagnostics.HasErrors() {
		t.Fatal(diagText(p.Diagnostics))
	}
	if p.Planned.GetAttr("lines").IsKnown() {
		t.Errorf("lines = %#v, want unknown until allow is known", p.Planned.GetAttr("lines"))
	}
	known := allowCfg(file, "192.0.2.5")
	resp := r.Apply(context.Background(), providers.ApplyRequest{Addr: "apache_htaccess_access.a", Prior: null, Planned: p.Planned, Config: known})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	if !resp.State.IsWhollyKnown() || !strings.Contains(readFile(t, file), "Require ip 192.0.2.5") {
		t.Errorf("state %#v, file:\n%s", resp.State, readFile(t, file))
	}
}
