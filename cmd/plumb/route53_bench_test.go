package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/awstest"
)

// BenchmarkRoute53Zones is the whole-program measurement of the DNS issue:
// the plumb binary moves N generated zone files (genzones.py; N from
// PLUMB_BENCH_ZONES, default 5000) into Route 53 — kumo behind the
// project's shim, unthrottled — then plans again with nothing to change.
// It reports both wall times and the API calls each run made, which must
// equal the lower bound. Run it with make bench (or go test -run XXX
// -bench Route53Zones -benchtime 1x ./cmd/plumb).
func BenchmarkRoute53Zones(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("PLUMB_BENCH_ZONES")); err == nil && v > 0 {
		n = v
	}
	gen := filepath.Join("..", "..", "..", "shared", "bench", "genzones.py")
	if g := os.Getenv("PLUMB_GENZONES"); g != "" {
		gen = g
	}
	for b.Loop() {
		emu := awstest.StartKumo(b)
		dir := b.TempDir()
		if out, err := exec.Command("python3", gen, strconv.Itoa(n), filepath.Join(dir, "zones")).CombinedOutput(); err != nil {
			b.Fatalf("genzones.py (set PLUMB_GENZONES to its path): %v\n%s", err, out)
		}
		cfg := emu.ProviderHCL() + `
resource "aws_route53_zone" "z" {
  for_each = { for f in fileset("zones", "*.txt") : trimsuffix(f, ".txt") => f }
  name     = each.key
  records  = zonefile("zones/${each.value}", each.key)
}
`
		os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(cfg), 0o644)
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir()}
		shim := emu.Route53()
		shim.ResetCounts()
		start := time.Now()
		run := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve", "-parallelism=10")
		run.Env = env
		if out, err := run.CombinedOutput(); err != nil {
			b.Fatalf("apply: %v\n%.2000s", err, out)
		}
		apply := time.Since(start)
		applyCalls := shim.Counts()
		shim.ResetCounts()
		start = time.Now()
		run = exec.Command(plumbBin, "-chdir="+dir, "plan", "-detailed-exitcode", "-parallelism=10")
		run.Env = env
		if out, err := run.CombinedOutput(); err != nil {
			b.Fatalf("no-change plan: %v\n%.2000s", err, out)
		}
		planTime := time.Since(start)
		planCalls := shim.Counts()
		b.ReportMetric(apply.Seconds(), "apply-s")
		b.ReportMetric(planTime.Seconds(), "plan-s")
		b.ReportMetric(float64(applyCalls["CreateHostedZone"]), "apply-CreateHostedZone")
		b.ReportMetric(float64(applyCalls["ChangeResourceRecordSets"]), "apply-ChangeRRSets")
		b.ReportMetric(float64(applyCalls["ListHostedZones"]), "apply-ListHostedZones")
		b.ReportMetric(float64(planCalls["ListHostedZones"]), "plan-ListHostedZones")
		b.ReportMetric(float64(planCalls["ListResourceRecordSets"]), "plan-ListRRSets")
		fmt.Fprintf(os.Stderr, "%d zones: apply %.1f s %v; no-change plan %.1f s %v\n", n, apply.Seconds(), applyCalls, planTime.Seconds(), planCalls)
	}
}
