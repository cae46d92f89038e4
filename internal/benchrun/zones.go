package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/plumbhq/plumb/internal/zonegen"
)

// The zone benchmark (issue: zone files read exactly as BIND reads them):
// one bind_zone from a generated zone file, its records written both ways
// (the plain zonefile() and a for-expression over it), applied once, then
// planned with nothing to change. Targets: a million records in at most
// 10 s and 1.5 GB on 2 cores, at most 11 times the time of 100,000; 20,000
// records through the for-expression in at most 0.5 s.

// zoneForms are the two ways of writing a zone's records.
var zoneForms = []struct{ name, expr string }{
	{"zonefile()", `zonefile("zone.db", "big.example")`},
	{"for-expression", `[for r in zonefile("zone.db", "big.example") : r if r.type != "SOA"]`},
}

// runZones measures the zone plans and rewrites the "zones" section.
func runZones(bin, scratch, doc string, runs int) {
	type row struct {
		n     int
		form  string
		apply measurement
		plan  measurement
	}
	var rows []row
	loadBefore := loadAverage()
	for _, n := range []int{20_000, 100_000, 1_000_000} {
		for fi, form := range zoneForms {
			if n == 20_000 && fi == 0 {
				continue // the small zone's target is for the for-expression
			}
			dir := filepath.Join(scratch, fmt.Sprintf("zone-%d-%d", n, fi))
			if err := writeZoneConfig(dir, n, form.expr); err != nil {
				fail(err)
			}
			apply := mustRun(bin, dir, "apply", "-auto-approve")
			var plans []measurement
			for range runs {
				plans = append(plans, mustRun(bin, dir, "plan", "-detailed-exitcode"))
			}
			r := row{n, form.name, apply, median(plans)}
			rows = append(rows, r)
			fmt.Fprintf(os.Stderr, "zone %d %s: apply %s, plan %s (%s CPU, %.0f MB)\n", n, form.name, secs(apply.wall), secs(r.plan.wall), secs(r.plan.cpu), r.plan.peakMB)
			os.RemoveAll(dir)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %s (%d cores, %s) with `make bench`; load average %s at the start, %s at the end.\n\n",
		time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.Version(), loadBefore, loadAverage())
	b.WriteString("| records | written as | first apply (CPU, peak memory) | no-change plan (median of " + fmt.Sprint(runs) + ") | plan CPU (user+sys) | plan peak memory |\n|---|---|---|---|---|---|\n")
	plan := map[string]measurement{}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %s | %s (%s, %.0f MB) | %s | %s | %.0f MB |\n", r.n, r.form, secs(r.apply.wall), secs(r.apply.cpu), r.apply.peakMB, secs(r.plan.wall), secs(r.plan.cpu), r.plan.peakMB)
		plan[fmt.Sprint(r.n, r.form)] = r.plan
	}
	b.WriteString("\n")
	for _, f := range zoneForms {
		small, large := plan[fmt.Sprint(100_000, f.name)], plan[fmt.Sprint(1_000_000, f.name)]
		fmt.Fprintf(&b, "Written with %s, the plan of 1,000,000 records took %.1f× the wall time of 100,000 and %.1f× its CPU time (target: at most 11×).\n",
			f.name, large.wall.Seconds()/small.wall.Seconds(), large.cpu.Seconds()/small.cpu.Seconds())
	}
	if err := rewriteSection(doc, "zones", b.String()); err != nil {
		fail(err)
	}
}

// writeZoneConfig writes a zone of n records and a bind_zone over it.
func writeZoneConfig(dir string, n int, records string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "zone.db"))
	if err != nil {
		return err
	}
	if err := zonegen.Write(f, "big.example", n); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	src := fmt.Sprintf("resource \"bind_zone\" \"big\" {\n  name      = \"big.example\"\n  directory = \"out\"\n  records   = %s\n}\n", records)
	return os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644)
}

// loadAverage returns the one-minute load average, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}
