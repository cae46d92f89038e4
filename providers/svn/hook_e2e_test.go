package svn

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// applyHook plans and applies a hook configuration as the engine would,
// returning the state.
func applyHook(t *testing.T, config cty.Value) cty.Value {
	t.Helper()
	r := newHookResource(&host.Slot{})
	null := cty.NullVal(r.schema.ImpliedType())
	config = r.schema.Complete(config)
	if diags := r.ValidateConfig(context.Background(), config); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	plan := r.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: config})
	if plan.Diagnostics.HasErrors() {
		t.Fatal(plan.Diagnostics.Error())
	}
	resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	return resp.State
}

// TestHookEndToEnd installs the hook and commits with the svn client over
// file://: an empty message, a short one and a PHP syntax error are
// rejected with the right words; a clean PHP file is accepted.
func TestHookEndToEnd(t *testing.T) {
	repo, wc := commitRepo(t, "site repo")
	applyHook(t, hookCfg(repo.Path, fakePlumb(t), map[string]cty.Value{"min_message_length": cty.NumberIntVal(6)}))
	tests := []struct {
		name   string
		files  map[string]string
		msg    string
		accept bool
		want   []string
	}{
		{"empty message", map[string]string{"index.php": goodPHP}, "", false,
			[]string{"Commit blocked by pre-commit hook", "The log message is empty."}},
		{"short message", map[string]string{"index.php": goodPHP}, "fix", false,
			[]string{`The log message "fix" is too short: 3 characters, and this repository asks for at least 6.`}},
		{"PHP syntax error", map[string]string{"index.php": goodPHP, "pages/contact form.php": badPHP}, "Add the contact form", false,
			[]string{"pages/contact form.php, line 3: php -l found a problem in pages/contact form.php.",
				"PHP Parse error:  syntax error", "in pages/contact form.php on line 3",
				"run php -l 'pages/contact form.php' in your working copy"}},
		{"clean PHP", map[string]string{"index.php": goodPHP, "pages/contact form.php": goodPHP}, "Add the contact form", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := repo.Youngest(t)
			for name, content := range tt.files {
				wc.Write(t, name, []byte(content))
			}
			res := wc.Commit(tt.msg)
			after := repo.Youngest(t)
			if tt.accept {
				if res.Err != nil || after != before+1 {
					t.Fatalf("commit rejected (youngest %d → %d):\n%s", before, after, res)
				}
				if got := repo.Cat(t, after, "pages/contact form.php"); got != goodPHP {
					t.Errorf("committed content %q", got)
				}
				return
			}
			if res.Err == nil || after != before {
				t.Fatalf("commit accepted (youngest %d → %d), want it rejected:\n%s", before, after, res)
			}
			mustContain(t, "svn commit's stderr", res.Stderr, tt.want...)
			if strings.Contains(res.Stderr, "plumb-check-commit-") {
				t.Errorf("the message shows a temporary path:\n%s", res.Stderr)
			}
			wc.Revert(t)
		})
	}
}

// TestHookChainsHandWrittenHook keeps an existing hook and runs it after
// plumb's checks.
func TestHookChainsHandWrittenHook(t *testing.T) {
	repo, wc := commitRepo(t, "chained")
	os.WriteFile(hookPath(repo.Path), []byte(handWritten), 0o755)
	applyHook(t, hookCfg(repo.Path, fakePlumb(t), map[string]cty.Value{"chain_existing": cty.True}))
	wc.Write(t, "a.php", []byte(badPHP))
	if res := wc.Commit("WIP: a page"); res.Err == nil || !strings.Contains(res.Stderr, "php -l found a problem in a.php") {
		t.Fatalf("plumb's check did not run first:\n%s", res)
	}
	wc.Write(t, "a.php", []byte(goodPHP))
	if res := wc.Commit("WIP: a page"); res.Err == nil || !strings.Contains(res.Stderr, "no WIP commits, says the old hook") {
		t.Fatalf("the chained hook did not run:\n%s", res)
	}
	wc.MustCommit(t, "Add a page")
	if got := repo.Youngest(t); got != 1 {
		t.Errorf("youngest = %d, want 1", got)
	}
}

// TestHookRejectsWhenPlumbIsMissing: a hook whose plumb is gone rejects
// commits rather than letting them through unchecked.
func TestHookRejectsWhenPlumbIsMissing(t *testing.T) {
	repo, wc := commitRepo(t, "no plumb")
	plumb := fakePlumb(t)
	applyHook(t, hookCfg(repo.Path, plumb, nil))
	os.Remove(plumb)
	wc.Write(t, "a.txt", []byte("a"))
	if res := wc.Commit("A fine message"); res.Err == nil {
		t.Fatalf("commit accepted with plumb missing:\n%s", res)
	}
	if got := repo.Youngest(t); got != 0 {
		t.Errorf("youngest = %d, want 0", got)
	}
	svntest.Run(t, wc.Dir, "svn", "revert", "--quiet", "-R", ".")
}
