package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/internal/svntest"
)

// TestDynamicLintBlocks writes svn_pre_commit_hook's lint blocks with
// dynamic, from a map variable: the hook installed rejects a commit of
// bad PHP, and the configuration written with plain lint blocks plans no
// change against it, so both forms mean the same.
func TestDynamicLintBlocks(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn", "php")
	repo := svntest.NewRepo(t, "dynamic lint")
	dir := configDir(t, map[string]string{"main.hcl": fmt.Sprintf(`
variable "linters" {
  default = {
    "*.php" = ["php", "-l"]
    "*.sh"  = ["sh", "-n"]
  }
}

resource "svn_pre_commit_hook" "site" {
  repository         = %q
  min_message_length = 3
  plumb_path         = %q

  dynamic "lint" {
    for_each = var.linters
    iterator = linter
    content {
      pattern = linter.key
      command = linter.value
    }
  }
}
`, repo.Path, plumbBin)})
	r := plumb(t, dir, "plan")
	if r.code != exitOK || !strings.Contains(r.stdout, `pattern = "*.php"`) || !strings.Contains(r.stdout, `pattern = "*.sh"`) {
		t.Fatalf("plan does not show the two lint blocks:\n%s", r)
	}
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply: %s", r)
	}
	wc := repo.Checkout(t)
	wc.Write(t, "x.php", []byte(svnBadPHP))
	if res := wc.Commit("Add a page"); res.Err == nil || !strings.Contains(res.Stderr, "x.php, line 3") {
		t.Errorf("a bad PHP file was not rejected by the dynamic lint block:\n%s", res)
	}
	static := fmt.Sprintf(`
resource "svn_pre_commit_hook" "site" {
  repository         = %q
  min_message_length = 3
  plumb_path         = %q

  lint {
    pattern = "*.php"
    command = ["php", "-l"]
  }
  lint {
    pattern = "*.sh"
    command = ["sh", "-n"]
  }
}
`, repo.Path, plumbBin)
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(static), 0o644)
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Errorf("the same blocks written without dynamic plan a change:\n%s", r)
	}
}

// TestDynamicBlockMistakes checks that mistakes inside dynamic blocks are
// reported where they are written.
func TestDynamicBlockMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		line             int
	}{
		{"unknown block type", `dynamic "lint2" {
    for_each = ["x"]
    content {}
  }`, "Unsupported block type", 5},
		{"bad for_each", `dynamic "lint" {
    for_each = 3
    content {
      pattern = "x"
      command = ["true"]
    }
  }`, "Invalid dynamic for_each value", 6},
		{"undeclared reference", `dynamic "lint" {
    for_each = var.nothing
    content {
      pattern = lint.value
      command = ["true"]
    }
  }`, "Reference to undeclared input variable", 6},
		{"attribute unknown to the block", `dynamic "lint" {
    for_each = ["*.php"]
    content {
      pattern = lint.value
      command = ["true"]
      colour  = "red"
    }
  }`, "Unsupported argument", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := configDir(t, map[string]string{"main.hcl": `
resource "svn_pre_commit_hook" "site" {
  repository = "/srv/svn/x"

  ` + tc.body + `
}
`})
			r := plumb(t, dir, "validate")
			where := fmt.Sprintf("on main.hcl line %d", tc.line)
			if r.code != exitError || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, where) {
				t.Errorf("want %q %s:\n%s", tc.want, where, r)
			}
		})
	}
}
