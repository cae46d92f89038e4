package plan

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestRenderMarkdownGolden(t *testing.T) {
	tests := []struct {
		golden string
		plan   func() *Plan
		max    int
	}{
		{"markdown-sample.md", samplePlan, 0},
		{"markdown-one-record.md", oneRecordPlan, 0},
		{"markdown-review.md", func() *Plan { return reviewPlan(3) }, 0},
		{"markdown-truncated.md", func() *Plan { return reviewPlan(400) }, 6000},
		{"markdown-nochanges.md", noChangesPlan, 0},
		{"markdown-outputs-only.md", outputsOnlyPlan, 0},
		{"markdown-escaping.md", escapingPlan, 0},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderMarkdown(&buf, tt.plan(), MarkdownOptions{MaxBytes: tt.max}); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, buf.Bytes())
		})
	}
}

// escapingPlan has addresses, reasons and warnings holding the characters
// Markdown and HTML treat as markup.
func escapingPlan() *Plan {
	ty := cty.Object(map[string]cty.Type{"content": cty.String})
	return &Plan{
		Warnings: []string{"Check `x` | <b>bold</b> & *stars* [link](http://x)\nsecond line"},
		Changes: []*Change{{
			Addr: "local_file.f[\"a`b|<i>\"]", Mode: Managed, Type: "local_file", Name: "f",
			Action: Delete, Before: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("```\n</details>\n<script>")}),
			After: cty.NullVal(ty), Reason: "gone <b>now</b>",
		}},
	}
}

func TestRenderMarkdownOneRecordShowsOnlyThatRecord(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, oneRecordPlan(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if got := strings.Count(out, "www"); got != 1 {
		t.Errorf("record names appear %d times, want once, for the changed record only:\n%s", got, out)
	}
	for _, want := range []string{`records[name="www2500",type="A"].values`, `+     "192.0.2.251",`, "<details open>"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(out) > 2000 {
		t.Errorf("one changed record takes %d bytes; the other 4,999 records must not be shown", len(out))
	}
}

func TestRenderMarkdownNeverShowsSensitiveValues(t *testing.T) {
	p := samplePlan()
	// A sensitive attribute that is created, changed and deleted.
	ty := cty.Object(map[string]cty.Type{"password": cty.String, "name": cty.String})
	for i, act := range []Action{Create, Update, Delete} {
		before, after := cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal("hunter2-old"), "name": cty.StringVal("n")}),
			cty.ObjectVal(map[string]cty.Value{"password": cty.StringVal("hunter2-new"), "name": cty.StringVal("n")})
		switch act {
		case Create:
			before = cty.NullVal(ty)
		case Delete:
			after = cty.NullVal(ty)
		}
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("db_user.u[%d]", i), Type: "db_user", Name: "u", Action: act,
			Before: before, After: after, Sensitive: []string{"password"},
		})
	}
	var md, page bytes.Buffer
	if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderHTML(&page, p); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md.String(), "html": page.String()} {
		for _, secret := range []string{"s3cret", "hunter2", `"t1"`, `"t2"`} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output holds the sensitive value %s", name, secret)
			}
		}
		if !strings.Contains(out, "password = "+SensitiveValue) {
			t.Errorf("%s output does not show the sensitive attribute as %s", name, SensitiveValue)
		}
	}
}

func TestRenderMarkdownStaysUnderTheLimit(t *testing.T) {
	tests := []struct {
		name string
		plan *Plan
		max  int
	}{
		{"default limit, 5,000 zones", reviewPlan(5000), 0},
		{"small limit", reviewPlan(100), 3000},
		{"tiny limit", reviewPlan(100), 1},
		{"one huge attribute", hugeValuePlan(), 8000},
		{"many warnings", manyDeletesPlan(20000), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderMarkdown(&buf, tt.plan, MarkdownOptions{MaxBytes: tt.max}); err != nil {
				t.Fatal(err)
			}
			limit := tt.max
			if limit <= 0 {
				limit = DefaultMarkdownMaxBytes
			}
			out := buf.String()
			// A limit smaller than the fixed head is still exceeded by the
			// head alone; it must not be exceeded by more than that.
			if min := 1200; limit < min {
				limit = min
			}
			if len(out) > limit {
				t.Errorf("output is %d bytes, over the limit of %d", len(out), limit)
			}
			if !strings.Contains(out, "not shown") {
				t.Errorf("output does not say what it left out:\n%s", out[max(0, len(out)-600):])
			}
			if strings.Count(out, "```")%2 != 0 || strings.Count(out, "<details") != strings.Count(out, "</details>") {
				t.Errorf("output leaves a fence or a <details> open")
			}
		})
	}
}

// hugeValuePlan creates a file whose content is one very long line.
func hugeValuePlan() *Plan {
	return &Plan{Changes: []*Change{{
		Addr: "local_file.big", Type: "local_file", Name: "big", Action: Update,
		Before: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(strings.Repeat("a", 200000))}),
		After:  cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal(strings.Repeat("b", 200000))}),
	}, {
		Addr: "local_file.list", Type: "local_file", Name: "list", Action: Create,
		Before: cty.NullVal(cty.Object(map[string]cty.Type{"lines": cty.List(cty.String)})),
		After:  cty.ObjectVal(map[string]cty.Value{"lines": cty.ListVal(strs(strings.Split(strings.Repeat("line,", 5000), ",")...))}),
	}}}
}

// manyDeletesPlan deletes n files.
func manyDeletesPlan(n int) *Plan {
	p := &Plan{}
	for i := range n {
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("local_file.f[%d]", i), Type: "local_file", Name: "f", Action: Delete,
			Before: fileVal("x", fmt.Sprint(i), "0644", cty.StringVal("id")), After: cty.NullVal(fileType),
		})
	}
	return p
}

func TestDerivedWarnings(t *testing.T) {
	p := reviewPlan(0)
	r := buildReview(p, 100)
	kinds := map[warnKind]int{}
	for _, w := range r.warnings {
		kinds[w.kind]++
	}
	want := map[warnKind]int{warnDestroy: 12, warnReplace: 5, warnApexNS: 1, warnMass: 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s warnings, want %d", kinds[k], k.title(), n)
		}
	}
	// A cap keeps the first warnings of each kind and counts the others.
	r = buildReview(p, 2)
	if n := len(r.warnings); n != 6 || r.hidden[warnDestroy] != 10 || r.hidden[warnReplace] != 3 {
		t.Errorf("with a cap of 2: %d warnings kept, %v hidden; want 6 kept, 10 deletions and 3 replacements hidden", n, r.hidden)
	}
	// A large plan is read in parallel chunks; the warnings kept are still
	// the first ones in plan order.
	big := manyDeletesPlan(5000)
	r = buildReview(big, 5)
	var got []string
	for _, w := range r.warnings {
		got = append(got, w.addr)
	}
	want2 := []string{"local_file.f[0]", "local_file.f[1]", "local_file.f[2]", "local_file.f[3]", "local_file.f[4]"}
	if !slices.Equal(got, want2) || r.hidden[warnDestroy] != 4995 {
		t.Errorf("large plan: kept %v and hid %d; want %v and 4995", got, r.hidden[warnDestroy], want2)
	}
}

func TestKeyedElement(t *testing.T) {
	keys := map[string][]string{"records": {"name", "type"}}
	tests := []struct {
		path, coll, elem, key string
		ok                    bool
	}{
		{`records[name="www",type="A"].ttl`, "records", `records[name="www",type="A"]`, `name="www",type="A"`, true},
		{`records[name="a]\"b",type="A"]`, "records", `records[name="a]\"b",type="A"]`, `name="a]\"b",type="A"`, true},
		{`zone.records[name="@",type="NS"].values[-]`, "zone.records", `zone.records[name="@",type="NS"]`, `name="@",type="NS"`, true},
		{`records[0].ttl`, "", "", "", false},
		{`tags["records[x=1]"]`, "", "", "", false},
		{`allow[+]`, "", "", "", false},
	}
	for _, tt := range tests {
		coll, elem, key, ok := keyedElement(tt.path, keys)
		if coll != tt.coll || elem != tt.elem || key != tt.key || ok != tt.ok {
			t.Errorf("keyedElement(%s) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.path, coll, elem, key, ok, tt.coll, tt.elem, tt.key, tt.ok)
		}
	}
}

func TestIsApexNS(t *testing.T) {
	zone := []string{`"@"`, `""`, `"example.org"`, `"example.org."`}
	tests := []struct {
		key  string
		want bool
	}{
		{`name="@",type="NS"`, true},
		{`name="example.org.",type="NS"`, true},
		{`name="Example.ORG",type="ns"`, true},
		{`name="sub",type="NS"`, false},
		{`name="@",type="MX"`, false},
		{`type="NS"`, false},
	}
	for _, tt := range tests {
		if got := isApexNS(tt.key, zone); got != tt.want {
			t.Errorf("isApexNS(%s) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	tests := map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 4812: "4,812", 100000: "100,000", 1234567: "1,234,567", -5000: "-5,000"}
	for n, want := range tests {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAppendMDCode(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"a.b", false, "`a.b`"},
		{"a`b", false, "``a`b``"},
		{"`a", false, "`` `a ``"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"x\ny", false, "`x y`"},
	}
	for _, tt := range tests {
		if got := string(appendMDCode(nil, tt.in, tt.inTable)); got != tt.want {
			t.Errorf("appendMDCode(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

func TestRenderMarkdownReportsWriteErrors(t *testing.T) {
	if err := RenderMarkdown(failWriter{}, samplePlan(), MarkdownOptions{}); err != errWrite {
		t.Errorf("RenderMarkdown error = %v, want %v", err, errWrite)
	}
	if err := RenderHTML(failWriter{}, samplePlan()); err != errWrite {
		t.Errorf("RenderHTML error = %v, want %v", err, errWrite)
	}
}
