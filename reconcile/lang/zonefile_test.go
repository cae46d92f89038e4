package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/dns"
)

// recordVal builds one record set value as zonefile returns it.
func recordVal(name, typ string, ttl int64, values ...string) cty.Value {
	vs := make([]cty.Value, len(values))
	for i, v := range values {
		vs[i] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl), "values": cty.ListVal(vs),
	})
}

func TestZoneFile(t *testing.T) {
	exampleOrg := cty.ListVal([]cty.Value{
		recordVal("example.org.", "SOA", 3600, "ns1.example.net. hostmaster.example.org. 2026010100 7200 3600 1209600 3600"),
		recordVal("example.org.", "NS", 3600, "ns1.example.net."),
		recordVal("example.org.", "MX", 3600, "10 mail.example.org."),
		recordVal("host1.example.org.", "A", 3600, "10.0.0.1", "10.0.0.2"),
		recordVal("mail.example.org.", "A", 3600, "192.0.2.25"),
		recordVal("www.example.org.", "CNAME", 300, "example.org."),
	})
	runCases(t, "testdata", []exprCase{
		{expr: `zonefile("zones/example.org.zone", "example.org")`, want: exampleOrg},
		{expr: `zonefile("./zones/../zones/example.org.zone", "Example.ORG.")`, want: exampleOrg},
		{expr: `length(zonefile("zones/example.org.zone", "example.org"))`, want: cty.NumberIntVal(6)},
		{expr: `[for r in zonefile("zones/example.org.zone", "example.org") : r.name if r.type == "A"]`,
			want: cty.TupleVal([]cty.Value{cty.StringVal("host1.example.org."), cty.StringVal("mail.example.org.")})},
		{expr: `zonefile("zones/syntax.zone", "example.org")`,
			wantErr: `zones/syntax.zone:5:16: invalid IPv4 address "192.0.2.300" in the A record`},
		{expr: `zonefile("zones/bad-include.zone", "example.org")`,
			wantErr: `zones/inc/broken.inc:2:11: invalid preference "mail" in the MX record`},
		{expr: `zonefile("zones/escape.zone", "example.org")`,
			wantErr: `zones/escape.zone:3:10: $INCLUDE "../../doc.go" is outside the zone root`},
		{expr: `zonefile("zones/example.org.zone", "example.com")`,
			wantErr: "zones/example.org.zone: the zone example.com. has no SOA and NS records at its apex; BIND does not load a zone without its SOA and NS records: add them, or check the zone's origin (7 records of the file are outside example.com.)"},
		{expr: `zonefile("zones/missing.zone", "example.org")`,
			wantErr: `no file exists at "zones/missing.zone" (relative to the configuration directory: `},
		{expr: `zonefile("zones/example.org.zone", "")`, wantErr: "invalid zone origin: empty domain name"},
		{expr: `zonefile(var.str, "example.org")`, want: cty.UnknownVal(cty.List(dns.RecordType))},
		{expr: `zonefile("zones/example.org.zone", var.str)`, want: cty.UnknownVal(cty.List(dns.RecordType))},
	})
}

// TestZoneFileErrorStartsWithPosition checks that the error's own text
// (what the engine shows as the detail) starts with file:line:column.
func TestZoneFileErrorStartsWithPosition(t *testing.T) {
	f := Functions("testdata")["zonefile"]
	_, err := f.Call([]cty.Value{cty.StringVal("zones/syntax.zone"), cty.StringVal("example.org")})
	if err == nil {
		t.Fatal("zonefile accepted a zone with a syntax error")
	}
	if !strings.HasPrefix(err.Error(), "zones/syntax.zone:5:16: ") {
		t.Errorf("error %q does not start with the file, line and column", err)
	}
}

// TestZoneFileOutsideBaseDir reads a zone file by absolute path from
// outside the configuration directory: its $INCLUDEs are confined to its
// own directory.
func TestZoneFileOutsideBaseDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.zone", "$ORIGIN a.example.\n@ 60 IN SOA ns.example.net. h 1 2 3 4 5\n@ 60 IN NS ns.example.net.\n$INCLUDE b.inc\n")
	write("b.inc", "www 60 IN A 192.0.2.1\n")
	write("up.zone", "$ORIGIN a.example.\n$INCLUDE ../x.inc\n")
	path := filepath.ToSlash(filepath.Join(dir, "a.zone"))
	runCases(t, "testdata", []exprCase{
		{expr: `zonefile("` + path + `", "a.example")`, want: cty.ListVal([]cty.Value{
			recordVal("a.example.", "SOA", 60, "ns.example.net. h.a.example. 1 2 3 4 5"),
			recordVal("a.example.", "NS", 60, "ns.example.net."),
			recordVal("www.a.example.", "A", 60, "192.0.2.1"),
		})},
		{expr: `zonefile("` + filepath.ToSlash(filepath.Join(dir, "up.zone")) + `", "a.example")`, wantErr: "is outside the zone root"},
	})
}

// TestZoneFileReadsOnce checks that a zone file is read once per function
// table, so every evaluation in a run sees the same records.
func TestZoneFileReadsOnce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "z.zone")
	if err := os.WriteFile(p, []byte("$ORIGIN z.example.\n@ 60 IN SOA ns.example.net. h 1 2 3 4 5\n@ 60 IN NS ns.example.net.\n@ 60 IN A 192.0.2.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := Functions(dir)["zonefile"]
	call := func() cty.Value {
		t.Helper()
		v, err := f.Call([]cty.Value{cty.StringVal("z.zone"), cty.StringVal("z.example")})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := call()
	if err := os.WriteFile(p, []byte("$ORIGIN z.example.\n@ 60 IN SOA ns.example.net. h 1 2 3 4 5\n@ 60 IN NS ns.example.net.\n@ 60 IN A 192.0.2.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if second := call(); !second.RawEquals(first) {
		t.Errorf("the second call read the file again: %#v", second)
	}
	if fresh, err := Functions(dir)["zonefile"].Call([]cty.Value{cty.StringVal("z.zone"), cty.StringVal("z.example")}); err != nil || fresh.RawEquals(first) {
		t.Errorf("a new function table did not read the file afresh: %#v, %v", fresh, err)
	}
}

// BenchmarkZoneFile calls zonefile on one zone file with a fresh
// function table each time, so the file is read and parsed every time.
func BenchmarkZoneFile(b *testing.B) {
	for b.Loop() {
		f := newFileScope("testdata").zoneFileFunc()
		if _, err := f.Call([]cty.Value{cty.StringVal("zones/example.org.zone"), cty.StringVal("example.org")}); err != nil {
			b.Fatal(err)
		}
	}
}

// What the reader warns about is kept for the run to show, once per file,
// and zonefile()'s options raise the record limit.
func TestZoneFileWarningsAndOptions(t *testing.T) {
	dir := t.TempDir()
	zone := "$TTL 300\n@ SOA ns.example.net. h 1 2 3 4 5\n@ NS ns.example.net.\nx 100 A 192.0.2.1\nx 200 A 192.0.2.2\nx A 192.0.2.1\n"
	if err := os.WriteFile(filepath.Join(dir, "w.zone"), []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
	funcs, warnings := FunctionTable(dir, time.Time{})
	f := funcs["zonefile"]
	for range 2 {
		if _, err := f.Call([]cty.Value{cty.StringVal("w.zone"), cty.StringVal("example.org")}); err != nil {
			t.Fatal(err)
		}
	}
	diags := warnings.Drain()
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "Warnings in zone file w.zone" {
		t.Fatalf("got %v, want one warning for w.zone", diags)
	}
	for _, want := range []string{
		"w.zone:5:1: x.example.org. A has records with different TTLs; BIND uses the first, 100, for all of them",
		"w.zone:6:1: x.example.org. A 192.0.2.1 is listed already",
	} {
		if !strings.Contains(diags[0].Detail, want) {
			t.Errorf("warning detail\n%s\ndoes not say %q", diags[0].Detail, want)
		}
	}
	if again := warnings.Drain(); len(again) != 0 {
		t.Errorf("the warnings were shown twice: %v", again)
	}

	opts := func(v cty.Value) error {
		_, err := f.Call([]cty.Value{cty.StringVal("w.zone"), cty.StringVal("example.org"), v})
		return err
	}
	if err := opts(cty.ObjectVal(map[string]cty.Value{"max_records": cty.NumberIntVal(3)})); err == nil || !strings.Contains(err.Error(), "w.zone:5:1: the zone has more than 3 records") {
		t.Errorf("max_records = 3: got %v, want the limit at line 5", err)
	}
	if err := opts(cty.ObjectVal(map[string]cty.Value{"max_records": cty.NumberIntVal(3000000)})); err != nil {
		t.Errorf("max_records = 3000000: %v", err)
	}
	if err := opts(cty.ObjectVal(map[string]cty.Value{"soa": cty.False})); err == nil || !strings.Contains(err.Error(), `unknown option "soa"`) {
		t.Errorf("unknown option: got %v", err)
	}
	if err := opts(cty.StringVal("x")); err == nil || !strings.Contains(err.Error(), "must be an object") {
		t.Errorf("options not an object: got %v", err)
	}
}
