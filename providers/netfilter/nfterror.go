package netfilter

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// nftLocated is one complaint of nft about its script: "/dev/stdin:3:24-35:
// Error: interval overlaps with an existing one".
var nftLocated = regexp.MustCompile(`^(?:/dev/stdin|-|<cmdline>):(\d+):(\d+)(?:-(\d+))?: Error: (.*)$`)

// complaint is where in the script nft found a problem, and what.
type complaint struct {
	line, col, end int // 1-based; end is the last column marked
	msg            string
}

// complaints reads nft's located errors from its messages.
func complaints(msg string) []complaint {
	var out []complaint
	for _, l := range strings.Split(msg, "\n") {
		m := nftLocated.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		c := complaint{msg: m[4]}
		c.line, _ = strconv.Atoi(m[1])
		c.col, _ = strconv.Atoi(m[2])
		c.end = c.col
		if m[3] != "" {
			c.end, _ = strconv.Atoi(m[3])
		}
		out = append(out, c)
	}
	return out
}

// maxComplaints is how many of nft's complaints an error shows.
const maxComplaints = 3

// Error says what nft rejected. For a script, it shows each line nft
// complained about with the line before and after, cut to the part around
// the mark (a line adding 10,000 elements is 300 KB long), instead of
// nft's own echo of whole lines.
func (e *nftError) Error() string {
	cs := complaints(e.msg)
	if e.script == "" || len(cs) == 0 {
		return fmt.Sprintf("nft %s: %s", strings.Join(e.args, " "), firstLines(e.msg, 6))
	}
	lines := strings.Split(strings.TrimRight(e.script, "\n"), "\n")
	var b strings.Builder
	for i, c := range cs {
		if i == maxComplaints {
			fmt.Fprintf(&b, "\n… and %d more", len(cs)-maxComplaints)
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "nft rejected line %d of the transaction: %s", c.line, c.msg)
		for n := c.line - 1; n <= c.line+1; n++ {
			if n < 1 || n > len(lines) {
				continue
			}
			mark := "  "
			text := excerpt(lines[n-1], 0, 0)
			if n == c.line {
				mark = "> "
				text = excerpt(lines[n-1], c.col, c.end)
			}
			fmt.Fprintf(&b, "\n  %s%4d | %s", mark, n, text)
		}
	}
	return b.String()
}

// excerptWidth is how much of a long line an error shows.
const excerptWidth = 160

// excerpt cuts a script line to excerptWidth bytes around the columns
// col to end (1-based; 0 for the line's start), marking what it left out.
func excerpt(line string, col, end int) string {
	if len(line) <= excerptWidth {
		return line
	}
	if col < 1 {
		return line[:excerptWidth] + fmt.Sprintf(" … (%d more bytes)", len(line)-excerptWidth)
	}
	mid := (col + end) / 2
	from := max(0, mid-excerptWidth/2)
	to := min(len(line), from+excerptWidth)
	from = max(0, to-excerptWidth)
	out := line[from:to]
	if from > 0 {
		out = "… " + out
	}
	if to < len(line) {
		out += " …"
	}
	return out
}

// firstLines returns at most n lines of s.
func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

// raced reports whether nft refused a transaction because an element
// plumb deletes was gone already: it expired after plumb read the table.
// Nothing changed, so reading again and retrying is safe.
func raced(err error) bool {
	var ne *nftError
	if !errors.As(err, &ne) {
		return false
	}
	for _, c := range complaints(ne.msg) {
		if c.msg == "element does not exist" {
			return true
		}
	}
	return false
}

// hint says what to do about an nft failure, from what nft said.
func hint(err error) string {
	var ne *nftError
	if !errors.As(err, &ne) {
		return "Check that plumb can run nft."
	}
	m := strings.ToLower(ne.msg)
	switch {
	case strings.Contains(m, "operation not permitted") || strings.Contains(m, "permission denied"):
		return "nft needs root (or CAP_NET_ADMIN); run plumb as root."
	case strings.Contains(m, "interval overlaps") || strings.Contains(m, "conflicting intervals"):
		return "Two elements would overlap (an address and a network holding it). plumb removes overlapping elements in the same transaction, so one was added to the set after plumb read it, or the sets were changed by hand; run plumb plan again to see the set as it is."
	case strings.Contains(m, "element does not exist"):
		return "An element plumb meant to remove is gone (it expired or was deleted by hand) several times over; run plumb plan again."
	case strings.Contains(m, "no such file or directory"):
		return "The table, a chain or a set is gone: it was deleted after plumb read it (or the ruleset was flushed). Run plumb plan again; it rebuilds the table."
	case strings.Contains(m, "file exists"):
		return "Something of that name exists already: another program made it after plumb read the table. Run plumb plan again, or choose another table name."
	case strings.Contains(m, "no space left") || strings.Contains(m, "cannot allocate memory"):
		return "The kernel refused the size of the sets; lower max_entries."
	case strings.Contains(m, "syntax error") || strings.Contains(m, "could not process"):
		return "This nft did not accept plumb's script; check that nftables is version 0.9.3 or newer."
	}
	return "nft refused the transaction; see its message above."
}
