package svn

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
	"github.com/plumbhq/plumb/providers/providertest"
)

// hookCfg is a configuration of svn_pre_commit_hook; extra attributes
// are set on top of repository, plumb_path and one php -l lint block.
func hookCfg(repos, plumb string, extra map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"repository": cty.StringVal(repos),
		"plumb_path": cty.StringVal(plumb),
		"lint": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"pattern": cty.StringVal("*.php"),
			"command": cty.ListVal([]cty.Value{cty.StringVal("php"), cty.StringVal("-l")}),
			"timeout": cty.NullVal(cty.String),
		})}),
	}
	for k, v := range extra {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

func hookPath(repos string) string { return filepath.Join(repos, "hooks", HookFile) }

func readString(t providertest.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return string(b)
}

// TestHookConformance runs locally and over SSH (the hook and policy are
// written on the server; plumb_path is checked there).
func TestHookConformance(t *testing.T) {
	svntest.Require(t, "svnadmin")
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { hookConformance(t, tr) })
	}
}

func hookConformance(t *testing.T, tr providertest.Transport) {
	repo := svntest.NewRepo(t, "conformance repo")
	other := svntest.NewRepo(t, "other repo")
	plumb := fakePlumb(t)
	strict := map[string]cty.Value{
		"min_message_length": cty.NumberIntVal(10),
		"message_pattern":    cty.StringVal(`^[A-Z]+-[0-9]+ `),
		"max_file_size":      cty.NumberIntVal(1 << 20),
		"forbid_paths":       cty.ListVal([]cty.Value{cty.StringVal("*.log")}),
	}
	policyOf := func(t providertest.TB, repos string) Policy {
		t.Helper()
		pf, err := ReadPolicyFile(policyPath(repos))
		if err != nil {
			t.Fatalf("%v", err)
		}
		return pf.Policy
	}
	providertest.Run(t, providertest.Case{
		Resource: providertest.Configure(t, New(), tr, nil).Resources()["svn_pre_commit_hook"],
		Steps: []providertest.Step{
			{Name: "create", Config: hookCfg(repo.Path, plumb, map[string]cty.Value{"min_message_length": cty.NumberIntVal(6)}),
				Check: func(t providertest.TB, s cty.Value) {
					fi, err := os.Stat(hookPath(repo.Path))
					if err != nil || fi.Mode().Perm() != 0o755 {
						t.Fatalf("hook: %v, mode %v; want mode 0755", err, fi.Mode())
					}
					hook := readString(t, hookPath(repo.Path))
					if !strings.Contains(hook, shellQuoteAlways(plumb)+` svn check-commit "$REPOS" "$TXN"`) {
						t.Errorf("the hook does not call plumb check-commit:\n%s", hook)
					}
					p := policyOf(t, repo.Path)
					if p.MinMessageLength != 6 || len(p.Lint) != 1 || p.Lint[0].Timeout != DefaultLintTimeout {
						t.Errorf("policy file holds %+v", p)
					}
				}},
			{Name: "stricter policy", Config: hookCfg(repo.Path, plumb, strict),
				Check: func(t providertest.TB, s cty.Value) {
					if p := policyOf(t, repo.Path); p.MinMessageLength != 10 || p.MessagePattern == "" || p.MaxFileSize != 1<<20 || len(p.ForbidPaths) != 1 {
						t.Errorf("policy file holds %+v", p)
					}
					f, _ := os.OpenFile(hookPath(repo.Path), os.O_APPEND|os.O_WRONLY, 0)
					f.WriteString("echo edited by hand\n")
					f.Close()
				}},
			{Name: "hand edit of the hook is drift", Config: hookCfg(repo.Path, plumb, strict),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					if refreshed.GetAttr("hook_sha256").RawEquals(planned.GetAttr("hook_sha256")) {
						t.Errorf("the edited hook does not show as a change of hook_sha256")
					}
				},
				Check: func(t providertest.TB, s cty.Value) {
					if strings.Contains(readString(t, hookPath(repo.Path)), "edited by hand") {
						t.Errorf("apply did not repair the edited hook")
					}
					b := strings.Replace(readString(t, policyPath(repo.Path)), `"min_message_length": 10`, `"min_message_length": 1`, 1)
					os.WriteFile(policyPath(repo.Path), []byte(b), 0o644)
				}},
			{Name: "hand edit of the policy shows the setting", Config: hookCfg(repo.Path, plumb, strict),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					if got := refreshed.GetAttr("min_message_length"); !got.RawEquals(cty.NumberIntVal(1)) {
						t.Errorf("refreshed min_message_length = %#v, want the edited 1", got)
					}
				},
				Check: func(t providertest.TB, s cty.Value) {
					if p := policyOf(t, repo.Path); p.MinMessageLength != 10 {
						t.Errorf("apply did not repair the policy: %+v", p)
					}
					os.Chmod(hookPath(repo.Path), 0o644)
				}},
			{Name: "a hook made not executable is drift", Config: hookCfg(repo.Path, plumb, strict),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					if got := refreshed.GetAttr("hook_mode"); !got.RawEquals(cty.StringVal("0644")) {
						t.Errorf("refreshed hook_mode = %#v, want 0644", got)
					}
				},
				Check: func(t providertest.TB, s cty.Value) {
					os.Remove(hookPath(repo.Path))
				}},
			{Name: "a deleted hook is created again", Config: hookCfg(repo.Path, plumb, nil),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					if !refreshed.IsNull() {
						t.Errorf("a deleted hook refreshes as %#v, want null", refreshed)
					}
				}},
			{Name: "move to another repository", Config: hookCfg(other.Path, plumb, nil), ExpectReplace: true,
				Check: func(t providertest.TB, s cty.Value) {
					for _, p := range []string{hookPath(repo.Path), policyPath(repo.Path)} {
						if _, err := os.Stat(p); !os.IsNotExist(err) {
							t.Errorf("%s is still there after the move", p)
						}
					}
				}},
		},
		ImportID: func(s cty.Value) string { return s.GetAttr("repository").AsString() },
		Gone: func(t providertest.TB, last cty.Value) {
			for _, p := range []string{hookPath(other.Path), policyPath(other.Path)} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s is left after the delete", p)
				}
			}
		},
	})
}

// handWritten is a hand-written hook that rejects messages with WIP.
const handWritten = "#!/bin/sh\nif svnlook log -t \"$2\" \"$1\" | grep -q WIP; then echo 'no WIP commits, says the old hook' >&2; exit 1; fi\nexit 0\n"

func TestHookKeepsHandWrittenHook(t *testing.T) {
	svntest.Require(t, "svnadmin")
	plumb := fakePlumb(t)
	ctx := context.Background()
	r := newHookResource(&host.Slot{})
	null := cty.NullVal(r.schema.ImpliedType())
	tests := []struct {
		name    string
		chain   bool
		chained bool // a pre-commit.chained is there already
		wantErr string
	}{
		{"refused without chain_existing", false, false, "is a hand-written hook, and plumb does not replace it. Set chain_existing = true"},
		{"chained", true, false, ""},
		{"chained hook's place taken", true, true, "exists already, so plumb has nowhere to keep the hand-written one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := svntest.NewRepo(t, "hand")
			os.WriteFile(hookPath(repo.Path), []byte(handWritten), 0o755)
			chained := filepath.Join(repo.Path, "hooks", ChainedHookFile)
			if tt.chained {
				os.WriteFile(chained, []byte("#!/bin/sh\nexit 0\n"), 0o755)
			}
			config := r.schema.Complete(hookCfg(repo.Path, plumb, map[string]cty.Value{"chain_existing": cty.BoolVal(tt.chain)}))
			plan := r.Plan(ctx, providers.PlanRequest{Prior: null, Config: config})
			if tt.wantErr != "" {
				if !plan.Diagnostics.HasErrors() || !strings.Contains(plan.Diagnostics.Error(), tt.wantErr) {
					t.Fatalf("plan diagnostics %v, want an error saying %q", plan.Diagnostics, tt.wantErr)
				}
				planned := r.withDefaults(config)
				applied := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: planned, Config: config})
				if !applied.Diagnostics.HasErrors() || !applied.State.IsNull() {
					t.Fatalf("apply of a refused hook: %v, state %#v; want an error and no object", applied.Diagnostics, applied.State)
				}
				if got := readString(t, hookPath(repo.Path)); got != handWritten {
					t.Errorf("the hand-written hook was changed:\n%s", got)
				}
				return
			}
			if plan.Diagnostics.HasErrors() {
				t.Fatal(plan.Diagnostics.Error())
			}
			applied := r.Apply(ctx, providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
			if applied.Diagnostics.HasErrors() {
				t.Fatal(applied.Diagnostics.Error())
			}
			if got := readString(t, chained); got != handWritten {
				t.Errorf("%s holds %q, want the hand-written hook", ChainedHookFile, got)
			}
			if !isPlumbHook([]byte(readString(t, hookPath(repo.Path)))) {
				t.Errorf("hooks/pre-commit is not plumb's")
			}
			deleted := r.Apply(ctx, providers.ApplyRequest{Prior: applied.State, Planned: null, Config: null})
			if deleted.Diagnostics.HasErrors() {
				t.Fatal(deleted.Diagnostics.Error())
			}
			if got := readString(t, hookPath(repo.Path)); got != handWritten {
				t.Errorf("after the delete hooks/pre-commit holds %q, want the hand-written hook back", got)
			}
			if _, err := os.Stat(chained); !os.IsNotExist(err) {
				t.Errorf("%s is left after the delete", ChainedHookFile)
			}
		})
	}
}

func TestHookPlanErrors(t *testing.T) {
	svntest.Require(t, "svnadmin")
	r := newHookResource(&host.Slot{})
	null := cty.NullVal(r.schema.ImpliedType())
	repo := svntest.NewRepo(t, "plan errors")
	chained := svntest.NewRepo(t, "left chained")
	os.WriteFile(filepath.Join(chained.Path, "hooks", ChainedHookFile), []byte(handWritten), 0o755)
	tests := []struct {
		name   string
		config cty.Value
		want   string
	}{
		{"repository that does not exist", hookCfg(filepath.Join(t.TempDir(), "nope"), "/usr/bin/plumb", nil), "does not exist"},
		{"directory that is not a repository", hookCfg(t.TempDir(), "/usr/bin/plumb", nil), "is not a Subversion repository"},
		{"relative plumb_path", hookCfg(repo.Path, "bin/plumb", nil), "plumb_path is not absolute"},
		{"negative length", hookCfg(repo.Path, "/p", map[string]cty.Value{"min_message_length": cty.NumberIntVal(-1)}), "Invalid min_message_length"},
		{"fractional size", hookCfg(repo.Path, "/p", map[string]cty.Value{"max_file_size": cty.NumberFloatVal(1.5)}), "Invalid max_file_size"},
		{"bad pattern", hookCfg(repo.Path, "/p", map[string]cty.Value{"message_pattern": cty.StringVal("(?<=x)")}), "Invalid message_pattern"},
		{"bad glob", hookCfg(repo.Path, "/p", map[string]cty.Value{"forbid_paths": cty.ListVal([]cty.Value{cty.StringVal("[a-")})}), "Invalid forbid_paths glob"},
		{"bad lint", hookCfg(repo.Path, "/p", map[string]cty.Value{"lint": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"pattern": cty.StringVal("*.php"), "command": cty.ListValEmpty(cty.String), "timeout": cty.StringVal("soon")})})}),
			"lint block 1: command is empty"},
		{"chained hook would stop running", hookCfg(chained.Path, "/p", nil), "With chain_existing = false it would no longer run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: r.schema.Complete(tt.config)})
			if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics.Error(), tt.want) {
				t.Fatalf("diagnostics %v, want an error containing %q", resp.Diagnostics, tt.want)
			}
		})
	}
}

func TestHookImportRefusesHandWritten(t *testing.T) {
	svntest.Require(t, "svnadmin")
	repo := svntest.NewRepo(t, "import")
	r := newHookResource(&host.Slot{})
	tests := []struct {
		name  string
		setup func()
		want  string
	}{
		{"no hook", func() {}, "has no pre-commit hook to import"},
		{"hand-written", func() { os.WriteFile(hookPath(repo.Path), []byte(handWritten), 0o755) }, "was not written by plumb"},
		{"no repository", func() {}, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			id := repo.Path
			if tt.name == "no repository" {
				id = filepath.Join(repo.Path, "missing")
			}
			resp := r.Import(context.Background(), providers.ImportRequest{ID: id})
			if !resp.Diagnostics.HasErrors() || !strings.Contains(resp.Diagnostics.Error(), tt.want) {
				t.Fatalf("diagnostics %v, want an error containing %q", resp.Diagnostics, tt.want)
			}
		})
	}
}

// BenchmarkHookPlanUnchanged measures the plan of an unchanged hook, the
// work a large no-change plan does per hook.
func BenchmarkHookPlanUnchanged(b *testing.B) {
	r := newHookResource(&host.Slot{})
	config := r.schema.Complete(hookCfg("/srv/svn/site", "/usr/local/bin/plumb", map[string]cty.Value{"min_message_length": cty.NumberIntVal(6)}))
	prior := r.withDefaults(config)
	req := providers.PlanRequest{Prior: prior, Config: config}
	if resp := r.Plan(context.Background(), req); !resp.Planned.RawEquals(prior) {
		b.Fatal("the plan is not a no-op")
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Plan(context.Background(), req)
	}
}
