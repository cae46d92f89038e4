package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testedConfig = `
variable "name" {
  type    = string
  default = "world"
  validation {
    condition     = length(var.name) > 2
    error_message = "The name must be longer than two characters."
  }
}

resource "plumb_data" "greeting" {
  input = "hello, ${var.name}"
  lifecycle {
    precondition {
      condition     = lower(var.name) == var.name
      error_message = "Names are lower case."
    }
  }
}

check "quiet" {
  assert {
    condition     = !strcontains(var.name, "LOUD")
    error_message = "No shouting."
  }
}

resource "local_file" "note" {
  filename = "note-${var.name}.txt"
  content  = plumb_data.greeting.output
}

output "file" { value = local_file.note.filename }
`

// TestPlumbTest runs plumb test on a configuration with a tests/ folder:
// plan and apply runs with assertions, variables per run and from an
// earlier run, an expected validation failure, and a teardown that
// deletes what the runs made.
func TestPlumbTest(t *testing.T) {
	dir := configDir(t, map[string]string{
		"main.hcl": testedConfig,
		"tests/greeting.plumbtest.hcl": `
variables {
  name = "plumb"
}

run "plans_the_greeting" {
  command = plan
  assert {
    condition     = plumb_data.greeting.input == "hello, plumb"
    error_message = "the greeting is wrong: ${plumb_data.greeting.input}"
  }
}

run "writes_the_file" {
  assert {
    condition     = local_file.note.content == "hello, plumb" && output.file == "note-plumb.txt"
    error_message = "the file is wrong"
  }
}

run "uses_an_earlier_run" {
  variables {
    name = trimsuffix(run.writes_the_file.file, ".txt")
  }
  assert {
    condition     = output.file == "note-note-plumb.txt"
    error_message = "got ${output.file}"
  }
}

run "rejects_a_short_name" {
  command = plan
  variables {
    name = "x"
  }
  expect_failures = [var.name]
}

run "rejects_a_shouting_name" {
  command = plan
  variables {
    name = "LOUD"
  }
  expect_failures = [plumb_data.greeting, check.quiet]
}
`,
	})
	r := plumb(t, dir, "test")
	for _, want := range []string{
		`tests/greeting.plumbtest.hcl... in progress`,
		`run "plans_the_greeting"... pass`, `run "writes_the_file"... pass`, `run "uses_an_earlier_run"... pass`,
		`run "rejects_a_short_name"... pass`, `run "rejects_a_shouting_name"... pass`, `tests/greeting.plumbtest.hcl... tearing down`,
		`tests/greeting.plumbtest.hcl... pass`, "Success! 5 passed, 0 failed.",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plumb test output lacks %q:\n%s", want, r)
		}
	}
	if r.code != exitOK {
		t.Fatalf("plumb test:\n%s", r)
	}
	for _, f := range []string{"note-plumb.txt", "note-note-plumb.txt", "plumb.state"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s is left after the teardown", f)
		}
	}
}

func TestPlumbTestFailures(t *testing.T) {
	dir := configDir(t, map[string]string{
		"main.hcl": testedConfig,
		"checks.plumbtest.hcl": `
run "wrong_expectation" {
  command = plan
  assert {
    condition     = plumb_data.greeting.input == "goodbye"
    error_message = "expected goodbye, got ${plumb_data.greeting.input}"
  }
}

run "unknown_at_plan" {
  command = plan
  assert {
    condition     = plumb_data.greeting.id != ""
    error_message = "no id"
  }
}

run "expects_a_failure_that_does_not_come" {
  command         = plan
  expect_failures = [var.name]
}
`,
	})
	// A test file in the configuration folder is not configuration.
	if r := plumb(t, dir, "validate"); r.code != exitOK {
		t.Fatalf("validate with a test file beside the configuration:\n%s", r)
	}
	r := plumb(t, dir, "test", "-filter=checks.plumbtest.hcl")
	for _, want := range []string{
		`run "wrong_expectation"... fail`, "Test assertion failed", "expected goodbye, got hello, world", "on checks.plumbtest.hcl line 5",
		`run "unknown_at_plan"... fail`, "Unknown condition value",
		`run "expects_a_failure_that_does_not_come"... fail`, "Missing expected failure",
		"Failure! 0 passed, 3 failed.",
	} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("plumb test lacks %q:\n%s", want, r)
		}
	}
	if r.code != exitError {
		t.Errorf("plumb test with failures exits %d, want 1", r.code)
	}
}
