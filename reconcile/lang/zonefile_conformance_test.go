package lang

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/dns"
)

// Every case of the zone-file conformance folder (see
// providers/dns/conformance_test.go, which compares the reader with BIND's
// named-compilezone) gives through zonefile() exactly the records the
// reader gives, or an error where the reader refuses the zone.
func TestZoneFileConformance(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "providers", "dns", "testdata", "conformance", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no conformance cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			res, rerr := dns.ParseZoneFile(filepath.Join(abs, "zone.db"), "example.org", dns.ParseOptions{Root: abs})
			got, ferr := Functions(abs)["zonefile"].Call([]cty.Value{cty.StringVal("zone.db"), cty.StringVal("example.org")})
			var zes dns.ZoneErrors
			switch {
			case rerr != nil && !errors.As(rerr, &zes):
				t.Fatalf("reader: %v", rerr)
			case rerr != nil && ferr == nil:
				t.Fatalf("the reader refuses the zone (%v), zonefile() reads it", rerr)
			case rerr == nil && ferr != nil:
				t.Fatalf("the reader reads the zone, zonefile() refuses it: %v", ferr)
			case rerr == nil && !got.RawEquals(dns.ListValue(res.Records)):
				t.Errorf("zonefile() gives\n%#v\nthe reader\n%#v", got, dns.ListValue(res.Records))
			}
		})
	}
}
