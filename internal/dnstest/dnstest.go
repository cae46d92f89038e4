// Package dnstest runs a real DNS server on loopback for tests, built on
// github.com/miekg/dns. It answers over UDP and TCP on one port of
// 127.0.0.1 from records the test sets and may change at any time, so a
// test can change a name's addresses between two plans. It can also answer
// with any records at all (to test answers that are not addresses), with
// an error code, slowly, or never (to test timeouts), and it counts the
// queries it sees and how many it was answering at once.
package dnstest

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TTL is the time to live of the address records the server gives.
const TTL = 60

// Server is a DNS server listening on 127.0.0.1. Its methods are safe for
// concurrent use, including while it is answering.
type Server struct {
	// Addr is the "127.0.0.1:PORT" the server answers on, over UDP and TCP.
	Addr string

	udp, tcp *dns.Server

	mu      sync.Mutex
	answers map[key][]dns.RR // answers by query
	names   map[string]bool  // names that exist (NOERROR for other types)
	rcodes  map[string]int   // forced response codes by name
	silent  bool
	delay   time.Duration

	queries           atomic.Int64
	inFlight, maxSeen atomic.Int64
}

// key identifies a query: a lower-case fully qualified name and a type.
type key struct {
	name  string
	qtype uint16
}

// Start starts a server on a free port of 127.0.0.1 and stops it when the
// test ends. It knows no names until the test sets some: every query gets
// NXDOMAIN.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{answers: map[key][]dns.RR{}, names: map[string]bool{}, rcodes: map[string]int{}}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.listen(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("dnstest: starting a DNS server on 127.0.0.1: %v", err)
	}
	t.Cleanup(s.stop)
	return s
}

// listen binds UDP on a free port, then TCP on the same port, and starts
// serving both.
func (s *Server) listen() error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := pc.LocalAddr().String()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		pc.Close()
		return fmt.Errorf("TCP port of %s: %w", addr, err)
	}
	h := dns.HandlerFunc(s.serve)
	s.Addr = addr
	s.udp = &dns.Server{PacketConn: pc, Handler: h}
	s.tcp = &dns.Server{Listener: l, Handler: h}
	var started sync.WaitGroup
	started.Add(2)
	s.udp.NotifyStartedFunc = started.Done
	s.tcp.NotifyStartedFunc = started.Done
	go s.udp.ActivateAndServe()
	go s.tcp.ActivateAndServe()
	started.Wait()
	return nil
}

func (s *Server) stop() {
	s.SetSilent(false)
	s.SetDelay(0)
	s.udp.Shutdown()
	s.tcp.Shutdown()
}

// canon returns the lower-case fully qualified form of a name.
func canon(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// SetAddresses makes name answer with exactly the given IPv4 addresses to
// A queries and IPv6 addresses to AAAA queries (NOERROR with no answer for
// a family it has none of). It replaces whatever name answered before. It
// panics on a string that is not an IP address: a mistake in the test.
func (s *Server) SetAddresses(name string, addrs ...string) {
	n := canon(name)
	var a, aaaa []dns.RR
	for _, text := range addrs {
		ip, err := netip.ParseAddr(text)
		if err != nil {
			panic(fmt.Sprintf("dnstest.SetAddresses(%q): %v", name, err))
		}
		hdr := dns.RR_Header{Name: n, Class: dns.ClassINET, Ttl: TTL}
		if ip.Is4() {
			hdr.Rrtype = dns.TypeA
			a = append(a, &dns.A{Hdr: hdr, A: ip.AsSlice()})
		} else {
			hdr.Rrtype = dns.TypeAAAA
			aaaa = append(aaaa, &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked(n)
	s.names[n] = true
	s.answers[key{n, dns.TypeA}] = a
	s.answers[key{n, dns.TypeAAAA}] = aaaa
}

// SetAnswer makes the query for name and qtype (dns.TypeA, ...) answer
// with exactly rrs, whatever their owners and types: the way to test a
// server that answers with something other than addresses. Other queries
// for name keep their answers.
func (s *Server) SetAnswer(name string, qtype uint16, rrs ...dns.RR) {
	n := canon(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rcodes, n)
	s.names[n] = true
	s.answers[key{n, qtype}] = rrs
}

// SetRcode makes every query for name fail with the response code rcode
// (dns.RcodeServerFailure, dns.RcodeRefused, ...).
func (s *Server) SetRcode(name string, rcode int) {
	n := canon(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcodes[n] = rcode
}

// Remove forgets name: queries for it get NXDOMAIN.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked(canon(name))
}

func (s *Server) clearLocked(n string) {
	delete(s.names, n)
	delete(s.rcodes, n)
	for k := range s.answers {
		if k.name == n {
			delete(s.answers, k)
		}
	}
}

// SetSilent makes the server read queries and never answer them, so
// resolvers wait until they time out.
func (s *Server) SetSilent(silent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.silent = silent
}

// SetDelay makes the server wait d before each answer, to make concurrent
// queries overlap.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Queries returns how many queries the server has received.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// MaxConcurrent returns the largest number of queries the server was
// answering at one time.
func (s *Server) MaxConcurrent() int { return int(s.maxSeen.Load()) }

// serve answers one query.
func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	n := s.inFlight.Add(1)
	for {
		m := s.maxSeen.Load()
		if n <= m || s.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	resp, delay := s.reply(req)
	if resp != nil && delay > 0 {
		time.Sleep(delay)
	}
	// The query stops counting before the answer leaves, so a client that
	// has its answer never sees it still counted.
	s.inFlight.Add(-1)
	if resp != nil {
		w.WriteMsg(resp)
	}
}

// reply builds the answer to req, or nil when the server stays silent.
func (s *Server) reply(req *dns.Msg) (*dns.Msg, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.silent {
		return nil, 0
	}
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.Authoritative = true
	resp.RecursionAvailable = true
	if len(req.Question) != 1 {
		resp.Rcode = dns.RcodeFormatError
		return resp, s.delay
	}
	q := req.Question[0]
	n := canon(q.Name)
	switch {
	case s.rcodes[n] != 0:
		resp.Rcode = s.rcodes[n]
	case !s.names[n]:
		resp.Rcode = dns.RcodeNameError
	default:
		for _, rr := range s.answers[key{n, q.Qtype}] {
			resp.Answer = append(resp.Answer, dns.Copy(rr))
		}
	}
	return resp, s.delay
}
