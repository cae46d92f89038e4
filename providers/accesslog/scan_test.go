package accesslog

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var smallLog = genOpts{lines: 20000, perSecond: 10, normal: 500, attackers: 5, attackShare: 0.2, garbageEvery: 1000, seed: 1}

// writeLog generates a log into a file of dir and returns its path.
func writeLog(t *testing.T, dir, name string, o genOpts) (string, truth) {
	t.Helper()
	var b bytes.Buffer
	tr := genLog(&b, o)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, tr
}

func scanFiles(t *testing.T, opts Options, paths ...string) *Report {
	t.Helper()
	src, err := FileSources(paths)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Scan(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScanCounts(t *testing.T) {
	p, tr := writeLog(t, t.TempDir(), "access.log", smallLog)
	data, _ := os.ReadFile(p)
	o := newOracle(data, nil)
	for _, workers := range []int{1, 3} {
		r := scanFiles(t, Options{Workers: workers, Top: 1 << 20}, p)
		checkExact(t, r, o, 1<<20, 0)
		if r.Requests != int64(len(tr.lineTimes)) || r.Malformed != int64(len(tr.garbage)) || r.Lines != int64(smallLog.lines) {
			t.Errorf("requests %d malformed %d lines %d; want %d, %d, %d", r.Requests, r.Malformed, r.Lines, len(tr.lineTimes), len(tr.garbage), smallLog.lines)
		}
		if len(r.Samples) != maxSamples {
			t.Fatalf("samples %v", r.Samples)
		}
		for i, s := range r.Samples {
			if s.Line != tr.garbage[i] || s.Source != p || !strings.Contains(s.Text, "garbage") {
				t.Errorf("sample %d = %+v, want line %d of %s", i, s, tr.garbage[i], p)
			}
		}
		if r.Prefixes[0].Key != "203.0.113.0/24" || r.Prefixes[0].Count.Count != sumPrefix(tr.clients, "203.0.113.") {
			t.Errorf("top prefix %+v", r.Prefixes[0])
		}
		if want := time.Unix(tr.lineTimes[len(tr.lineTimes)-1], 0); !r.Newest.Equal(want) {
			t.Errorf("newest %v, want %v", r.Newest, want)
		}
	}
}

func sumPrefix(m map[string]int64, prefix string) int64 {
	var n int64
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// TestScanWindow checks relative windows, also when the newest line is
// not at the end (the estimate from the file's tail is wrong, and the
// scanner must read again), and absolute since/until.
func TestScanWindow(t *testing.T) {
	dir := t.TempDir()
	p, tr := writeLog(t, dir, "access.log", smallLog)
	newest := tr.lineTimes[len(tr.lineTimes)-1]
	count := func(from, to int64) int64 {
		var n int64
		for _, u := range tr.lineTimes {
			if u >= from && u < to {
				n++
			}
		}
		return n
	}
	r := scanFiles(t, Options{Window: 5 * time.Minute}, p)
	if want := count(newest-299, newest+1); r.Requests != want {
		t.Errorf("5m window: %d requests, want %d", r.Requests, want)
	}
	// Out of order: a line newer than all others at the start of the file.
	data, _ := os.ReadFile(p)
	late := genStart.Add(time.Hour)
	first := "198.51.100.1 - - [" + late.Format("02/Jan/2006:15:04:05 -0700") + "] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"
	q := filepath.Join(dir, "ooo.log")
	os.WriteFile(q, append([]byte(first), data...), 0o644)
	r = scanFiles(t, Options{Window: time.Hour}, q)
	if want := count(late.Unix()-3599, late.Unix()+1) + 1; r.Requests != want || !r.Newest.Equal(late) {
		t.Errorf("out-of-order 1h window: %d requests to %v, want %d to %v", r.Requests, r.Newest, want, late)
	}
	since, until := genStart.Add(10*time.Minute), genStart.Add(20*time.Minute)
	r = scanFiles(t, Options{Since: since, Until: until}, p)
	if want := count(since.Unix(), until.Unix()); r.Requests != want {
		t.Errorf("since/until: %d requests, want %d", r.Requests, want)
	}
	if _, err := Scan(context.Background(), []Source{{Name: p, Path: p}}, Options{Window: time.Minute, Since: since}); err == nil {
		t.Error("window with since accepted")
	}
}

// TestScanRotatedAndStreams: a rotated set (plain and gzip) read through
// a pattern, and a stream read with a window, give the same counts as
// the single file.
func TestScanRotatedAndStreams(t *testing.T) {
	dir := t.TempDir()
	var all bytes.Buffer
	genLog(&all, smallLog)
	lines := strings.SplitAfter(all.String(), "\n")
	third := len(lines) / 3
	parts := []string{strings.Join(lines[:third], ""), strings.Join(lines[third:2*third], ""), strings.Join(lines[2*third:], "")}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(parts[0]))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "access.log.2.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "access.log.1"), []byte(parts[1]), 0o644)
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(parts[2]), 0o644)
	whole := filepath.Join(dir, "whole")
	os.WriteFile(whole, all.Bytes(), 0o644)

	want := scanFiles(t, Options{}, whole)
	got := scanFiles(t, Options{}, filepath.Join(dir, "access.log*"))
	if len(got.Sources) != 3 || got.Requests != want.Requests || got.Malformed != want.Malformed {
		t.Fatalf("rotated set: sources %v, %d requests, %d malformed; want 3, %d, %d", got.Sources, got.Requests, got.Malformed, want.Requests, want.Malformed)
	}
	sameTop(t, "rotated", got, want)

	// Only compressed input with a window: the newest time comes from a
	// first pass.
	wantWin := scanFiles(t, Options{Window: 2 * time.Minute}, filepath.Join(dir, "access.log"))
	gotWin := scanFiles(t, Options{Window: 2 * time.Minute}, filepath.Join(dir, "access.log.2.gz"))
	if gotWin.Requests == 0 || gotWin.Newest.After(wantWin.Oldest) {
		t.Errorf("gzip-only window: %d requests up to %v", gotWin.Requests, gotWin.Newest)
	}

	tmp := t.TempDir()
	stream, err := Scan(context.Background(), []Source{StreamSource("-", bytes.NewReader(all.Bytes()))}, Options{Window: 3 * time.Minute, TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	file := scanFiles(t, Options{Window: 3 * time.Minute}, whole)
	if stream.Requests != file.Requests || stream.Requests == 0 {
		t.Errorf("stream with a window: %d requests, want %d", stream.Requests, file.Requests)
	}
	sameTop(t, "stream", stream, file)
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the stream's copy was left behind: %v", left)
	}
}

func sameTop(t *testing.T, what string, got, want *Report) {
	t.Helper()
	for i := 0; i < 10 && i < len(want.Clients); i++ {
		if got.Clients[i] != want.Clients[i] {
			t.Errorf("%s: client %d = %+v, want %+v", what, i, got.Clients[i], want.Clients[i])
		}
	}
}

// TestScanBadInput mixes garbage, binary, overlong and truncated lines,
// CRLF endings and a missing final newline: all counted, none fatal.
func TestScanBadInput(t *testing.T) {
	good := `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET / HTTP/1.1" 200 1 "-" "a"`
	huge := "203.0.113.6 - - [23/Nov/2024:22:13:20 +0000] \"GET /" + strings.Repeat("x", 3*chunkBytes) + " HTTP/1.1\" 200 1"
	long := "203.0.113.7 - - [23/Nov/2024:22:13:20 +0000] \"GET /" + strings.Repeat("y", MaxLineBytes) + " HTTP/1.1\" 200 1"
	lines := []string{
		good, "\x00\x01\x02binary\xff", good + "\r", huge, good, long, "", `203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /trunc`,
		"2001:db8::1 - - [23/Nov/2024:22:13:21 +0000] \"GET / HTTP/1.1\" 200 1", good,
	}
	input := strings.Join(lines, "\n") // no final newline
	file := filepath.Join(t.TempDir(), "mixed.log")
	os.WriteFile(file, []byte(input), 0o644)
	// Once as a stream (read through buffers), once as a file (mapped).
	for _, src := range []Source{StreamSource("mixed", strings.NewReader(input)), {Name: file, Path: file}} {
		r, err := Scan(context.Background(), []Source{src}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkBadInput(t, r)
	}
}

func checkBadInput(t *testing.T, r *Report) {
	t.Helper()
	if r.Requests != 5 || r.Malformed != 4 {
		t.Errorf("requests %d malformed %d (%v); want 5 and 4", r.Requests, r.Malformed, r.MalformedBy)
	}
	if r.MalformedBy[ReasonTooLong.String()] != 2 {
		t.Errorf("too long: %v", r.MalformedBy)
	}
	wantLines := []int64{2, 4, 6, 8}
	for i, s := range r.Samples {
		if i < len(wantLines) && s.Line != wantLines[i] {
			t.Errorf("sample %d at line %d, want %d (%+v)", i, s.Line, wantLines[i], s)
		}
	}
	if r.Clients[0].Key != "203.0.113.5" || r.Clients[0].Count != 4 {
		t.Errorf("top client %+v", r.Clients[0])
	}
}

func TestFileSourcesErrors(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{filepath.Join(dir, "missing.log"), filepath.Join(dir, "none-*.log"), dir, "[bad"} {
		if _, err := FileSources([]string{p}); err == nil {
			t.Errorf("FileSources(%q) succeeded", p)
		}
	}
}

// TestScanSample reads the sample log kept for the dos-triage example:
// three attackers (one logged as an IPv4-mapped IPv6 address), a source
// spread over one /24, IPv6 clients, bad lines and a late line.
func TestScanSample(t *testing.T) {
	r := scanFiles(t, Options{Window: 10 * time.Minute, Top: 100}, "testdata/sample-access.log")
	if r.Malformed != 3 || len(r.Samples) != 3 {
		t.Errorf("malformed %d (%v), want 3", r.Malformed, r.MalformedBy)
	}
	top := map[string]int64{}
	for _, c := range Over(r.Clients, 100) {
		top[c.Key] = c.Count
	}
	if len(top) != 3 || top["203.0.113.7"] == 0 || top["203.0.113.8"] == 0 || top["203.0.113.9"] == 0 {
		t.Errorf("offenders over 100 requests: %v, want the three attackers (203.0.113.9 unmapped)", top)
	}
	nets := map[string]int64{}
	for _, c := range r.Prefixes {
		nets[c.Key] = c.Count.Count
	}
	for _, c := range r.Clients {
		if strings.HasPrefix(c.Key, "192.0.2.") && c.Count >= 100 {
			t.Errorf("spread-out client %s has %d requests; the sample spreads them thin", c.Key, c.Count)
		}
	}
	if nets["192.0.2.0/24"] != 600 || nets["2001:db8:1::/64"] == 0 {
		t.Errorf("networks %v, want 192.0.2.0/24 with 600 and the IPv6 /64", nets)
	}
}
