package accesslog

import (
	"slices"
	"time"
)

// Report is what a scan counted. Every count in it is exact.
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
	// Passes is how many times the input was read: more than once when
	// its distinct keys did not fit the memory budget at once.
	Passes int `json:"passes"`
	// Incomplete is set when the input had so many distinct keys that
	// counting them all exactly would take more than maxPasses reads:
	// the lists then lack what was left (a warning says so).
	Incomplete bool `json:"incomplete,omitempty"`

	// Clients, Prefixes, URIs, Pairs and Agents are the tallies, highest
	// count first, ties by key: the top Options.Top of each and, for
	// clients and networks, every one at Options.Threshold. A pair's key
	// is "address uri". Prefixes are /24 for IPv4 and /64 for IPv6, each
	// with its members.
	Clients  []Count   `json:"clients"`
	Prefixes []Network `json:"prefixes"`
	URIs     []Count   `json:"uris"`
	Pairs    []Count   `json:"pairs"`
	Agents   []Count   `json:"agents"`
	// Rules are what each attack rule (Options.Rules) found.
	Rules []RuleResult `json:"rules,omitempty"`
	// ListCut is set when more clients or networks reached the threshold
	// than a report lists (maxListed); those listed have the most
	// requests.
	ListCut bool `json:"list_cut,omitempty"`

	maxSeen int64
}

// Count is one key's tally in a Report.
type Count struct {
	// Key is the client address, network (CIDR), URI, "address uri" pair
	// or user agent.
	Key string `json:"key"`
	// Count is the number of requests.
	Count int64 `json:"count"`
}

// Network is a /24 (IPv4) or /64 (IPv6) network with who is inside.
type Network struct {
	Count
	// Clients is how many distinct addresses of the network sent
	// requests.
	Clients int64 `json:"clients"`
	// Members are its busiest addresses (up to three), most first.
	Members []Count `json:"members"`
	// Spread is set when the requests come from several members, none
	// holding most of them (SpreadMembers, SpreadShare): blocking the
	// network is then the answer, rather than blocking addresses.
	Spread bool `json:"spread"`
}

// A network's traffic is spread, so that a block list takes the whole
// network, when at least SpreadMembers of its addresses sent requests
// and none sent more than SpreadShare of them. Otherwise the network is
// one heavy client with neighbours, and its heavy addresses are blocked
// one by one.
const (
	SpreadMembers = 3
	SpreadShare   = 0.5
)

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

// OverNetworks returns the networks of list with at least threshold
// requests, in the list's order.
func OverNetworks(list []Network, threshold int64) []Network {
	i := 0
	for i < len(list) && list[i].Count.Count >= threshold {
		i++
	}
	return list[:i]
}

// stats sums what the first pass's workers saw.
func (s *scan) stats(ws []*worker, from, to int64) *Report {
	r := &Report{maxSeen: noTime, MalformedBy: map[string]int64{}}
	for _, src := range s.sources {
		r.Sources = append(r.Sources, src.Name)
	}
	oldest, newest := int64(noTime), int64(noTime)
	var malformed [numReasons]int64
	var samples []chunkSample
	lines := map[int]chunkLines{}
	for _, w := range ws {
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
	return r
}

// fill renders the results into the report.
// The clients and the networks, which with a threshold can each be
// 100,000 entries to sort and write out, are rendered side by side.
func (res *results) fill(r *Report) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		list := res.clients.list()
		r.Clients = make([]Count, 0, len(list))
		for _, e := range list {
			r.Clients = append(r.Clients, Count{Key: keyAddr(e.addr), Count: e.n})
		}
	}()
	r.ListCut = res.clients.full() || res.networks.full()
	for _, t := range res.networks.list() {
		nw := Network{Count: Count{Key: t.prefix.prefixString(), Count: t.n}, Clients: t.distinct}
		for _, m := range t.top {
			if m.n > 0 {
				nw.Members = append(nw.Members, Count{Key: keyAddr(m.addr), Count: m.n})
			}
		}
		nw.Spread = t.distinct >= SpreadMembers && float64(t.top[0].n) <= SpreadShare*float64(t.n)
		r.Prefixes = append(r.Prefixes, nw)
	}
	<-done
	for _, e := range res.uris.list() {
		r.URIs = append(r.URIs, Count{Key: e.text, Count: e.n})
	}
	for _, e := range res.agents.list() {
		r.Agents = append(r.Agents, Count{Key: e.text, Count: e.n})
	}
	for _, e := range res.pairs.list() {
		r.Pairs = append(r.Pairs, Count{Key: keyAddr(e.addr) + " " + e.text, Count: e.n})
	}
	for _, l := range []*[]Count{&r.Clients, &r.URIs, &r.Pairs, &r.Agents} {
		if *l == nil {
			*l = []Count{}
		}
	}
	if r.Prefixes == nil {
		r.Prefixes = []Network{}
	}
}

// keyAddr renders a client for a report.
func keyAddr(k addrKey) string { return k.addr().String() }

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
