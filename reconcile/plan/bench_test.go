package plan

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// createsPlan returns a plan creating n local files.
func createsPlan(n int) *Plan {
	p := &Plan{PlumbVersion: "bench", Lineage: "l", Serial: 1}
	for i := range n {
		p.Changes = append(p.Changes, &Change{
			Addr: fmt.Sprintf("local_file.site[%q]", fmt.Sprint("page", i)), Mode: Managed, Type: "local_file", Name: "site", Provider: "builtin",
			Action: Create, Before: cty.NullVal(fileType),
			After: fileVal(fmt.Sprintf("<h1>page %d</h1>\n", i), fmt.Sprintf("site/page%d.html", i), "0644", cty.UnknownVal(cty.String)),
		})
	}
	return p
}

// mixedPlan returns a plan of n changes cycling through update, replace,
// delete and create.
func mixedPlan(n int) *Plan {
	p := &Plan{PlumbVersion: "bench", Lineage: "l", Serial: 1}
	for i := range n {
		before := fileVal(fmt.Sprint("old ", i), fmt.Sprint("f", i), "0644", cty.StringVal(fmt.Sprint("id", i)))
		c := &Change{Addr: fmt.Sprintf("local_file.f[%d]", i), Type: "local_file", Name: "f", Provider: "builtin"}
		switch i % 4 {
		case 0:
			c.Action, c.Before, c.After = Update, before, fileVal(fmt.Sprint("new ", i), fmt.Sprint("f", i), "0644", cty.StringVal(fmt.Sprint("id", i)))
		case 1:
			c.Action, c.Before, c.After = DeleteThenCreate, before, fileVal(fmt.Sprint("old ", i), fmt.Sprint("g", i), "0644", cty.UnknownVal(cty.String))
			c.RequiresReplace = []string{"filename"}
		case 2:
			c.Action, c.Before, c.After = Delete, before, cty.NullVal(fileType)
		default:
			c.Action, c.Before, c.After = Create, cty.NullVal(fileType), before
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

func benchRender(b *testing.B, p *Plan, render func(io.Writer, *Plan) error) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := render(&buf, p); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func renderText(w io.Writer, p *Plan) error  { return RenderText(w, p, TextOptions{}) }
func renderColor(w io.Writer, p *Plan) error { return RenderText(w, p, TextOptions{Color: true}) }

func BenchmarkRenderText10kCreates(b *testing.B) { benchRender(b, createsPlan(10000), renderText) }
func BenchmarkRenderTextColor10kCreates(b *testing.B) {
	benchRender(b, createsPlan(10000), renderColor)
}
func BenchmarkRenderText10kMixed(b *testing.B)   { benchRender(b, mixedPlan(10000), renderText) }
func BenchmarkRenderJSON10kCreates(b *testing.B) { benchRender(b, createsPlan(10000), RenderJSON) }
func BenchmarkRenderJSON10kMixed(b *testing.B)   { benchRender(b, mixedPlan(10000), RenderJSON) }
func BenchmarkEncode10kMixed(b *testing.B)       { benchRender(b, mixedPlan(10000), Encode) }

func BenchmarkRenderText10kNoOp(b *testing.B) {
	p := mixedPlan(10000)
	for _, c := range p.Changes {
		c.Action, c.After = NoOp, c.Before
	}
	benchRender(b, p, renderText)
}

func BenchmarkDecode10kMixed(b *testing.B) {
	var buf bytes.Buffer
	if err := Encode(&buf, mixedPlan(10000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiffKeyed5000OneChange(b *testing.B) {
	before := records(5000)
	after := slices.Clone(before)
	after[2500] = record("www2500", "A", 60, "192.0.2.0")
	c := &Change{
		Before: obj(map[string]cty.Value{"records": cty.ListVal(before)}),
		After:  obj(map[string]cty.Value{"records": cty.ListVal(after)}),
		Keys:   map[string][]string{"records": {"name", "type"}},
	}
	for b.Loop() {
		if n := len(Diff(c)); n != 1 {
			b.Fatalf("Diff returned %d diffs, want 1", n)
		}
	}
}
