package plan

import (
	"bytes"
	"strings"
	"testing"
)

// failedRun has problems holding what Markdown and HTML treat as markup,
// and a detail with a fence in it.
func failedRun() *Failure {
	return &Failure{Problems: []Problem{
		{Summary: "Unsupported argument", Detail: "An argument named \"nme\" is not expected here.\n```\n</details><script>alert(1)</script>", Where: "main.hcl:2"},
		{Summary: "local_file.x: Cannot write local_file", Detail: "open out/x: permission denied."},
	}}
}

// refusedRun is a plan refused for two mass changes.
func refusedRun() *Failure {
	return &Failure{Problems: []Problem{
		{Summary: "aws_route53_zone.big: Mass change refused", Addr: "aws_route53_zone.big",
			MassChange: &MassChange{Changed: 8, Total: 20, Of: "records of zone big.example", Verb: "change or go"}},
		{Summary: "bind_zone.b: Mass change refused", Addr: "bind_zone.b",
			MassChange: &MassChange{Changed: 4, Total: 12, Of: "records of zone b.example", Verb: "change or go"}},
	}}
}

func TestFailureReviewsGolden(t *testing.T) {
	for name, f := range map[string]*Failure{"failed": failedRun(), "refused": refusedRun()} {
		var md, text bytes.Buffer
		if err := RenderFailureMarkdown(&md, f, MarkdownOptions{Title: "plumb plan: dns/"}); err != nil {
			t.Fatal(err)
		}
		golden(t, "failure-"+name+".md", md.Bytes())
		if err := RenderFailureText(&text, f); err != nil {
			t.Fatal(err)
		}
		golden(t, "failure-"+name+".txt", text.Bytes())
	}
}

func TestFailureTitleAndStatus(t *testing.T) {
	if got, want := failedRun().Title(), "plan failed: Unsupported argument (and 1 more error)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got, want := refusedRun().Title(), "mass change refused: aws_route53_zone.big: 8 of the 20 records of zone big.example change or go (40%) (and 1 more)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if s := FailureStatus(refusedRun()); s.Outcome != "refused" {
		t.Errorf("status of a refusal: %+v", s)
	}
	mixed := refusedRun()
	mixed.Problems = append(mixed.Problems, Problem{Summary: "Invalid reference"})
	if s := FailureStatus(mixed); s.Outcome != "failed" || !strings.HasPrefix(s.Title, "plan failed: ") {
		t.Errorf("a refusal beside an error is a failure: %+v", s)
	}
	if s := PlanStatus(samplePlan()); s.Outcome != "changes" || s.Title != "Plan: 3 to add, 1 to change, 3 to destroy." || s.Destroy != 3 {
		t.Errorf("status of the sample plan: %+v", s)
	}
	if s := PlanStatus(noChangesPlan()); s.Outcome != "no-changes" {
		t.Errorf("status of a plan without changes: %+v", s)
	}
}

func TestFailureReviewsAreInert(t *testing.T) {
	var md, page bytes.Buffer
	if err := RenderFailureMarkdown(&md, failedRun(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderFailureHTML(&page, failedRun()); err != nil {
		t.Fatal(err)
	}
	// The detail's fence does not close the block it is in: the block's
	// fence is longer.
	if !strings.Contains(md.String(), "  ````text\n") {
		t.Errorf("the detail's fence is not outrun:\n%s", md.String())
	}
	if strings.Contains(page.String(), "<script>alert") {
		t.Error("the page holds the detail's markup unescaped")
	}
	// A tiny limit keeps the title and says what it leaves out.
	var small bytes.Buffer
	if err := RenderFailureMarkdown(&small, failedRun(), MarkdownOptions{MaxBytes: 300}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(small.String(), "plan failed: ") || !strings.Contains(small.String(), "more not shown") {
		t.Errorf("a small limit:\n%s", small.String())
	}
}
