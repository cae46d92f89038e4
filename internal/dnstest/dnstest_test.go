package dnstest

import (
	"context"
	"errors"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// ask sends one query over the given network and returns the answer.
func ask(t *testing.T, s *Server, network, name string, qtype uint16, timeout time.Duration) (*dns.Msg, error) {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: timeout}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	r, _, err := c.Exchange(m, s.Addr)
	return r, err
}

// answerTexts renders the answer section's records, sorted.
func answerTexts(r *dns.Msg) []string {
	var out []string
	for _, rr := range r.Answer {
		out = append(out, rr.String())
	}
	sort.Strings(out)
	return out
}

func TestAnswers(t *testing.T) {
	s := Start(t)
	s.SetAddresses("Office.Example.TEST", "192.0.2.1", "2001:db8::1", "192.0.2.2")
	s.SetAnswer("txt.example.test", dns.TypeA, &dns.TXT{
		Hdr: dns.RR_Header{Name: "txt.example.test.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 5}, Txt: []string{"hello"}})
	s.SetRcode("broken.example.test", dns.RcodeServerFailure)
	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		wantRcode int
		want      []string
	}{
		{"A records, any case", "office.example.test", dns.TypeA, dns.RcodeSuccess,
			[]string{"office.example.test.\t60\tIN\tA\t192.0.2.1", "office.example.test.\t60\tIN\tA\t192.0.2.2"}},
		{"AAAA records", "office.example.test", dns.TypeAAAA, dns.RcodeSuccess,
			[]string{"office.example.test.\t60\tIN\tAAAA\t2001:db8::1"}},
		{"no data for another type", "office.example.test", dns.TypeMX, dns.RcodeSuccess, nil},
		{"unknown name", "nowhere.example.test", dns.TypeA, dns.RcodeNameError, nil},
		{"answer of the wrong type", "txt.example.test", dns.TypeA, dns.RcodeSuccess,
			[]string{"txt.example.test.\t5\tIN\tTXT\t\"hello\""}},
		{"forced rcode", "broken.example.test", dns.TypeA, dns.RcodeServerFailure, nil},
	}
	for _, tt := range tests {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(tt.name+"/"+network, func(t *testing.T) {
				r, err := ask(t, s, network, tt.qname, tt.qtype, 2*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if r.Rcode != tt.wantRcode {
					t.Errorf("rcode %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.wantRcode])
				}
				got := answerTexts(r)
				if len(got) != len(tt.want) {
					t.Fatalf("answers %q, want %q", got, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("answer %d = %q, want %q", i, got[i], tt.want[i])
					}
				}
			})
		}
	}
}

func TestChangeAndRemove(t *testing.T) {
	s := Start(t)
	s.SetAddresses("office.example.test", "192.0.2.1")
	s.SetAddresses("office.example.test", "192.0.2.9")
	r, err := ask(t, s, "udp", "office.example.test", dns.TypeA, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := answerTexts(r); len(got) != 1 || got[0] != "office.example.test.\t60\tIN\tA\t192.0.2.9" {
		t.Fatalf("after the change the answer is %q, want only 192.0.2.9", got)
	}
	s.Remove("office.example.test")
	r, err = ask(t, s, "udp", "office.example.test", dns.TypeA, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != dns.RcodeNameError {
		t.Fatalf("removed name gives %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
	if s.Queries() != 2 {
		t.Errorf("Queries() = %d, want 2", s.Queries())
	}
}

func TestSilentTimesOut(t *testing.T) {
	s := Start(t)
	s.SetAddresses("office.example.test", "192.0.2.1")
	s.SetSilent(true)
	start := time.Now()
	_, err := ask(t, s, "udp", "office.example.test", dns.TypeA, 200*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("silent server: error %v, want a timeout", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("the query failed after %v, before its timeout", d)
	}
	s.SetSilent(false)
	if _, err := ask(t, s, "udp", "office.example.test", dns.TypeA, 2*time.Second); err != nil {
		t.Fatalf("answering again: %v", err)
	}
}

func TestMaxConcurrent(t *testing.T) {
	s := Start(t)
	s.SetAddresses("office.example.test", "192.0.2.1")
	s.SetDelay(100 * time.Millisecond)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &dns.Client{Timeout: 2 * time.Second}
			m := new(dns.Msg)
			m.SetQuestion("office.example.test.", dns.TypeA)
			if _, _, err := c.ExchangeContext(ctx, m, s.Addr); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := s.MaxConcurrent(); got < 2 || got > 4 {
		t.Errorf("MaxConcurrent() = %d after 4 overlapping queries, want 2 to 4", got)
	}
}
