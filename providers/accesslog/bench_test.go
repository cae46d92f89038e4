package accesslog

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/loggen"
)

// benchLog returns a generated combined log of PLUMB_BENCH_LOG_MB
// megabytes (default 64), or the file PLUMB_BENCH_LOG names (such as one
// written by the benchmark script's generator).
func benchLog(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("PLUMB_BENCH_LOG"); p != "" {
		return p
	}
	mb := 64
	if s := os.Getenv("PLUMB_BENCH_LOG_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("PLUMB_BENCH_LOG_MB=%q: want a whole number of megabytes", s)
		}
		mb = n
	}
	p := filepath.Join(b.TempDir(), "access.log")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	// About 140 bytes a line, 100,000 clients, 15% of lines from 20
	// attackers: the shape of the benchmark script's log.
	genLog(w, genOpts{lines: mb << 20 / 140, perSecond: 2000, normal: 100000, attackers: 20, attackShare: 0.15, garbageEvery: 100000, seed: 7})
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return p
}

// hostileBenchLog returns a hostile log (internal/loggen) of
// PLUMB_BENCH_HOSTILE_MB megabytes (default 64), or the file
// PLUMB_BENCH_HOSTILE_LOG names (such as the 176 MB one of
// scripts/bench-detect.sh).
func hostileBenchLog(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("PLUMB_BENCH_HOSTILE_LOG"); p != "" {
		return p
	}
	mb := 64
	if s := os.Getenv("PLUMB_BENCH_HOSTILE_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("PLUMB_BENCH_HOSTILE_MB=%q: want a whole number of megabytes", s)
		}
		mb = n
	}
	p := filepath.Join(b.TempDir(), "hostile.log")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := loggen.WriteHostile(f, loggen.DefaultHostile(int64(mb)<<20)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkScan measures a full scan of a generated log (MB/s), and the
// heap in use at its end.
func BenchmarkScan(b *testing.B) { benchScan(b, benchLog(b)) }

// BenchmarkScanHostile is BenchmarkScan on a hostile log: nearly every
// line a new client, URI and user agent.
func BenchmarkScanHostile(b *testing.B) { benchScan(b, hostileBenchLog(b)) }

func benchScan(b *testing.B, p string) {
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	src, err := FileSources([]string{p})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ResetTimer()
	cpu0 := cpuTime()
	var r *Report
	for i := 0; i < b.N; i++ {
		if r, err = Scan(context.Background(), src, Options{Threshold: 45}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time, user and system, of all threads: on a machine shared
	// with other jobs it varies less than the wall time.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(r.Lines)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mlines/s")
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseLine measures the line parser alone.
func BenchmarkParseLine(b *testing.B) {
	ln := []byte(`203.0.113.5 - - [23/Nov/2024:22:13:20 +0000] "GET /wp-login.php HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"`)
	var tc timeCache
	b.SetBytes(int64(len(ln)))
	for i := 0; i < b.N; i++ {
		if _, _, why := parseLine(ln, &tc, minUnix, maxUnix); why != ReasonNone {
			b.Fatal(why)
		}
	}
}
