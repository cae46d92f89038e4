package accesslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
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
	// Workers is how many lines are parsed in parallel; 0 means one per
	// CPU, at most maxWorkers.
	Workers int
	// TempDir holds the copy of a stream that must be read twice; empty
	// means the system's temporary directory.
	TempDir string

	// limits overrides the table sizes (tests).
	limits *limits
}

// limits are the most distinct keys each worker keeps per table.
type limits struct{ addrs, strs int }

// maxWorkers bounds the parallelism, and with it the memory tables take.
const maxWorkers = 4

// defaultLimits returns per-worker table sizes whose total stays within
// the memory budget: about 2^19 addresses and 2^17 strings (per kind)
// across all workers.
func defaultLimits(workers int) limits {
	return limits{addrs: (1 << 19) / max(workers, 2), strs: (1 << 17) / max(workers, 2)}
}

// chunkBytes is the size of the blocks the reader hands to the workers.
const chunkBytes = 1 << 20

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
// prefix (/24, /64), URI, (address, URI) pair and user agent. Malformed
// lines are counted and sampled, never fatal; a source that cannot be
// read to its end adds a warning. Only a source that cannot be opened,
// conflicting options or ctx ending make an error.
//
// With a Window, the newest timestamp is first estimated from the tails
// of plain files; if the full pass finds a newer one (lines out of order,
// compressed input) the sources are read again with the right window.
// A stream is copied to a temporary file first, in that case.
func Scan(ctx context.Context, sources []Source, opts Options) (*Report, error) {
	if opts.Window < 0 {
		return nil, fmt.Errorf("window %s is negative; give a duration such as 10m", opts.Window)
	}
	if opts.Window > 0 && (!opts.Since.IsZero() || !opts.Until.IsZero()) {
		return nil, errors.New("a window relative to the newest request cannot be combined with since or until; use one or the other")
	}
	if !opts.Since.IsZero() && !opts.Until.IsZero() && !opts.Until.After(opts.Since) {
		return nil, fmt.Errorf("until (%s) is not after since (%s)", opts.Until.Format(time.RFC3339), opts.Since.Format(time.RFC3339))
	}
	if len(sources) == 0 {
		return nil, errors.New("no log to read")
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	lim := defaultLimits(workers)
	if opts.limits != nil {
		lim = *opts.limits
	}
	s := &scan{opts: opts, workers: workers, lim: lim, sources: slices.Clone(sources)}
	if opts.Window <= 0 {
		from, to := int64(minUnix), int64(maxUnix)
		if !opts.Since.IsZero() {
			from = opts.Since.Unix()
		}
		if !opts.Until.IsZero() {
			to = opts.Until.Unix()
		}
		return s.pass(ctx, from, to)
	}
	// A relative window: find the newest timestamp, then count.
	for i, src := range s.sources {
		if src.Path == "" {
			sp, err := spool(src, opts.TempDir)
			if err != nil {
				return nil, err
			}
			defer os.Remove(sp.Path)
			s.sources[i] = sp
		}
	}
	newest, known := int64(0), false
	for _, src := range s.sources {
		if t, ok := newestInTail(ctx, src); ok && (!known || t > newest) {
			newest, known = t, true
		}
	}
	if !known {
		// Compressed input only: a quick pass that reads timestamps alone.
		r, err := s.pass(ctx, maxUnix, maxUnix)
		if err != nil {
			return nil, err
		}
		if r.maxSeen == noTime {
			return r, nil
		}
		newest = r.maxSeen
	}
	win := int64(opts.Window / time.Second)
	r, err := s.pass(ctx, newest-win+1, maxUnix)
	if err != nil || r.maxSeen <= newest {
		return r, err
	}
	return s.pass(ctx, r.maxSeen-win+1, maxUnix)
}

// scan is one Scan call: what its passes share.
type scan struct {
	opts    Options
	workers int
	lim     limits
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

// pass reads every source once, counting requests in [from, to).
func (s *scan) pass(ctx context.Context, from, to int64) (*Report, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan []byte, s.workers+2)
	for i := 0; i < s.workers+2; i++ {
		free <- make([]byte, chunkBytes)
	}
	chunks := make(chan *chunk, s.workers)
	ws := make([]*worker, s.workers)
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = newWorker(s, from, to)
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for c := range chunks {
				w.chunk(c)
				if c.release != nil {
					c.release(c.data)
				}
				if c.buf != nil {
					free <- c.buf
				}
			}
		}(ws[i])
	}
	var maps []*mapped
	warnings, err := s.read(ctx, chunks, free, &maps)
	close(chunks)
	wg.Wait()
	for _, m := range maps {
		m.close()
	}
	if err != nil {
		return nil, err
	}
	r := s.report(ws, from, to)
	r.Warnings = warnings
	return r, nil
}

// read feeds the sources to the workers in blocks of whole lines: plain
// files mapped into memory, others (compressed, streams) read through
// buffers. It returns warnings for sources that could not be read to
// their end; it records the mappings for the caller to close once the
// workers are done.
func (s *scan) read(ctx context.Context, chunks chan<- *chunk, free chan []byte, maps *[]*mapped) ([]string, error) {
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
