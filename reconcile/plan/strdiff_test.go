package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// numbered returns n lines "line 1\n" … "line n\n".
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

// renderDiff renders the line diff of an update of one attribute the way
// the Markdown comment does, without the block around it.
func renderDiff(old, new string) string {
	c := &Change{
		Action: Update,
		Before: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(old)}),
		After:  cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(new)}),
	}
	var b []byte
	diffLines(c, Diff(c), commentLines, func(l *diffLine) bool {
		b = appendMDLine(b, l)
		return true
	})
	return string(b)
}

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{
			name: "last line of 62 changes",
			old:  numbered(62),
			new:  strings.Replace(numbered(62), "line 62\n", "line sixty-two\n", 1),
			want: `  content = <<-EOT
@@ -59,4 +59,4 @@
      line 59
      line 60
      line 61
-     line 62
+     line sixty-two
  EOT
`,
		},
		{
			name: "a line inserted at the top and one removed in the middle",
			old:  numbered(20),
			new:  "line 0\n" + strings.Replace(numbered(20), "line 10\n", "", 1),
			want: `  content = <<-EOT
@@ -1,3 +1,4 @@
+     line 0
      line 1
      line 2
      line 3
@@ -7,7 +8,6 @@
      line 7
      line 8
      line 9
-     line 10
      line 11
      line 12
      line 13
  EOT
`,
		},
		{
			name: "close changes share one hunk",
			old:  numbered(12),
			new:  strings.NewReplacer("line 3\n", "line three\n", "line 8\n", "line eight\n").Replace(numbered(12)),
			want: `  content = <<-EOT
@@ -1,11 +1,11 @@
      line 1
      line 2
-     line 3
+     line three
      line 4
      line 5
      line 6
      line 7
-     line 8
+     line eight
      line 9
      line 10
      line 11
  EOT
`,
		},
		{
			name: "only the final newline goes",
			old:  "a\nb\n",
			new:  "a\nb",
			want: `  content = <<-EOT
@@ -1,2 +1,2 @@
      a
-     b
+     b
\ No newline at end of file
  EOT
`,
		},
		{
			name: "a trailing blank and a tab are shown quoted",
			old:  "x\nkey = 1\n",
			new:  "x\nkey = 1 \n\tindented\n",
			want: `  content = <<-EOT
@@ -1,2 +1,3 @@
      x
-     key = 1
+     "key = 1 "
+     "\tindented"
  EOT
`,
		},
		{
			name: "a one-line value becomes two lines",
			old:  "solo",
			new:  "solo\nduo\n",
			want: `  content = <<-EOT
@@ -1 +1,2 @@
-     solo
\ No newline at end of file
+     solo
+     duo
  EOT
`,
		},
		{
			name: "everything goes",
			old:  "a\nb\n",
			new:  "",
			want: `  content = <<-EOT
@@ -1,2 +0,0 @@
-     a
-     b
  EOT
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, renderDiff(tt.old, tt.new)); diff != "" {
				t.Errorf("line diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineDiffIsMinimalAndReplays(t *testing.T) {
	// Applying the edit script to the old lines must give the new ones.
	cases := [][2]string{
		{numbered(100), strings.Replace(numbered(100), "line 50\n", "x\ny\n", 1)},
		{"a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n"},
		{"", "a\n"},
		{numbered(3000), numbered(10)},
	}
	for i, c := range cases {
		a, b := splitLines(c[0]), splitLines(c[1])
		script := diffLineSeqs(a, b)
		var got []textLine
		x, y := 0, 0
		for _, e := range script {
			switch e.op {
			case opKeep:
				for range e.n {
					if a[x] != b[y] {
						t.Fatalf("case %d: kept line %q differs from %q", i, a[x].text, b[y].text)
					}
					got = append(got, a[x])
					x++
					y++
				}
			case opDelete:
				x += e.n
			case opInsert:
				got = append(got, b[y:y+e.n]...)
				y += e.n
			}
		}
		if x != len(a) || y != len(b) || !cmp.Equal(got, b, cmp.AllowUnexported(textLine{})) {
			t.Errorf("case %d: the script does not turn the old lines into the new ones", i)
		}
	}
	// The classic example has an edit distance of 5.
	a, b := splitLines("a\nb\nc\na\nb\nb\na\n"), splitLines("c\nb\na\nb\na\nc\n")
	d := 0
	for _, e := range diffLineSeqs(a, b) {
		if e.op != opKeep {
			d += e.n
		}
	}
	if d != 5 {
		t.Errorf("edit distance %d, want 5", d)
	}
}

func TestWindowPair(t *testing.T) {
	key := strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 30)
	tests := []struct {
		name             string
		old, new         string
		wantOld, wantNew string
	}{
		{
			name:    "the tail changes",
			old:     quote("v=DKIM1; p=" + key + "IDAQAB"),
			new:     quote("v=DKIM1; p=" + key + "IDAQAC"),
			wantOld: "(1,217 bytes hidden) …" + key[len(key)-115:] + `IDAQAB"`,
			wantNew: "(1,217 bytes hidden) …" + key[len(key)-115:] + `IDAQAC"`,
		},
		{
			name:    "the head changes",
			old:     quote("a" + key),
			new:     quote("b" + key),
			wantOld: `"a` + key[:80] + "… (1,241 bytes hidden)",
			wantNew: `"b` + key[:80] + "… (1,241 bytes hidden)",
		},
		{
			name:    "an escape is never cut in two",
			old:     quote(strings.Repeat("é\n", 300) + "x"),
			new:     quote(strings.Repeat("é\n", 300) + "y"),
			wantOld: `(1,081 bytes hidden) …` + strings.Repeat(`é\n`, 30) + `x"`,
			wantNew: `(1,081 bytes hidden) …` + strings.Repeat(`é\n`, 30) + `y"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotOld, gotNew := windowPair(tt.old, tt.new)
			if gotOld != tt.wantOld || gotNew != tt.wantNew {
				t.Errorf("windowPair:\n old %s\nwant %s\n new %s\nwant %s", gotOld, tt.wantOld, gotNew, tt.wantNew)
			}
		})
	}
}

// stringsPlan changes the last line of a 62-line file and the tail of a
// long DKIM key: the two changes a cut at a fixed length used to hide.
func stringsPlan() *Plan {
	key := "v=DKIM1; k=rsa; p=" + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 29)
	before := zoneRecords(1)
	after := append([]cty.Value(nil), before...)
	before = append(before, record("sel._domainkey", "TXT", 300, key+"IDAQAB"))
	after = append(after, record("sel._domainkey", "TXT", 300, key+"IDAQAC"))
	file := numbered(62)
	return &Plan{Changes: []*Change{
		{
			Addr: "aws_route53_zone.mail", Mode: Managed, Type: "aws_route53_zone", Name: "mail", Action: Update,
			Before: route53Val("example.org", before), After: route53Val("example.org", after),
			Keys: map[string][]string{"records": {"name", "type"}},
		},
		{
			Addr: "local_file.conf", Mode: Managed, Type: "local_file", Name: "conf", Action: Update,
			Before: fileVal(file, "site.conf", "0644", cty.StringVal("a1")),
			After:  fileVal(strings.Replace(file, "line 62\n", "line 62 changed\n", 1), "site.conf", "0644", cty.UnknownVal(cty.String)),
		},
	}}
}

func TestLongStringsGolden(t *testing.T) {
	var text, md bytes.Buffer
	if err := RenderText(&text, stringsPlan(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "strings.txt", text.Bytes())
	if err := RenderMarkdown(&md, stringsPlan(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "markdown-strings.md", md.Bytes())
}
