package config

import (
	"strings"
	"testing"
)

func TestCheckNesting(t *testing.T) {
	deep := func(n int, open, close string) string {
		return "x = " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
	}
	cases := []struct {
		name string
		src  string
		ok   bool
		line int // of the error
	}{
		{"200,000 brackets", deep(200000, "[", "]"), false, 1},
		{"200,000 parentheses", deep(200000, "(", ")"), false, 1},
		{"200,000 interpolations", "x = " + strings.Repeat(`"${`, 200000) + "1" + strings.Repeat(`}"`, 200000), false, 1},
		{"at the limit", deep(MaxNesting, "[", "]"), true, 0},
		{"one past it, on line 3", "a = 1\nb = 2\n" + deep(MaxNesting+1, "{x=", "}"), false, 3},
		{"brackets in strings and comments do not count", `x = "` + strings.Repeat("[", 1000) + `"` + "\n# " + strings.Repeat("{", 1000) + "\n/* " + strings.Repeat("(", 1000) + " */\n", true, 0},
		{"escaped interpolations do not count", `x = "` + strings.Repeat("$${", 1000) + `"`, true, 0},
		{"a heredoc's text does not count", "x = <<EOT\n" + strings.Repeat("[", 1000) + "\nEOT\ny = [1]\n", true, 0},
		{"a heredoc's interpolations do", "x = <<-EOT\n" + strings.Repeat("${[", 200) + "\n  EOT\n", false, 2},
		{"balanced siblings never add up", strings.Repeat("x = [[1], {a = (2)}]\n", 5000), true, 0},
		{"binary noise", string([]byte{0x1b, '[', 0, 0xff, '"', '\n', '{'}), true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := CheckNesting([]byte(tc.src), "main.hcl")
			if tc.ok {
				if d.HasErrors() {
					t.Fatalf("refused: %v", d)
				}
				return
			}
			if !d.HasErrors() {
				t.Fatal("accepted")
			}
			if d[0].Subject == nil || d[0].Subject.Filename != "main.hcl" || d[0].Subject.Start.Line != tc.line {
				t.Errorf("subject %v, want main.hcl line %d", d[0].Subject, tc.line)
			}
			if !strings.Contains(d[0].Detail, "Flatten") {
				t.Errorf("detail does not say what to do: %s", d[0].Detail)
			}
		})
	}
}

func TestCheckTemplateNesting(t *testing.T) {
	if d := CheckTemplateNesting([]byte(strings.Repeat("{", 5000)+"plain text"), "t.tpl"); d.HasErrors() {
		t.Errorf("text braces refused: %v", d)
	}
	if d := CheckTemplateNesting([]byte(strings.Repeat("${[", 300)), "t.tpl"); !d.HasErrors() {
		t.Error("deep interpolations accepted")
	}
}

// TestLoadRefusesDeepNesting: a configuration file nested 200,000 deep
// is a diagnostic, not a stack overflow.
func TestLoadRefusesDeepNesting(t *testing.T) {
	_, d := LoadSource(".", map[string]string{"main.hcl": "locals {\n  x = " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + "\n}\n"})
	if !d.HasErrors() || !strings.Contains(d.Error(), "nested too deeply") {
		t.Fatalf("got %v", d)
	}
}
