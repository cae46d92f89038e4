package aws

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// benchZones is how many zones the migration benchmark generates when
// PLUMB_BENCH_ZONES names no directory.
const benchZones = 5000

// benchParallelism is how many zones are planned and applied at once, as
// the engine's default -parallelism does.
const benchParallelism = 10

// migrationZones returns the zone files of the migration benchmark: those
// in $PLUMB_BENCH_ZONES (<domain>.txt, as genzones.py writes them) when
// set, else benchZones written by genzones.py into a scratch directory.
func migrationZones(b *testing.B) (paths, origins []string) {
	b.Helper()
	dir := os.Getenv("PLUMB_BENCH_ZONES")
	if dir == "" {
		dir = b.TempDir()
		gen := genzonesScript(b)
		if out, err := exec.Command("python3", gen, fmt.Sprint(benchZones), dir).CombinedOutput(); err != nil {
			b.Fatalf("python3 %s %d: %v\n%s", gen, benchZones, err, out)
		}
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("%s holds no <domain>.txt zone files (%v); write them with genzones.py N DIR", dir, err)
	}
	for _, p := range paths {
		origins = append(origins, strings.TrimSuffix(filepath.Base(p), ".txt"))
	}
	return paths, origins
}

// genzonesScript finds the shared zone generator: $PLUMB_GENZONES, else
// shared/bench/genzones.py in the working directory or one of its parents
// (the shared folder lies beside the repository).
func genzonesScript(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("PLUMB_GENZONES"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "bench", "genzones.py")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			b.Fatal("genzones.py not found in shared/bench beside the repository; set PLUMB_GENZONES to its path or PLUMB_BENCH_ZONES to a directory of zone files")
		}
		dir = parent
	}
}

// forEachZone runs f(i) for i in [0, n) on benchParallelism goroutines and
// returns the first error.
func forEachZone(n int, f func(i int) error) error {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for range benchParallelism {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && first.Load() == nil; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					first.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}

// BenchmarkRoute53Migration is issue 3's migration against the unthrottled
// emulator: 5,000 zones of about 16 record sets each, the first apply
// (Plan and Apply of every zone, 10 at a time, as the engine calls them)
// and then, in a new run, the no-change plan (Read and Plan of every zone).
// It reports both wall times and fails unless the requests the emulator
// saw are exactly the lower bound: for the apply one CreateHostedZone and
// one ChangeResourceRecordSets per zone and one ListHostedZones page per
// 100 zones that existed before (at least one); for the plan one
// ListHostedZones page per 100 zones and one ListResourceRecordSets page
// per 300 record sets of each zone, and nothing else.
func BenchmarkRoute53Migration(b *testing.B) {
	paths, origins := migrationZones(b)
	parsed, err := dns.ParseZoneFiles(context.Background(), paths, origins, dns.ParseOptions{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	n := len(paths)
	configs, addrs := make([]cty.Value, n), make([]string, n)
	recordPages := 0
	for i, res := range parsed {
		configs[i] = zoneConfig(map[string]cty.Value{"name": cty.StringVal(origins[i]), "records": dns.ListValue(res.Records)})
		addrs[i] = fmt.Sprintf("%s.site[%q]", ZoneType, origins[i])
		sets := len(dns.WithoutApexSOANS(res.Records, origins[i])) + 2 // and Route 53's SOA and NS
		recordPages += (sets + 299) / 300
	}
	ctx := context.Background()
	for b.Loop() {
		e := awstest.StartKumo(b)
		_, r := zoneRes(b, e)
		null := cty.NullVal(r.ty)
		states := make([]cty.Value, n)
		start := time.Now()
		err := forEachZone(n, func(i int) error {
			plan := r.Plan(ctx, providers.PlanRequest{Addr: addrs[i], Prior: null, Config: configs[i]})
			if plan.Diagnostics.HasErrors() {
				return fmt.Errorf("plan %s: %s", origins[i], plan.Diagnostics.Error())
			}
			resp := r.Apply(ctx, providers.ApplyRequest{Addr: addrs[i], Prior: null, Planned: plan.Planned, Config: configs[i]})
			if resp.Diagnostics.HasErrors() {
				return fmt.Errorf("apply %s: %s", origins[i], resp.Diagnostics.Error())
			}
			states[i] = resp.State
			return nil
		})
		applyTime := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		applyCounts := e.Route53().Counts()
		e.Route53().ResetCounts()

		_, r2 := zoneRes(b, e) // a new run: nothing cached
		start = time.Now()
		err = forEachZone(n, func(i int) error {
			read := r2.Read(ctx, providers.ReadRequest{Prior: states[i]})
			if read.Diagnostics.HasErrors() {
				return fmt.Errorf("read %s: %s", origins[i], read.Diagnostics.Error())
			}
			plan := r2.Plan(ctx, providers.PlanRequest{Addr: addrs[i], Prior: read.State, Config: configs[i]})
			if plan.Diagnostics.HasErrors() || !plan.Planned.RawEquals(states[i]) {
				return fmt.Errorf("plan of unchanged %s is not a no-op: %v", origins[i], plan.Diagnostics)
			}
			return nil
		})
		planTime := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		planCounts := e.Route53().Counts()

		wantApply := map[string]int{"CreateHostedZone": n, "ChangeResourceRecordSets": n, "ListHostedZones": 1}
		if diff := cmp.Diff(wantApply, applyCounts); diff != "" {
			b.Errorf("first apply of %d zones: requests (-lower bound +sent):\n%s", n, diff)
		}
		wantPlan := map[string]int{"ListHostedZones": (n + 99) / 100, "ListResourceRecordSets": recordPages}
		if diff := cmp.Diff(wantPlan, planCounts); diff != "" {
			b.Errorf("no-change plan of %d zones: requests (-lower bound +sent):\n%s", n, diff)
		}
		b.ReportMetric(applyTime.Seconds(), "apply-s")
		b.ReportMetric(planTime.Seconds(), "noop-plan-s")
		b.Logf("%d zones: first apply %.1f s (target 60 s), requests %v; no-change plan %.1f s (target 20 s), requests %v",
			n, applyTime.Seconds(), applyCounts, planTime.Seconds(), planCounts)
	}
}

// benchZone is a zone of the standard sets, applied, for the hot-path
// benchmarks.
func benchZone(b *testing.B) (*zoneResource, cty.Value, cty.Value) {
	b.Helper()
	e := awstest.StartKumo(b)
	_, r := zoneRes(b, e)
	lines := append([]string{"@ SOA ns1.bench.test. hostmaster.bench.test. 1 7200 3600 1209600 3600", "@ NS ns1.bench.test.", "@ NS ns2.bench.test."}, standardLines...)
	config := zoneConfig(map[string]cty.Value{"name": cty.StringVal("bench.test"), "records": dns.ListValue(parseRecords(b, "bench.test", lines...))})
	state := applyZone(b, r, "", cty.NullVal(r.ty), config)
	return r, state, config
}

// BenchmarkPlanUnchangedZone is the per-zone cost of a no-change plan
// once the zone is read: a comparison of cty values.
func BenchmarkPlanUnchangedZone(b *testing.B) {
	r, state, config := benchZone(b)
	req := providers.PlanRequest{Prior: state, Config: config}
	if resp := r.Plan(context.Background(), req); !resp.Planned.RawEquals(state) {
		b.Fatal("not a no-op")
	}
	for b.Loop() {
		if resp := r.Plan(context.Background(), req); len(resp.Diagnostics) > 0 {
			b.Fatal(resp.Diagnostics.Error())
		}
	}
}

// BenchmarkReadUnchangedZone is the work Read does for an unchanged zone
// besides its requests: Route 53's sets compared with the state's list.
// The "normalised" case is the slower path Read takes when they are not
// written alike (a zone edited outside plumb): every set normalised and
// the list decoded.
func BenchmarkReadUnchangedZone(b *testing.B) {
	r, state, _ := benchZone(b)
	sets, err := listRecordSets(context.Background(), r.p.Route53(), state.GetAttr("zone_id").AsString())
	if err != nil {
		b.Fatal(err)
	}
	recs := state.GetAttr("records")
	b.Run("as written", func(b *testing.B) {
		for b.Loop() {
			if !liveMatches(recs, sets, "bench.test.", false) {
				b.Fatal("an unchanged zone does not match")
			}
		}
	})
	b.Run("normalised", func(b *testing.B) {
		for b.Loop() {
			pr, err := decodeRecords(recs, "bench.test.", false)
			if err != nil {
				b.Fatal(err)
			}
			live := sortOut(sets, "bench.test.", pr.apexManaged)
			if !pr.reconcile(recs, live.managed).RawEquals(recs) {
				b.Fatal("drift in an unchanged zone")
			}
		}
	})
}
