package bind

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/providertest"
)

// testDay is the day the test clock shows: serials start at 2026112500.
var testDay = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testResource returns bind_zone with the test clock.
func testResource() *zoneResource {
	return newProvider(func() time.Time { return testDay }).Resources()["bind_zone"].(*zoneResource)
}

// testResourceOver returns bind_zone with the test clock, of a provider
// configured for the transport.
func testResourceOver(t *testing.T, tr providertest.Transport) *zoneResource {
	p := newProvider(func() time.Time { return testDay })
	providertest.Configure(t, p, tr, nil)
	return p.Resources()["bind_zone"].(*zoneResource)
}

// rec builds a normalised record set.
func rec(name, typ string, ttl uint32, values ...string) dns.Record {
	r, err := dns.Normalize(dns.Record{Name: name, Type: typ, TTL: ttl, Values: values})
	if err != nil {
		panic(err)
	}
	return r
}

// siteRecords are the record sets of a small site's zone at origin (with
// a trailing dot): name servers in another zone, a web server, mail, SPF.
func siteRecords(origin string) []dns.Record {
	return []dns.Record{
		rec(origin, "NS", 3600, "ns1.example.com.", "ns2.example.com."),
		rec(origin, "A", 300, "192.0.2.10"),
		rec(origin, "AAAA", 300, "2001:db8::10"),
		rec(origin, "MX", 3600, "10 mail."+origin),
		rec(origin, "TXT", 3600, `"v=spf1 mx -all"`),
		rec("mail."+origin, "A", 3600, "192.0.2.25"),
		rec("www."+origin, "CNAME", 300, origin),
	}
}

// zoneCfg builds a bind_zone configuration: name, directory and records,
// plus extra attributes.
func zoneCfg(name, dir string, recs []dns.Record, extra map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"name":      cty.StringVal(name),
		"directory": cty.StringVal(dir),
		"records":   dns.ListValue(recs),
	}
	for k, v := range extra {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

// soaBlock builds an soa block from attribute values, the others null.
func soaBlock(vals map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{}
	for _, n := range soaAttrs {
		if v, ok := vals[n]; ok {
			m[n] = v
		} else if n == "mname" || n == "rname" {
			m[n] = cty.NullVal(cty.String)
		} else {
			m[n] = cty.NullVal(cty.Number)
		}
	}
	return cty.ObjectVal(m)
}

// withRecord returns a copy of rs with r added or, when a set of its name
// and type is there, replaced.
func withRecord(rs []dns.Record, r dns.Record) []dns.Record {
	out := make([]dns.Record, 0, len(rs)+1)
	for _, x := range rs {
		if x.Key() != r.Key() {
			out = append(out, x)
		}
	}
	return append(out, r)
}

// without returns a copy of rs without the sets of the given keys.
func without(rs []dns.Record, keys ...string) []dns.Record {
	var out []dns.Record
	for _, x := range rs {
		drop := false
		for _, k := range keys {
			drop = drop || x.Key() == k
		}
		if !drop {
			out = append(out, x)
		}
	}
	return out
}

// checkZone runs named-checkzone on a zone file and fails unless BIND
// loads it without a word of complaint.
func checkZone(t providertest.TB, origin, path string) {
	t.Helper()
	bin, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Fatalf("named-checkzone is not installed: install Debian bind9-utils (make test does)")
	}
	out, err := exec.Command(bin, origin, path).CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		t.Fatalf("named-checkzone %s %s: %v\n%s\nthe zone file:\n%s", origin, path, err, text, readFile(t, path))
	}
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "loaded serial") && line != "OK" {
			t.Errorf("named-checkzone %s %s complains: %s", origin, path, line)
		}
	}
}

// readFile returns a file's text, failing the test when it cannot.
func readFile(t providertest.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return string(data)
}

// fileSerial returns the serial in the SOA of a zone file.
func fileSerialOf(t providertest.TB, path, origin string) uint32 {
	t.Helper()
	res, err := dns.ParseZoneFile(path, origin, dns.ParseOptions{})
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	soa, _ := dns.Apex(res.Records, origin)
	if soa == nil {
		t.Fatalf("%s has no SOA", path)
	}
	s, ok := soaSerial(soa.Values[0])
	if !ok {
		t.Fatalf("%s: bad SOA %q", path, soa.Values[0])
	}
	return s
}

// serialOf returns the serial of a state.
func serialOf(t providertest.TB, state cty.Value) uint32 {
	t.Helper()
	s, ok := uint32Of(state.GetAttr("serial"))
	if !ok {
		t.Fatalf("serial %#v is not a known serial", state.GetAttr("serial"))
	}
	return s
}

// writeZone writes text to dir/name and returns the path.
func writeZone(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// recordObj builds one records element as written in configuration, not
// normalised.
func recordObj(name, typ string, ttl int64, values ...string) cty.Value {
	vs := make([]cty.Value, len(values))
	for i, v := range values {
		vs[i] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl), "values": cty.ListVal(vs)})
}

// recordValues returns the records elements of normalised sets.
func recordValues(rs []dns.Record) []cty.Value {
	out := make([]cty.Value, len(rs))
	for i, r := range rs {
		out[i] = r.Value()
	}
	return out
}
