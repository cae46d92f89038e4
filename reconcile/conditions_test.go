package reconcile_test

import (
	"strings"
	"testing"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// TestChecksRecordedInPlan checks that every object with conditions has
// its result in the plan, failed check blocks become the plan's
// warnings, and conditions that wait for apply are unknown.
func TestChecksRecordedInPlan(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
resource "plumb_data" "x" {
  count = 2
  input = count.index
  lifecycle {
    postcondition {
      condition     = self.id != ""
      error_message = "no id"
    }
  }
}

check "two" {
  assert {
    condition     = length(plumb_data.x) == 3
    error_message = "want three, have ${length(plumb_data.x)}"
  }
}

output "first" {
  value = plumb_data.x[0].output
  precondition {
    condition     = plumb_data.x[0].output == 0
    error_message = "first is not zero"
  }
}
`})
	p := planOnly(t, dir, reconcile.Options{})
	got := map[string]plan.CheckStatus{}
	for _, c := range p.Checks {
		got[c.Addr] = c.Status
	}
	want := map[string]plan.CheckStatus{
		"plumb_data.x[0]": plan.CheckUnknown, "plumb_data.x[1]": plan.CheckUnknown,
		"check.two": plan.CheckFail, "output.first": plan.CheckPass,
	}
	for addr, s := range want {
		if got[addr] != s {
			t.Errorf("check %s: status %q, want %q (all: %v)", addr, got[addr], s, got)
		}
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "Check check.two failed: want three, have 2") {
		t.Errorf("warnings = %q", p.Warnings)
	}
	if n := len(p.FailedChecks()); n != 1 {
		t.Errorf("FailedChecks() = %d, want 1", n)
	}
}
