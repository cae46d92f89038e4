package plan

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

var (
	summaryRE = regexp.MustCompile(`Plan: (?:([\d,]+) to import, )?([\d,]+) to add, ([\d,]+) to change, ([\d,]+) to destroy\.`)
	totalRE   = regexp.MustCompile(`(?m)^\| (?:\*\*Total\*\*|` + "`[^`]+`" + `) \| \**([\d,]+)\** \| \**([\d,]+)\** \| \**([\d,]+)\** \| \**([\d,]+)\**`)
)

// TestSummaryLineAgreesWithTable reads the summary line and the table's
// total row of the comment, and the summary of the page, for plans with
// replacements and with thousands of changes: they must give the same
// numbers in the same format.
func TestSummaryLineAgreesWithTable(t *testing.T) {
	for name, p := range map[string]*Plan{"sample": samplePlan(), "review": reviewPlan(3), "1,200 zones": reviewPlan(1200)} {
		var md, page bytes.Buffer
		if err := RenderMarkdown(&md, p, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RenderHTML(&page, p); err != nil {
			t.Fatal(err)
		}
		line := summaryRE.FindStringSubmatch(md.String())
		rows := totalRE.FindAllStringSubmatch(md.String(), -1)
		if line == nil || len(rows) == 0 {
			t.Fatalf("%s: no summary line or no table in:\n%s", name, md.String()[:min(md.Len(), 800)])
		}
		total := rows[len(rows)-1]
		add, change, destroy := total[1], total[2], total[3]
		if line[2] != add || line[3] != change || line[4] != destroy {
			t.Errorf("%s: summary line %q, table total add %s change %s destroy %s", name, line[0], add, change, destroy)
		}
		n := p.Count()
		if want := formatCount(n.Add); line[2] != want {
			t.Errorf("%s: summary says %s to add, want %s", name, line[2], want)
		}
		if n.Replace > 0 && !strings.Contains(md.String(), replaceNote) {
			t.Errorf("%s: the table does not say how it counts replacements", name)
		}
		text := page.String()
		for id, want := range map[string]int{"n-add": n.Add, "n-change": n.Change, "n-destroy": n.Destroy} {
			if !strings.Contains(text, `id="`+id+`" class="`) || !strings.Contains(text, `">`+formatCount(want)+`</span> to `) {
				t.Errorf("%s: the page does not show %s = %s", name, id, formatCount(want))
			}
		}
	}
}

func TestChangeUnits(t *testing.T) {
	one := oneRecordPlan().Changes[0] // one value added to one record
	if n := changeUnits(one, Diff(one)); n != 1 {
		t.Errorf("one value of one record: %d changes, want 1", n)
	}
	swap := zoneChange(3) // one record's address swapped for another
	if n := changeUnits(swap, Diff(swap)); n != 1 {
		t.Errorf("one address swapped: %d changes, want 1", n)
	}
	// The sample zone: allow (a swap), api_key, three records, two tags.
	zone := samplePlan().Changes[0]
	if n := changeUnits(zone, Diff(zone)); n != 7 {
		t.Errorf("sample zone: %d changes, want 7", n)
	}
}
