// Command benchrun runs plumb's whole-program benchmarks: it writes
// configurations into scratch folders, runs the plumb binary on them,
// measures wall time and peak memory of each run, and writes the figures
// into docs/benchmarks.md between the markers of its section.
//
//	go run ./internal/benchrun -plumb bin/plumb -doc docs/benchmarks.md
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/plumbhq/plumb/internal/loggen"
)

// measurement is one run of plumb.
type measurement struct {
	wall   time.Duration
	cpu    time.Duration // user and system time
	peakMB float64
}

func main() {
	plumb := flag.String("plumb", "bin/plumb", "the plumb binary to measure")
	doc := flag.String("doc", "docs/benchmarks.md", "the document whose section to rewrite")
	runs := flag.Int("runs", 3, "runs of each no-change plan; the median is reported")
	section := flag.String("section", "", "only rewrite this section of the document with standard input (for figures other scripts measure)")
	hostile := flag.String("hostile-log", "", "only write a hostile access log of -size-mb megabytes to `FILE` (internal/loggen), for scripts/bench-detect.sh")
	sizeMB := flag.Int64("size-mb", 176, "with -hostile-log, the log's size in megabytes")
	zones := flag.Bool("zones", false, "only run the zone benchmark (one bind_zone of 20,000 to 1,000,000 records) and rewrite its section")
	flag.Parse()
	if *hostile != "" {
		if err := writeHostile(*hostile, *sizeMB<<20); err != nil {
			fail(err)
		}
		return
	}
	if *section != "" {
		body, err := io.ReadAll(os.Stdin)
		if err != nil {
			fail(err)
		}
		if err := rewriteSection(*doc, *section, string(body)); err != nil {
			fail(err)
		}
		return
	}
	bin, err := filepath.Abs(*plumb)
	if err != nil {
		fail(err)
	}
	scratch, err := os.MkdirTemp("", "plumb-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(scratch)

	if *zones {
		runZones(bin, scratch, *doc, *runs)
		return
	}

	var rows []string
	results := map[int][2]measurement{}
	for _, n := range []int{10000, 20000} {
		dir := filepath.Join(scratch, fmt.Sprint(n))
		if err := writeCounted(dir, n); err != nil {
			fail(err)
		}
		apply := mustRun(bin, dir, "apply", "-auto-approve")
		var plans []measurement
		for i := 0; i < *runs; i++ {
			m := mustRun(bin, dir, "plan", "-detailed-exitcode")
			plans = append(plans, m)
		}
		plan := median(plans)
		results[n] = [2]measurement{apply, plan}
		rows = append(rows,
			fmt.Sprintf("| first apply, %d × plumb_data | %s | %.0f MB |", n, secs(apply.wall), apply.peakMB),
			fmt.Sprintf("| no-change plan, %d × plumb_data (median of %d) | %s | %.0f MB |", n, *runs, secs(plan.wall), plan.peakMB))
		fmt.Fprintf(os.Stderr, "%d: apply %s, plan %s (%.0f MB)\n", n, secs(apply.wall), secs(plan.wall), plan.peakMB)
	}
	ratio := results[20000][1].wall.Seconds() / results[10000][1].wall.Seconds()

	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s (%d cores, %s) with `make bench`.\n\n", time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.Version())
	b.WriteString("| run | wall time | peak memory |\n|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	fmt.Fprintf(&b, "\nNo-change plan of 20,000 took %.2f× the time of 10,000 (target: at most 2.5×).\n", ratio)
	if err := rewriteSection(*doc, "whole-program", b.String()); err != nil {
		fail(err)
	}
}

// writeHostile writes the hostile log of the triage benchmarks.
func writeHostile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := loggen.WriteHostile(f, loggen.DefaultHostile(size)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeCounted writes the benchmark configuration of the engine issue.
func writeCounted(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf("resource \"plumb_data\" \"r\" {\n  count = %d\n  input = \"value-${count.index}\"\n}\n", n)
	return os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644)
}

// mustRun runs plumb in dir, measuring its wall time and peak memory;
// exit code 2 (changes present) counts as success.
func mustRun(bin, dir string, args ...string) measurement {
	cmd := exec.Command(bin, append([]string{"-chdir=" + dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 2) {
		fail(fmt.Errorf("plumb %v: %v\n%s", args, err, stderr.String()))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var peak float64
	var cpu time.Duration
	if ru != nil {
		peak = float64(ru.Maxrss) / 1024 // Linux reports kilobytes
		cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return measurement{wall: wall, cpu: cpu, peakMB: peak}
}

func median(ms []measurement) measurement {
	sort.Slice(ms, func(i, j int) bool { return ms[i].wall < ms[j].wall })
	return ms[len(ms)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// rewriteSection replaces the text between <!-- bench:NAME --> and
// <!-- /bench:NAME --> in the document, adding the section if missing.
func rewriteSection(path, name, body string) error {
	open, close := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section := open + "\n" + body + close
	i, j := strings.Index(text, open), strings.Index(text, close)
	if i >= 0 && j > i {
		text = text[:i] + section + text[j+len(close):]
	} else {
		text += "\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchrun:", err)
	os.Exit(1)
}
