package plan

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/plumbhq/plumb/internal/browsertest"
)

// pageState is what the browser tests read from a loaded page.
type pageState struct {
	Total   int      `json:"total"`
	Visible int      `json:"visible"`
	Actions []string `json:"actions"`
	Shown   string   `json:"shown"`
	Filters bool     `json:"filters"`
	Add     string   `json:"add"`
	Change  string   `json:"change"`
	Destroy string   `json:"destroy"`
}

// readState counts the resources laid out on the page (display:none ones
// have no boxes) and reads the numbers it shows.
const readState = `(() => {
  const rs = Array.from(document.querySelectorAll("#changes > .r"));
  const vis = rs.filter(e => e.getClientRects().length > 0);
  const text = id => { const e = document.getElementById(id); return e ? e.textContent : ""; };
  const bar = document.getElementById("filters");
  return {
    total: rs.length, visible: vis.length,
    actions: Array.from(new Set(vis.map(e => e.getAttribute("data-a")))).sort(),
    shown: text("shown"), filters: !!bar && bar.getClientRects().length > 0,
    add: text("n-add"), change: text("n-change"), destroy: text("n-destroy"),
  };
})()`

// writePage renders p into a file in a temporary directory and returns
// its file:// URL.
func writePage(t *testing.T, p *Plan) (string, int) {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderHTML(&buf, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + path, buf.Len()
}

// artifactDir is where screenshots go: $PLUMB_ARTIFACTS, or a temporary
// directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PLUMB_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// screenshot saves the tab's viewport as a PNG artifact.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("taking screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func state(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return s
}

func TestRenderHTMLInChromium(t *testing.T) {
	browser := browsertest.New(t, 1280, 900)
	p := reviewPlan(5000)
	url, size := writePage(t, p)
	changes, deletes := len(p.Changes), count(p, Delete)
	t.Logf("page of %d changes: %d bytes", changes, size)

	start := time.Now()
	if err := chromedp.Do(browser, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	t.Logf("loading the page took %v", time.Since(start).Round(time.Millisecond))

	n := p.Count()
	got := state(t, browser)
	want := pageState{
		Total: changes, Visible: changes, Actions: []string{"create", "delete", "replace", "update"},
		Shown: formatCount(changes), Filters: true,
		Add: formatCount(n.Add), Change: formatCount(n.Change), Destroy: formatCount(n.Destroy),
	}
	checkState(t, "loaded", got, want)
	screenshot(t, browser, "plan-html-loaded.png")

	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(`#filters button[data-action="delete"]`))); err != nil {
		t.Fatalf("clicking the delete filter: %v", err)
	}
	got = state(t, browser)
	want.Visible, want.Actions, want.Shown = deletes, []string{"delete"}, formatCount(deletes)
	checkState(t, "delete filter", got, want)
	ms, err := chromedp.Run(browser, chromedp.Evaluate[float64](`window.plumbFilterMs`))
	if err != nil {
		t.Fatalf("reading the filter time: %v", err)
	}
	t.Logf("filtering %d resources to deletions took %.1f ms in the page", changes, ms)
	screenshot(t, browser, "plan-html-deletes.png")

	// The type filter and the search narrow further; Show all resets.
	search := `(() => { const s = document.getElementById("search"); s.value = %q;
	  s.dispatchEvent(new Event("input")); return window.plumbFilterMs; })()`
	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(`#show-all`))); err != nil {
		t.Fatal(err)
	}
	ms, err = chromedp.Run(browser, chromedp.Evaluate[float64](fmt.Sprintf(search, "Z00042")))
	if err != nil {
		t.Fatalf("searching: %v", err)
	}
	got = state(t, browser)
	want.Visible, want.Actions, want.Shown = 1, []string{"update"}, "1"
	checkState(t, "search Z00042", got, want)
	t.Logf("searching %d resources by address took %.1f ms in the page", changes, ms)
}

func TestRenderHTMLSmallPlanInChromium(t *testing.T) {
	browser := browsertest.New(t, 1100, 1400)
	p := samplePlan()
	url, _ := writePage(t, p)
	if err := chromedp.Do(browser, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	got := state(t, browser)
	if got.Total != 6 || got.Visible != 6 || !got.Filters {
		t.Errorf("sample page: %+v, want 6 resources, all visible, and the filter bar", got)
	}
	screenshot(t, browser, "plan-html-sample.png")
}

func TestRenderHTMLWithoutScripts(t *testing.T) {
	browser := browsertest.New(t, 1280, 900)
	p := reviewPlan(200)
	url, _ := writePage(t, p)
	if _, err := chromedp.Call(browser, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disabling scripts: %v", err)
	}
	if err := chromedp.Do(browser, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	got := state(t, browser)
	if got.Filters {
		t.Error("the filter bar shows with scripts disabled; it should stay hidden, as it cannot work")
	}
	if got.Total != len(p.Changes) || got.Visible != len(p.Changes) {
		t.Errorf("with scripts disabled %d of %d resources are visible, want all %d", got.Visible, got.Total, len(p.Changes))
	}
	if got.Shown != formatCount(len(p.Changes)) {
		t.Errorf("the page shows %q resources, want %s", got.Shown, formatCount(len(p.Changes)))
	}
	screenshot(t, browser, "plan-html-noscript.png")
}

func checkState(t *testing.T, step string, got, want pageState) {
	t.Helper()
	if got.Total != want.Total || got.Visible != want.Visible || got.Shown != want.Shown || got.Filters != want.Filters ||
		got.Add != want.Add || got.Change != want.Change || got.Destroy != want.Destroy ||
		!slices.Equal(got.Actions, want.Actions) {
		t.Errorf("%s: page shows %+v\nwant %+v", step, got, want)
	}
}

// TestRenderHTMLSearchMatchesRecordsAndValues searches the page of a mass
// edit for a record name and for a value, which appear only in the
// changes, not in any address.
func TestRenderHTMLSearchMatchesRecordsAndValues(t *testing.T) {
	browser := browsertest.New(t, 1280, 900)
	p := massEditPlan(300)
	url, _ := writePage(t, p)
	if err := chromedp.Do(browser, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	search := `(() => { const s = document.getElementById("search"); s.value = %q;
	  s.dispatchEvent(new Event("input")); return window.plumbFilterMs; })()`
	tests := []struct {
		query   string
		visible int
	}{
		{"old.z00010.example", 1},  // a deleted record's name
		{"198.51.100.209", 1},      // an old value of one zone
		{"198.51.100.7", 300},      // the new value of every zone
		{"OLD.Z00010.EXAMPLE", 1},  // in any case
		{`z["z00042.example"]`, 1}, // an address still matches
		{"no such thing", 0},
	}
	for _, tt := range tests {
		if _, err := chromedp.Run(browser, chromedp.Evaluate[float64](fmt.Sprintf(search, tt.query))); err != nil {
			t.Fatalf("searching %q: %v", tt.query, err)
		}
		got := state(t, browser)
		if got.Visible != tt.visible || got.Shown != formatCount(tt.visible) {
			t.Errorf("search %q: %d resources visible, page says %q; want %d", tt.query, got.Visible, got.Shown, tt.visible)
		}
	}
}
