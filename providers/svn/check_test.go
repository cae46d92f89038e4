package svn

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/svntest"
)

var phpLint = LintRule{Pattern: "*.php", Command: []string{"php", "-l"}, Timeout: "20s"}

// TestCheckCommit commits with the svn client (no hook installed) and
// checks each revision against a policy, as check-commit checks a
// transaction.
func TestCheckCommit(t *testing.T) {
	repo, wc := commitRepo(t, "check repo")
	base := Policy{MinMessageLength: 6, Lint: []LintRule{phpLint}}
	type want struct {
		rule, path, text string
		line             int
	}
	steps := []struct {
		name   string
		change func(t *testing.T)
		msg    string
		policy Policy
		want   []want
	}{
		{"empty message", func(t *testing.T) { wc.Write(t, "a.txt", []byte("a")) }, "", base,
			[]want{{rule: RuleMessage, text: "The log message is empty."}}},
		{"short message", func(t *testing.T) { wc.Write(t, "a.txt", []byte("b")) }, "  fix  ", base,
			[]want{{rule: RuleMessage, text: `"fix" is too short: 3 characters`}}},
		{"five characters are short, six are enough", func(t *testing.T) { wc.Write(t, "a.txt", []byte("c")) }, "typo!", base,
			[]want{{rule: RuleMessage, text: "5 characters, and this repository asks for at least 6"}}},
		{"non-ASCII characters count once", func(t *testing.T) { wc.Write(t, "a.txt", []byte("d")) }, "éèêëàâ", base, nil},
		{"message pattern", func(t *testing.T) { wc.Write(t, "a.txt", []byte("e")) }, "Fix the invoice dates",
			Policy{MinMessageLength: 6, MessagePattern: `^[A-Z]+-[0-9]+ `},
			[]want{{rule: RuleMessage, text: "does not match the pattern ^[A-Z]+-[0-9]+ "}}},
		{"bad PHP", func(t *testing.T) { wc.Write(t, "src/bad.php", []byte(badPHP)) }, "Add a page", base,
			[]want{{rule: RuleLint, path: "src/bad.php", line: 3, text: "PHP Parse error:  syntax error"}}},
		{"good PHP", func(t *testing.T) {
			wc.Write(t, "src/bad.php", []byte(goodPHP))
			wc.Write(t, "src/good.php", []byte(goodPHP))
		}, "Fix the page", base, nil},
		{"spaces and non-ASCII in names", func(t *testing.T) { wc.Write(t, "dir with space/café über.php", []byte(badPHP)) }, "Add a café page", base,
			[]want{{rule: RuleLint, path: "dir with space/café über.php", line: 3, text: "in dir with space/café über.php on line 3"}}},
		{"names beginning with a dash are paths, not options", func(t *testing.T) {
			wc.Write(t, "-r1.php", []byte(badPHP))
			wc.Write(t, "--help.php", []byte(goodPHP))
		}, "Add dashed pages", base,
			[]want{{rule: RuleLint, path: "-r1.php", line: 3, text: "in -r1.php on line 3"}}},
		{"deleted files are not linted", func(t *testing.T) { wc.Remove(t, "dir with space/café über.php") }, "Remove the café page", base, nil},
		{"binary content is not linted", func(t *testing.T) {
			wc.Write(t, "bin/blob.php", append([]byte(badPHP), 0, 1, 2))
		}, "Add an encoded file", base, nil},
		{"a file with a bad PHP comes in", func(t *testing.T) { wc.Write(t, "legacy.php", []byte(badPHP)) }, "Import legacy code", Policy{MinMessageLength: 6}, nil},
		{"property changes are not linted", func(t *testing.T) {
			svntest.Run(t, wc.Dir, "svn", "propset", "--quiet", "svn:keywords", "Id", "legacy.php")
		}, "Set keywords", base, nil},
		{"forbidden paths and sizes", func(t *testing.T) {
			wc.Write(t, "logs/debug.log", []byte("x"))
			wc.Write(t, "web/node_modules/x.js", []byte("x"))
			wc.Write(t, "big.txt", bytes.Repeat([]byte("x"), 200))
			wc.Write(t, "big.php", []byte("<?php\n"+strings.Repeat("// filler\n", 20)))
		}, "Add files", Policy{MinMessageLength: 6, MaxFileSize: 100, ForbidPaths: []string{"*.log", "**/node_modules/**"}, Lint: []LintRule{phpLint}},
			[]want{
				{rule: RuleSize, path: "big.php", text: "larger than the 100 bytes this repository allows"},
				{rule: RuleSize, path: "big.txt", text: "is 200 bytes, larger than the 100 bytes"},
				{rule: RuleForbidden, path: "logs/debug.log", text: `forbids paths matching "*.log"`},
				{rule: RuleForbidden, path: "web/node_modules", text: `forbids paths matching "**/node_modules/**"`},
				{rule: RuleForbidden, path: "web/node_modules/x.js", text: `"**/node_modules/**"`},
			}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(t)
			wc.MustCommit(t, s.msg)
			rev := repo.Youngest(t)
			vs, err := CheckCommit(context.Background(), CheckRequest{Repos: repo.Path, Revision: rev, Policy: s.policy})
			if err != nil {
				t.Fatalf("CheckCommit r%d: %v", rev, err)
			}
			if len(vs) != len(s.want) {
				t.Fatalf("r%d: %d violations, want %d:\n%s", rev, len(vs), len(s.want), report(vs))
			}
			for i, w := range s.want {
				v := vs[i]
				if v.Rule != w.rule || v.Path != w.path || v.Line != w.line {
					t.Errorf("violation %d = rule %q path %q line %d, want %q %q %d", i, v.Rule, v.Path, v.Line, w.rule, w.path, w.line)
				}
				if text := v.Message + "\n" + v.Detail; !strings.Contains(text, w.text) {
					t.Errorf("violation %d does not say %q:\n%s", i, w.text, text)
				}
				if strings.Contains(v.Detail, "plumb-check-commit") {
					t.Errorf("violation %d shows the temporary file instead of the repository path:\n%s", i, v.Detail)
				}
				if v.Advice == "" {
					t.Errorf("violation %d says nothing about what to do", i)
				}
			}
		})
	}
}

func report(vs []Violation) string {
	var b strings.Builder
	WriteViolations(&b, vs)
	return b.String()
}

// TestCheckCommitLinterTrouble covers linters that hang (killed with
// their children at the timeout) and linters that are not installed.
func TestCheckCommitLinterTrouble(t *testing.T) {
	repo, wc := commitRepo(t, "linters")
	wc.Write(t, "a.php", []byte(goodPHP))
	wc.MustCommit(t, "Add a page")
	tests := []struct {
		name    string
		rule    LintRule
		want    string
		maxTime time.Duration
	}{
		{"hangs, with a child process holding its output", LintRule{Pattern: "*.php", Command: []string{"sh", "-c", "sleep 30 & wait"}, Timeout: "300ms"},
			"a.php could not be checked: sh -c sleep 30 & wait did not finish in time (linter timed out after 300ms)", 5 * time.Second},
		{"not installed", LintRule{Pattern: "*.php", Command: []string{"plumb-no-such-linter", "-l"}, Timeout: "5s"},
			"the linter plumb-no-such-linter is not installed on the server", 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			vs, err := CheckCommit(context.Background(), CheckRequest{Repos: repo.Path, Revision: 1, Policy: Policy{Lint: []LintRule{tt.rule}}})
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > tt.maxTime {
				t.Errorf("check took %v, want under %v", took, tt.maxTime)
			}
			if len(vs) != 1 || vs[0].Rule != RuleLint || !strings.Contains(vs[0].Message, tt.want) {
				t.Fatalf("violations, want one saying %q:\n%s", tt.want, report(vs))
			}
			if !strings.Contains(vs[0].Advice, "rejected") {
				t.Errorf("advice does not say the commit is rejected: %q", vs[0].Advice)
			}
		})
	}
}

func TestCheckCommitErrors(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook")
	repo := svntest.NewRepo(t, "errors")
	missing := filepath.Join(t.TempDir(), "nope")
	plain := filepath.Join(t.TempDir(), "plain")
	os.Mkdir(plain, 0o755)
	tests := []struct {
		name string
		req  CheckRequest
		want string
	}{
		{"missing repository", CheckRequest{Repos: missing, Txn: "1-1"}, "does not exist"},
		{"not a repository", CheckRequest{Repos: plain, Txn: "1-1"}, "is not a Subversion repository"},
		{"no such transaction", CheckRequest{Repos: repo.Path, Txn: "99-zz"}, "svnlook log"},
		{"bad policy", CheckRequest{Repos: repo.Path, Txn: "1-1", Policy: Policy{MessagePattern: "("}}, "message_pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckCommit(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestRunCheckCommit checks the command's exit codes and words.
func TestRunCheckCommit(t *testing.T) {
	repo, wc := commitRepo(t, "run")
	wc.Write(t, "x.php", []byte(badPHP))
	wc.MustCommit(t, "")
	wc.Write(t, "x.php", []byte(goodPHP))
	wc.MustCommit(t, "Fix the page")
	policy := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(policy, encodePolicyFile(PolicyFile{Policy: Policy{MinMessageLength: 1, Lint: []LintRule{phpLint}}}), 0o644)
	tests := []struct {
		name     string
		o        CheckCommitOptions
		code     int
		inStderr []string
	}{
		{"violations", CheckCommitOptions{Repos: repo.Path, Revision: 1, PolicyPath: policy}, 1,
			[]string{"breaks the repository's commit policy", "* The log message is empty.", "* x.php, line 3: php -l found a problem in x.php.",
				"      PHP Parse error:", "Nothing was committed."}},
		{"clean revision", CheckCommitOptions{Repos: repo.Path, Revision: 2, PolicyPath: policy}, 0, nil},
		{"missing policy", CheckCommitOptions{Repos: repo.Path, Revision: 1}, 1,
			[]string{"plumb could not check revision 1", "plumb-policy.json", "commit is rejected"}},
		{"missing repository", CheckCommitOptions{Repos: filepath.Join(t.TempDir(), "gone"), Txn: "1-1"}, 1,
			[]string{"could not check transaction 1-1", "does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := RunCheckCommit(context.Background(), tt.o, &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, errb.String())
			}
			mustContain(t, "stderr", errb.String(), tt.inStderr...)
		})
	}
}
