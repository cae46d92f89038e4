package plan

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnifiedDiffMatchesDiff compares UnifiedDiff with diff -u, headers
// aside, on edits at the start, middle and end, and a missing final
// newline.
func TestUnifiedDiffMatchesDiff(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("needs diff (Debian package diffutils)")
	}
	lines := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("x", i%7) + "line"
		}
		return out
	}
	base := strings.Join(lines(30), "\n") + "\n"
	for name, changed := range map[string]string{
		"start":      "new first\n" + base[strings.Index(base, "\n")+1:],
		"middle":     strings.Replace(base, "xxxline\nxxxxline\n", "xxxline\nchanged\nadded\nxxxxline\n", 1),
		"end":        base + "appended\n",
		"no newline": strings.TrimSuffix(base, "\n"),
		"two places": strings.Replace(strings.Replace(base, "xline\n", "X\n", 1), "xxxxxxline\n", "", 2),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			os.WriteFile(a, []byte(base), 0o644)
			os.WriteFile(b, []byte(changed), 0o644)
			out, _ := exec.Command("diff", "-u", a, b).Output()
			want := string(out)
			want = want[strings.Index(want, "\n@@")+1:]
			got := UnifiedDiff("a", "b", base, changed)
			if !strings.HasPrefix(got, "--- a\n+++ b\n") {
				t.Fatalf("headers: %q", got)
			}
			if got = strings.TrimPrefix(got, "--- a\n+++ b\n"); got != want {
				t.Errorf("UnifiedDiff:\n%s\ndiff -u:\n%s", got, want)
			}
		})
	}
	if UnifiedDiff("a", "b", base, base) != "" {
		t.Error("equal texts gave a diff")
	}
}
