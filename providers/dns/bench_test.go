package dns

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plumbhq/plumb/internal/zonegen"
)

// genZones writes n zone files like the ones a hosting team keeps (SOA, NS,
// MX, SPF and DMARC TXT, SRV, a CNAME to the apex and a few hosts) to dir,
// as <origin>.txt, and returns their paths and origins.
func genZones(t testing.TB, dir string, n int) (paths, origins []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(42, 42))
	octet := func() int { return 1 + rng.IntN(254) }
	for i := range n {
		d := fmt.Sprintf("site%05d.example", i)
		var b strings.Builder
		fmt.Fprintf(&b, "$ORIGIN %s.\n$TTL 3600\n", d)
		fmt.Fprintf(&b, "@ IN SOA ns1.%s. hostmaster.%s. ( %d 7200 3600 1209600 3600 )\n", d, d, 2010010101+rng.IntN(1e8))
		fmt.Fprintf(&b, "@ IN NS ns1.%s.\n@ IN NS ns2.%s.\n@ IN A 192.0.2.%d\nwww IN CNAME @\n", d, d, octet())
		fmt.Fprintf(&b, "mail IN A 198.51.100.%d\n@ IN MX 10 mail\n@ IN MX 20 mx2.example.net.\n", octet())
		fmt.Fprintf(&b, "@ IN TXT \"v=spf1 mx a -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@%s\"\n", d)
		fmt.Fprintf(&b, "ftp 1800 IN A 203.0.113.%d\nipv6 IN AAAA 2001:db8::%x\n", octet(), 1+rng.IntN(65535))
		fmt.Fprintf(&b, "_sip._tcp IN SRV 10 60 5060 sip\nsip IN A 192.0.2.%d\n", octet())
		for h := range 2 + rng.IntN(7) {
			fmt.Fprintf(&b, "host%d IN A 10.%d.%d.%d\n", h, rng.IntN(256), rng.IntN(256), octet())
		}
		p := filepath.Join(dir, d+".txt")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths, origins = append(paths, p), append(origins, d)
	}
	return paths, origins
}

// benchZones returns the zone files to parse: those in $PLUMB_BENCH_ZONES
// (written by the shared genzones.py) when set, else 5,000 generated ones.
func benchZones(b *testing.B) (paths, origins []string) {
	b.Helper()
	if dir := os.Getenv("PLUMB_BENCH_ZONES"); dir != "" {
		paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
		if err != nil || len(paths) == 0 {
			b.Fatalf("PLUMB_BENCH_ZONES=%s holds no *.txt zone files (%v)", dir, err)
		}
		for _, p := range paths {
			origins = append(origins, strings.TrimSuffix(filepath.Base(p), ".txt"))
		}
		return paths, origins
	}
	return genZones(b, b.TempDir(), 5000)
}

// The benchmark's zones are valid, so the benchmark measures real work.
func TestGeneratedZonesParse(t *testing.T) {
	paths, origins := genZones(t, t.TempDir(), 20)
	res, err := ParseZoneFiles(context.Background(), paths, origins, ParseOptions{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if len(r.Records) < 12 || len(r.Warnings) != 0 {
			t.Errorf("%s: %d record sets, warnings %v", paths[i], len(r.Records), r.Warnings)
		}
	}
}

// BenchmarkParseZoneFiles parses 5,000 zone files in parallel; one
// iteration is the whole set.
func BenchmarkParseZoneFiles(b *testing.B) {
	paths, origins := benchZones(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ParseZoneFiles(context.Background(), paths, origins, ParseOptions{}, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(paths)), "µs/zone")
}

// BenchmarkParseZoneFile parses one typical zone file.
func BenchmarkParseZoneFile(b *testing.B) {
	paths, origins := genZones(b, b.TempDir(), 1)
	for b.Loop() {
		if _, err := ParseZoneFile(paths[0], origins[0], ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// zoneSets reads n generated zones into record sets.
func zoneSets(b *testing.B, n int) [][]Record {
	b.Helper()
	paths, origins := genZones(b, b.TempDir(), n)
	res, err := ParseZoneFiles(context.Background(), paths, origins, ParseOptions{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	zones := make([][]Record, n)
	for i, r := range res {
		zones[i] = r.Records
	}
	return zones
}

// BenchmarkDiff5000Zones diffs 5,000 zones (about 16 record sets each)
// against themselves read back through cty, with one changed set in every
// tenth zone; one iteration is all 5,000 diffs.
func BenchmarkDiff5000Zones(b *testing.B) {
	existing := zoneSets(b, 5000)
	desired := make([][]Record, len(existing))
	for i, rs := range existing {
		d, err := FromListValue(ListValue(rs))
		if err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			d[len(d)-1].Values = []string{"10.9.9.9"}
		}
		desired[i] = d
	}
	b.ResetTimer()
	changed := 0
	for b.Loop() {
		changed = 0
		for i := range existing {
			changed += Diff(existing[i], desired[i]).Count()
		}
	}
	if changed != 500 {
		b.Fatalf("%d changes, want 500", changed)
	}
}

// BenchmarkFromListValue decodes and normalises one zone's records from
// cty, as a provider does with configuration.
func BenchmarkFromListValue(b *testing.B) {
	v := ListValue(zoneSets(b, 1)[0])
	for b.Loop() {
		if _, err := FromListValue(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListValue encodes one zone's records as cty.
func BenchmarkListValue(b *testing.B) {
	rs := zoneSets(b, 1)[0]
	for b.Loop() {
		ListValue(rs)
	}
}

// BenchmarkDiffZone diffs one zone of about 16 record sets against an
// equal copy: the per-zone cost with the data in cache.
func BenchmarkDiffZone(b *testing.B) {
	rs := zoneSets(b, 1)[0]
	d, err := FromListValue(ListValue(rs))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !Diff(rs, d).Empty() {
			b.Fatal("want no changes")
		}
	}
}

// benchLargeZone returns a generated zone of n records (zonegen).
func benchLargeZone(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := zonegen.Write(&buf, "big.example", n); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParseLargeZone reads one zone of 100,000 and of 1,000,000
// records and turns it into the cty list zonefile() returns.
func BenchmarkParseLargeZone(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		data := benchLargeZone(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				res, err := ParseZoneBytes(data, "big.zone", "big.example", ParseOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if v := ListValue(res.Records); v.LengthInt() != n+2 {
					b.Fatalf("%d sets", v.LengthInt())
				}
			}
		})
	}
}
