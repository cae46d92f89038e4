// Package loggen writes Apache combined access logs for tests and
// benchmarks: an ordinary day with a few attackers, and a hostile log
// made to defeat counting in bounded memory (millions of clients, URIs
// and user agents that each appear a handful of times, with the real
// offenders hidden among them). The logs are deterministic: the same
// options always give the same bytes.
package loggen

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Start is the first timestamp of a generated log.
var Start = time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)

// Hostile describes a hostile log.
type Hostile struct {
	// Bytes is about how large the log is.
	Bytes int64
	// URIs and Agents are how many distinct spread-out URIs ("/p/N") and
	// user agents the flood draws from; their counts come out near
	// Poisson, so the top ones differ from the rest by a few requests.
	URIs, Agents int
	// PerSecond is how many lines share one timestamp.
	PerSecond int
	// Seed makes a different log of the same shape.
	Seed uint64
}

// DefaultHostile is the shape of the hostile log of the benchmarks: at
// 176 MB about 1.8 million clients, 396,000 URIs and 300,000 user
// agents.
func DefaultHostile(bytes int64) Hostile {
	return Hostile{Bytes: bytes, URIs: 400000, Agents: 300000, PerSecond: 4000, Seed: 11}
}

// site is what an ordinary visitor asks for.
var site = []string{"/", "/index.php", "/about", "/contact", "/img/logo.png", "/css/site.css", "/js/app.js", "/blog/"}

// WriteHostile writes the hostile log to w: most lines come from a new
// random address asking for a random /p/N with a random user agent; three
// attackers hammer the login page, xmlrpc.php and a search; 254 ordinary
// visitors of 198.51.100.0/24 browse the site a few dozen times each.
func WriteHostile(w io.Writer, o Hostile) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	var buf []byte
	var written int64
	perSecond := max(o.PerSecond, 1)
	attackers := []struct {
		ip, method, uri, agent string
		every                  int
	}{
		{"203.0.113.7", "POST", "/wp-login.php", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", 40},
		{"203.0.113.8", "POST", "/xmlrpc.php", "WordPress/6.4", 60},
		{"2001:db8:bad::9", "GET", "/search?q=%27", "python-requests/2.31", 90},
	}
	for i := 0; written < o.Bytes; i++ {
		ts := Start.Add(time.Duration(i/perSecond) * time.Second)
		var ip, method, uri, agent string
		status := 404
		switch {
		case i%attackers[0].every == 0:
			a := attackers[0]
			ip, method, uri, agent, status = a.ip, a.method, a.uri, a.agent, 200
		case i%attackers[1].every == 1:
			a := attackers[1]
			ip, method, uri, agent, status = a.ip, a.method, a.uri, a.agent, 200
		case i%attackers[2].every == 2:
			a := attackers[2]
			ip, method, uri, agent, status = a.ip, a.method, a.uri, a.agent, 200
		case i%250 == 3:
			ip = "198.51.100." + strconv.Itoa(1+r.IntN(254))
			method, uri, agent, status = "GET", site[r.IntN(len(site))], "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Firefox/121.0", 200
		default:
			v := r.Uint32()
			ip = strconv.Itoa(int(1+v>>24%223)) + "." + strconv.Itoa(int(v>>16&255)) + "." + strconv.Itoa(int(v>>8&255)) + "." + strconv.Itoa(int(v&255))
			method, uri = "GET", "/p/"+strconv.Itoa(r.IntN(max(o.URIs, 1)))
			agent = "scan/" + strconv.Itoa(r.IntN(max(o.Agents, 1)))
		}
		buf = appendLine(buf[:0], ip, ts, method, uri, status, agent)
		n, err := bw.Write(buf)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return bw.Flush()
}

// appendLine appends one combined-format line.
func appendLine(b []byte, ip string, ts time.Time, method, uri string, status int, agent string) []byte {
	b = append(b, ip...)
	b = append(b, " - - ["...)
	b = ts.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, uri...)
	b = append(b, " HTTP/1.1\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, " 512 \"-\" \""...)
	b = append(b, agent...)
	return append(b, "\"\n"...)
}
