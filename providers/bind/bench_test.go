package bind

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// siteZone returns the record sets of a zone like the ones a hosting
// team keeps (and genzones.py writes): NS, MX, SPF and DMARC, SRV, a
// CNAME to the apex and a few hosts; about 16 sets. SOA not included.
func siteZone(tb testing.TB, rng *rand.Rand, origin string) []dns.Record {
	tb.Helper()
	octet := func() int { return 1 + rng.IntN(254) }
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL 3600\n", origin)
	fmt.Fprintf(&b, "@ IN NS ns1.example.net.\n@ IN NS ns2.example.net.\n@ IN A 192.0.2.%d\nwww IN CNAME @\n", octet())
	fmt.Fprintf(&b, "mail IN A 198.51.100.%d\n@ IN MX 10 mail\n@ IN MX 20 mx2.example.net.\n", octet())
	fmt.Fprintf(&b, "@ IN TXT \"v=spf1 mx a -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@%s\"\n", strings.TrimSuffix(origin, "."))
	fmt.Fprintf(&b, "ftp 1800 IN A 203.0.113.%d\nipv6 IN AAAA 2001:db8::%x\n", octet(), 1+rng.IntN(65535))
	fmt.Fprintf(&b, "_sip._tcp IN SRV 10 60 5060 sip\nsip IN A 192.0.2.%d\n", octet())
	for h := range 2 + rng.IntN(7) {
		fmt.Fprintf(&b, "host%d IN A 10.%d.%d.%d\n", h, rng.IntN(256), rng.IntN(256), octet())
	}
	res, err := dns.ParseZone(strings.NewReader(b.String()), "bench.zone", origin, dns.ParseOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Records
}

// benchZones makes n zones in dir, each as its state and the unchanged
// configuration (records as zonefile() gives them), with the files
// written as Apply writes them (without the fsyncs).
func benchZones(b *testing.B, r *zoneResource, dir string, n int) (states, configs []cty.Value) {
	b.Helper()
	rng := rand.New(rand.NewPCG(42, 42))
	for i := range n {
		origin := fmt.Sprintf("site%05d.example.", i)
		cfg := r.schema.Complete(zoneCfg(origin, dir, siteZone(b, rng, origin), nil))
		p := r.Plan(context.Background(), providers.PlanRequest{Prior: r.null, Config: cfg})
		if p.Diagnostics.HasErrors() {
			b.Fatal(p.Diagnostics.Error())
		}
		m := p.Planned.AsValueMap()
		m["serial"] = cty.NumberIntVal(2026112500)
		state := cty.ObjectVal(m)
		z, ok := storedZone(state)
		if !ok {
			b.Fatal("cannot render the state")
		}
		data, err := z.render()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, defaultFilename(origin)), data, 0o644); err != nil {
			b.Fatal(err)
		}
		states, configs = append(states, state), append(configs, cfg)
	}
	return states, configs
}

// perZone reports the time per zone of a benchmark whose iterations each
// cover n zones.
func perZone(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1000, "µs/zone")
}

// BenchmarkPlan5000Unchanged plans 5,000 unchanged zones of about 16
// record sets each, as the engine does for each instance: ValidateConfig,
// then Plan. One iteration is all 5,000.
func BenchmarkPlan5000Unchanged(b *testing.B) {
	r := testResource()
	states, configs := benchZones(b, r, b.TempDir(), 5000)
	ctx := context.Background()
	for i := range states {
		if p := r.Plan(ctx, providers.PlanRequest{Prior: states[i], Config: configs[i]}); !p.Planned.RawEquals(states[i]) {
			b.Fatal("an unchanged zone planned a change")
		}
	}
	for b.Loop() {
		for i := range states {
			if d := r.ValidateConfig(ctx, configs[i]); d.HasErrors() {
				b.Fatal(d.Error())
			}
			r.Plan(ctx, providers.PlanRequest{Prior: states[i], Config: configs[i]})
		}
	}
	perZone(b, len(states))
}

// BenchmarkRead5000Unchanged refreshes 5,000 untouched zone files.
func BenchmarkRead5000Unchanged(b *testing.B) {
	r := testResource()
	states, _ := benchZones(b, r, b.TempDir(), 5000)
	ctx := context.Background()
	for _, s := range states {
		if resp := r.Read(ctx, providers.ReadRequest{Prior: s}); !resp.State.RawEquals(s) {
			b.Fatal("an untouched zone read differently")
		}
	}
	for b.Loop() {
		for _, s := range states {
			if resp := r.Read(ctx, providers.ReadRequest{Prior: s}); resp.Diagnostics.HasErrors() {
				b.Fatal(resp.Diagnostics.Error())
			}
		}
	}
	perZone(b, len(states))
}

// BenchmarkReadDrifted refreshes one zone file edited by hand, which is
// parsed and compared.
func BenchmarkReadDrifted(b *testing.B) {
	r := testResource()
	states, _ := benchZones(b, r, b.TempDir(), 1)
	path := states[0].GetAttr("path").AsString()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, "extra IN A 192.0.2.99\n"...), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if resp := r.Read(ctx, providers.ReadRequest{Prior: states[0]}); resp.State.RawEquals(states[0]) {
			b.Fatal("the drift was not seen")
		}
	}
}

// BenchmarkPlanOneRecordChanged plans a zone with one changed record set:
// the records are normalised and diffed.
func BenchmarkPlanOneRecordChanged(b *testing.B) {
	r := testResource()
	states, configs := benchZones(b, r, b.TempDir(), 1)
	recs, err := dns.FromListValue(configs[0].GetAttr("records"))
	if err != nil {
		b.Fatal(err)
	}
	last := len(recs) - 1
	recs[last].Values = []string{"10.9.9.9"}
	m := configs[0].AsValueMap()
	m["records"] = dns.ListValue(recs)
	cfg := cty.ObjectVal(m)
	ctx := context.Background()
	for b.Loop() {
		if p := r.Plan(ctx, providers.PlanRequest{Prior: states[0], Config: cfg}); p.Planned.GetAttr("serial").IsKnown() {
			b.Fatal("the change was not seen")
		}
	}
}

// BenchmarkPlanUnchanged plans one unchanged zone: the per-instance cost
// with the data in cache.
func BenchmarkPlanUnchanged(b *testing.B) {
	r := testResource()
	states, configs := benchZones(b, r, b.TempDir(), 1)
	ctx := context.Background()
	if p := r.Plan(ctx, providers.PlanRequest{Prior: states[0], Config: configs[0]}); !p.Planned.RawEquals(states[0]) {
		b.Fatal("an unchanged zone planned a change")
	}
	for b.Loop() {
		if d := r.ValidateConfig(ctx, configs[0]); d.HasErrors() {
			b.Fatal(d.Error())
		}
		r.Plan(ctx, providers.PlanRequest{Prior: states[0], Config: configs[0]})
	}
}

// BenchmarkReadUnchanged refreshes one untouched zone file.
func BenchmarkReadUnchanged(b *testing.B) {
	r := testResource()
	states, _ := benchZones(b, r, b.TempDir(), 1)
	ctx := context.Background()
	for b.Loop() {
		if resp := r.Read(ctx, providers.ReadRequest{Prior: states[0]}); resp.Diagnostics.HasErrors() {
			b.Fatal(resp.Diagnostics.Error())
		}
	}
}
