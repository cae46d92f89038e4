package plan

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// benchPage renders p with render and reports the output's size.
func benchPage(b *testing.B, p *Plan, render func(io.Writer, *Plan) error) {
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := render(&buf, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}

func renderMarkdown(w io.Writer, p *Plan) error { return RenderMarkdown(w, p, MarkdownOptions{}) }

func BenchmarkRenderMarkdown5000Zones(b *testing.B) { benchPage(b, zonesPlan(5000), renderMarkdown) }
func BenchmarkRenderHTML5000Zones(b *testing.B)     { benchPage(b, zonesPlan(5000), RenderHTML) }
func BenchmarkRenderMarkdown100kMixed(b *testing.B) { benchPage(b, mixedPlan(100000), renderMarkdown) }
func BenchmarkRenderHTML100kMixed(b *testing.B)     { benchPage(b, mixedPlan(100000), RenderHTML) }

func BenchmarkRenderMarkdownMassEdit5000Zones(b *testing.B) {
	benchPage(b, massEditPlan(5000), renderMarkdown)
}
func BenchmarkRenderHTMLMassEdit5000Zones(b *testing.B) { benchPage(b, massEditPlan(5000), RenderHTML) }

// BenchmarkLineDiff62LineFile diffs a 62-line file whose last line changed.
func BenchmarkLineDiff62LineFile(b *testing.B) {
	old := numbered(62)
	new := strings.Replace(old, "line 62\n", "line sixty-two\n", 1)
	for b.Loop() {
		_ = renderDiff(old, new)
	}
}
