package dnsquery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// systemServer keys the system resolver among the servers.
const systemServer = "system resolver"

// maxChain is the longest CNAME chain followed inside one answer.
const maxChain = 8

// query is one question: a name and a record type, asked of one server
// (systemServer for the system resolver) within a time limit.
type query struct {
	server  string
	name    string // lower-case, fully qualified
	qtype   uint16 // dns.TypeA or dns.TypeAAAA
	timeout time.Duration
}

// call is one query in flight or answered.
type call struct {
	done  chan struct{}
	addrs []netip.Addr
	err   error
}

// resolver asks questions, at most limit at once per server, and
// remembers every answer (or error) for the rest of the run.
type resolver struct {
	// system is the resolver used when no server is named; tests replace
	// it with one that dials their own server.
	system *net.Resolver

	mu    sync.Mutex
	limit int
	sems  map[string]chan struct{}
	calls map[query]*call
}

func newResolver(limit int) *resolver {
	return &resolver{system: net.DefaultResolver, limit: limit, sems: map[string]chan struct{}{}, calls: map[query]*call{}}
}

// setLimit changes the per-server bound for servers not yet asked.
func (r *resolver) setLimit(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.limit = n
}

// lookup returns the addresses q finds, asking only once per run.
func (r *resolver) lookup(ctx context.Context, q query) ([]netip.Addr, error) {
	r.mu.Lock()
	c, ok := r.calls[q]
	if !ok {
		c = &call{done: make(chan struct{})}
		r.calls[q] = c
	}
	sem := r.sems[q.server]
	if sem == nil {
		sem = make(chan struct{}, r.limit)
		r.sems[q.server] = sem
	}
	r.mu.Unlock()
	if ok {
		select {
		case <-c.done:
			return c.addrs, c.err
		case <-ctx.Done():
			return nil, &lookupError{kind: errTimeout, q: q, err: ctx.Err()}
		}
	}
	defer close(c.done)
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		c.err = &lookupError{kind: errTimeout, q: q, err: ctx.Err()}
		return nil, c.err
	}
	defer func() { <-sem }()
	if q.server == systemServer {
		c.addrs, c.err = r.askSystem(ctx, q)
	} else {
		c.addrs, c.err = askServer(ctx, q)
	}
	return c.addrs, c.err
}

// askSystem asks the system resolver (/etc/hosts, then the name servers
// the system is configured with).
func (r *resolver) askSystem(ctx context.Context, q query) ([]netip.Addr, error) {
	network := "ip4"
	if q.qtype == dns.TypeAAAA {
		network = "ip6"
	}
	// Without the final dot, the hosts file is consulted as for any
	// other program.
	ips, err := r.system.LookupNetIP(ctx, network, strings.TrimSuffix(q.name, "."))
	if err != nil {
		var de *net.DNSError
		switch {
		case errors.As(err, &de) && de.IsNotFound:
			return nil, &lookupError{kind: errNoData, q: q, err: err}
		case ctx.Err() != nil || errors.As(err, &de) && de.IsTimeout:
			return nil, &lookupError{kind: errTimeout, q: q, err: err}
		}
		return nil, &lookupError{kind: errFailed, q: q, err: err}
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if q.qtype == dns.TypeA {
			ip = ip.Unmap()
		}
		if ip.Is4() != (q.qtype == dns.TypeA) {
			return nil, &lookupError{kind: errNotAddress, q: q, detail: fmt.Sprintf("the %s lookup gave %s, an address of the other family", dns.TypeToString[q.qtype], ip)}
		}
		if why := notHost(ip); why != "" {
			return nil, &lookupError{kind: errNotAddress, q: q, detail: why}
		}
		out = append(out, ip)
	}
	return out, nil
}

// askServer asks a named server directly, over UDP and then over TCP when
// the answer is truncated.
func askServer(ctx context.Context, q query) ([]netip.Addr, error) {
	m := new(dns.Msg)
	m.SetQuestion(q.name, q.qtype)
	m.RecursionDesired = true
	c := &dns.Client{Net: "udp"}
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = time.Until(dl)
	}
	resp, _, err := c.ExchangeContext(ctx, m, q.server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, m, q.server)
	}
	if err != nil {
		var ne net.Error
		if ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout() {
			return nil, &lookupError{kind: errTimeout, q: q, err: err}
		}
		return nil, &lookupError{kind: errFailed, q: q, err: err}
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, &lookupError{kind: errNotFound, q: q}
	default:
		return nil, &lookupError{kind: errFailed, q: q, detail: "the server answered " + rcodeName(resp.Rcode)}
	}
	return addressesIn(q, resp.Answer)
}

func rcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// addressesIn returns the addresses an answer section gives for q: the
// records of q's type owned by q's name or by the end of a CNAME chain
// from it. Anything else in the answer (signatures and DNAMEs aside) is an
// error, as is an address no client can connect from.
func addressesIn(q query, answer []dns.RR) ([]netip.Addr, error) {
	byOwner := map[string][]dns.RR{}
	for _, rr := range answer {
		switch rr.(type) {
		case *dns.RRSIG, *dns.DNAME:
			continue
		}
		owner := dns.CanonicalName(rr.Header().Name)
		byOwner[owner] = append(byOwner[owner], rr)
	}
	var out []netip.Addr
	target := q.name
	for hop := 0; ; hop++ {
		if hop > maxChain {
			return nil, &lookupError{kind: errFailed, q: q, detail: fmt.Sprintf("the CNAME chain is longer than %d names", maxChain)}
		}
		rrs := byOwner[target]
		delete(byOwner, target)
		next := ""
		for _, rr := range rrs {
			addr, why := addressOf(rr, q.qtype)
			switch {
			case why == "" && addr.IsValid():
				out = append(out, addr)
			case why == "":
				next = dns.CanonicalName(rr.(*dns.CNAME).Target)
			default:
				return nil, &lookupError{kind: errNotAddress, q: q, detail: why}
			}
		}
		if next == "" {
			break
		}
		target = next
	}
	if len(byOwner) > 0 {
		owners := make([]string, 0, len(byOwner))
		for o := range byOwner {
			owners = append(owners, o)
		}
		sort.Strings(owners)
		return nil, &lookupError{kind: errNotAddress, q: q, detail: fmt.Sprintf("the answer holds a record for another name: %s", byOwner[owners[0]][0])}
	}
	if len(out) == 0 {
		if target != q.name {
			return nil, &lookupError{kind: errNoData, q: q, detail: fmt.Sprintf("it is an alias of %s, which has no %s records", target, dns.TypeToString[q.qtype])}
		}
		return nil, &lookupError{kind: errNoData, q: q}
	}
	return out, nil
}

// addressOf returns the address an answer record gives for qtype; for a
// CNAME it returns neither address nor reason. why says why the record is
// not acceptable.
func addressOf(rr dns.RR, qtype uint16) (addr netip.Addr, why string) {
	switch rr := rr.(type) {
	case *dns.CNAME:
		return netip.Addr{}, ""
	case *dns.A:
		if qtype == dns.TypeA {
			if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
				return a, notHost(a)
			}
		}
	case *dns.AAAA:
		if qtype == dns.TypeAAAA {
			if a, ok := netip.AddrFromSlice(rr.AAAA.To16()); ok && !a.Is4In6() {
				return a, notHost(a)
			}
		}
	}
	return netip.Addr{}, fmt.Sprintf("the %s query was answered with %q, which is not an %s record", dns.TypeToString[qtype], rr.String(), dns.TypeToString[qtype])
}

// notHost says why a is not an address a client connects from, or "".
func notHost(a netip.Addr) string {
	switch {
	case a.IsUnspecified():
		return fmt.Sprintf("%s is the unspecified address, which dynamic-DNS services give when the client is offline", a)
	case a.IsMulticast():
		return fmt.Sprintf("%s is a multicast address", a)
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Sprintf("%s is the broadcast address", a)
	}
	return ""
}
