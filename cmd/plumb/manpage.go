package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/plumbhq/plumb/internal/buildinfo"
)

// runManpage is the hidden command plumb __manpage [-date YYYY-MM-DD]:
// it writes plumb(1) in roff from the commands' own help (the command
// tree and each command's flags), for the release build to package.
func runManpage(a *app, args []string) int {
	fs := newFlagSet(a, "__manpage", "__manpage [-date YYYY-MM-DD]")
	date := fs.String("date", "", "the date in the page's footer (default: the build's)")
	if !parse(fs, args) {
		return exitError
	}
	if *date == "" {
		*date, _, _ = strings.Cut(buildinfo.Get().Date, "T")
	}
	w := bufio.NewWriter(a.stdout)
	writeManpage(w, buildinfo.Get().Version, *date)
	if err := w.Flush(); err != nil {
		return a.errorf("%v", err)
	}
	return exitOK
}

// writeManpage writes the manual page of plumb version on date.
func writeManpage(w io.Writer, version, date string) {
	m := roff{w: w}
	m.req(".TH PLUMB 1 %s %s %s", m.arg(date), m.arg("plumb "+version), m.arg("plumb manual"))
	m.req(".SH NAME")
	m.text("plumb \\- make a hosting estate match its HCL description")
	m.req(".SH SYNOPSIS")
	m.req(".B plumb")
	m.text("[\\fB\\-chdir\\fR=\\fIDIR\\fR] \\fICOMMAND\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]")
	m.req(".SH DESCRIPTION")
	m.line("plumb reads HCL files that say how a hosting estate should be \u2014 files, DNS zones, allow lists, block lists, backups \u2014 reads how it is, shows the difference as a plan and applies it. It is in the line of Terraform: plan, apply, state, import and -target mean what they mean there.")
	m.req(".PP")
	m.line("Every command runs in the configuration folder: the current one, or the one -chdir names. The state is kept in plumb.state there, or in S3 when the plumb block configures a backend.")
	m.req(".SH OPTIONS")
	m.req(".TP")
	m.req(".BI \\-chdir= DIR")
	m.line("Run in the configuration folder DIR, as if plumb were started there.")
	m.req(".SH COMMANDS")
	for _, n := range commandTree() {
		if len(n.subs) == 0 {
			m.command(n)
			continue
		}
		m.req(".SS %s", m.arg("plumb "+n.name()))
		m.line(n.summary)
		for _, sub := range n.subs {
			m.command(sub)
		}
	}
	m.req(".SH EXIT STATUS")
	m.terms([][2]string{
		{"0", "Success; with plan -detailed-exitcode, no changes."},
		{"1", "An error, or a refusal (a stale plan, a mass change, a locked state)."},
		{"2", "plan -detailed-exitcode: there are changes."},
		{"3", "fmt -check: files need formatting."},
	})
	m.req(".SH ENVIRONMENT")
	m.terms([][2]string{
		{"PLUMB_VAR_name", "The value of variable name, below plumbvars files and -var in precedence."},
		{"NO_COLOR", "When set, plumb prints no colour."},
		{"AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, ...", "Read by the AWS providers and the S3 state backend, as the AWS command line reads them."},
	})
	m.req(".SH FILES")
	m.terms([][2]string{
		{"*.hcl", "The configuration: every such file of the folder."},
		{"*.plumbvars, *.auto.plumbvars", "Variable values."},
		{"plumb.state", "The local state, with plumb.state.backup (the one before) and plumb.state.journal (changes of an apply still being saved)."},
		{"*.plumbtest.hcl", "The tests plumb test runs."},
	})
	m.req(".SH SEE ALSO")
	m.line("terraform(1), nft(8), named-checkzone(8), svnadmin(1). Run plumb COMMAND -h for a command's options; plumb completion bash|zsh|fish prints the shell completion.")
}

// command writes one command's section: summary, usage and options.
func (m *roff) command(n *cmdNode) {
	m.req(".SS %s", m.arg("plumb "+n.name()))
	m.line(n.summary)
	c := n.flags()
	if c == nil {
		return
	}
	m.req(".PP")
	m.req(".nf")
	for i, l := range strings.Split(c.usage, "\n") {
		if i == 0 {
			l = "plumb " + l
		}
		m.line(l)
	}
	m.req(".fi")
	for _, f := range flagList(c.fs) {
		m.req(".TP")
		arg, usage := flag.UnquoteUsage(f)
		if isBoolFlag(f) || arg == "" {
			m.req(".B \\-%s", m.esc(f.Name))
		} else {
			m.req(".BI \\-%s \" %s\"", m.esc(f.Name), m.esc(arg))
		}
		if def := f.DefValue; def != "" && def != "0" && def != "false" && def != "0s" && def != "[]" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		m.line(usage)
	}
}

// roff writes roff requests and escaped text.
type roff struct{ w io.Writer }

// terms writes a tagged paragraph per row: the term in bold, quoted as
// one argument, then its description.
func (m *roff) terms(rows [][2]string) {
	for _, e := range rows {
		m.req(".TP")
		m.req(".B %s", m.arg(e[0]))
		m.line(e[1])
	}
}

// req writes a request line; its arguments must be escaped already.
func (m *roff) req(format string, args ...any) { fmt.Fprintf(m.w, format+"\n", args...) }

// text writes a line of roff as it is.
func (m *roff) text(s string) { fmt.Fprintln(m.w, s) }

// line writes plain text, escaped.
func (m *roff) line(s string) {
	s = m.esc(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	fmt.Fprintln(m.w, s)
}

// esc escapes s for roff text: backslashes, hyphens (so options copy
// as typed) and anything outside ASCII.
func (m *roff) esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString("\\e")
		case r == '-':
			b.WriteString("\\-")
		case r > 126:
			fmt.Fprintf(&b, "\\[u%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// arg quotes s as one argument of a request.
func (m *roff) arg(s string) string {
	return `"` + strings.ReplaceAll(m.esc(s), `"`, `""`) + `"`
}
