package accesslog

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/internal/loggen"
)

// oracle counts a log the plain way, one map per kind, line by line with
// ParseLine: what Scan must agree with exactly.
type oracle struct {
	requests, malformed int64
	clients, uris       map[string]int64
	agents, pairs       map[string]int64
	networks, distinct  map[string]int64
}

func newOracle(data []byte, proxies []netip.Prefix) *oracle {
	o := &oracle{clients: map[string]int64{}, uris: map[string]int64{}, agents: map[string]int64{},
		pairs: map[string]int64{}, networks: map[string]int64{}, distinct: map[string]int64{}}
	tp := newTrustedProxies(proxies)
	for _, ln := range bytes.Split(data, []byte("\n")) {
		if len(ln) == 0 {
			continue
		}
		var tc timeCache
		l, _, why := parseLine(ln, &tc, minUnix, maxUnix)
		if why != ReasonNone {
			o.malformed++
			continue
		}
		o.requests++
		c := keyAddr(tp.client(&l))
		if o.clients[c] == 0 {
			o.distinct[prefixOf(netip.MustParseAddr(c)).String()]++
		}
		o.clients[c]++
		o.uris[string(l.uri)]++
		agent := string(l.agent)
		if agent == "" {
			agent = "-"
		}
		o.agents[agent]++
		o.pairs[c+" "+string(l.uri)]++
		o.networks[prefixOf(netip.MustParseAddr(c)).String()]++
	}
	return o
}

// checkList holds one list of a report to the oracle: every count exact,
// sorted, as long as asked (top, and at threshold), and no key left out
// that has more requests than the last one shown.
func checkList(t *testing.T, what string, got []Count, want map[string]int64, top int, threshold int64) {
	t.Helper()
	wantLen := min(top, len(want))
	if threshold > 0 {
		over := 0
		for _, n := range want {
			if n >= threshold {
				over++
			}
		}
		wantLen = max(wantLen, over)
	}
	if len(got) != wantLen {
		t.Errorf("%s: %d entries, want %d", what, len(got), wantLen)
	}
	shown := map[string]bool{}
	for i, c := range got {
		shown[c.Key] = true
		if c.Count != want[c.Key] {
			t.Errorf("%s[%q] = %d, want %d", what, c.Key, c.Count, want[c.Key])
		}
		if i > 0 && got[i-1].Count < c.Count {
			t.Errorf("%s not sorted at %d: %d then %d", what, i, got[i-1].Count, c.Count)
		}
	}
	if len(got) == 0 {
		return
	}
	last := got[len(got)-1].Count
	for k, n := range want {
		if !shown[k] && n > last {
			t.Errorf("%s leaves out %q with %d requests, more than the last shown (%d)", what, k, n, last)
		}
	}
}

// checkExact holds a whole report to the oracle.
func checkExact(t *testing.T, r *Report, o *oracle, top int, threshold int64) {
	t.Helper()
	if r.Requests != o.requests || r.Malformed != o.malformed {
		t.Errorf("requests %d, malformed %d; want %d and %d", r.Requests, r.Malformed, o.requests, o.malformed)
	}
	checkList(t, "clients", r.Clients, o.clients, top, threshold)
	checkList(t, "URIs", r.URIs, o.uris, top, 0)
	checkList(t, "agents", r.Agents, o.agents, top, 0)
	checkList(t, "pairs", r.Pairs, o.pairs, top, 0)
	nets := make([]Count, len(r.Prefixes))
	for i, n := range r.Prefixes {
		nets[i] = n.Count
		if n.Clients != o.distinct[n.Key] {
			t.Errorf("network %s: %d addresses, want %d", n.Key, n.Clients, o.distinct[n.Key])
		}
		var sum int64
		for j, m := range n.Members {
			sum += m.Count
			if m.Count != o.clients[m.Key] || !strings.HasPrefix(m.Key, strings.TrimSuffix(strings.Split(n.Key, "/")[0], "0")) && !strings.Contains(n.Key, ":") {
				t.Errorf("network %s: member %s with %d, want %d", n.Key, m.Key, m.Count, o.clients[m.Key])
			}
			if j > 0 && n.Members[j-1].Count < m.Count {
				t.Errorf("network %s: members not sorted", n.Key)
			}
		}
		if want := min(int(n.Clients), maxMembers); len(n.Members) != want {
			t.Errorf("network %s: %d members shown, want %d", n.Key, len(n.Members), want)
		}
		if n.Spread != (n.Clients >= SpreadMembers && float64(n.Members[0].Count) <= SpreadShare*float64(n.Count.Count)) {
			t.Errorf("network %s: spread = %v with %d addresses, busiest %d of %d", n.Key, n.Spread, n.Clients, n.Members[0].Count, n.Count.Count)
		}
	}
	checkList(t, "networks", nets, o.networks, top, threshold)
}

// hostileLog is a small hostile log: nearly every line from a new
// address, asking for a new URI with a new user agent.
func hostileLog(t *testing.T, size int64) []byte {
	t.Helper()
	var b bytes.Buffer
	h := loggen.DefaultHostile(size)
	h.URIs, h.Agents, h.PerSecond = 4000, 3000, 50
	if err := loggen.WriteHostile(&b, h); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestScanExact holds Scan to the oracle on an ordinary log and a hostile
// one, with one worker and several, in one pass and in many: a memory
// budget far too small for the hostile log's keys makes the scan read it
// again and again, and every count must still be exact.
func TestScanExact(t *testing.T) {
	var ordinary bytes.Buffer
	genLog(&ordinary, smallLog)
	logs := map[string][]byte{"ordinary": ordinary.Bytes(), "hostile": hostileLog(t, 3<<20)}
	for name, data := range logs {
		p := filepath.Join(t.TempDir(), name+".log")
		os.WriteFile(p, data, 0o644)
		o := newOracle(data, nil)
		onePasses := map[int64]int{} // by budget
		for _, c := range []struct {
			workers   int
			budget    int64
			top       int
			threshold int64
		}{
			{1, 0, 10, 0},
			{3, 0, 10, 45},
			{2, 0, 1 << 20, 0}, // every key listed: the whole tallies
			{2, 512 << 10, 10, 20},
			{1, 160 << 10, 25, 0},
			{3, 160 << 10, 25, 0},
		} {
			r := scanFiles(t, Options{Workers: c.workers, MemoryBudget: c.budget, Top: c.top, Threshold: c.threshold}, p)
			t.Run(fmt.Sprintf("%s/workers=%d/budget=%d/top=%d/threshold=%d", name, c.workers, c.budget, c.top, c.threshold), func(t *testing.T) {
				checkExact(t, r, o, c.top, c.threshold)
			})
			if r.Incomplete {
				t.Errorf("%s, budget %d: incomplete after %d passes", name, c.budget, r.Passes)
			}
			if c.budget > 0 && c.budget < 200<<10 && name == "hostile" && r.Passes < 3 {
				t.Errorf("%s with a budget of %d bytes: %d passes; the keys cannot fit in fewer than 3", name, c.budget, r.Passes)
			}
			// Several workers hold copies of the same URIs and agents, so
			// they need somewhat more passes than one; but workers racing
			// to shrink their tables must not narrow far more than the
			// budget asks (they took 19 to over 64 passes on a loaded
			// machine, where one worker takes 13).
			if c.budget > 0 {
				if c.workers == 1 {
					onePasses[c.budget] = r.Passes
				} else if one := onePasses[c.budget]; one > 0 && r.Passes > 2*one {
					t.Errorf("%s, %d workers, budget %d: %d passes, over twice the %d of one worker", name, c.workers, c.budget, r.Passes, one)
				}
			}
			t.Logf("%s, %d workers, budget %d: %d passes", name, c.workers, c.budget, r.Passes)
		}
		// Every string routed to the worker that owns it, in one pass and
		// in many.
		savedRoute := routeFrom
		routeFrom = 0
		for _, c := range []struct {
			workers int
			budget  int64
		}{{2, 0}, {3, 160 << 10}} {
			r := scanFiles(t, Options{Workers: c.workers, MemoryBudget: c.budget, Top: 25}, p)
			t.Run(fmt.Sprintf("%s/routed/workers=%d/budget=%d", name, c.workers, c.budget), func(t *testing.T) { checkExact(t, r, o, 25, 0) })
		}
		routeFrom = savedRoute
		// Too many clients of several URIs to keep their pairs with them:
		// the busy ones' pairs get a pass of their own.
		saved := pairTableSize
		pairTableSize = 16
		r := scanFiles(t, Options{Workers: 2, Top: 10}, p)
		pairTableSize = saved
		t.Run(name+"/pairs-in-their-own-pass", func(t *testing.T) { checkExact(t, r, o, 10, 0) })
	}
}

// TestScanPairsOfBusyClients: clients that ask for many URIs have their
// pairs counted in a pass of their own when they could beat the pairs
// the first pass knows (clients that only ask for one URI); an ordinary
// log whose top pairs are attackers asking for one URI needs no such
// pass.
func TestScanPairsOfBusyClients(t *testing.T) {
	var b strings.Builder
	line := func(ip, uri string, n int) {
		for i := 0; i < n; i++ {
			b.WriteString(ip + ` - - [23/Nov/2024:22:00:00 +0000] "GET ` + uri + ` HTTP/1.1" 200 1 "-" "x"` + "\n")
		}
	}
	line("203.0.113.7", "/wp-login.php", 50)  // one URI: exact in the first pass
	line("198.51.100.6", "/css/site.css", 11) // many URIs: its pairs need a pass
	line("198.51.100.6", "/", 3)              //
	line("198.51.100.33", "/", 13)            //
	line("198.51.100.33", "/about", 2)        //
	line("192.0.2.1", "/a", 1)                //
	for i := 0; i < 40; i++ {                 // many small clients of one URI each
		line("192.0.2."+strconv.Itoa(i+2), "/p/"+strconv.Itoa(i), 2)
	}
	data := []byte(b.String())
	p := filepath.Join(t.TempDir(), "pairs.log")
	os.WriteFile(p, data, 0o644)
	// The pairs of the few clients that ask for several URIs are counted
	// in the first pass; when there are too many to keep there, in a
	// pass of their own.
	for _, c := range []struct{ keep, passes int }{{pairTableSize, 1}, {2, 2}} {
		saved := pairTableSize
		pairTableSize = c.keep
		r := scanFiles(t, Options{Top: 4, Workers: 2}, p)
		pairTableSize = saved
		checkExact(t, r, newOracle(data, nil), 4, 0)
		want := []string{"203.0.113.7 /wp-login.php", "198.51.100.33 /", "198.51.100.6 /css/site.css"}
		for i, k := range want {
			if r.Pairs[i].Key != k {
				t.Errorf("keeping %d pairs: pair %d = %v, want %s", c.keep, i, r.Pairs[i], k)
			}
		}
		if r.Passes != c.passes {
			t.Errorf("keeping %d pairs: %d passes, want %d", c.keep, r.Passes, c.passes)
		}
	}
	var only strings.Builder
	for i := 0; i < 30; i++ {
		only.WriteString(`203.0.113.` + strconv.Itoa(i%3) + ` - - [23/Nov/2024:22:00:00 +0000] "POST /wp-login.php HTTP/1.1" 200 1 "-" "x"` + "\n")
		only.WriteString(`198.51.100.` + strconv.Itoa(i) + ` - - [23/Nov/2024:22:00:00 +0000] "GET /` + strconv.Itoa(i%4) + ` HTTP/1.1" 200 1 "-" "x"` + "\n")
	}
	q := filepath.Join(t.TempDir(), "attack.log")
	os.WriteFile(q, []byte(only.String()), 0o644)
	if r := scanFiles(t, Options{Top: 3}, q); r.Passes != 1 || r.Pairs[0].Count != 10 {
		t.Errorf("attackers of one URI each: %d passes, pairs %v; want 1 pass", r.Passes, r.Pairs)
	}
}

// TestScanTrustedProxies counts the client behind a trusted proxy, read
// from X-Forwarded-For from the right, and never trusts the header of a
// request that did not come through a trusted proxy.
func TestScanTrustedProxies(t *testing.T) {
	lines := []string{
		// Through the proxy: the client is the last untrusted address.
		`10.0.0.1 - - [23/Nov/2024:22:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "203.0.113.7"`,
		`10.0.0.1 - - [23/Nov/2024:22:00:01 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "1.2.3.4, 203.0.113.7"`,
		`10.0.0.2 - - [23/Nov/2024:22:00:02 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "198.51.100.9, 203.0.113.7, 10.0.0.1"`,
		// Not through a proxy: the header is whatever the client sent.
		`198.51.100.5 - - [23/Nov/2024:22:00:03 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "203.0.113.7"`,
		// The proxy with no header, or garbage in it: counted for itself.
		`10.0.0.1 - - [23/Nov/2024:22:00:04 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "-"`,
		`10.0.0.1 - - [23/Nov/2024:22:00:05 +0000] "GET / HTTP/1.1" 200 1 "-" "ua"`,
		`10.0.0.1 - - [23/Nov/2024:22:00:06 +0000] "GET / HTTP/1.1" 200 1 "-" "ua" "unknown, 10.0.0.2"`,
	}
	data := []byte(strings.Join(lines, "\n") + "\n")
	p := filepath.Join(t.TempDir(), "proxied.log")
	os.WriteFile(p, data, 0o644)
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}
	r := scanFiles(t, Options{TrustedProxies: proxies, Top: 10}, p)
	got := map[string]int64{}
	for _, c := range r.Clients {
		got[c.Key] = c.Count
	}
	want := map[string]int64{"203.0.113.7": 3, "198.51.100.5": 1, "10.0.0.1": 2, "10.0.0.2": 1}
	if len(got) != len(want) {
		t.Errorf("clients %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("client %s: %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	checkExact(t, r, newOracle(data, proxies), 10, 0)
}

// TestV4TableGrows fills a client table from a few slots to segments of
// megabytes, well past the size where their memory comes from the kernel
// and segments grow into the blocks others gave back, and holds every
// count and URI mark to a plain map after each growth, clustered
// addresses (whole /24s, which share a segment) and scattered ones alike.
func TestV4TableGrows(t *testing.T) {
	type mark struct {
		n   uint32
		uri uint64
	}
	want := map[uint32]mark{}
	tab := newV4Table(64)
	defer tab.free()
	grown := 0
	check := func() {
		t.Helper()
		got := 0
		tab.each(func(a, n uint32, uri uint64) {
			got++
			if w := want[a]; w.n != n || w.uri != uri {
				t.Fatalf("after %d growths: %08x counted %d (URI %x), want %d (URI %x)", grown, a, n, uri, w.n, w.uri)
			}
		})
		if got != len(want) || tab.used != len(want) {
			t.Fatalf("after %d growths: %d clients listed, %d used, want %d", grown, got, tab.used, len(want))
		}
		for a := range want {
			if !tab.has(a) {
				t.Fatalf("after %d growths: %08x not found", grown, a)
			}
		}
	}
	x := uint32(12345)
	for i := range 600000 {
		var a uint32
		if i%3 == 0 {
			a = 0xc6336400 | uint32(i/3)%(1<<16) // 198.51.x.y: whole networks
		} else {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			a = x % 400000 * 10007 // repeats as well as new ones
		}
		uri := uint64(i % 7)
		for tab.fullFor(a) {
			// As a worker grows it: input of 100 bytes a line, 600,000
			// lines, so segments grow both by half and by projection.
			read := int64(i) * 100
			tab.grow(a, tab.grownFor(a, read, 600000*100-read, 1<<30), read)
			if grown++; grown%8 == 0 {
				check()
			}
		}
		tab.add(a, 1, uri)
		w, ok := want[a]
		if !ok {
			w.uri = uri
		}
		w.n++
		w.uri = mergeURI(w.uri, uri)
		want[a] = w
	}
	check()
	if tab.bytes() < 4*bigBytes {
		t.Fatalf("table of %d bytes never left the Go heap", tab.bytes())
	}
}

// TestGrownFor: a segment grows by half unless the rate of new clients
// since it last grew, over the input left, says it needs more; a rate
// taken over little input is trusted less far, and the budget's room
// bounds a guess.
func TestGrownFor(t *testing.T) {
	const slots = 1 << 12
	const room = 1 << 30
	tests := []struct {
		name            string
		used, sinceUsed int
		read, sinceRead int64
		left, room      int64
		atLeast, atMost int
	}{
		{"input of unknown size grows by half", 3000, 0, 1 << 30, 0, 0, room, slots * 3 / 2, slots * 3 / 2},
		{"too little read since the last growth", 3000, 0, projectBytes - 1, 0, 1 << 30, room, slots * 3 / 2, slots * 3 / 2},
		{"no new clients lately", 3000, 3000, 1 << 30, 1 << 20, 1 << 30, room, slots * 3 / 2, slots * 3 / 2},
		{"every line a new client, much input left", 3000, 0, 300 << 10, 0, 1 << 30, room, slots * maxGrowth, slots * maxGrowth},
		{"every line a new client over much input", 3000, 0, trustBytes, 0, 1 << 30, room, slots * maxTrustedGrowth, slots * maxTrustedGrowth},
		{"a guess bounded by the budget's room", 3000, 0, trustBytes, 0, 1 << 30, slots * 16 * 5 / 2, slots * 5 / 2, slots * 5 / 2},
		{"growth by half whatever the room", 3000, 0, trustBytes, 0, 1 << 30, 0, slots * 3 / 2, slots * 3 / 2},
		// 1,000 new clients in 1 MB, 2 MB left: 5,000 in all, two thirds full.
		{"new clients at a steady rate", 3000, 2000, 2 << 20, 1 << 20, 2 << 20, room, 7000, 8000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := newV4Table(slots * v4Segments)
			defer tab.free()
			const a = 0xc6336401
			g := tab.seg(a)
			g.used, g.since.used, g.since.read = tt.used, tt.sinceUsed, tt.sinceRead
			got := tab.grownFor(a, tt.read, tt.left, tt.room)
			if got < tt.atLeast || got > tt.atMost {
				t.Fatalf("grownFor = %d slots, want %d to %d", got, tt.atLeast, tt.atMost)
			}
		})
	}
}

// TestSpareBlocksComeBackZeroed gives back blocks of slots full of ones
// and takes blocks of other sizes, smaller (a spare cut down), the same
// and larger (a spare extended): every word handed out must be zero.
func TestSpareBlocksComeBackZeroed(t *testing.T) {
	defer dropSpares()
	const big = bigBytes / 8
	sizes := []int{3 * big, 2*big + 123, 5*big + 7, big + 1, 9 * big, 3*big - 5}
	var held [][]uint64
	for round := range 3 {
		for _, n := range sizes {
			n += round * 513
			w := allocWords(n)
			if len(w) != n {
				t.Fatalf("asked for %d words, got %d", n, len(w))
			}
			for i, x := range w {
				if x != 0 {
					t.Fatalf("round %d: word %d of a block of %d is %#x, not zero", round, i, n, x)
				}
			}
			for i := range w {
				w[i] = ^uint64(0)
			}
			held = append(held, w)
			if len(held) > 2 {
				freeWords(held[0])
				held = held[1:]
			}
		}
	}
	for _, w := range held {
		freeWords(w)
	}
}

// TestGrowBytesKeepsTheBytes grows blocks small and big (the kernel's,
// extended in place or moved) and larger again: what was written is
// kept, the rest is zero.
func TestGrowBytesKeepsTheBytes(t *testing.T) {
	for _, start := range []int{100, bigBytes - 1, bigBytes, 3*bigBytes + 17} {
		b := allocBytes(start)[:0]
		for _, n := range []int{start + 1, 2*start + 5, 5 * start} {
			for len(b) < cap(b) {
				b = append(b, byte(len(b)*7+1))
			}
			b = growBytes(b, n)
			if cap(b) != n {
				t.Fatalf("from %d to %d: capacity %d", start, n, cap(b))
			}
			for i, c := range b {
				if c != byte(i*7+1) {
					t.Fatalf("from %d to %d: byte %d is %d, want %d", start, n, i, c, byte(i*7+1))
				}
			}
			for i, c := range b[len(b):cap(b)] {
				if c != 0 {
					t.Fatalf("from %d to %d: byte %d past the kept ones is %d", start, n, len(b)+i, c)
				}
			}
		}
		freeBytes(b)
	}
}
