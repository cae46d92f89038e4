package dnsquery

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// errKind sorts failed lookups by what the user can do about them.
type errKind int

const (
	// errNotFound: the name does not exist (NXDOMAIN).
	errNotFound errKind = iota
	// errNoData: the name exists but has no records of the type asked.
	errNoData
	// errTimeout: no answer in time.
	errTimeout
	// errFailed: the server failed or refused, or could not be reached.
	errFailed
	// errNotAddress: the answer holds something other than addresses.
	errNotAddress
)

// lookupError is a failed query.
type lookupError struct {
	kind   errKind
	q      query
	detail string
	err    error
}

func (e *lookupError) Error() string {
	var b strings.Builder
	name := strings.TrimSuffix(e.q.name, ".")
	typ := dns.TypeToString[e.q.qtype]
	from := e.q.server
	switch e.kind {
	case errNotFound:
		fmt.Fprintf(&b, "%s does not exist (NXDOMAIN from %s)", name, from)
	case errNoData:
		fmt.Fprintf(&b, "%s has no %s records (asked %s)", name, typ, from)
	case errTimeout:
		fmt.Fprintf(&b, "no answer from %s to the %s query for %s within %s", from, typ, name, e.q.timeout)
	case errFailed:
		fmt.Fprintf(&b, "the %s query for %s to %s failed", typ, name, from)
	case errNotAddress:
		fmt.Fprintf(&b, "%s gave an answer for %s (%s) that is not an address", from, name, typ)
	}
	if e.detail != "" {
		b.WriteString(": " + e.detail)
	}
	if e.err != nil && e.kind != errNotFound {
		b.WriteString(": " + e.err.Error())
	}
	return b.String()
}

func (e *lookupError) Unwrap() error { return e.err }

// advice says what to do about a failed lookup of this kind.
func (k errKind) advice() string {
	switch k {
	case errNotFound, errNoData:
		return "Check the spelling of the name, and that whatever keeps it up to date (the dynamic-DNS client) is running."
	case errTimeout:
		return "Check that the server is reachable from here, or raise timeout if it is slow; run plumb again once it answers."
	case errNotAddress:
		return "Check the records of the name on its DNS server: only A and AAAA records (or a CNAME to a name that has them) are accepted."
	}
	return "Check that the server is reachable and serves the name; run plumb again once it does."
}
