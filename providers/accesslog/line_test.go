package accesslog

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	ts := time.Date(2024, 11, 23, 22, 13, 20, 0, time.UTC)
	cases := []struct {
		name, line string
		want       Entry
		err        string
	}{
		{name: "combined",
			line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /wp-login.php HTTP/1.1" 200 512 "-" "Mozilla/4.0 (compatible; LOIC)"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/wp-login.php", Status: 200, Agent: "Mozilla/4.0 (compatible; LOIC)"}},
		{name: "common, no agent", line: `203.0.113.5 - frank [23/Nov/2024:22:13:20 +0000] "POST /a?b=c HTTP/1.0" 302 -`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "POST", URI: "/a?b=c", Status: 302}},
		{name: "zone offset", line: `203.0.113.5 - - [23/Nov/2024:23:43:20 +0130] "GET / HTTP/1.1" 200 5`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/", Status: 200}},
		{name: "negative offset, leap day", line: `203.0.113.5 - - [28/Feb/2024:20:00:00 -0500] "GET / HTTP/1.1" 200 5`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: time.Date(2024, 2, 29, 1, 0, 0, 0, time.UTC), Method: "GET", URI: "/", Status: 200}},
		{name: "nginx with extra fields", line: `2001:db8::7 - - [23/Nov/2024:22:13:20 +0000] "GET /x HTTP/2.0" 404 0 "https://e.org/" "curl/8.5.0" "198.51.100.1" rt=0.002`,
			want: Entry{Client: netip.MustParseAddr("2001:db8::7"), Time: ts, Method: "GET", URI: "/x", Status: 404, Agent: "curl/8.5.0", Forwarded: "198.51.100.1"}},
		{name: "vhost_combined (Debian's default)", line: `www.example.org:443 203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "curl/8.5.0", VHost: "www.example.org:443"}},
		{name: "vhost_combined, IPv6 client", line: `example.org:80 2001:db8::7 - - [23/Nov/2024:22:13:20 +0000] "GET /x HTTP/1.1" 301 0 "-" "-"`,
			want: Entry{Client: netip.MustParseAddr("2001:db8::7"), Time: ts, Method: "GET", URI: "/x", Status: 301, Agent: "-", VHost: "example.org:80"}},
		{name: "nginx $request_time after the size", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "POST /xmlrpc.php HTTP/1.1" 200 512 0.123 "-" "WordPress/6.4"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "POST", URI: "/xmlrpc.php", Status: 200, Agent: "WordPress/6.4"}},
		{name: "nginx rt= and upstream times", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 512 rt=0.004 uct="0.001" "-" "curl/8.5.0" "10.0.0.1, 203.0.113.5" urt=0.003`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "curl/8.5.0", Forwarded: "10.0.0.1, 203.0.113.5"}},
		{name: "nginx $request_time at the end", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0" 0.000`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "curl/8.5.0"}},
		{name: "nginx main with X-Forwarded-For", line: `10.0.0.1 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0" "203.0.113.7"`,
			want: Entry{Client: netip.MustParseAddr("10.0.0.1"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "curl/8.5.0", Forwarded: "203.0.113.7"}},
		{name: "IPv4-mapped is IPv4", line: `::ffff:198.51.100.9 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1 "-" "a"`,
			want: Entry{Client: netip.MustParseAddr("198.51.100.9"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "a"}},
		{name: "escaped quotes", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /q?\"x\" HTTP/1.1" 200 1 "-" "say \"hi\" \\"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: `/q?\"x\"`, Status: 200, Agent: `say \"hi\" \\`}},
		{name: "escaped backslash before an escaped quote", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /a HTTP/1.1" 200 1 "\\" "x\\\"y"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/a", Status: 200, Agent: `x\\\"y`}},
		{name: "request without protocol", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "-" 408 0 "-" "-"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, URI: "-", Status: 408, Agent: "-"}},
		{name: "TLS bytes on port 80", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "\x16\x03\x01\x00\xca\x01" 400 0 "-" "-"`,
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, URI: `\x16\x03\x01\x00\xca\x01`, Status: 400, Agent: "-"}},
		{name: "CRLF", line: "203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"a\"\r",
			want: Entry{Client: netip.MustParseAddr("203.0.113.5"), Time: ts, Method: "GET", URI: "/", Status: 200, Agent: "a"}},
		{name: "not a vhost", line: `www.example.org 203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonClient.String()},
		{name: "garbage", line: "garbage line without structure", err: ReasonTime.String()},
		{name: "hostname client", line: `crawler.example.org - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonClient.String()},
		{name: "leading zero", line: `203.0.113.05 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonClient.String()},
		{name: "zone in address", line: `fe80::1%eth0 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonClient.String()},
		{name: "bad month", line: `203.0.113.5 - - [23/Nox/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonTime.String()},
		{name: "bad hour", line: `203.0.113.5 - - [23/Nov/2024:24:13:20 +0000] "GET / HTTP/1.1" 200 1`, err: ReasonTime.String()},
		{name: "truncated in timestamp", line: `203.0.113.5 - - [23/Nov/2024:22:1`, err: ReasonTime.String()},
		{name: "truncated in request", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /wp-lo`, err: ReasonRequest.String()},
		{name: "truncated after request", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 20`, err: ReasonStatus.String()},
		{name: "truncated in agent", line: `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozil`, err: ReasonAgent.String()},
		{name: "binary", line: "\x00\x01\x02\xff\xfe [\x00]", err: ReasonTime.String()},
		{name: "empty", line: "", err: ReasonClient.String()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseLine([]byte(c.line))
			if c.err != "" {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ParseLine = %+v, %v; want an error saying %q", got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if got != c.want {
				t.Errorf("ParseLine =\n  %+v\nwant\n  %+v", got, c.want)
			}
		})
	}
}

// TestParseTimestampAgreesWithTime checks the hand-written date
// arithmetic against the time package over many dates.
func TestParseTimestampAgreesWithTime(t *testing.T) {
	const layout = "02/Jan/2006:15:04:05 -0700"
	zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+30*60), time.FixedZone("", -8*3600)}
	for d := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2101; d = d.Add(86400*13*time.Second + 3607*time.Second) {
		for _, z := range zones {
			s := d.In(z).Format(layout)
			got, ok := parseTimestamp([]byte(s))
			if d.In(z).Year() < 1970 {
				continue
			}
			if !ok || got != d.Unix() {
				t.Fatalf("parseTimestamp(%q) = %d, %v; want %d", s, got, ok, d.Unix())
			}
		}
	}
}

// FuzzParseLine: no input panics; what parses has a valid address, a
// URI and agent taken from the line, and parses the same again; the
// scanner's own parser agrees on every line. The seed corpus is in
// testdata/fuzz/FuzzParseLine; make test runs the fuzzer for a few
// seconds (scripts/fuzz.sh), make fuzz for longer.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /wp-login.php HTTP/1.1" 200 512 "-" "Mozilla/4.0"`,
		`2001:db8::7 - - [23/Nov/2024:22:13:20 +0000] "GET /x HTTP/2.0" 404 0 "https://e.org/" "curl/8.5.0" "x"`,
		`::ffff:198.51.100.9 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 -`,
		`203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /q?\"x\" HTTP/1.1" 200 1 "-" "say \"hi\" \\"`,
		"garbage line without structure",
		"\x00\x01[\"\"]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseLine(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if !e.Client.IsValid() || e.Client.Is4In6() || e.Client.Zone() != "" {
			t.Fatalf("client %v is not a plain address", e.Client)
		}
		if !strings.Contains(string(b), e.URI[:min(len(e.URI), maxKeyBytes)]) || !strings.Contains(string(b), e.Agent) {
			t.Fatalf("URI %q or agent %q not taken from the line", e.URI, e.Agent)
		}
		again, err := ParseLine(b)
		if err != nil || again != e {
			t.Fatalf("second parse differs: %+v, %v", again, err)
		}
		if bytes.IndexByte(b, '\n') < 0 {
			var tc timeCache
			if l, in, why := parseLine(b, &tc, minUnix, maxUnix); why != ReasonNone || !in || l.client.addr() != e.Client {
				t.Fatalf("the scanner's parser says %v (in window %v, client %v)", why, in, l.client.addr())
			}
		}
	})
}

func TestParseIPv4(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"1.2.3.4", true}, {"255.255.255.255", true}, {"0.0.0.0", true}, {"10.0.200.99", true},
		{"256.1.1.1", false}, {"1.2.3", false}, {"1.2.3.4.5", false}, {"01.2.3.4", false}, {"1.2.3.04", false},
		{"1..3.4", false}, {"1.2.3.", false}, {".1.2.3", false}, {"1.2.3.4 ", false}, {"1234.1.1.1", false}, {"a.b.c.d", false},
	} {
		got, ok := parseIPv4([]byte(c.in))
		want, err := netip.ParseAddr(c.in)
		if ok != c.ok || ok && (err != nil || netip.AddrFrom4(got) != want) {
			t.Errorf("parseIPv4(%q) = %v, %v; want ok %v", c.in, got, ok, c.ok)
		}
	}
}

// FuzzParseIPv4 holds the hand-written IPv4 parser to netip's answer.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "255.255.255.255", "01.2.3.4", "1.2.3", "256.0.0.1", "1..2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIPv4([]byte(s))
		want, err := netip.ParseAddr(s)
		wantOK := err == nil && want.Is4()
		if ok != wantOK || ok && netip.AddrFrom4(got) != want {
			t.Fatalf("parseIPv4(%q) = %v, %v; netip says %v, %v", s, got, ok, want, err)
		}
	})
}

// TestLastSpace: the quick look eight bytes from the end agrees with
// bytes.LastIndexByte whatever the bytes there.
func TestLastSpace(t *testing.T) {
	for _, req := range []string{
		"GET / HTTP/1.1", "GET /a HTTP/1.0", "GET /a b HTTP/2.0", "GET /x HTTP/1 1", "GET /x  TTP/1.1",
		"GET /x HTTP 1.1", "GET /x H       ", "x       y", " 12345678", "        ", "GET /a\x00HTTP/1.1",
		"GET /a\xa0HTTP/1.1", "GET /\xa0\xa0\xa0\xa0\xa0\xa0\xa0\xa0", "GET /x \x21\x21\x21\x21\x21\x21\x21\x21", "-", "",
	} {
		if got, want := lastSpace([]byte(req)), bytes.LastIndexByte([]byte(req), ' '); got != want {
			t.Errorf("lastSpace(%q) = %d, want %d", req, got, want)
		}
	}
	// And on random requests of bytes near a space.
	r := rand.New(rand.NewPCG(9, 10))
	alphabet := []byte{' ', '!', 0x1f, 0xa0, 'H', '\x00'}
	for range 100000 {
		req := make([]byte, r.IntN(14))
		for i := range req {
			req[i] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := lastSpace(req), bytes.LastIndexByte(req, ' '); got != want {
			t.Fatalf("lastSpace(%q) = %d, want %d", req, got, want)
		}
	}
}
