package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// reviewScript is the CI recipes' review script.
func reviewScript(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "examples", "ci", "plumb-review.sh")
	for _, tool := range []string{"curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the review script needs %s: install the Debian package %s (scripts/deps.sh does)", tool, tool)
		}
	}
	return path
}

// outcome is one run of plumb plan in a folder, as CI makes it: the
// review and the status it wrote.
type outcome struct{ review, status string }

// planFor runs plumb plan -review-out in dir, as the recipes do.
func planFor(t *testing.T, dir string, extra ...string) outcome {
	t.Helper()
	o := outcome{review: filepath.Join(dir, "plan.md"), status: filepath.Join(dir, "status.json")}
	args := append([]string{"plan", "-no-color", "-detailed-exitcode", "-review-out", o.review, "-review-status", o.status, "-review-title", "plumb plan: " + filepath.Base(dir)}, extra...)
	r := plumb(t, dir, args...)
	if _, err := os.Stat(o.status); err != nil {
		t.Fatalf("plan wrote no status: %v\n%s", err, r)
	}
	return o
}

// post runs the review script for forge kind against f.
func post(t *testing.T, f *forge, kind, folder string, o outcome, env ...string) string {
	t.Helper()
	cmd := exec.Command("sh", reviewScript(t), kind, o.review, o.status)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "PLUMB_DIR=" + folder, "PLUMB_SHA=0123abcd", "PLUMB_TARGET_URL=https://ci.example/job/1",
		"GITHUB_TOKEN=" + forgeToken, "GITHUB_API_URL=" + f.srv.URL, "GITHUB_REPOSITORY=acme/estate", "PLUMB_PR=7",
		"PLUMB_NOTES_TOKEN=" + forgeToken, "CI_API_V4_URL=" + f.srv.URL + "/api/v4", "CI_PROJECT_ID=5", "CI_MERGE_REQUEST_IID=9",
	}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("plumb-review.sh %s: %v\n%s", kind, err, out)
	}
	return string(out)
}

// commentOf returns the body of the comment of a folder, or "".
func commentOf(cs []forgeComment, folder string) string {
	for _, c := range cs {
		if strings.HasPrefix(c.Body, "<!-- plumb-plan: "+folder+" -->") {
			return c.Body
		}
	}
	return ""
}

// step is one push of a pull request's life: the plan of one folder as
// plan -review-out wrote it, kept, and how the review script is run.
type step struct {
	folder string
	o      outcome
	env    []string
}

// keep copies an outcome's files aside, so later runs do not overwrite
// them.
func keep(t *testing.T, o outcome, n int) outcome {
	t.Helper()
	dir := t.TempDir()
	out := outcome{review: filepath.Join(dir, "plan.md"), status: filepath.Join(dir, "status.json")}
	for from, to := range map[string]string{o.review: out.review, o.status: out.status} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, to, string(b))
	}
	return out
}

// pullRequestLife plans a pull request's pushes once: a plan of folder dns
// that deletes, a broken push, a refused mass change, a plan of a second
// folder web, no changes in dns (comment skipped), and then no changes
// anywhere, a third folder with none posting nothing.
func pullRequestLife(t *testing.T) []step {
	root := t.TempDir()
	dns, web, quiet := filepath.Join(root, "dns"), filepath.Join(root, "web"), filepath.Join(root, "quiet")
	for _, d := range []string{dns, web, quiet} {
		os.MkdirAll(filepath.Join(d, "zones"), 0o755)
	}
	old := "resource \"local_file\" \"old\" {\n  filename = \"old.txt\"\n  content  = \"x\"\n}\n"
	skip := "PLUMB_SKIP_NO_CHANGES=true"
	var steps []step
	add := func(folder, dir string, env ...string) {
		steps = append(steps, step{folder, keep(t, planFor(t, dir), len(steps)), env})
	}
	writeFile(t, filepath.Join(dns, "main.hcl"), bigZoneHCL(0)+old)
	if r := plumb(t, dns, "apply", "-auto-approve", "-no-color"); r.code != exitOK {
		t.Fatalf("apply: %s", r)
	}
	writeFile(t, filepath.Join(dns, "main.hcl"), bigZoneHCL(0))
	add("dns", dns)
	writeFile(t, filepath.Join(dns, "oops.hcl"), "resource \"local_file\" \"y\" {\n  filname = \"y\"\n}\n")
	add("dns", dns)
	os.Remove(filepath.Join(dns, "oops.hcl"))
	writeFile(t, filepath.Join(dns, "main.hcl"), bigZoneHCL(8)+old)
	add("dns", dns)
	writeFile(t, filepath.Join(web, "main.hcl"), "resource \"local_file\" \"page\" {\n  filename = \"index.html\"\n  content  = \"hi\"\n}\n")
	add("web", web)
	writeFile(t, filepath.Join(dns, "main.hcl"), bigZoneHCL(0)+old)
	add("dns", dns, skip)
	if r := plumb(t, web, "apply", "-auto-approve", "-no-color"); r.code != exitOK {
		t.Fatalf("apply web: %s", r)
	}
	add("web", web, skip)
	writeFile(t, filepath.Join(quiet, "main.hcl"), "locals {\n  x = 1\n}\n")
	add("quiet", quiet, skip)
	return steps
}

// TestCIRecipesSaySomethingOnEveryOutcome drives the review script of the
// CI recipes, for GitHub and for GitLab, through a pull request's life
// (pullRequestLife). The comment of a folder is replaced each time, never
// left showing an older plan; labels and commit statuses follow.
func TestCIRecipesSaySomethingOnEveryOutcome(t *testing.T) {
	steps := pullRequestLife(t)
	for _, kind := range []string{"github", "gitlab"} {
		t.Run(kind, func(t *testing.T) {
			f := newForge(t)
			run := func(i int) ([]forgeComment, []string, map[string]forgeStatus) {
				t.Helper()
				post(t, f, kind, steps[i].folder, steps[i].o, steps[i].env...)
				return f.snapshot()
			}
			statusName := func(folder string) string { return "plumb plan (" + folder + ")" }

			// A plan that deletes.
			cs, labels, st := run(0)
			if body := commentOf(cs, "dns"); !strings.Contains(body, "Plan: 0 to add, 0 to change, 1 to destroy.") {
				t.Fatalf("the comment after a deleting plan:\n%s", body)
			}
			if !slices.Equal(labels, []string{"plumb:destroy"}) {
				t.Errorf("labels %v after a deleting plan, want plumb:destroy", labels)
			}
			if s := st[statusName("dns")]; s.Description != "Plan: 0 to add, 0 to change, 1 to destroy." || s.URL != "https://ci.example/job/1" {
				t.Errorf("status after a deleting plan: %+v", s)
			}
			good := st[statusName("dns")].State

			// A broken push: the same comment now says plan failed.
			cs, labels, st = run(1)
			if len(cs) != 1 || !strings.Contains(cs[0].Body, "**plan failed: ") || strings.Contains(cs[0].Body, "to destroy") {
				t.Fatalf("after a failed plan the comments are %+v", cs)
			}
			if len(labels) != 0 || st[statusName("dns")].State == good || !strings.HasPrefix(st[statusName("dns")].Description, "plan failed: ") {
				t.Errorf("after a failed plan: labels %v, status %+v", labels, st[statusName("dns")])
			}

			// A refused mass change: the comment says so, with the numbers.
			cs, _, st = run(2)
			if !strings.Contains(commentOf(cs, "dns"), "**mass change refused: bind\\_zone.big: 8 of the 20 records of zone big.example change or go (40%)**") {
				t.Fatalf("after a refused mass change:\n%s", commentOf(cs, "dns"))
			}
			if s := st[statusName("dns")]; s.State == good || !strings.HasPrefix(s.Description, "mass change refused: ") {
				t.Errorf("status after a refusal: %+v", s)
			}

			// A second folder gets its own comment; the labels count both.
			run(3)
			cs, labels, st = run(4)
			if len(cs) != 2 || !strings.Contains(commentOf(cs, "web"), "Plan: 1 to add") || !strings.Contains(commentOf(cs, "dns"), "No changes.") {
				t.Fatalf("two folders: comments %+v", cs)
			}
			if len(labels) != 0 {
				t.Errorf("labels %v while web adds and dns has no changes; want none", labels)
			}
			if st[statusName("web")].Description != "Plan: 1 to add, 0 to change, 0 to destroy." || st[statusName("dns")].Description != "No changes" {
				t.Errorf("statuses %+v", st)
			}

			// No changes anywhere; a folder without a comment posts none.
			run(5)
			cs, labels, _ = run(6)
			if len(cs) != 2 || commentOf(cs, "quiet") != "" {
				t.Errorf("a folder without changes posted a comment although asked not to: %+v", cs)
			}
			if !slices.Equal(labels, []string{"plumb:no-changes"}) {
				t.Errorf("labels %v when no folder changes anything, want plumb:no-changes", labels)
			}
		})
	}
}
