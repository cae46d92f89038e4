package apache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// snapshot records a folder's files, to show that nothing changed.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), lockSuffix) {
			continue
		}
		fi, _ := e.Info()
		content := "(dir)"
		if !e.IsDir() {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			content = string(b)
		}
		out[e.Name()] = fi.Mode().String() + " " + content
	}
	return out
}

func wantUntouched(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Errorf("files in %s changed: before %v, after %v", dir, before, after)
	}
	for name, b := range before {
		if after[name] != b {
			t.Errorf("%s changed:\nbefore %q\nafter  %q", name, b, after[name])
		}
	}
}

// TestPlanRefusesBadInput checks that what cannot be applied stops the
// plan with an error saying what to do, and that the file is untouched.
func TestPlanRefusesBadInput(t *testing.T) {
	const file = ".htaccess"
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		path    string // relative to the test folder; default .htaccess
		attrs   map[string]cty.Value
		summary string
		detail  []string
	}{
		{name: "invalid address", attrs: map[string]cty.Value{"allow": strs("203.0.113.7", "203.0.113.300")},
			summary: "Invalid address in allow", detail: []string{`allow[1] = "203.0.113.300"`, "such as 203.0.113.7"}},
		{name: "host bits in a block", attrs: map[string]cty.Value{"allow": strs("203.0.113.7"), "deny": strs("192.0.2.7/24")},
			summary: "Invalid address in deny", detail: []string{"did you mean 192.0.2.0/24?"}},
		{name: "host name", attrs: map[string]cty.Value{"allow": strs("office.example.org")},
			summary: "Invalid address in allow", detail: []string{"not an IP address or CIDR block"}},
		{name: "empty allow", attrs: map[string]cty.Value{"allow": strs()},
			summary: "Empty allow list refused", detail: []string{"set allow_empty = true"}},
		{name: "empty allow, allow_empty false", attrs: map[string]cty.Value{"allow": strs(), "allow_empty": cty.False},
			summary: "Empty allow list refused"},
		{name: "unknown syntax", attrs: map[string]cty.Value{"allow": strs("192.0.2.1"), "syntax": cty.StringVal("apache2.4")},
			summary: "Unknown syntax", detail: []string{`"apache24"`}},
		{name: "marker with a line break", attrs: map[string]cty.Value{"allow": strs("192.0.2.1"), "marker": cty.StringVal("a\nb")},
			summary: "Invalid marker", detail: []string{"line break"}},
		{name: "folder does not exist", path: "missing/.htaccess", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			summary: "Cannot change the access file", detail: []string{"missing does not exist", "check the path"}},
		{name: "folder is a file", path: "plain/.htaccess", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup:   func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "plain"), "x", 0o644) },
			summary: "Cannot change the access file", detail: []string{"plain is not a directory"}},
		{name: "path is a folder", path: "sub", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup:   func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "sub"), 0o755) },
			summary: "Cannot read the access file", detail: []string{"is not a regular file"}},
		{name: "read-only file", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup:   func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, file), "Options -Indexes\n", 0o444) },
			summary: "Cannot change the access file", detail: []string{"read-only (mode 0444)", "chmod u+w"}},
		{name: "hand-written line inside the block", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, file), "Options -Indexes\n# BEGIN plumb site\n<RequireAny>\n    Require ip 192.0.2.1\n    Require valid-user\n</RequireAny>\n# END plumb site\n", 0o644)
			},
			summary: "Hand-written content inside plumb's block",
			detail:  []string{".htaccess:5:", `"Require valid-user" is not a line plumb writes`, "Move your own lines outside the markers", "The file was not changed"}},
		{name: "begin marker without end", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, file), "# BEGIN plumb other\nRequire ip 192.0.2.9\nOptions -Indexes\n", 0o644)
			},
			summary: "Broken plumb markers in the access file",
			detail:  []string{"line 1", `"# BEGIN plumb other" has no "# END plumb other" after it`, "Fix the markers by hand"}},
		{name: "end marker without begin", attrs: map[string]cty.Value{"allow": strs("192.0.2.1")},
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, file), "Options -Indexes\n# END plumb site\n", 0o644)
			},
			summary: "Broken plumb markers in the access file", detail: []string{"line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before := snapshot(t, dir)
			path := tt.path
			if path == "" {
				path = file
			}
			r := resourceUnderTest()
			resp := plan(t, r, "apache_htaccess_access.site", cty.NullVal(r.Schema().ImpliedType()), cfg(path, tt.attrs))
			if !resp.Diagnostics.HasErrors() {
				t.Fatalf("plan succeeded; want %q", tt.summary)
			}
			d := firstError(resp.Diagnostics)
			if d.Summary != tt.summary {
				t.Errorf("summary %q, want %q\n%s", d.Summary, tt.summary, diagText(resp.Diagnostics))
			}
			for _, want := range tt.detail {
				if !strings.Contains(d.Detail, want) {
					t.Errorf("detail does not say %q:\n%s", want, d.Detail)
				}
			}
			if _, ok := d.Extra.(providers.AttributePath); !ok {
				t.Errorf("the error names no attribute to point at")
			}
			wantUntouched(t, dir, before)
		})
	}
}

func firstError(diags hcl.Diagnostics) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			return d
		}
	}
	return nil
}

// TestApplyRefusesFileChangedSincePlan plans against a good file, then
// breaks the file before applying: the apply fails, says why, returns the
// prior state and leaves the file as the user left it.
func TestApplyRefusesFileChangedSincePlan(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(t *testing.T, file string)
		summary string
	}{
		{"hand-written line added inside the block", func(t *testing.T, file string) {
			b := readFile(t, file)
			writeFile(t, file, strings.Replace(b, "</RequireAny>", "    Require host example.org\n</RequireAny>", 1), 0o644)
		}, "Hand-written content inside plumb's block"},
		{"markers broken", func(t *testing.T, file string) {
			b := readFile(t, file)
			writeFile(t, file, strings.Replace(b, "# END plumb site\n", "", 1), 0o644)
		}, "Broken plumb markers in the access file"},
		{"made read-only", func(t *testing.T, file string) {
			if err := os.Chmod(file, 0o444); err != nil {
				t.Fatal(err)
			}
		}, "Cannot change the access file"},
		{"folder removed", func(t *testing.T, file string) {
			if err := os.RemoveAll(filepath.Dir(file)); err != nil {
				t.Fatal(err)
			}
		}, "Cannot change the access file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resourceUnderTest()
			dir := htdir(t)
			file := filepath.Join(dir, ".htaccess")
			prior := apply(t, r, "", cty.NullVal(r.Schema().ImpliedType()), allowCfg(file, "192.0.2.1"))
			config := allowCfg(file, "192.0.2.2")
			p := plan(t, r, "", prior, config)
			if p.Diagnostics.HasErrors() {
				t.Fatal(diagText(p.Diagnostics))
			}
			tt.breakIt(t, file)
			before := snapshot(t, filepath.Dir(dir))
			resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: prior, Planned: p.Planned, Config: config})
			if !resp.Diagnostics.HasErrors() {
				t.Fatal("apply succeeded over a broken file")
			}
			if d := firstError(resp.Diagnostics); d.Summary != tt.summary || !strings.Contains(d.Detail, "not changed") {
				t.Errorf("got %q: %s; want %q saying the file was not changed", d.Summary, d.Detail, tt.summary)
			}
			if !resp.State.RawEquals(prior) {
				t.Errorf("state after the failed apply is %#v, want the prior state", resp.State)
			}
			wantUntouched(t, filepath.Dir(dir), before)
			if _, err := os.Stat(dir); err == nil {
				wantNoLitter(t, dir)
			}
		})
	}
}

// TestReadRefusesHandWrittenBlock shows that a refresh stops on content
// plumb would overwrite, rather than planning to overwrite it.
func TestReadRefusesHandWrittenBlock(t *testing.T) {
	r := resourceUnderTest()
	file := filepath.Join(htdir(t), ".htaccess")
	s := apply(t, r, "", cty.NullVal(r.Schema().ImpliedType()), allowCfg(file, "192.0.2.1"))
	writeFile(t, file, strings.Replace(readFile(t, file), "<RequireAny>\n", "<RequireAny>\n    # the VPN, added by Ann\n", 1), 0o644)
	resp := r.Read(context.Background(), providers.ReadRequest{Prior: s})
	if !resp.Diagnostics.HasErrors() || !strings.Contains(diagText(resp.Diagnostics), `.htaccess:3: "# the VPN, added by Ann" is not a line plumb writes`) {
		t.Errorf("Read: %s; want the hand-written line named with its line number", diagText(resp.Diagnostics))
	}
}

// TestPlanWarnings checks the warnings a reviewer gets about the rest of
// the file and about an allow list open to everyone.
func TestPlanWarnings(t *testing.T) {
	tests := []struct {
		name    string
		content string
		allow   []string
		want    []string // warning texts; nil for none
	}{
		{"scoped directives are fine",
			"<Files wp-config.php>\n  Order allow,deny\n  Deny from all\n</Files>\n<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n",
			[]string{"192.0.2.1"}, nil},
		{"top-level Require outside the block",
			"AuthType Basic\nRequire valid-user\n<IfModule mod_authz_core.c>\n  Require ip 198.51.100.7\n</IfModule>\n",
			[]string{"192.0.2.1"}, []string{"lines 2 (Require valid-user), 4 (Require ip 198.51.100.7) decide who gets in as well"}},
		{"another block in the other syntax",
			"# BEGIN plumb legacy\nOrder deny,allow\nDeny from all\nAllow from 192.0.2.7\n# END plumb legacy\n",
			[]string{"192.0.2.1"}, []string{"the block of legacy (line 1) is written in apache22, and this one in apache24"}},
		{"open to everyone", "", []string{"0.0.0.0/0"}, []string{"lets in every client"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(htdir(t), ".htaccess")
			if tt.content != "" {
				writeFile(t, file, tt.content, 0o644)
			}
			r := resourceUnderTest()
			resp := plan(t, r, "", cty.NullVal(r.Schema().ImpliedType()), allowCfg(file, tt.allow...))
			if resp.Diagnostics.HasErrors() {
				t.Fatal(diagText(resp.Diagnostics))
			}
			if len(resp.Diagnostics) != len(tt.want) {
				t.Fatalf("diagnostics:\n%s\nwant %d warnings", diagText(resp.Diagnostics), len(tt.want))
			}
			for i, want := range tt.want {
				if resp.Diagnostics[i].Severity != hcl.DiagWarning || !strings.Contains(resp.Diagnostics[i].Detail, want) {
					t.Errorf("warning %d: %s\nwant %q", i, diagText(resp.Diagnostics[i:i+1]), want)
				}
			}
		})
	}
}
