package zonesimport

import (
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/lang"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run go test -update after checking the change):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// mixedZones is what testdata/mixed holds: domain to file.
var mixedZones = map[string]string{
	"example.org":   "example.org.zone",
	"example.net":   "example.net.zone",
	"example.info":  "example.info.db",
	"example.com":   "legacy.db",
	"example.co.uk": "db.example.co.uk",
	"site.example":  "site.example.txt",
}

func TestFromDir(t *testing.T) {
	for _, tc := range []struct {
		dir    string
		opts   Options
		golden string
		zones  map[string]string
	}{
		{"testdata/mixed", Options{}, "mixed.aws.for_each.golden", mixedZones},
		{"testdata/mixed", Options{Mode: ModeBlocks}, "mixed.aws.blocks.golden", mixedZones},
		{"testdata/mixed", Options{Type: TypeBind}, "mixed.bind.for_each.golden", mixedZones},
		{"testdata/mixed", Options{Type: TypeBind, Mode: ModeBlocks, Directory: "out/zones"}, "mixed.bind.blocks.golden", mixedZones},
		{"testdata/simple", Options{Name: "site"}, "simple.aws.for_each.golden",
			map[string]string{"example.org": "example.org.zone", "example.net": "example.net.zone"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, err := FromDir(tc.dir, tc.opts)
			var skipped *SkippedError
			switch {
			case tc.dir == "testdata/mixed":
				if !errors.As(err, &skipped) {
					t.Fatalf("error %v, want a SkippedError for broken.zone", err)
				}
				if len(skipped.Problems) != 1 || skipped.Problems[0].File != filepath.Join("testdata", "mixed", "broken.zone") || skipped.Generated != len(tc.zones) {
					t.Errorf("skipped %+v", skipped)
				}
				for _, want := range []string{"testdata/mixed/broken.zone:5:13: invalid IPv4 address \"192.0.2.300\" in the A record", "testdata/mixed/broken.zone:6:9: unknown record type \"AAAAA\"", "1 zone file(s) left out"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
			case err != nil:
				t.Fatal(err)
			}
			golden(t, tc.golden, out)
			zones := evalConfig(t, out, tc.opts)
			if !maps.Equal(zones, tc.zones) {
				t.Errorf("the configuration manages %v, want %v", zones, tc.zones)
			}
		})
	}
}

// evalConfig parses generated configuration and evaluates it as plumb
// would, with plumb's functions: the locals, then each zone's name and
// records. It returns the zones it manages: domain to zone file name.
func evalConfig(t *testing.T, src []byte, opts Options) map[string]string {
	t.Helper()
	f, diags := hclsyntax.ParseConfig(src, "generated.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the generated configuration does not parse: %s", diags.Error())
	}
	funcs := lang.Functions(".")
	locals := map[string]cty.Value{}
	ctx := func(vars map[string]cty.Value) *hcl.EvalContext {
		vars["local"] = cty.ObjectVal(locals)
		return &hcl.EvalContext{Variables: vars, Functions: funcs}
	}
	zones := map[string]string{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		switch b.Type {
		case "locals":
			names := slices.Sorted(maps.Keys(b.Body.Attributes))
			// In name order, zone_files_excluded comes before zones, which
			// uses it.
			for _, n := range names {
				v, diags := b.Body.Attributes[n].Expr.Value(ctx(map[string]cty.Value{}))
				if diags.HasErrors() {
					t.Fatalf("local.%s: %s", n, diags.Error())
				}
				locals[n] = v
			}
		case "resource":
			want := opts.Type
			if want == "" {
				want = TypeRoute53
			}
			if b.Labels[0] != want {
				t.Errorf("resource type %s, want %s", b.Labels[0], want)
			}
			attrs := b.Body.Attributes
			if (opts.Type == TypeBind) != (attrs["directory"] != nil) {
				t.Errorf("resource %s: directory set %v for type %s", b.Labels[1], attrs["directory"] != nil, b.Labels[0])
			}
			instances := map[string]cty.Value{"": cty.NilVal}
			if fe := attrs["for_each"]; fe != nil {
				v, diags := fe.Expr.Value(ctx(map[string]cty.Value{}))
				if diags.HasErrors() {
					t.Fatalf("for_each: %s", diags.Error())
				}
				instances = v.AsValueMap()
			}
			for key, val := range instances {
				vars := map[string]cty.Value{}
				if key != "" {
					vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": val})
				}
				name, diags := attrs["name"].Expr.Value(ctx(vars))
				if diags.HasErrors() {
					t.Fatalf("name: %s", diags.Error())
				}
				recs, diags := attrs["records"].Expr.Value(ctx(vars))
				if diags.HasErrors() {
					t.Fatalf("records of %s: %s", name.AsString(), diags.Error())
				}
				hasSOA := false
				for it := recs.ElementIterator(); it.Next(); {
					_, r := it.Element()
					hasSOA = hasSOA || r.GetAttr("type").AsString() == "SOA"
				}
				// Both resource types take the file's records as they are,
				// SOA included: the plain records = zonefile(...).
				if recs.LengthInt() == 0 || !hasSOA {
					t.Errorf("records of %s: %d sets, SOA included %v", name.AsString(), recs.LengthInt(), hasSOA)
				}
				var file string
				if key != "" {
					file = val.AsString()
				} else {
					file = fileOf(t, attrs["records"])
				}
				zones[name.AsString()] = file
			}
		}
	}
	return zones
}

// fileOf returns the base name of the zone file a records expression of
// a block written per zone reads.
func fileOf(t *testing.T, a *hclsyntax.Attribute) string {
	t.Helper()
	var found string
	hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && c.Name == "zonefile" {
			v, diags := c.Args[0].Value(nil)
			if diags.HasErrors() {
				t.Fatalf("zonefile path: %s", diags.Error())
			}
			found = filepath.Base(v.AsString())
		}
		return nil
	})
	return found
}

func TestFromDirErrors(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "README"), []byte("no zones here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		opts      Options
		wantOut   bool
		want      []string
	}{
		{"no zone files", empty, Options{}, false, []string{"no zone files in"}},
		{"missing directory", filepath.Join(empty, "nope"), Options{}, false, []string{"reading the zone directory"}},
		{"every file bad", "testdata/bad", Options{}, false, []string{
			"2 zone file(s) left out, and no configuration written", "testdata/bad/example.org.zone:1:10: invalid IPv4 address \"192.0.2.999\"", "testdata/bad/x.zone: cannot tell the zone's origin"}},
		{"two files of one zone", "testdata/dup", Options{}, true, []string{"testdata/dup/example.org.zone: the zone example.org is in a.zone already"}},
		{"unknown type", "testdata/simple", Options{Type: "google_dns_zone"}, false, []string{`resource type "google_dns_zone"`}},
		{"unknown layout", "testdata/simple", Options{Mode: "files"}, false, []string{`layout "files"`}},
		{"bind over its own files", "testdata/simple", Options{Type: TypeBind, Directory: "testdata/simple/"}, false, []string{"over the ones it reads"}},
		{"bad resource name", "testdata/simple", Options{Name: "1st"}, false, []string{`resource name "1st"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := FromDir(tc.dir, tc.opts)
			if err == nil {
				t.Fatalf("no error; want one saying %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if (out != nil) != tc.wantOut {
				t.Errorf("configuration returned: %v, want %v", out != nil, tc.wantOut)
			}
		})
	}
}

func TestCandidate(t *testing.T) {
	for _, tc := range []struct {
		name, origin, pattern string
		ok                    bool
	}{
		{"example.org.zone", "example.org", "*.zone", true},
		{"example.org.db", "example.org", "*.db", true},
		{"internal.zone", "internal", "*.zone", true},
		{"site00001.example.txt", "site00001.example", "*.txt", true},
		{"README.txt", "", "", false},
		{"db.example.org", "example.org", "", true},
		{"db.local", "", "", false},
		{"db.127", "", "", false},
		{"example.org", "example.org", "", true},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", "", true},
		{"named.conf", "", "", false},
		{"example.org.zone.signed", "", "", false},
		{"example.org.jnl", "", "", false},
		{"Kexample.org.+013+12345.key", "", "", false},
		{".example.org.zone", "", "", false},
		{"Makefile", "", "", false},
		{"notes.1", "", "", false},
	} {
		origin, pattern, ok := candidate(tc.name)
		if origin != tc.origin || pattern != tc.pattern || ok != tc.ok {
			t.Errorf("candidate(%q) = %q, %q, %v; want %q, %q, %v", tc.name, origin, pattern, ok, tc.origin, tc.pattern, tc.ok)
		}
	}
}

func TestResourceName(t *testing.T) {
	used := map[string]bool{}
	for _, tc := range []struct{ origin, want string }{
		{"example.org", "example_org"},
		{"my-site.example", "my_site_example"},
		{"my_site.example", "my_site_example_2"},
		{"0.2.192.in-addr.arpa", "zone_0_2_192_in_addr_arpa"},
		{"Example.ORG", "example_org_2"},
	} {
		if got := resourceName(tc.origin, used); got != tc.want {
			t.Errorf("resourceName(%q) = %q, want %q", tc.origin, got, tc.want)
		}
	}
}

// Files whose $ORIGIN lines do not name the zone: named's dumps start with
// "$ORIGIN .", and "$ORIGIN @" is the origin the file is loaded with. The
// zone is the SOA's owner.
func TestFromDirOrigins(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dumped.db", "$ORIGIN .\n$TTL 300\nexample.dyn IN SOA ns1.example.net. h.example.dyn. 1 2 3 4 5\n  NS ns1.example.net.\n$ORIGIN example.dyn.\nwww A 192.0.2.1\n")
	write("example.net.zone", "$ORIGIN @\n$TTL 300\n@ IN SOA ns1.example.org. h 1 2 3 4 5\n@ NS ns1.example.org.\n")
	write("mx.example.org.zone", "$ORIGIN mx.example.org.\n$TTL 300\n@ IN SOA ns1.example.net. h 1 2 3 4 5\n@ NS ns1.example.net.\n")
	out, err := FromDir(dir, Options{Path: "zones", Mode: ModeBlocks})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{`name    = "example.dyn"`, `zonefile("zones/dumped.db", "example.dyn")`, `name    = "example.net"`, `name    = "mx.example.org"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the configuration lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `"@"`) || strings.Contains(string(out), `name    = ""`) {
		t.Errorf("a zone is named after a directive:\n%s", out)
	}
}

// A file name is data: newlines, quotes and template sequences in it must
// not become configuration, in the header comment or in an expression.
func TestFromDirHostileNames(t *testing.T) {
	dir := t.TempDir()
	zone := "$TTL 300\n@ IN SOA ns1.example.net. h 1 2 3 4 5\n@ NS ns1.example.net.\n"
	for _, name := range []string{
		"evil.zone\nresource \"local_file\" \"pwn\" {\n  filename = \"pwn\"\n}\n#.zone",
		"quote\".zone",
		"tmpl${file(\"passwd\")}.zone",
		"cr\rline\u2028sep.zone",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(zone), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "example.org.zone"), []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{ModeForEach, ModeBlocks} {
		out, _ := FromDir(dir, Options{Mode: mode})
		f, diags := hclsyntax.ParseConfig(out, "generated.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: the configuration does not parse: %s\n%s", mode, diags.Error(), out)
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			if b.Type == "resource" && b.Labels[0] != TypeRoute53 {
				t.Errorf("%s: a file name injected %s %v:\n%s", mode, b.Type, b.Labels, out)
			}
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.ContainsAny(line, "\r\u2028") {
				t.Errorf("%s: a raw control character reached the output: %q", mode, line)
			}
		}
		if strings.Contains(string(out), `file("passwd")`) && !strings.Contains(string(out), `$${file(`) && !strings.Contains(string(out), `#   `) {
			t.Errorf("%s: a template sequence from a file name is live:\n%s", mode, out)
		}
	}
}
