package plan

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// This file renders the review of a plan run that made no plan: it
// failed (a mistake in the configuration, a provider error, a failed
// validation) or a provider refused a mass change. A pull request then
// says so instead of keeping the comment of an earlier plan.

// Problem is one error of a plan run that made no plan.
type Problem struct {
	// Summary is the error's one line, as plumb printed it.
	Summary string
	// Detail says more, and what to do.
	Detail string
	// Where is the place in the configuration, "main.hcl:12", or "".
	Where string
	// Addr is the resource the error is about, when known.
	Addr string
	// MassChange is set when the error is a refused mass change, with the
	// provider's numbers.
	MassChange *MassChange
}

// Failure is a plan run that made no plan.
type Failure struct {
	Problems []Problem
}

// Refused reports whether the run failed only because mass changes were
// refused.
func (f *Failure) Refused() bool {
	if len(f.Problems) == 0 {
		return false
	}
	for _, p := range f.Problems {
		if p.MassChange == nil {
			return false
		}
	}
	return true
}

// Title is the failure in one line, for a comment's heading or a commit
// status: "plan failed: Unsupported argument (and 2 more errors)" or
// "mass change refused: aws_route53_zone.big: 8 of the 20 records of zone
// big.example change or go (40%)".
func (f *Failure) Title() string {
	if len(f.Problems) == 0 {
		return "plan failed"
	}
	first := f.Problems[0]
	var b strings.Builder
	if f.Refused() {
		b.WriteString("mass change refused: ")
		if first.Addr != "" {
			b.WriteString(first.Addr)
			b.WriteString(": ")
		}
		b.WriteString(first.MassChange.Text())
	} else {
		b.WriteString("plan failed: ")
		b.WriteString(oneLine(first.Summary))
	}
	if n := len(f.Problems) - 1; n > 0 {
		b.WriteString(" (and ")
		b.WriteString(formatCount(n))
		if f.Refused() {
			b.WriteString(" more)")
		} else if n == 1 {
			b.WriteString(" more error)")
		} else {
			b.WriteString(" more errors)")
		}
	}
	return b.String()
}

// refusedAdvice says what to do about a refused mass change.
const refusedAdvice = "Review the change; if it is what you mean, plan again with `-allow-mass-change`, or set `allow_mass_change = true` on the resource."

// failedAdvice says what a failed plan means for the pull request.
const failedAdvice = "No plan was made, so nothing here can be applied; the previous plan of this pull request no longer holds."

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// RenderFailureMarkdown writes the review of a failed or refused plan
// run as GitHub-flavoured Markdown, within opts.MaxBytes: the title, then
// each problem with where it is and what to do.
func RenderFailureMarkdown(w io.Writer, f *Failure, opts MarkdownOptions) error {
	limit, title := opts.limitAndTitle()
	b := []byte("### ")
	b = appendMDText(b, title)
	b = append(b, "\n\n**"...)
	b = appendMDText(b, f.Title())
	b = append(b, "**\n\n"...)
	advice := failedAdvice
	if f.Refused() {
		advice = refusedAdvice
	}
	closing := "_" + advice + "_\n"
	for i, p := range f.Problems {
		start := len(b)
		b = appendMDProblem(b, &p)
		if len(b)+len(closing)+120 > limit {
			b = append(b[:start], "- … and "...)
			b = appendCount(b, len(f.Problems)-i)
			b = append(b, " more not shown\n"...)
			break
		}
	}
	b = append(bytes.TrimRight(b, "\n"), "\n\n"...)
	b = append(b, closing...)
	_, err := w.Write(b)
	return err
}

// appendMDProblem appends one problem as a list item, its detail in a
// fenced block that its text cannot close.
func appendMDProblem(b []byte, p *Problem) []byte {
	b = append(b, "- **"...)
	if p.MassChange != nil {
		b = append(b, "Mass change refused**"...)
		if p.Addr != "" {
			b = append(b, ' ')
			b = appendMDCode(b, p.Addr, false)
		}
		b = append(b, ": "...)
		b = appendMDText(b, p.MassChange.Text())
		return append(b, '\n')
	}
	b = appendMDText(b, oneLine(p.Summary))
	b = append(b, "**"...)
	if p.Where != "" {
		b = append(b, " at "...)
		b = appendMDCode(b, p.Where, false)
	}
	b = append(b, '\n')
	if detail := strings.TrimSpace(p.Detail); detail != "" {
		fence := strings.Repeat("`", max(3, longestRun(detail, '`')+1))
		b = append(b, "\n  "+fence+"text\n"...)
		for _, line := range strings.Split(detail, "\n") {
			b = append(b, "  "...)
			b = append(b, strings.TrimRight(line, "\r")...)
			b = append(b, '\n')
		}
		b = append(b, "  "+fence+"\n\n"...)
	}
	return b
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// RenderFailureText writes the review of a failed or refused plan run as
// plain text.
func RenderFailureText(w io.Writer, f *Failure) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(f.Title())
	bw.WriteString("\n")
	for _, p := range f.Problems {
		bw.WriteString("\n")
		if p.MassChange != nil {
			bw.WriteString("Mass change refused")
			if p.Addr != "" {
				bw.WriteString(" in " + p.Addr)
			}
			bw.WriteString(": " + p.MassChange.Text() + "\n")
			continue
		}
		bw.WriteString("Error: " + oneLine(p.Summary))
		if p.Where != "" {
			bw.WriteString(" (" + p.Where + ")")
		}
		bw.WriteString("\n")
		if d := strings.TrimSpace(p.Detail); d != "" {
			bw.WriteString(d + "\n")
		}
	}
	advice := failedAdvice
	if f.Refused() {
		advice = strings.ReplaceAll(refusedAdvice, "`", "")
	}
	bw.WriteString("\n" + advice + "\n")
	return bw.Flush()
}

// RenderFailureHTML writes the review of a failed or refused plan run as
// a standalone page, in the plan page's style.
func RenderFailureHTML(w io.Writer, f *Failure) error {
	h := &htmlWriter{w: bufio.NewWriter(w)}
	h.str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	h.str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	h.str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>plumb plan: ")
	h.text(f.Title())
	h.str("</title>\n<style>")
	h.str(htmlStyle)
	h.str("</style>\n</head>\n<body>\n<header>\n<h1>plumb plan</h1>\n<p class=\"plan d\" id=\"summary\">")
	h.text(f.Title())
	h.str("</p>\n</header>\n<section id=\"problems\">\n<ul>\n")
	for i := range f.Problems {
		p := &f.Problems[i]
		h.str("<li>")
		if p.MassChange != nil {
			h.str("<strong>Mass change refused</strong>")
			if p.Addr != "" {
				h.str(" <code>")
				h.text(p.Addr)
				h.str("</code>")
			}
			h.str(": ")
			h.text(p.MassChange.Text())
		} else {
			h.str("<strong>")
			h.text(oneLine(p.Summary))
			h.str("</strong>")
			if p.Where != "" {
				h.str(" at <code>")
				h.text(p.Where)
				h.str("</code>")
			}
			if d := strings.TrimSpace(p.Detail); d != "" {
				h.str("<pre>")
				h.text(d)
				h.str("</pre>")
			}
		}
		h.str("</li>\n")
	}
	h.str("</ul>\n</section>\n<p class=\"n\">")
	if f.Refused() {
		h.text(strings.ReplaceAll(refusedAdvice, "`", ""))
	} else {
		h.text(failedAdvice)
	}
	h.str("</p>\n</body>\n</html>\n")
	h.flush()
	if h.err != nil {
		return h.err
	}
	return h.w.Flush()
}

// Status is the outcome of a plan run for a CI job: what to label a pull
// request with, and the line for a commit status.
type Status struct {
	// Outcome is "changes", "no-changes", "failed" or "refused".
	Outcome string `json:"outcome"`
	// Title is the summary line of a plan, or the failure's title.
	Title string `json:"title"`
	// The counts of a plan, as the summary line counts them.
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Replace int `json:"replace"`
	Import  int `json:"import"`
}

// PlanStatus is the status of a run that made p.
func PlanStatus(p *Plan) Status {
	n := p.Count()
	s := Status{Outcome: "changes", Title: SummaryLine(n), Add: n.Add, Change: n.Change, Destroy: n.Destroy, Replace: n.Replace, Import: n.Import}
	if !p.HasChanges() {
		s.Outcome, s.Title = "no-changes", "No changes"
	}
	return s
}

// FailureStatus is the status of a run that made no plan.
func FailureStatus(f *Failure) Status {
	s := Status{Outcome: "failed", Title: f.Title()}
	if f.Refused() {
		s.Outcome = "refused"
	}
	return s
}

// String formats the status as one JSON object.
func (s Status) String() string {
	b := []byte(`{"outcome":`)
	b = appendJSONString(b, s.Outcome)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, s.Title)
	for _, f := range []struct {
		name string
		n    int
	}{{"add", s.Add}, {"change", s.Change}, {"destroy", s.Destroy}, {"replace", s.Replace}, {"import", s.Import}} {
		b = append(b, `,"`+f.name+`":`...)
		b = strconv.AppendInt(b, int64(f.n), 10)
	}
	return string(append(b, "}\n"...))
}
