package apache

import (
	"fmt"
	"strings"
)

// The access-control syntaxes a block can be written in.
const (
	// Syntax24 is Apache 2.4's mod_authz_host: Require ip inside
	// <RequireAny>.
	Syntax24 = "apache24"
	// Syntax22 is Apache 2.2's Order, Allow and Deny, which Apache 2.4
	// understands through mod_access_compat.
	Syntax22 = "apache22"
)

// access is what one block says: who is let in, in which syntax.
type access struct {
	syntax string
	allow  []string
	deny   []string
}

// lines renders the block's body: the lines between its markers.
//
// Apache 2.4, no deny list:
//
//	<RequireAny>
//	    Require ip 203.0.113.7
//	</RequireAny>
//
// Apache 2.4 with a deny list (allowed and not denied):
//
//	<RequireAll>
//	    <RequireAny>
//	        Require ip 10.0.0.0/8
//	    </RequireAny>
//	    Require not ip 10.0.0.66
//	</RequireAll>
//
// Apache 2.2, no deny list (the layout cron scripts write):
//
//	Order deny,allow
//	Deny from all
//	Allow from 203.0.113.7
//
// Apache 2.2 with a deny list: Order allow,deny lets in what is allowed
// and not denied, and nothing else.
//
//	Order allow,deny
//	Allow from 10.0.0.0/8
//	Deny from 10.0.0.66
//
// An empty allow list (allowed only with allow_empty) denies everyone:
// "Require all denied", or "Order deny,allow" and "Deny from all".
func (a access) lines() []string {
	out := make([]string, 0, len(a.allow)+len(a.deny)+6)
	if a.syntax == Syntax22 {
		switch {
		case len(a.allow) == 0:
			return append(out, "Order deny,allow", "Deny from all")
		case len(a.deny) == 0:
			out = append(out, "Order deny,allow", "Deny from all")
			for _, ip := range a.allow {
				out = append(out, "Allow from "+ip)
			}
		default:
			out = append(out, "Order allow,deny")
			for _, ip := range a.allow {
				out = append(out, "Allow from "+ip)
			}
			for _, ip := range a.deny {
				out = append(out, "Deny from "+ip)
			}
		}
		return out
	}
	switch {
	case len(a.allow) == 0:
		return append(out, "Require all denied")
	case len(a.deny) == 0:
		out = append(out, "<RequireAny>")
		for _, ip := range a.allow {
			out = append(out, "    Require ip "+ip)
		}
		return append(out, "</RequireAny>")
	}
	out = append(out, "<RequireAll>", "    <RequireAny>")
	for _, ip := range a.allow {
		out = append(out, "        Require ip "+ip)
	}
	out = append(out, "    </RequireAny>")
	for _, ip := range a.deny {
		out = append(out, "    Require not ip "+ip)
	}
	return append(out, "</RequireAll>")
}

// bodyError is a line inside a block that plumb did not write.
type bodyError struct {
	line int // index in the body, from 0
	text string
	why  string
}

func (e *bodyError) Error() string { return fmt.Sprintf("%q %s", strings.TrimSpace(e.text), e.why) }

// parseBody reads a block's body back. It accepts every line plumb
// writes, in any order and spacing (so that an address edited by hand
// shows as drift), and blank lines; anything else is a bodyError. The
// syntax is "" when the body has no directive at all.
func parseBody(body []string) (access, error) {
	var a access
	for i, line := range body {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		syntax, allow, deny, ok := directive(f)
		if !ok {
			return access{}, &bodyError{line: i, text: line, why: "is not a line plumb writes"}
		}
		if a.syntax != "" && syntax != a.syntax {
			return access{}, &bodyError{line: i, text: line, why: fmt.Sprintf("mixes %s directives into an %s block", syntax, a.syntax)}
		}
		a.syntax = syntax
		a.allow = append(a.allow, allow...)
		a.deny = append(a.deny, deny...)
	}
	return a, nil
}

// directive recognises one line of a block, split into fields, and
// returns its syntax and the addresses it allows or denies.
func directive(f []string) (syntax string, allow, deny []string, ok bool) {
	word := func(i int, w string) bool { return len(f) > i && strings.EqualFold(f[i], w) }
	switch {
	case len(f) == 1 && (word(0, "<RequireAny>") || word(0, "</RequireAny>") || word(0, "<RequireAll>") || word(0, "</RequireAll>")):
		return Syntax24, nil, nil, true
	case len(f) == 3 && word(0, "Require") && word(1, "all") && word(2, "denied"):
		return Syntax24, nil, nil, true
	case len(f) > 2 && word(0, "Require") && word(1, "ip"):
		return Syntax24, f[2:], nil, true
	case len(f) > 3 && word(0, "Require") && word(1, "not") && word(2, "ip"):
		return Syntax24, nil, f[3:], true
	case len(f) == 2 && word(0, "Order") && (word(1, "deny,allow") || word(1, "allow,deny")):
		return Syntax22, nil, nil, true
	case len(f) == 3 && word(0, "Deny") && word(1, "from") && word(2, "all"):
		return Syntax22, nil, nil, true
	case len(f) > 2 && word(0, "Allow") && word(1, "from"):
		return Syntax22, f[2:], nil, true
	case len(f) > 2 && word(0, "Deny") && word(1, "from"):
		return Syntax22, nil, f[2:], true
	}
	return "", nil, nil, false
}
