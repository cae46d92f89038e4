package accesslog

import (
	"bytes"
	"strconv"
)

// worker parses blocks of lines and keeps its own tallies.
type worker struct {
	from, to int64
	tc       timeCache

	clients4   *clientTable[uint32]
	clients6   *clientTable[addrKey]
	prefixes   addrTable
	prefixLive bool
	uris       *strTable
	agents     *strTable
	recs       []request
	excl       exclusions

	lines, requests, outside, excluded int64
	malformed                          [numReasons]int64
	oldest, newest, maxSeen            int64
	samples                            []chunkSample
	chunkLines                         map[int]chunkLines
}

type chunkLines struct{ src, n int }

// chunkSample is a malformed line located by its chunk.
type chunkSample struct {
	seq, src int
	line     int64
	reason   Reason
	text     string
}

func newWorker(s *scan, from, to int64) *worker {
	w := &worker{
		from: from, to: to,
		clients4: newClientTable(s.lim.addrs, 1<<18, hash4),
		clients6: newClientTable(s.lim.addrs, 1<<10, hash16),
		prefixes: addrTable{newCounts[addrKey](s.lim.addrs)},
		uris:     newStrTable(s.lim.strs),
		agents:   newStrTable(s.lim.strs),
		excl:     newExclusions(s.opts),
		oldest:   noTime, newest: noTime, maxSeen: noTime,
		chunkLines: map[int]chunkLines{},
	}
	// Prefix counts come from the client tables while those are exact;
	// once one must drop clients, the worker counts prefixes itself.
	w.clients4.onPrune = w.livePrefixes
	w.clients6.onPrune = w.livePrefixes
	return w
}

// livePrefixes fills the prefix table from the clients counted so far and
// has count tally prefixes from then on.
func (w *worker) livePrefixes() {
	if w.prefixLive {
		return
	}
	w.prefixLive = true
	w.clients4.each(func(s *clientSlot[uint32]) {
		w.prefixes.addN(keyFrom4(s.key).prefix(), int64(s.n), int64(s.err))
	})
	w.clients6.each(func(s *clientSlot[addrKey]) {
		w.prefixes.addN(s.key.prefix(), int64(s.n), int64(s.err))
	})
}

// chunk counts the lines of one block. Each line is parsed and its URI
// and user agent counted while its bytes are in the cache; the clients
// are counted afterwards in a loop of their own, which loads the table
// slots of the clients a few lines ahead, so that the processor overlaps
// those cache misses instead of waiting for each in turn.
func (w *worker) chunk(c *chunk) {
	if c.overlong {
		w.lines++
		w.bad(ReasonTooLong, c, 1, c.data)
		w.chunkLines[c.seq] = chunkLines{c.src, 1}
		return
	}
	data := c.data
	recs := w.recs[:0]
	var n int64
	for len(data) > 0 {
		var ln []byte
		if i := indexNL(data); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			ln, data = data, nil
		}
		n++
		if len(ln) == 0 || len(ln) == 1 && ln[0] == '\r' {
			continue
		}
		if len(ln) > MaxLineBytes {
			w.bad(ReasonTooLong, c, n, ln)
			continue
		}
		l, in, why := parseLine(ln, &w.tc, w.from, w.to)
		if l.unix > w.maxSeen {
			w.maxSeen = l.unix
		}
		switch {
		case why != ReasonNone:
			w.bad(why, c, n, ln)
		case !in:
			w.outside++
		case w.excl.match(l):
			w.excluded++
		default:
			recs = append(recs, w.count(&l))
		}
	}
	w.lines += n
	w.chunkLines[c.seq] = chunkLines{c.src, int(n)}
	w.countClients(recs)
	w.recs = recs[:0]
}

// request is what countClients needs of a counted line.
type request struct {
	client  addrKey
	uriHash uint32
}

// count tallies everything of one request but its client.
func (w *worker) count(l *line) request {
	w.requests++
	if w.oldest == noTime || l.unix < w.oldest {
		w.oldest = l.unix
	}
	w.newest = max(w.newest, l.unix)
	h := strHash(l.uri)
	w.uris.add(l.uri, h)
	agent := l.agent
	if len(agent) == 0 {
		agent = dash
	}
	w.agents.add(agent, strHash(agent))
	return request{client: l.client, uriHash: uint32(h)}
}

// countClients tallies the clients of a batch of requests.
func (w *worker) countClients(recs []request) {
	const ahead = 8
	for i := range recs {
		// Start loading the slot of a client a few requests ahead.
		if j := i + ahead; j < len(recs) && recs[j].client.is4() {
			w.clients4.prefetch(recs[j].client.v4())
		}
		// A prune inside add derives the prefixes, this request included.
		live := w.prefixLive
		if k := recs[i].client; k.is4() {
			w.clients4.add(k.v4(), recs[i].uriHash)
		} else {
			w.clients6.add(k, recs[i].uriHash)
		}
		if live {
			w.prefixes.add(recs[i].client.prefix())
		}
	}
}

var dash = []byte("-")

// bad counts a malformed line and keeps the first few as samples.
func (w *worker) bad(why Reason, c *chunk, n int64, ln []byte) {
	w.malformed[why]++
	if len(w.samples) < maxSamples {
		w.samples = append(w.samples, chunkSample{seq: c.seq, src: c.src, line: n, reason: why, text: quoteStart(ln)})
	}
}

// quoteStart quotes the first bytes of a line for a report.
func quoteStart(b []byte) string {
	const show = 120
	if len(b) > show {
		return strconv.Quote(string(b[:show])) + "…"
	}
	return strconv.Quote(string(b))
}

// exclusions are the requests Options say to leave out.
type exclusions struct {
	uris, agents [][]byte
}

func newExclusions(o Options) exclusions {
	var e exclusions
	for _, u := range o.ExcludeURIPrefixes {
		e.uris = append(e.uris, []byte(u))
	}
	for _, a := range o.ExcludeAgents {
		e.agents = append(e.agents, []byte(a))
	}
	return e
}

func (e *exclusions) match(l line) bool {
	for _, u := range e.uris {
		if bytes.HasPrefix(l.uri, u) {
			return true
		}
	}
	for _, a := range e.agents {
		if bytes.Contains(l.agent, a) {
			return true
		}
	}
	return false
}
