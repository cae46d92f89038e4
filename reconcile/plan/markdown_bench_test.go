package plan

import (
	"bytes"
	"io"
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
