package plan

import (
	"bytes"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRenderHTMLGolden(t *testing.T) {
	tests := []struct {
		golden string
		plan   func() *Plan
	}{
		{"html-sample.html", samplePlan},
		{"html-nochanges.html", noChangesPlan},
		{"html-escaping.html", escapingPlan},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderHTML(&buf, tt.plan()); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, buf.Bytes())
		})
	}
}

// externalRef matches anything that would make the page load another
// resource.
var externalRef = regexp.MustCompile(`(?i)(\ssrc\s*=|<link|<iframe|<img|@import|url\(|\shref\s*=\s*"[^#])`)

func TestRenderHTMLIsSelfContained(t *testing.T) {
	for name, p := range map[string]*Plan{"sample": samplePlan(), "review": reviewPlan(20), "escaping": escapingPlan()} {
		var buf bytes.Buffer
		if err := RenderHTML(&buf, p); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if m := externalRef.FindString(out); m != "" {
			t.Errorf("%s: page refers to something outside itself: %q", name, m)
		}
		if n := strings.Count(out, "<script"); n != 1 {
			t.Errorf("%s: page has %d <script> elements, want only its own", name, n)
		}
		if o, c := strings.Count(out, "<details"), strings.Count(out, "</details>"); o != c {
			t.Errorf("%s: %d <details> opened, %d closed", name, o, c)
		}
		if o, c := strings.Count(out, "<pre>"), strings.Count(out, "</pre>"); o != c {
			t.Errorf("%s: %d <pre> opened, %d closed", name, o, c)
		}
	}
}

func TestRenderHTMLSize(t *testing.T) {
	p := zonesPlan(5000)
	var buf bytes.Buffer
	if err := RenderHTML(&buf, p); err != nil {
		t.Fatal(err)
	}
	if n := buf.Len(); n >= 5<<20 {
		t.Errorf("page for 5,000 changed zones is %d bytes, want under 5 MB", n)
	}
	if n := strings.Count(buf.String(), `class="r"`); n != 5000 {
		t.Errorf("page shows %d resources, want 5000", n)
	}
	t.Logf("page for 5,000 changed zones: %d bytes", buf.Len())
}

// heapWatcher is a writer that discards what it is given and, every
// interval bytes, collects garbage and records the live heap, so a test
// sees how much memory rendering holds at its peak.
type heapWatcher struct {
	written, next, interval int
	peak                    uint64
	maxWrite                int
}

func (h *heapWatcher) Write(p []byte) (int, error) {
	h.written += len(p)
	h.maxWrite = max(h.maxWrite, len(p))
	if h.written >= h.next {
		h.next = h.written + h.interval
		h.peak = max(h.peak, liveHeap())
	}
	return len(p), nil
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestRenderers100kChangesInBoundedMemory(t *testing.T) {
	p := mixedPlan(100000)
	renderers := map[string]func(io.Writer, *Plan) error{
		"markdown": func(w io.Writer, p *Plan) error { return RenderMarkdown(w, p, MarkdownOptions{}) },
		"html":     RenderHTML,
	}
	for name, render := range renderers {
		t.Run(name, func(t *testing.T) {
			base := liveHeap()
			w := &heapWatcher{interval: 4 << 20}
			start := time.Now()
			if err := render(w, p); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			grew := int64(w.peak) - int64(base)
			t.Logf("%d bytes in %v; live heap grew by at most %d KB; largest write %d bytes",
				w.written, elapsed.Round(time.Millisecond), grew>>10, w.maxWrite)
			if grew > 32<<20 {
				t.Errorf("rendering 100,000 changes held %d MB more; it must stream", grew>>20)
			}
			if w.maxWrite > 256<<10 {
				t.Errorf("largest single write is %d bytes; the page must be streamed", w.maxWrite)
			}
			if name == "markdown" && w.written > DefaultMarkdownMaxBytes {
				t.Errorf("markdown is %d bytes, over the default limit", w.written)
			}
		})
	}
}
