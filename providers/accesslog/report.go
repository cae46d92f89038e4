package accesslog

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"time"
)

// Report is what a scan counted.
type Report struct {
	// Sources names the inputs, in the order read.
	Sources []string `json:"sources"`
	// Lines is every line read; Requests those counted; OutsideWindow
	// those with a timestamp outside the window; Excluded those left out
	// by Options; Malformed those that are not access-log lines.
	Lines         int64 `json:"lines"`
	Requests      int64 `json:"requests"`
	OutsideWindow int64 `json:"outside_window"`
	Excluded      int64 `json:"excluded"`
	Malformed     int64 `json:"malformed"`
	// MalformedBy counts malformed lines by reason.
	MalformedBy map[string]int64 `json:"malformed_by,omitempty"`
	// Samples are the first malformed lines, with where they are.
	Samples []Sample `json:"malformed_samples,omitempty"`
	// Warnings name inputs that could not be read to their end.
	Warnings []string `json:"warnings,omitempty"`
	// From and Until bound the window counted (Until exclusive); zero
	// when the window is open on that side.
	From  time.Time `json:"from,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// Oldest and Newest are the first and last timestamps counted.
	Oldest time.Time `json:"oldest,omitzero"`
	Newest time.Time `json:"newest,omitzero"`
	// Approximate is set when more distinct keys arrived than the tables
	// keep: the rarest were dropped and counts carry an error bound
	// (Count.Err). Heavy hitters stay exact.
	Approximate bool `json:"approximate,omitempty"`

	// Clients, Prefixes, URIs, Pairs and Agents are the tallies, highest
	// count first, ties by address. A pair's key is "address uri", and
	// Pairs holds the largest 1,000. Prefixes are /24 for IPv4 and /64
	// for IPv6.
	Clients  []Count `json:"clients"`
	Prefixes []Count `json:"prefixes"`
	URIs     []Count `json:"uris"`
	Pairs    []Count `json:"pairs"`
	Agents   []Count `json:"agents"`

	maxSeen int64
}

// Span is the time the counted requests cover: from the oldest to the
// newest timestamp, plus the last second. It is zero without requests.
func (r *Report) Span() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.Newest.Sub(r.Oldest) + time.Second
}

// Rate returns n requests as requests per second over Span.
func (r *Report) Rate(n int64) float64 {
	s := r.Span().Seconds()
	if s <= 0 {
		return 0
	}
	return float64(n) / s
}

// Share returns n as a fraction of the requests counted.
func (r *Report) Share(n int64) float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(n) / float64(r.Requests)
}

// Over returns the entries of list whose count is at least threshold,
// in the list's order.
func Over(list []Count, threshold int64) []Count {
	i := 0
	for i < len(list) && list[i].Count >= threshold {
		i++
	}
	return list[:i]
}

// report merges the workers' tallies into a Report.
func (s *scan) report(ws []*worker, from, to int64) *Report {
	w0 := ws[0]
	r := &Report{maxSeen: noTime, MalformedBy: map[string]int64{}}
	for _, src := range s.sources {
		r.Sources = append(r.Sources, src.Name)
	}
	oldest, newest := int64(noTime), int64(noTime)
	var malformed [numReasons]int64
	var samples []chunkSample
	lines := map[int]chunkLines{}
	anyLive := false
	for _, w := range ws {
		anyLive = anyLive || w.prefixLive
	}
	uris, agents := w0.uris.tally(len(ws)*s.lim.strs), w0.agents.tally(len(ws)*s.lim.strs)
	// The merged tables keep as many clients as one worker's, pruning
	// the rarest: the report stays within the memory budget.
	for i, w := range ws {
		if anyLive && !w.prefixLive {
			w.livePrefixes() // before its clients merge into another table
		}
		if i > 0 {
			if anyLive {
				w0.prefixes.merge(&w.prefixes.counts)
			}
			w0.clients4.merge(w.clients4)
			w0.clients6.merge(w.clients6)
			wu, wa := w.uris.tally(s.lim.strs), w.agents.tally(s.lim.strs)
			uris.merge(&wu)
			agents.merge(&wa)
		}
		r.Lines += w.lines
		r.Requests += w.requests
		r.OutsideWindow += w.outside
		r.Excluded += w.excluded
		for j, n := range w.malformed {
			malformed[j] += n
		}
		if w.oldest != noTime && (oldest == noTime || w.oldest < oldest) {
			oldest = w.oldest
		}
		newest = max(newest, w.newest)
		r.maxSeen = max(r.maxSeen, w.maxSeen)
		samples = append(samples, w.samples...)
		for k, v := range w.chunkLines {
			lines[k] = v
		}
	}
	for j, n := range malformed {
		if n > 0 {
			r.Malformed += n
			r.MalformedBy[Reason(j).String()] = n
		}
	}
	r.Samples = locateSamples(samples, lines, s.sources)
	if from > minUnix && from < maxUnix {
		r.From = time.Unix(from, 0).UTC()
	}
	if to < maxUnix {
		r.Until = time.Unix(to, 0).UTC()
	}
	if r.Requests > 0 {
		r.Oldest, r.Newest = time.Unix(oldest, 0).UTC(), time.Unix(newest, 0).UTC()
	}
	r.Approximate = w0.clients4.floor > 0 || w0.clients6.floor > 0 || w0.prefixes.floor > 0 || uris.floor > 0 || agents.floor > 0
	uriText := make(map[uint32]string, len(uris.idx))
	for k := range uris.idx {
		uriText[uint32(strHash([]byte(k)))] = k
	}
	r.Clients, r.Pairs, r.Prefixes = clientLists(w0, uriText, !anyLive)
	if anyLive {
		r.Prefixes = w0.prefixes.sorted(addrKey.prefixString)
	}
	r.URIs = uris.sorted(func(s string) string { return s })
	r.Agents = agents.sorted(func(s string) string { return s })
	return r
}

// tally is a client, network or pair before its key is rendered.
type tally struct {
	key    addrKey
	uri    uint32
	n, err int64
}

// byCount orders tallies by count, highest first, then by address (as
// numbers: IPv4 before IPv6), then by URI hash.
func byCount(a, b tally) int {
	if a.n != b.n {
		return cmp.Compare(b.n, a.n)
	}
	if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.uri, b.uri)
}

// maxPairs is how many (address, URI) pairs a report lists.
const maxPairs = 1000

// clientLists renders the merged client tables as the client list and
// the top pairs, and, when derive is set, the network list.
func clientLists(w *worker, uriText map[uint32]string, derive bool) (clients, pairs, prefixes []Count) {
	cs := make([]tally, 0, w.clients4.used+w.clients6.used)
	var top pairHeap
	var nets4 []uint64 // v4 /24 << 32 | count, for grouping
	add := func(k addrKey, n, err, dec uint32, uri, c [2]uint32) {
		cs = append(cs, tally{key: k, n: int64(n), err: int64(err)})
		for j := range c {
			if c[j] > 0 {
				top.offer(tally{key: k, uri: uri[j], n: int64(c[j]), err: int64(err) + int64(dec)})
			}
		}
	}
	w.clients4.each(func(s *clientSlot[uint32]) { add(keyFrom4(s.key), s.n, s.err, s.dec, s.uri, s.c) })
	w.clients6.each(func(s *clientSlot[addrKey]) { add(s.key, s.n, s.err, s.dec, s.uri, s.c) })
	sortTallies(cs)
	clients = make([]Count, len(cs))
	for i, t := range cs {
		clients[i] = Count{Key: t.key.String(), Count: t.n, Err: t.err}
	}
	slices.SortFunc(top, byCount)
	pairs = make([]Count, len(top))
	for i, t := range top {
		u, ok := uriText[t.uri]
		if !ok {
			u = "(a URI too rare to keep)"
		}
		pairs[i] = Count{Key: t.key.String() + " " + u, Count: t.n, Err: t.err}
	}
	if !derive {
		return clients, pairs, nil
	}
	// Networks: group the clients by prefix.
	nets := map[addrKey]*tally{}
	var ns []tally
	w.clients4.each(func(s *clientSlot[uint32]) { nets4 = append(nets4, uint64(s.key>>8)<<40|uint64(s.n)<<8) })
	slices.Sort(nets4)
	for i := 0; i < len(nets4); {
		net, n := nets4[i]>>40, int64(0)
		for ; i < len(nets4) && nets4[i]>>40 == net; i++ {
			n += int64(nets4[i] >> 8 & 0xffffffff)
		}
		ns = append(ns, tally{key: keyFrom4(uint32(net) << 8), n: n})
	}
	w.clients6.each(func(s *clientSlot[addrKey]) {
		p := s.key.prefix()
		if nets[p] == nil {
			nets[p] = &tally{key: p}
		}
		nets[p].n += int64(s.n)
	})
	for _, t := range nets {
		ns = append(ns, *t)
	}
	sortTallies(ns)
	prefixes = make([]Count, len(ns))
	for i, t := range ns {
		prefixes[i] = Count{Key: t.key.prefixString(), Count: t.n}
	}
	return clients, pairs, prefixes
}

// sortTallies sorts by byCount; IPv4 entries (the common case) go
// through a packed integer sort, which is several times faster.
func sortTallies(ts []tally) {
	var v4 []uint64
	var other []tally
	for _, t := range ts {
		if t.key.is4() && t.n < 1<<32 && t.err == 0 {
			v4 = append(v4, uint64(math.MaxUint32-uint32(t.n))<<32|uint64(t.key.v4()))
		} else {
			other = append(other, t)
		}
	}
	slices.Sort(v4)
	slices.SortFunc(other, byCount)
	i, j, out := 0, 0, ts[:0]
	for i < len(v4) || j < len(other) {
		var t tally
		if i < len(v4) {
			t = tally{key: keyFrom4(uint32(v4[i])), n: int64(math.MaxUint32 - uint32(v4[i]>>32))}
		}
		if i == len(v4) || j < len(other) && byCount(other[j], t) < 0 {
			t = other[j]
			j++
		} else {
			i++
		}
		out = append(out, t)
	}
}

// pairHeap keeps the maxPairs largest pairs offered (a min-heap on
// byCount order).
type pairHeap []tally

func (h *pairHeap) offer(t tally) {
	s := *h
	if len(s) < maxPairs {
		s = append(s, t)
		for i := len(s) - 1; i > 0; {
			p := (i - 1) / 2
			if byCount(s[i], s[p]) <= 0 {
				break
			}
			s[i], s[p] = s[p], s[i]
			i = p
		}
		*h = s
		return
	}
	if byCount(t, s[0]) >= 0 {
		return // no better than the smallest kept
	}
	s[0] = t
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && byCount(s[l], s[m]) > 0 {
			m = l
		}
		if r < len(s) && byCount(s[r], s[m]) > 0 {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
}

// locateSamples turns chunk-relative sample positions into line numbers
// of their source and keeps the first maxSamples in input order.
func locateSamples(samples []chunkSample, lines map[int]chunkLines, sources []Source) []Sample {
	if len(samples) == 0 {
		return nil
	}
	slices.SortFunc(samples, func(a, b chunkSample) int {
		if a.seq != b.seq {
			return a.seq - b.seq
		}
		return int(a.line - b.line)
	})
	if len(samples) > maxSamples {
		samples = samples[:maxSamples]
	}
	// Lines before each chunk, counted within its source.
	seqs := make([]int, 0, len(lines))
	for k := range lines {
		seqs = append(seqs, k)
	}
	slices.Sort(seqs)
	before := make(map[int]int64, len(seqs))
	run, src := int64(0), -1
	for _, k := range seqs {
		if lines[k].src != src {
			run, src = 0, lines[k].src
		}
		before[k] = run
		run += int64(lines[k].n)
	}
	out := make([]Sample, len(samples))
	for i, s := range samples {
		out[i] = Sample{Source: sources[s.src].Name, Line: before[s.seq] + s.line, Reason: s.reason.String(), Text: s.text}
	}
	return out
}
