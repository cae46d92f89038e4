package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bigZoneHCL is a bind_zone of 20 record sets whose first n addresses
// moved: n of 8 is a mass change (over 30%).
func bigZoneHCL(n int) string {
	return `
variable "moved" {
  type    = number
  default = ` + itoa(n) + `
}
resource "bind_zone" "big" {
  name      = "big.example"
  directory = "zones"
  records = concat(
    [{ name = "big.example.", type = "NS", ttl = 3600, values = ["ns1.example.net."] }],
    [for i in range(19) : { name = "h${i}.big.example.", type = "A", ttl = 300, values = [i < var.moved ? "198.51.100.${i + 1}" : "192.0.2.${i + 1}"] }],
  )
}
`
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readStatus reads a -review-status file.
func readStatus(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("status %s: %v", data, err)
	}
	return s
}

// TestReviewOnEveryOutcome runs plan -review-out through each outcome a
// pull request can meet: changes, no changes, a mistake in the
// configuration, and a refused mass change; then lets the mass change
// through and checks the override is recorded and shown with the
// refusal's numbers, and applied from the saved plan.
func TestReviewOnEveryOutcome(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": bigZoneHCL(0)})
	os.Mkdir(filepath.Join(dir, "zones"), 0o755)
	md, status := filepath.Join(dir, "plan.md"), filepath.Join(dir, "status.json")
	review := []string{"-review-out", md, "-review-status", status}
	read := func() string {
		t.Helper()
		b, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	// Changes.
	r := plumb(t, dir, append([]string{"plan", "-no-color", "-detailed-exitcode"}, review...)...)
	if r.code != exitChanges || !strings.Contains(read(), "**Plan: 1 to add, 0 to change, 0 to destroy.**") {
		t.Fatalf("changes: %s\n%s", r, read())
	}
	if s := readStatus(t, status); s["outcome"] != "changes" || s["title"] != "Plan: 1 to add, 0 to change, 0 to destroy." || s["add"] != 1.0 {
		t.Errorf("status of a plan with changes: %v", s)
	}
	if r := plumb(t, dir, "apply", "-auto-approve", "-no-color"); r.code != exitOK {
		t.Fatalf("apply: %s", r)
	}

	// No changes.
	r = plumb(t, dir, append([]string{"plan", "-no-color", "-detailed-exitcode"}, review...)...)
	if r.code != exitOK || !strings.Contains(read(), "No changes.") || readStatus(t, status)["outcome"] != "no-changes" {
		t.Fatalf("no changes: %s\n%s", r, read())
	}

	// A mistake in the configuration: the review says so, with where.
	writeFile(t, filepath.Join(dir, "oops.hcl"), "resource \"bind_zone\" \"x\" {\n  nme = \"x\"\n}\n")
	r = plumb(t, dir, append([]string{"plan", "-no-color"}, review...)...)
	got := read()
	if r.code != exitError || !strings.Contains(got, "**plan failed: ") || !strings.Contains(got, "`oops.hcl:2`") {
		t.Fatalf("a broken configuration: %s\n%s", r, got)
	}
	if s := readStatus(t, status); s["outcome"] != "failed" || !strings.HasPrefix(s["title"].(string), "plan failed: ") {
		t.Errorf("status of a failed plan: %v", s)
	}
	os.Remove(filepath.Join(dir, "oops.hcl"))

	// A mass change: 8 of the 20 records move. Refused, with the numbers.
	writeFile(t, filepath.Join(dir, "main.hcl"), bigZoneHCL(8))
	const numbers = "8 of the 20 records of zone big.example change or go (40%)"
	r = plumb(t, dir, append([]string{"plan", "-no-color"}, review...)...)
	got = read()
	if r.code != exitError || !strings.Contains(got, "**mass change refused: bind\\_zone.big: "+numbers+"**") {
		t.Fatalf("a refused mass change: %s\n%s", r, got)
	}
	if s := readStatus(t, status); s["outcome"] != "refused" {
		t.Errorf("status of a refused plan: %v", s)
	}

	// Let through: recorded in the saved plan, shown with the same numbers.
	r = plumb(t, dir, append([]string{"plan", "-no-color", "-allow-mass-change", "-out", "plan.bin"}, review...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "Mass change allowed by -allow-mass-change in bind_zone.big: "+numbers) {
		t.Fatalf("plan -allow-mass-change: %s", r)
	}
	if !strings.Contains(read(), numbers+"; allowed by `-allow-mass-change`") {
		t.Errorf("the review of an allowed mass change lacks the refusal's numbers:\n%s", read())
	}
	if r := plumb(t, dir, "show", "-format=markdown", "plan.bin"); !strings.Contains(r.stdout, numbers+"; allowed by `-allow-mass-change`") {
		t.Errorf("show of the saved plan lacks the override: %s", r)
	}
	// Applying the saved plan needs no flag: the plan carries the override.
	if r := plumb(t, dir, "apply", "-no-color", "plan.bin"); r.code != exitOK {
		t.Fatalf("apply of the saved plan: %s", r)
	}
}

// TestShowSizedForWhereItGoes renders one large plan for each destination
// and with -max-bytes.
func TestShowSizedForWhereItGoes(t *testing.T) {
	var b strings.Builder
	b.WriteString("resource \"local_file\" \"f\" {\n  count    = 3000\n  filename = \"out/f${count.index}.txt\"\n  content  = \"file ${count.index} with a line long enough to take room\\n\"\n}\n")
	dir := configDir(t, map[string]string{"main.hcl": b.String()})
	if r := plumb(t, dir, "plan", "-no-color", "-out", "plan.bin"); r.code != exitOK {
		t.Fatalf("plan: %s", r)
	}
	sizes := map[string]int{}
	for _, args := range [][]string{{}, {"-for", "gitlab"}, {"-for", "job-summary"}, {"-max-bytes", "20000"}} {
		r := plumb(t, dir, append(append([]string{"show", "-format=markdown"}, args...), "plan.bin")...)
		if r.code != exitOK {
			t.Fatalf("show %v: %s", args, r)
		}
		sizes[strings.Join(args, " ")] = len(r.stdout)
	}
	if sizes[""] > 65000 || sizes["-max-bytes 20000"] > 20000 || sizes["-for gitlab"] <= 65000 || sizes["-for gitlab"] > 998000 {
		t.Errorf("sizes %v: want under 65,000 for GitHub, 20,000 with -max-bytes, and more for GitLab", sizes)
	}
	if r := plumb(t, dir, "show", "-format=markdown", "-for", "slack", "plan.bin"); r.code != exitError || !strings.Contains(r.stderr, "github, gitlab or job-summary") {
		t.Errorf("an unknown destination: %s", r)
	}
}

// TestTargetedPlanSaysItIsPartial: a plan limited by -target says so, in
// the terminal and in the review.
func TestTargetedPlanSaysItIsPartial(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `
resource "local_file" "a" {
  filename = "a.txt"
  content  = "a"
}
resource "local_file" "b" {
  filename = "b.txt"
  content  = "b"
}`})
	md := filepath.Join(dir, "plan.md")
	r := plumb(t, dir, "plan", "-no-color", "-target", "local_file.a", "-review-out", md)
	if r.code != exitOK || !strings.Contains(r.stdout, "Partial plan: This plan covers only: local_file.a, and what it depends on.") {
		t.Fatalf("plan -target:\n%s", r)
	}
	b, err := os.ReadFile(md)
	if err != nil || !strings.Contains(string(b), "> **Partial plan.** This plan covers only: `local_file.a`") {
		t.Errorf("the review of a targeted plan has no banner (%v):\n%s", err, b)
	}
}
