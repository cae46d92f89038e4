package accesslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options shape a scan.
type Options struct {
	// Window, when set, counts only the requests of the last Window
	// before the newest timestamp in the input (not the clock: a log
	// examined later gives the same answer).
	Window time.Duration
	// Since and Until, when set, count only requests at or after Since and
	// before Until. They cannot be combined with Window.
	Since, Until time.Time
	// ExcludeURIPrefixes leaves out requests whose URI starts with one of
	// them (health checks, static files).
	ExcludeURIPrefixes []string
	// ExcludeAgents leaves out requests whose user agent contains one of
	// them (a monitoring robot), case-sensitively.
	ExcludeAgents []string
	// TrustedProxies are the reverse proxies in front of the server: a
	// request from one of them is counted for the client its
	// X-Forwarded-For names (the last address there that is not a
	// trusted proxy itself). See line.go for where the header is read.
	TrustedProxies []netip.Prefix
	// Top is how many entries each list of the report holds; default 10.
	Top int
	// Threshold, when set, makes the client and network lists hold every
	// entry with at least this many requests too (up to 100,000).
	Threshold int64
	// Workers is how many lines are parsed in parallel; 0 means one per
	// CPU, at most maxWorkers.
	Workers int
	// TempDir holds the copy of a stream that must be read twice; empty
	// means the system's temporary directory.
	TempDir string
	// Rules are attack rules (CheckRule each first): the report says whom
	// each caught.
	Rules []Rule
	// MemoryBudget is how much memory the counting tables of all workers
	// may hold in one pass; zero means DefaultMemoryBudget. Past it the
	// scan reads the input again for what did not fit.
	MemoryBudget int64
}

// DefaultMemoryBudget keeps plumb detect within 200 MB on any input: the
// tables hold at most this much, counting the moments when a table
// doubles and its old and new copies are both alive.
const DefaultMemoryBudget = 128 << 20

// maxWorkers bounds the parallelism.
const maxWorkers = 4

// chunkBytes is the size of the blocks the reader hands to the workers.
const chunkBytes = 1 << 20

// maxPasses bounds how many times one scan reads its input; a scan that
// would need more stops counting what is left and says so.
const maxPasses = 64

// Sample is one malformed line, kept to show what went wrong.
type Sample struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
	// Text is the start of the line, quoted so that binary bytes print.
	Text string `json:"text"`
}

// maxSamples is how many malformed lines a report shows.
const maxSamples = 5

// Scan reads the sources and counts requests by client address, network
// (/24, /64), URI, (address, URI) pair and user agent, exactly. Malformed
// lines are counted and sampled, never fatal; a source that cannot be
// read to its end adds a warning. Only a source that cannot be opened,
// conflicting options or ctx ending make an error.
//
// The counts stay exact in bounded memory (Options.MemoryBudget): what
// does not fit in one pass is counted in further passes over the input
// (partition.go). A stream is therefore first copied to a temporary file.
// With a Window, the newest timestamp is first estimated from the tails
// of plain files; if the first pass finds a newer one (lines out of
// order, compressed input) the count starts again with the right window.
func Scan(ctx context.Context, sources []Source, opts Options) (*Report, error) {
	if opts.Window < 0 {
		return nil, fmt.Errorf("window %s is negative; give a duration such as 10m", opts.Window)
	}
	if opts.Window > 0 && (!opts.Since.IsZero() || !opts.Until.IsZero()) {
		return nil, errors.New("a window relative to the newest request cannot be combined with since or until; use one or the other")
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Until.After(opts.Since) {
		return nil, fmt.Errorf("until (%s) is not after since (%s)", opts.Until.Format(time.RFC3339), opts.Until.Format(time.RFC3339))
	}
	if len(sources) == 0 {
		return nil, errors.New("no log to read")
	}
	defer dropSpares()
	if opts.Top <= 0 {
		opts.Top = 10
	}
	for i := range opts.Rules {
		if err := CheckRule(&opts.Rules[i]); err != nil {
			return nil, err
		}
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = DefaultMemoryBudget
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	s := &scan{opts: opts, workers: workers, sources: slices.Clone(sources)}
	// Streams are read more than once: keep a copy.
	for i, src := range s.sources {
		if src.Path == "" {
			sp, err := spool(ctx, src, opts.TempDir)
			if err != nil {
				return nil, err
			}
			defer os.Remove(sp.Path)
			s.sources[i] = sp
		}
	}
	if opts.Window <= 0 {
		from, to := int64(minUnix), int64(maxUnix)
		if !opts.Since.IsZero() {
			from = opts.Since.Unix()
		}
		if !opts.Until.IsZero() {
			to = opts.Until.Unix()
		}
		return s.count(ctx, from, to, noTime)
	}
	// A relative window: find the newest timestamp, then count.
	newest, known := int64(0), false
	for _, src := range s.sources {
		if t, ok := newestInTail(ctx, src); ok && (!known || t > newest) {
			newest, known = t, true
		}
	}
	if !known {
		// Compressed input only: a quick pass that reads timestamps alone.
		r, err := s.count(ctx, maxUnix, maxUnix, noTime)
		if err != nil {
			return nil, err
		}
		if r.maxSeen == noTime {
			return r, nil
		}
		newest = r.maxSeen
	}
	win := int64(opts.Window / time.Second)
	return s.count(ctx, newest-win+1, maxUnix, newest)
}

// scan is one Scan call: what its passes share.
type scan struct {
	opts    Options
	workers int
	sources []Source
}

// chunk is a block of whole lines from one source.
type chunk struct {
	src, seq int
	data     []byte
	buf      []byte
	// overlong marks a block that is the start of one line longer than
	// the block itself; data holds its first bytes.
	overlong bool
	// release, when set, is called with data once the block is counted.
	release func([]byte)
}

// pass is one read of the whole input: the window, which stretch of each
// kind's key space it counts, and the budget that may narrow them.
type pass struct {
	s        *scan
	from, to int64
	first    bool
	budget   *budget
	pairs    pairFilter
	// names, in a pass that names URIs, holds the hashes sought.
	names map[uint64]string
	// router, when set, hands URIs and user agents to the worker that
	// owns them (route.go).
	router *router
	// mapped is the size of the files mapped so far: input whose size is
	// known before it is read; counted is how much of the input the
	// workers have taken to count.
	mapped, counted atomic.Int64
}

// left is how many bytes of input a worker that has counted read bytes
// can expect still to count: of the mapped files' bytes not yet counted,
// its share of those counted so far (workers take blocks as they come
// free, so one may count more than others); 0 when that is not known.
func (p *pass) left(read int64) int64 {
	counted := p.counted.Load()
	if counted <= 0 {
		return 0
	}
	rest := max(p.mapped.Load()-counted, 0)
	return int64(float64(rest) * float64(read) / float64(counted))
}

// pairFilter says whether a pass counts exact pairs, and of which
// clients: all, or the candidates.
type pairFilter struct {
	on, all bool
	set4    *v4Table
	set6    map[addrKey]bool
}

func (f *pairFilter) counts(k addrKey) bool {
	switch {
	case !f.on:
		return false
	case f.all:
		return true
	case k.is4():
		return f.set4.has(k.v4())
	}
	return f.set6[k]
}

// candidates returns the filter of a pass that counts the pairs of the
// clients that could beat the pairs known (every multi-URI client with at
// least as many requests as the last of the top pairs), or ok false when
// there are none. all is set when the candidates were too many to keep:
// every pair is then counted.
func candidates(res *results, top int) (f pairFilter, ok bool) {
	floor := int64(1)
	if known := res.pairs.list(); len(known) >= top {
		floor = known[len(known)-1].n
	}
	m := &res.multi.top
	if m.dropped && m.h[0].n >= floor {
		return pairFilter{on: true, all: true}, true
	}
	f = pairFilter{on: true, set4: newV4Table(tableSize(len(m.h), 16)), set6: map[addrKey]bool{}}
	for _, c := range m.h {
		if c.n < floor {
			continue
		}
		ok = true
		if c.addr.is4() {
			f.set4.put(c.addr.v4(), 1, 0)
		} else {
			f.set6[c.addr] = true
		}
	}
	return f, ok
}

// count reads the input as many times as it takes to count every kind
// exactly, and reports. newest is the newest timestamp the window was
// measured back from (noTime for none): if the first pass sees a newer
// one, counting starts again with the window moved.
func (s *scan) count(ctx context.Context, from, to, newest int64) (*Report, error) {
	res := newResults(s.opts)
	todo := [numKinds][]stretch{kindClients: {all}, kindURIs: {all}, kindAgents: {all}}
	if len(s.opts.Rules) > 0 {
		todo[kindRules] = []stretch{all}
	}
	var r *Report
	// Pairs: a client that asked for one URI only has one pair, counted
	// with it. Once every client is counted, the clients that asked for
	// more and are busy enough to beat those pairs have their pairs
	// counted exactly in passes of their own.
	pairsDue := true
	var filter pairFilter
	unnamed := false
	for n := 1; ; n++ {
		if pairsDue && n > 1 && len(todo[kindClients]) == 0 {
			pairsDue = false
			var ok bool
			if !res.multiLost {
				// Every pair is known already.
			} else if filter, ok = candidates(res, s.opts.Top); ok {
				todo[kindPairs] = []stretch{all}
				if filter.all {
					res.pairs = newBest[ranked](s.opts.Top, 0)
				}
			}
		}
		p := &pass{s: s, from: from, to: to, first: n == 1, budget: newBudget(s.opts.MemoryBudget), pairs: filter}
		any := false
		for k := range numKinds {
			pt := &partitioner{}
			if len(todo[k]) > 0 {
				pt.on, pt.active = true, todo[k][0]
				todo[k] = todo[k][1:]
				any = true
			}
			p.budget.kinds[k] = pt
		}
		if !any {
			if pairsDue {
				n--
				continue // the pairs' turn
			}
			break
		}
		if n > maxPasses {
			r.Incomplete = true
			r.Warnings = append(r.Warnings, fmt.Sprintf("stopped after %d passes over the input, whose distinct clients, URIs and user agents would take more: the lists lack what was left to count; raise the memory budget", maxPasses))
			break
		}
		p.pairs.on = p.budget.kinds[kindPairs].on
		ws, warnings, err := s.pass(ctx, p)
		if err != nil {
			return nil, err
		}
		if p.first {
			r = s.stats(ws, from, to)
			r.Warnings = warnings
			if newest != noTime && r.maxSeen > newest {
				// The tails did not hold the newest line: move the window.
				win := newest - from + 1
				return s.count(ctx, r.maxSeen-win+1, to, r.maxSeen)
			}
		}
		for k := range numKinds {
			todo[k] = append(todo[k], p.budget.kinds[k].given...)
		}
		res.merge(ws, p)
		unnamed = res.nameURIs()
		r.Passes = n
	}
	if unnamed {
		if err := s.nameURIs(ctx, res, from, to); err != nil {
			return nil, err
		}
		r.Passes++
	}
	res.fill(r)
	r.Rules = res.ruleResults(s.opts.Rules)
	for _, t := range res.rules {
		r.ListCut = r.ListCut || t.cut
	}
	return r, nil
}

// merge folds what a pass counted into the results: the clients on one
// core, the strings on another.
func (res *results) merge(ws []*worker, p *pass) {
	var wg sync.WaitGroup
	if p.budget.kinds[kindClients].on {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.mergeClients(ws)
		}()
	}
	for _, k := range []kind{kindURIs, kindAgents} {
		if p.budget.kinds[k].on {
			res.mergeStrings(ws, k)
		}
	}
	if p.budget.kinds[kindRules].on {
		lists := make([][]event, len(ws))
		for i, w := range ws {
			lists[i], w.events = w.events, nil
		}
		res.judgeEvents(lists, p.s.opts.Rules)
	}
	wg.Wait()
	if p.budget.kinds[kindPairs].on {
		res.mergeStrings(ws, kindPairs)
	}
}

// nameURIs reads the input once more to find the text of the URIs of
// pairs known by hash whose URI was counted in another pass than their
// client (only when the input took several passes).
func (s *scan) nameURIs(ctx context.Context, res *results, from, to int64) error {
	want := map[uint64]string{}
	res.pairs.entries(func(p *ranked) {
		if p.text == "" && p.h != 0 {
			want[p.h] = ""
		}
	})
	p := &pass{s: s, from: from, to: to, budget: newBudget(s.opts.MemoryBudget), names: want}
	for k := range numKinds {
		p.budget.kinds[k] = &partitioner{}
	}
	ws, _, err := s.pass(ctx, p)
	if err != nil {
		return err
	}
	for _, w := range ws {
		for h, text := range w.names {
			want[h] = text
		}
	}
	res.pairs.entries(func(e *ranked) {
		if e.text == "" && want[e.h] != "" {
			e.text, e.h = want[e.h], 0
		}
	})
	return nil
}

// pass reads every source once with the workers of one pass.
func (s *scan) pass(ctx context.Context, p *pass) ([]*worker, []string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Buffers for sources read as streams; a mapped file needs none.
	// They are made when first wanted (an empty one stands for each).
	free := make(chan []byte, s.workers+2)
	for i := 0; i < s.workers+2; i++ {
		free <- nil
	}
	chunks := make(chan *chunk, s.workers)
	ws := make([]*worker, s.workers)
	var wg, sending sync.WaitGroup
	if s.workers > 1 && (p.budget.kinds[kindURIs].on || p.budget.kinds[kindAgents].on) {
		p.router = newRouter(s.workers)
	}
	for i := range ws {
		ws[i] = newWorker(p, i)
	}
	p.budget.workers = ws
	for i := range ws {
		wg.Add(1)
		sending.Add(1)
		go func(w *worker) {
			defer wg.Done()
			// While it waits for a block of lines, a worker counts the
			// strings others hand it (nil inbox: none), so that their
			// batches find room.
			var inbox chan *strBatch
			if p.router != nil {
				inbox = p.router.inboxes[w.id]
			}
			for {
				var c *chunk
				select {
				case c = <-chunks:
				case b := <-inbox:
					w.takeHanded(b)
					continue
				}
				if c == nil {
					break // chunks is closed
				}
				w.busy.Lock()
				w.chunk(c)
				w.idle()
				if c.release != nil {
					c.release(c.data)
				}
				if c.buf != nil {
					free <- c.buf
				}
			}
			if p.router == nil {
				sending.Done()
				return
			}
			// Hand over what is left for others, then take what others
			// send until every worker has sent all it had.
			w.busy.Lock()
			w.flush()
			w.idle()
			sending.Done()
			for b := range p.router.inboxes[w.id] {
				w.takeHanded(b)
			}
		}(ws[i])
	}
	if p.router != nil {
		go func() {
			sending.Wait()
			for _, in := range p.router.inboxes {
				close(in)
			}
		}()
	}
	var maps []*mapped
	warnings, err := s.read(ctx, p, chunks, free, &maps)
	close(chunks)
	wg.Wait()
	for _, m := range maps {
		m.close()
	}
	if err != nil {
		return nil, nil, err
	}
	// A worker that finished early has not seen a stretch narrowed by
	// another since: drop what it holds outside it, or it would be
	// counted again in a later pass.
	for _, w := range ws {
		w.follow()
	}
	return ws, warnings, nil
}

// read feeds the sources to the workers in blocks of whole lines: plain
// files mapped into memory, others (compressed, streams) read through
// buffers. It returns warnings for sources that could not be read to
// their end; it records the mappings for the caller to close once the
// workers are done.
func (s *scan) read(ctx context.Context, p *pass, chunks chan<- *chunk, free chan []byte, maps *[]*mapped) ([]string, error) {
	var warnings []string
	seq := 0
	carry := make([]byte, 0, MaxLineBytes)
	send := func(c *chunk) error {
		c.seq = seq
		select {
		case chunks <- c:
			seq++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for si, src := range s.sources {
		if src.Path != "" {
			if m, ok := mapSource(ctx, src); ok {
				*maps = append(*maps, m)
				p.mapped.Add(m.size())
				if err := m.send(ctx, si, send); err != nil {
					return nil, err
				}
				continue
			}
		}
		rc, err := src.open(ctx)
		if err != nil {
			return nil, err
		}
		carry = carry[:0]
		skipping := false
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-ctx.Done():
				rc.Close()
				return nil, ctx.Err()
			}
			if buf == nil {
				buf = make([]byte, chunkBytes)
			}
			n := copy(buf, carry)
			m, rerr := io.ReadFull(rc, buf[n:])
			data := buf[:n+m]
			eof := rerr != nil
			if eof && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
				warnings = append(warnings, fmt.Sprintf("%s: reading stopped early: %v; the lines before were counted", src.Name, rerr))
			}
			carry = carry[:0]
			if skipping {
				// The rest of an overlong line: drop it up to its newline.
				i := indexNL(data)
				if i < 0 {
					free <- buf
					if eof {
						break
					}
					continue
				}
				data = data[i+1:]
				skipping = false
			}
			if !eof {
				cut := bytes.LastIndexByte(data, '\n')
				switch {
				case cut < 0:
					skipping = true
					c := &chunk{src: si, seq: seq, data: data[:min(len(data), 200)], buf: buf, overlong: true}
					if err := send(c); err != nil {
						rc.Close()
						return nil, err
					}
					continue
				case len(data)-cut-1 > MaxLineBytes:
					// The unfinished last line is already too long: it
					// starts an overlong chunk of its own next time.
					carry = append(carry, data[cut+1:cut+2+MaxLineBytes]...)
				default:
					carry = append(carry, data[cut+1:]...)
				}
				data = data[:cut+1]
			}
			if err := send(&chunk{src: si, seq: seq, data: data, buf: buf}); err != nil {
				rc.Close()
				return nil, err
			}
			if eof {
				break
			}
		}
		rc.Close()
	}
	return warnings, nil
}
