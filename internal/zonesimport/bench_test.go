package zonesimport

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchDir returns a directory of 5,000 zone files: $PLUMB_BENCH_ZONES
// when set (written by the shared genzones.py as DOMAIN.txt), else files
// generated here in the same style.
func benchDir(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("PLUMB_BENCH_ZONES"); dir != "" {
		return dir
	}
	dir := b.TempDir()
	for i := range 5000 {
		d := fmt.Sprintf("site%05d.example", i)
		text := fmt.Sprintf(`$ORIGIN %[1]s.
$TTL 3600
@ IN SOA ns1.%[1]s. hostmaster.%[1]s. ( %[2]d 7200 3600 1209600 3600 )
@ IN NS ns1.%[1]s.
@ IN NS ns2.%[1]s.
@ IN A 192.0.2.%[3]d
www IN CNAME @
mail IN A 198.51.100.%[3]d
@ IN MX 10 mail
@ IN MX 20 mx2.example.net.
@ IN TXT "v=spf1 mx a -all"
_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@%[1]s"
ftp 1800 IN A 203.0.113.%[3]d
ipv6 IN AAAA 2001:db8::%[3]x
_sip._tcp IN SRV 10 60 5060 sip
sip IN A 192.0.2.%[3]d
host0 IN A 10.0.0.%[3]d
host1 IN A 10.0.1.%[3]d
`, d, 2020010100+i, 1+i%254)
		if err := os.WriteFile(filepath.Join(dir, d+".txt"), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkFromDir5000 generates the configuration for 5,000 zone files,
// parsing each; one iteration is the whole directory.
func BenchmarkFromDir5000(b *testing.B) {
	dir := benchDir(b)
	for _, mode := range []string{ModeForEach, ModeBlocks} {
		b.Run(mode, func(b *testing.B) {
			var n int
			for b.Loop() {
				out, err := FromDir(dir, Options{Mode: mode, Path: "zones"})
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
