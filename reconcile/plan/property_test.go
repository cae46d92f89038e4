package plan

import (
	"bytes"
	"fmt"
	"html"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// This file checks, on generated values, the promise every review format
// makes: a change is never shown as an old and a new text that read the
// same. Each generated resource changes in exactly one place (one string,
// one file, one record), so all that a resource's rendering removes must
// differ from all that it adds.

// alphabet mixes what values hold: letters, quotes, backslashes, template
// sequences, non-ASCII text, control characters and blanks.
var alphabet = []string{
	"a", "b", "c", "x", "y", "z", "0", "1", "=", ";", " ", "/", "+",
	`"`, `\`, "${", "%{", "$", "é", "日本", "\t", "\x01", "\u2028", "`", "<", ">", "&", "|",
}

// randText returns about n bytes drawn from alphabet.
func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// mutate changes s at one random place: a replacement, an insertion, a
// deletion, or a change at its very end.
func mutate(r *rand.Rand, s string) string {
	for {
		var out string
		pos := r.IntN(len(s) + 1)
		switch r.IntN(5) {
		case 0:
			out = s[:pos] + randText(r, 1+r.IntN(3)) + s[min(len(s), pos+1+r.IntN(3)):]
		case 1:
			out = s[:pos] + randText(r, 1+r.IntN(40)) + s[pos:]
		case 2:
			out = s[:pos] + s[min(len(s), pos+1+r.IntN(40)):]
		case 3:
			out = s + randText(r, 1+r.IntN(3))
		default:
			cut := max(0, len(s)-1-r.IntN(3))
			out = s[:cut] + randText(r, 1)
		}
		if out != s {
			return out
		}
	}
}

// randFile returns a multi-line text: short lines, lines with trailing
// blanks or starting with quotes, and a few very long lines.
func randFile(r *rand.Rand) string {
	n := 2 + r.IntN(120)
	var b strings.Builder
	for range n {
		switch r.IntN(10) {
		case 0:
			b.WriteString(randText(r, 1100+r.IntN(1500)))
		case 1:
			b.WriteString(`"` + randText(r, 10))
		case 2:
			b.WriteString(randText(r, 10) + " ")
		case 3:
		default:
			b.WriteString(randText(r, 5+r.IntN(60)))
		}
		b.WriteByte('\n')
	}
	if r.IntN(3) == 0 {
		return strings.TrimSuffix(b.String(), "\n")
	}
	return b.String()
}

// mutateFile changes a file at one place: a line changed, inserted or
// removed, its final newline added or removed.
func mutateFile(r *rand.Rand, s string) string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for {
		i := r.IntN(len(lines))
		var out string
		switch r.IntN(4) {
		case 0:
			body := strings.TrimSuffix(lines[i], "\n")
			nl := lines[i][len(body):]
			lines2 := append([]string(nil), lines...)
			lines2[i] = mutate(r, body) + nl
			out = strings.Join(lines2, "")
		case 1:
			out = strings.Join(lines[:i], "") + randText(r, 5+r.IntN(30)) + "\n" + strings.Join(lines[i:], "")
		case 2:
			out = strings.Join(lines[:i], "") + strings.Join(lines[i+1:], "")
		default:
			if strings.HasSuffix(s, "\n") {
				out = strings.TrimSuffix(s, "\n")
			} else {
				out = s + "\n"
			}
		}
		if out != s && isMultiline(out+"x") {
			return out
		}
	}
}

// generatedPlan returns n updates, each changing one thing: a long
// one-line string, a multi-line file, one value of one record among
// others, or one long element of a set.
func generatedPlan(seed uint64, n int) *Plan {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	strType := cty.Object(map[string]cty.Type{"value": cty.String, "name": cty.String})
	setType := cty.Object(map[string]cty.Type{"allow": cty.Set(cty.String)})
	p := &Plan{}
	for i := range n {
		c := &Change{Addr: fmt.Sprintf("test_thing.t[%d]", i), Type: "test_thing", Name: "t", Action: Update}
		switch i % 4 {
		case 0:
			old := randText(r, 900+r.IntN(4000))
			c.Before = cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(old), "name": cty.StringVal("n")})
			c.After = cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(mutate(r, old)), "name": cty.StringVal("n")})
			_ = strType
		case 1:
			old := randFile(r)
			c.Before = cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(old), "name": cty.StringVal("n")})
			c.After = cty.ObjectVal(map[string]cty.Value{"value": cty.StringVal(mutateFile(r, old)), "name": cty.StringVal("n")})
		case 2:
			recs := zoneRecords(i)
			dkim := "v=DKIM1; k=rsa; p=" + randText(r, 300+r.IntN(1500))
			recs = append(recs, record("sel._domainkey", "TXT", 300, dkim))
			after := append([]cty.Value(nil), recs...)
			if r.IntN(2) == 0 {
				after[len(after)-1] = record("sel._domainkey", "TXT", 300, mutate(r, dkim))
			} else {
				k := 2 + r.IntN(14)
				old := after[k].GetAttr("values").Index(cty.NumberIntVal(0)).AsString()
				after[k] = record(after[k].GetAttr("name").AsString(), "A", 300, mutate(r, old))
			}
			c.Before, c.After = route53Val("z.example", recs), route53Val("z.example", after)
			c.Keys = map[string][]string{"records": {"name", "type"}}
		default:
			var elems []cty.Value
			for range 1 + r.IntN(4) {
				elems = append(elems, cty.StringVal(randText(r, 200+r.IntN(2000))))
			}
			k := r.IntN(len(elems))
			after := append([]cty.Value(nil), elems...)
			after[k] = cty.StringVal(mutate(r, elems[k].AsString()))
			c.Before = cty.ObjectVal(map[string]cty.Value{"allow": cty.SetVal(elems)})
			c.After = cty.ObjectVal(map[string]cty.Value{"allow": cty.SetVal(after)})
			if c.Before.RawEquals(c.After) {
				c.Action = NoOp
			}
			_ = setType
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

// sides is what one resource's rendering removes and adds.
type sides struct{ removed, added []string }

func (s sides) equal() bool { return slices.Equal(s.removed, s.added) }

// markdownSides reads each <details> block of a comment.
func markdownSides(out string) []sides {
	var all []sides
	for _, block := range strings.Split(out, "<details")[1:] {
		var s sides
		last := &s.added
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "-"):
				s.removed = append(s.removed, line[1:])
				last = &s.removed
			case strings.HasPrefix(line, "+"):
				s.added = append(s.added, line[1:])
				last = &s.added
			case line == noEOLText:
				*last = append(*last, line)
			}
		}
		all = append(all, s)
	}
	return all
}

// textSides reads each resource block of the terminal rendering. An
// update on one line must not read "X -> X" at any of its arrows.
func textSides(t *testing.T, out string) []sides {
	var all []sides
	for _, block := range strings.Split(out, "\n  # ")[1:] {
		var s sides
		last := &s.added
		for _, line := range strings.Split(block, "\n") {
			trimmed := strings.TrimLeft(line, " ")
			switch {
			case strings.HasPrefix(line, "      ~ ") && strings.Contains(line, " -> "):
				_, rest, _ := strings.Cut(trimmed, " = ")
				for i := 0; i+4 <= len(rest); i++ {
					if rest[i:i+4] == " -> " && rest[:i] == rest[i+4:] {
						t.Errorf("text shows an update as the same text twice: %s", line)
					}
				}
			case strings.HasPrefix(line, "          - "):
				s.removed = append(s.removed, trimmed[2:])
				last = &s.removed
			case strings.HasPrefix(line, "          + "):
				s.added = append(s.added, trimmed[2:])
				last = &s.added
			case trimmed == noEOLText:
				*last = append(*last, trimmed)
			}
		}
		all = append(all, s)
	}
	return all
}

var (
	delRE = regexp.MustCompile(`(?s)<del>(.*?)</del>`)
	insRE = regexp.MustCompile(`(?s)<ins>(.*?)</ins>`)
)

// htmlSides reads each resource's <del> and <ins> texts.
func htmlSides(out string) []sides {
	var all []sides
	for _, block := range strings.Split(out, `<details class="r"`)[1:] {
		var s sides
		for _, m := range delRE.FindAllStringSubmatch(block, -1) {
			s.removed = append(s.removed, html.UnescapeString(m[1]))
		}
		for _, m := range insRE.FindAllStringSubmatch(block, -1) {
			s.added = append(s.added, html.UnescapeString(m[1]))
		}
		all = append(all, s)
	}
	return all
}

func TestNoRenderedChangeShowsEqualOldAndNew(t *testing.T) {
	for seed := range uint64(6) {
		p := generatedPlan(seed, 48)
		shown := 0
		for _, c := range p.Changes {
			if c.Action != NoOp {
				shown++
			}
		}
		var text, md, page bytes.Buffer
		if err := RenderText(&text, p, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RenderMarkdown(&md, p, MarkdownOptions{MaxBytes: 1 << 30}); err != nil {
			t.Fatal(err)
		}
		if err := RenderHTML(&page, p); err != nil {
			t.Fatal(err)
		}
		for format, got := range map[string][]sides{
			"text": textSides(t, text.String()), "markdown": markdownSides(md.String()), "html": htmlSides(page.String()),
		} {
			if len(got) != shown {
				t.Fatalf("seed %d: %s shows %d resources, want %d", seed, format, len(got), shown)
			}
			for i, s := range got {
				if len(s.removed)+len(s.added) == 0 && format != "text" {
					t.Errorf("seed %d: %s shows resource %d with nothing removed or added", seed, format, i)
				}
				if (len(s.removed) > 0 || len(s.added) > 0) && s.equal() {
					t.Errorf("seed %d: %s shows resource %d removing and adding the same text:\n%q", seed, format, i, s.removed)
				}
			}
		}
	}
}
