package apache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/apachetest"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

// checkedResource returns apache_htaccess_access of a provider configured
// to check files against the given Apache configuration, over the
// transport.
func checkedResource(t *testing.T, s *apachetest.Server, tr providertest.Transport) *accessResource {
	t.Helper()
	args := make([]cty.Value, 0, 4)
	for _, a := range s.ApachectlArgs() {
		args = append(args, cty.StringVal(a))
	}
	p := providertest.Configure(t, New(), tr, map[string]cty.Value{
		"apachectl":      cty.StringVal(apachetest.Apachectl(t)),
		"apachectl_args": cty.ListVal(args),
	})
	return p.Resources()["apache_htaccess_access"].(*accessResource)
}

// TestValidate writes files that the real Apache accepts or rejects (via
// apachectl -t, run on the host that holds the file: locally, or over
// SSH) and checks that a rejected file is put back as it was.
func TestValidate(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { validate(t, tr) })
	}
}

func validate(t *testing.T, tr providertest.Transport) {
	full := apachetest.Config(t, apachetest.Options{})
	noCompat := apachetest.Config(t, apachetest.Options{NoAccessCompat: true})
	tests := []struct {
		name     string
		server   *apachetest.Server
		before   string // "" for no file
		syntax   string
		rejected []string // detail fragments; nil when Apache accepts
	}{
		{"accepted, apache24", noCompat, "Options -Indexes\n", Syntax24, nil},
		{"accepted, apache22 with mod_access_compat", full, "Options -Indexes\n", Syntax22, nil},
		{"apache22 without mod_access_compat, file restored", noCompat, "Options -Indexes\n", Syntax22,
			[]string{"Invalid command 'Order'", "previous file was put back", "enable mod_access_compat"}},
		{"apache22 without mod_access_compat, new file removed", noCompat, "", Syntax22,
			[]string{"Invalid command 'Order'", "previous file was put back"}},
		{"hand-written lines Apache rejects", full, "Options -Indexes\nBogusDirective on\n", Syntax24,
			[]string{"Invalid command 'BogusDirective'", "rejects the previous file too", "lines outside plumb's block"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(tt.server.DocRoot, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, ".htaccess")
			if tt.before != "" {
				writeFile(t, file, tt.before, 0o640)
				if err := os.Chown(file, 4242, 4343); err != nil {
					t.Fatal(err)
				}
			}
			r := checkedResource(t, tt.server, tr)
			null := cty.NullVal(r.Schema().ImpliedType())
			config := cfg(file, map[string]cty.Value{"allow": strs("192.0.2.1"), "syntax": cty.StringVal(tt.syntax), "validate": cty.True})
			p := plan(t, r, "", null, config)
			if p.Diagnostics.HasErrors() {
				t.Fatal(diagText(p.Diagnostics))
			}
			resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: p.Planned, Config: config})
			if tt.rejected == nil {
				if resp.Diagnostics.HasErrors() {
					t.Fatalf("Apache rejected the file: %s", diagText(resp.Diagnostics))
				}
				if got := readFile(t, file); !strings.Contains(got, "# BEGIN plumb site\n") {
					t.Errorf("the block was not written:\n%s", got)
				}
				return
			}
			if !resp.Diagnostics.HasErrors() {
				t.Fatalf("apply succeeded; want Apache to reject the file")
			}
			d := firstError(resp.Diagnostics)
			if d.Summary != "Apache rejects the access file" {
				t.Errorf("summary %q", d.Summary)
			}
			for _, want := range tt.rejected {
				if !strings.Contains(d.Detail, want) {
					t.Errorf("detail does not say %q:\n%s", want, d.Detail)
				}
			}
			if !resp.State.IsNull() {
				t.Errorf("state %#v after a rejected create, want null (the prior state)", resp.State)
			}
			if tt.before == "" {
				if _, err := os.Stat(file); !os.IsNotExist(err) {
					t.Errorf("the file plumb created is still there after Apache rejected it (%v)", err)
				}
				return
			}
			if got := readFile(t, file); got != tt.before {
				t.Errorf("the file was not put back:\n%s\nwant\n%s", got, tt.before)
			}
			wantOwnerMode(t, file, 0o640, 4242, 4343)
			wantNoLitter(t, dir)
		})
	}
}

// TestValidateWithoutApachectl refuses at plan time when validate is set
// and no apachectl can be found.
func TestValidateWithoutApachectl(t *testing.T) {
	p := New()
	missing := filepath.Join(t.TempDir(), "apachectl")
	p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.ObjectVal(map[string]cty.Value{
		"apachectl": cty.StringVal(missing), "apachectl_args": cty.NullVal(cty.List(cty.String))})})
	r := p.Resources()["apache_htaccess_access"]
	file := filepath.Join(htdir(t), ".htaccess")
	resp := plan(t, r, "", cty.NullVal(r.Schema().ImpliedType()), cfg(file, map[string]cty.Value{"allow": strs("192.0.2.1"), "validate": cty.True}))
	if !resp.Diagnostics.HasErrors() || !strings.Contains(diagText(resp.Diagnostics), "Cannot validate with apachectl") ||
		!strings.Contains(diagText(resp.Diagnostics), missing) {
		t.Errorf("plan: %s; want an error naming the missing apachectl", diagText(resp.Diagnostics))
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the plan wrote the file")
	}
}
