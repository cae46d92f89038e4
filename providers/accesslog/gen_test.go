package accesslog

import (
	"fmt"
	"io"
	"math/rand"
	"time"
)

// genOpts describes a generated access log.
type genOpts struct {
	lines        int
	perSecond    int     // lines sharing one timestamp
	normal       int     // distinct normal clients
	attackers    int     // clients hammering /wp-login.php
	attackShare  float64 // share of lines from attackers
	garbageEvery int     // every Nth line is garbage (0: none)
	seed         int64
}

// genStart is the first timestamp of a generated log.
var genStart = time.Date(2024, 11, 23, 22, 0, 0, 0, time.UTC)

// truth is what a generated log really holds.
type truth struct {
	clients   map[string]int64
	uris      map[string]int64
	lineTimes []int64 // Unix time of each good line, in order
	garbage   []int64 // line numbers of garbage lines
}

// genLog writes a combined-format log like the one the benchmark script
// generates, and returns its true counts.
func genLog(w io.Writer, o genOpts) truth {
	r := rand.New(rand.NewSource(o.seed))
	normal := make([]string, o.normal)
	for i := range normal {
		normal[i] = fmt.Sprintf("%d.%d.%d.%d", r.Intn(223)+1, r.Intn(256), r.Intn(256), r.Intn(254)+1)
	}
	attackers := make([]string, o.attackers)
	for i := range attackers {
		attackers[i] = fmt.Sprintf("203.0.113.%d", i+1)
	}
	uris := []string{"/", "/index.php", "/about", "/contact", "/img/logo.png", "/css/site.css"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", "Mozilla/5.0 (Windows NT 10.0) Firefox/121.0", "curl/8.5.0"}
	tr := truth{clients: map[string]int64{}, uris: map[string]int64{}}
	for i := 1; i <= o.lines; i++ {
		if o.garbageEvery > 0 && i%o.garbageEvery == 0 {
			fmt.Fprintln(w, "garbage line without structure")
			tr.garbage = append(tr.garbage, int64(i))
			continue
		}
		ts := genStart.Add(time.Duration(i/o.perSecond) * time.Second)
		ip, uri, ua := "", "", ""
		if o.attackers > 0 && r.Float64() < o.attackShare {
			ip, uri, ua = attackers[r.Intn(len(attackers))], "/wp-login.php", "Mozilla/4.0 (compatible; LOIC)"
		} else {
			ip, uri, ua = normal[r.Intn(len(normal))], uris[r.Intn(len(uris))], agents[r.Intn(len(agents))]
		}
		fmt.Fprintf(w, "%s - - [%s] \"GET %s HTTP/1.1\" 200 %d \"-\" \"%s\"\n", ip, ts.Format("02/Jan/2006:15:04:05 -0700"), uri, r.Intn(50000), ua)
		tr.clients[ip]++
		tr.uris[uri]++
		tr.lineTimes = append(tr.lineTimes, ts.Unix())
	}
	return tr
}
