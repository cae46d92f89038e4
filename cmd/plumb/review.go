package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/internal/atomicfile"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// reviewFlags are plan's options for a review rendering written whatever
// the outcome: the plan, or why there is none (errors, a refused mass
// change), so a CI job always has something true to post.
type reviewFlags struct {
	out, format, status string
	size                sizeFlags
}

func (f *reviewFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "review-out", "", "write a review of the run to `FILE` whatever happens: the plan, or why plan failed or refused")
	fs.StringVar(&f.format, "review-format", "markdown", "format of -review-out: `markdown`, html or text")
	fs.StringVar(&f.status, "review-status", "", "write the run's outcome to `FILE` as JSON (outcome, title, counts) for CI labels and statuses")
	f.size.register(fs, "review-")
}

// check reports a bad combination of flags.
func (f *reviewFlags) check() error {
	switch f.format {
	case "markdown", "html", "text":
	default:
		return fmt.Errorf("unknown -review-format %q: use markdown, html or text", f.format)
	}
	_, err := f.size.options()
	return err
}

// sizeFlags size a Markdown review for where it is posted.
type sizeFlags struct {
	maxBytes int
	dest     string
	title    string
}

func (f *sizeFlags) register(fs *flag.FlagSet, prefix string) {
	fs.IntVar(&f.maxBytes, prefix+"max-bytes", 0, "keep the Markdown under `N` bytes (default: what -"+prefix+"for allows)")
	fs.StringVar(&f.dest, prefix+"for", "github", "size the Markdown for `WHERE`: github (a pull-request comment, 65,000 bytes), gitlab (a merge-request note, 998,000) or job-summary (a GitHub job summary, 1,040,000)")
	fs.StringVar(&f.title, prefix+"title", "", "heading of the Markdown (default \"plumb plan\"); name the configuration folder when one pull request has several plans")
}

// options returns the Markdown options the flags ask for.
func (f *sizeFlags) options() (plan.MarkdownOptions, error) {
	size, ok := plan.Destinations[f.dest]
	if !ok {
		return plan.MarkdownOptions{}, fmt.Errorf("unknown destination %q: use github, gitlab or job-summary", f.dest)
	}
	if f.maxBytes < 0 {
		return plan.MarkdownOptions{}, fmt.Errorf("-max-bytes %d: give a positive size", f.maxBytes)
	}
	if f.maxBytes > 0 {
		size = f.maxBytes
	}
	return plan.MarkdownOptions{MaxBytes: size, Title: f.title}, nil
}

// wanted reports whether the run writes anything for review.
func (f *reviewFlags) wanted() bool { return f.out != "" || f.status != "" }

// write writes the review of a run that made p, or, when p is nil, of
// one that failed with the problems printed so far.
func (f *reviewFlags) write(a *app, p *plan.Plan) {
	if !f.wanted() {
		return
	}
	var review bytes.Buffer
	var status plan.Status
	opts, _ := f.size.options() // checked before the run
	if p != nil {
		status = plan.PlanStatus(p)
		switch f.format {
		case "html":
			_ = plan.RenderHTML(&review, p)
		case "text":
			_ = plan.RenderText(&review, p, plan.TextOptions{})
		default:
			_ = plan.RenderMarkdown(&review, p, opts)
		}
	} else {
		fail := &plan.Failure{Problems: a.problems}
		if len(fail.Problems) == 0 {
			fail.Problems = []plan.Problem{{Summary: "plumb plan stopped before it made a plan"}}
		}
		status = plan.FailureStatus(fail)
		switch f.format {
		case "html":
			_ = plan.RenderFailureHTML(&review, fail)
		case "text":
			_ = plan.RenderFailureText(&review, fail)
		default:
			_ = plan.RenderFailureMarkdown(&review, fail, opts)
		}
	}
	if f.out != "" {
		if err := writeReviewFile(f.out, review.Bytes()); err != nil {
			fmt.Fprintf(a.stderr, "Error: cannot write the review: %v\n", err)
		}
	}
	if f.status != "" {
		if err := writeReviewFile(f.status, []byte(status.String())); err != nil {
			fmt.Fprintf(a.stderr, "Error: cannot write the review status: %v\n", err)
		}
	}
}

// writeReviewFile writes a review atomically, so a CI step never posts
// half of one.
func writeReviewFile(name string, data []byte) error {
	if dir := filepath.Dir(name); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return err
		}
	}
	return atomicfile.Write(name, data, atomicfile.Options{Perm: 0o644})
}

// problemOf turns an error diagnostic into a problem for the review of a
// failed run: a refused mass change keeps its numbers and its resource.
func problemOf(d *hcl.Diagnostic) plan.Problem {
	p := plan.Problem{Summary: d.Summary, Detail: d.Detail}
	if d.Subject != nil {
		p.Where = fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)
	}
	if m, ok := d.Extra.(providers.MassChange); ok {
		p.MassChange = &plan.MassChange{Changed: m.Changed, Total: m.Total, Of: m.Of, Verb: m.Verb}
		if addr, ok := strings.CutSuffix(d.Summary, ": Mass change refused"); ok {
			p.Addr = addr
		}
	}
	return p
}
