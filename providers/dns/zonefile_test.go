package dns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseZoneFileFeatures(t *testing.T) {
	res := mustParse(t, "testdata/zones/example.org.zone", "Example.ORG", ParseOptions{})
	golden(t, "example.org.golden", dump(res.Records))

	tests := []struct {
		name, typ string
		want      []string
		ttl       uint32
	}{
		// Multi-line SOA with comments; names lower-cased.
		{"example.org.", "SOA", []string{"ns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300"}, 3600},
		// Owner inherited from the line before; relative names completed.
		{"example.org.", "NS", []string{"ns1.example.org.", "ns2.example.net."}, 3600},
		{"example.org.", "MX", []string{"10 mail.example.org.", "20 mx2.example.net."}, 3600},
		{"example.org.", "AAAA", []string{"2001:db8::1"}, 3600},
		{"example.org.", "TXT", []string{`"two strings" "in one record"`, `"v=spf1 mx a -all"`}, 3600},
		{"example.org.", "CAA", []string{`0 iodef "mailto:security@example.org"`, `0 issue "letsencrypt.org"`}, 3600},
		// "Www" with its own TTL, "@" as target.
		{"www.example.org.", "CNAME", []string{"example.org."}, 300},
		{"*.example.org.", "A", []string{"192.0.2.80"}, 3600},
		{"*.dev.example.org.", "CNAME", []string{"www.example.org."}, 3600},
		{"_sip._tcp.example.org.", "SRV", []string{"10 60 5060 sip.example.org."}, 3600},
		{"sip.example.org.", "NAPTR", []string{`100 10 "U" "E2U+sip" "!^.*$!sip:info@example.org!" .`}, 3600},
		{"sub.example.org.", "DS", []string{"12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}, 3600},
		// Three records, one duplicate, two TTLs: the first wins, as in BIND.
		{"mail.example.org.", "A", []string{"198.51.100.25", "198.51.100.26"}, 3600},
		// $GENERATE.
		{"pool3.example.org.", "A", []string{"10.0.0.3"}, 3600},
		// $INCLUDE relative to the including file, and nested with an origin.
		{"office.example.org.", "AAAA", []string{"2001:db8::10"}, 3600},
		{"gw.lab.example.org.", "A", []string{"203.0.113.21"}, 3600},
		// Back in the main file after the include.
		{"after.example.org.", "A", []string{"192.0.2.99"}, 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.typ, func(t *testing.T) {
			r := find(t, res.Records, tt.name, tt.typ)
			if diff := cmp.Diff(tt.want, r.Values); diff != "" || r.TTL != tt.ttl {
				t.Errorf("TTL %d (want %d), values (-want +got):\n%s", r.TTL, tt.ttl, diff)
			}
		})
	}
	t.Run("a TXT string over 255 bytes is refused, as BIND refuses it", func(t *testing.T) {
		_, err := ParseZoneFile("testdata/zones/long-txt.zone", "example.org", ParseOptions{})
		want := filepath.FromSlash("testdata/zones/long-txt.zone") + ":3:13: the text of the TXT record is 326 bytes long; a character string holds at most 255: split it into several quoted strings"
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
	t.Run("generate makes four records", func(t *testing.T) {
		n := 0
		for _, r := range res.Records {
			if strings.HasPrefix(r.Name, "pool") {
				n++
			}
		}
		if n != 4 {
			t.Errorf("got %d pool records, want 4", n)
		}
	})
	t.Run("warnings", func(t *testing.T) {
		want := []string{
			"testdata/zones/example.org.zone:24:1: mail.example.org. A has records with different TTLs; BIND uses the first, 3600, for all of them: give them one TTL",
			"testdata/zones/example.org.zone:25:1: mail.example.org. A 198.51.100.25 is listed already; the duplicate is ignored, as BIND ignores it",
		}
		if diff := cmp.Diff(want, errorStrings(res.Warnings)); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
	})
}

func errorStrings(es []*ZoneError) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Error())
	}
	return out
}

func TestParseZoneFileErrors(t *testing.T) {
	tests := []struct {
		file string
		want []string // after "testdata/errors/"
	}{
		{"unknown_type.zone", []string{`unknown_type.zone:4:8: unknown record type "AAAAA"; check the spelling, or write an unknown type as TYPEnnn with generic data (\# LENGTH HEX)`}},
		{"bad_a.zone", []string{`bad_a.zone:3:10: invalid IPv4 address "192.0.2" in the A record; write it as an IPv4 address (for example 192.0.2.1)`}},
		{"bad_mx.zone", []string{`bad_mx.zone:3:9: invalid preference "mail" in the MX record: want a whole number from 0 to 65535; write the record as PREFERENCE EXCHANGE (for example 10 mail.example.org.)`}},
		{"bad_ttl.zone", []string{`bad_ttl.zone:3:5: invalid TTL "3x"; write a TTL in seconds (3600) or with units (1h)`}},
		{"class.zone", []string{`class.zone:3:5: class CH is not supported; plumb manages Internet (IN) zones: use IN`}},
		{"cname_other.zone", []string{`cname_other.zone:5:1: www.example.org. has a CNAME and other records (A); a name with a CNAME can hold nothing else: remove the CNAME or the others`}},
		{"cname_apex.zone", []string{`cname_apex.zone:3:1: CNAME at the zone apex example.org. is not allowed: the apex holds the SOA and NS records; use A or AAAA records there`}},
		{"cname_twice.zone", []string{`cname_twice.zone:4:1: alias.example.org. has 2 CNAME records; a name can have only one CNAME target: keep one`}},
		{"soa_below.zone", []string{`soa_below.zone:3:1: SOA record at www.sub.example.org. is not at the zone apex example.org.; remove it`}},
		{"paren.zone", []string{`paren.zone:7:1: unbalanced parentheses: the '(' at line 3, column 25, is never closed`}},
		{"txt_quote.zone", []string{`txt_quote.zone:3:12: unbalanced quotes: this string is not closed on its line; close it with a double quote`}},
		{"generate.zone", []string{`generate.zone:3:11: invalid $GENERATE range "5-1"; write START-STOP or START-STOP/STEP with START at most STOP and STEP above 0`}},
		{"empty.zone", []string{`empty.zone:3:11: the MX record has no data; write it as PREFERENCE EXCHANGE (for example 10 mail.example.org.)`}},
		{"include_missing.zone", []string{`include_missing.zone:4:10: $INCLUDE file "missing.inc" not found beside the including file nor in the zone root; check the path`}},
		{"include_bad.zone", []string{`bad.inc:3:13: invalid IPv6 address "192.0.2.1" in the AAAA record; write it as an IPv6 address (for example 2001:db8::1)`}},
		// Every problem is reported, not only the first: an unknown type
		// does not stop the reader.
		{"several.zone", []string{
			`several.zone:5:9: unknown record type "BOGUS"; check the spelling, or write an unknown type as TYPEnnn with generic data (\# LENGTH HEX)`,
			`several.zone:6:1: CNAME at the zone apex example.org. is not allowed: the apex holds the SOA and NS records; use A or AAAA records there`,
			`several.zone:7:12: the MX record ends before its exchange; write it as PREFERENCE EXCHANGE (for example 10 mail.example.org.)`,
		}},
		// Lines are counted in included files, and again in the main file
		// after the include; a $GENERATE's problem is at its own line.
		{"after_include.zone", []string{
			`after_include.zone:6:23: $GENERATE makes the A data "192.0.2.1 extra" for 1, which is not valid: unexpected "extra" after the A record's data (a value with spaces needs quotes); write it as an IPv4 address (for example 192.0.2.1)`,
			`after_include.zone:8:13: invalid IPv6 address "192.0.2.1" in the AAAA record; write it as an IPv6 address (for example 2001:db8::1)`,
		}},
		// A record is placed at its first line.
		{"multiline.zone", []string{
			`multiline.zone:5:1: SOA record at www.example.org. is not at the zone apex example.org.; remove it`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ParseZoneFile(filepath.Join("testdata", "errors", tt.file), "example.org", ParseOptions{})
			var zes ZoneErrors
			if !errors.As(err, &zes) {
				t.Fatalf("got %v (%T), want ZoneErrors", err, err)
			}
			var ze *ZoneError
			if !errors.As(err, &ze) || ze != zes[0] {
				t.Errorf("errors.As does not find the first *ZoneError")
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, filepath.Join("testdata", "errors", w))
			}
			if diff := cmp.Diff(want, errorStrings(zes)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseZoneFileReturnsRecordsBeforeError(t *testing.T) {
	res, err := ParseZoneFile("testdata/errors/include_bad.zone", "example.org", ParseOptions{})
	if err == nil {
		t.Fatal("want an error")
	}
	find(t, res.Records, "ok.example.org.", "A")
}

func TestIncludeConfinement(t *testing.T) {
	t.Run("relative path climbing out is refused", func(t *testing.T) {
		_, err := ParseZoneFile("testdata/zones/escape.zone", "example.org", ParseOptions{Root: "testdata/zones"})
		want := filepath.FromSlash("testdata/zones/escape.zone") + `:6:10: $INCLUDE "../outside.zone" is outside the zone root; keep included files under the root directory`
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
	t.Run("allowed when the root holds the target", func(t *testing.T) {
		res := mustParse(t, "testdata/zones/escape.zone", "example.org", ParseOptions{Root: "testdata"})
		find(t, res.Records, "secret.example.org.", "A")
	})
	t.Run("symbolic link out of the root is refused", func(t *testing.T) {
		dir := t.TempDir()
		secret := writeFile(t, dir, "secret/outside.inc", "secret IN A 192.0.2.66\n")
		zone := writeFile(t, dir, "zones/link.zone", "$ORIGIN example.org.\n$INCLUDE link.inc\n")
		if err := os.Symlink(secret, filepath.Join(dir, "zones", "link.inc")); err != nil {
			t.Fatal(err)
		}
		_, err := ParseZoneFile(zone, "example.org", ParseOptions{})
		want := zone + `:2:10: $INCLUDE "link.inc" is outside the zone root; keep included files under the root directory`
		if err == nil || err.Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	})
	t.Run("absolute path is taken from the root", func(t *testing.T) {
		res := mustParse(t, "testdata/zones/absolute.zone", "example.org", ParseOptions{Root: "testdata/zones"})
		find(t, res.Records, "gw.lab.example.org.", "A")
	})
	t.Run("nested include beside the including file", func(t *testing.T) {
		dir := t.TempDir()
		zone := writeFile(t, dir, "main.zone", "$ORIGIN example.org.\n"+apexLines+"$INCLUDE inc/a.inc\n")
		writeFile(t, dir, "inc/a.inc", "$TTL 3600\na IN A 192.0.2.1\n$INCLUDE b.inc\n")
		writeFile(t, dir, "inc/b.inc", "b IN A 192.0.2.2\n")
		res := mustParse(t, zone, "example.org", ParseOptions{})
		if got, want := dump(WithoutApexSOANS(res.Records, "example.org")), "a.example.org. A 3600 192.0.2.1\nb.example.org. A 3600 192.0.2.2\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("absolute path inside the root", func(t *testing.T) {
		dir := t.TempDir()
		inc := writeFile(t, dir, "keys/k.inc", "k 60 IN TXT key\n")
		zone := writeFile(t, dir, "main.zone", "$ORIGIN example.org.\n"+apexLines+"$INCLUDE "+inc+"\n")
		res := mustParse(t, zone, "example.org", ParseOptions{})
		find(t, res.Records, "k.example.org.", "TXT")
	})
	t.Run("zone file outside the root", func(t *testing.T) {
		_, err := ParseZoneFile("testdata/outside.zone", "example.org", ParseOptions{Root: "testdata/zones"})
		var ze *ZoneError
		if !errors.As(err, &ze) || !strings.Contains(ze.Msg, "outside the zone root") {
			t.Errorf("got %v, want a ZoneError saying the file is outside the root", err)
		}
	})
}

func TestParseZoneIDN(t *testing.T) {
	res := mustParse(t, "testdata/zones/idn.zone", "BÜCHER.example", ParseOptions{})
	want := "xn--bcher-kva.example. SOA 300 ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300\n" +
		"xn--bcher-kva.example. NS 300 ns1.example.net.\n" +
		"xn--bcher-kva.example. A 300 192.0.2.10\n" +
		"alias.xn--bcher-kva.example. CNAME 300 xn--mnchen-3ya.xn--bcher-kva.example.\n" +
		"xn--strae-oqa.xn--bcher-kva.example. A 300 192.0.2.11\n"
	if diff := cmp.Diff(want, dump(res.Records)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// apexLines give a zone snippet the SOA and NS records BIND requires.
const apexLines = "@ 3600 IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300\n@ 3600 IN NS ns1.example.net.\n"

func TestParseZoneOptions(t *testing.T) {
	tests := []struct {
		name, zone string
		opts       ParseOptions
		want       string
	}{
		{"$TTL gives records their TTL", "$TTL 1h\nwww IN A 192.0.2.1\n", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
		{"without $TTL the SOA minimum is the default", "@ IN SOA ns h 1 2 3 4 60\n@ NS ns.example.net.\nwww IN A 192.0.2.1\n", ParseOptions{},
			"www.example.org. A 60 192.0.2.1\n"},
		{"origin from the caller, no $ORIGIN", "$TTL 3600\n@ IN MX 10 mail\n", ParseOptions{}, "example.org. MX 3600 10 mail.example.org.\n"},
		{"quoted TXT with spaces, quotes and a semicolon", "$TTL 3600\n" + `t IN TXT "a b" "say \"hi\"; ok"` + "\n", ParseOptions{}, `t.example.org. TXT 3600 "a b" "say \"hi\"; ok"` + "\n"},
		{"no trailing newline", "$TTL 3600\n" + apexLines + "www IN A 192.0.2.1", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
		{"CRLF line ends", "$ORIGIN example.org.\r\n$TTL 3600\r\nwww IN A 192.0.2.1\r\n", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zone := tt.zone
			if !strings.Contains(zone, "SOA") {
				zone += apexLines
			}
			res, err := ParseZone(strings.NewReader(zone), "", "example.org", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(WithoutApexSOANS(res.Records, "example.org")); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseZoneFiles(t *testing.T) {
	paths := []string{"testdata/zones/example.org.zone", "testdata/errors/bad_a.zone", "testdata/zones/idn.zone", "testdata/errors/class.zone"}
	origins := []string{"example.org", "example.org", "bücher.example", "example.org"}
	res, err := ParseZoneFiles(context.Background(), paths, origins, ParseOptions{}, 3)
	if len(res) != len(paths) {
		t.Fatalf("got %d results, want %d", len(res), len(paths))
	}
	one := mustParse(t, paths[0], origins[0], ParseOptions{})
	if diff := cmp.Diff(one.Records, res[0].Records); diff != "" {
		t.Errorf("parallel result differs from ParseZoneFile (-want +got):\n%s", diff)
	}
	find(t, res[2].Records, "xn--bcher-kva.example.", "A")
	var zes ZoneErrors
	if !errors.As(err, &zes) || !strings.HasPrefix(zes[0].Error(), filepath.FromSlash("testdata/errors/bad_a.zone:3:10")) {
		t.Errorf("first error: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "bad_a.zone:3:10") || !strings.Contains(msg, "class.zone:3:5") || strings.Index(msg, "class.zone") < strings.Index(msg, "bad_a.zone") {
		t.Errorf("errors are not every file's, in order:\n%s", msg)
	}

	if _, err := ParseZoneFiles(context.Background(), paths, origins[:1], ParseOptions{}, 0); err == nil {
		t.Error("mismatched origins: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseZoneFiles(ctx, paths, origins, ParseOptions{}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// A small file of $GENERATE lines that would expand to millions of
// records stops at the record limit with a clear error, before the
// expansion exhausts memory.
func TestParseZoneRecordLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("$TTL 300\n" + apexLines)
	for i := range 100 {
		fmt.Fprintf(&b, "$GENERATE 0-65535 h%d-$ A 10.0.0.1\n", i)
	}
	if b.Len() > 4096 {
		t.Fatalf("the zone is %d bytes; the point is a small file", b.Len())
	}
	res, err := ParseZone(strings.NewReader(b.String()), "big.zone", "example.org", ParseOptions{MaxRecords: 100000})
	want := `big.zone:5:11: this $GENERATE makes 65536 records, which takes the zone over 100000 records; plumb stops reading here so as not to exhaust memory. If the zone is really this large, raise the limit: zonefile(PATH, ORIGIN, { max_records = 131074 })`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	n := 0
	for _, r := range res.Records {
		n += len(r.Values)
	}
	if n > 100000 {
		t.Errorf("read %d records past the limit of 100000", n)
	}
	if DefaultMaxRecords < 1_000_000 {
		t.Errorf("DefaultMaxRecords = %d; zones of a million records must read without raising it", DefaultMaxRecords)
	}
	// One record over the limit, outside $GENERATE.
	_, err = ParseZone(strings.NewReader("$TTL 300\n"+apexLines+"a A 10.0.0.1\nb A 10.0.0.2\n"), "small.zone", "example.org", ParseOptions{MaxRecords: 3})
	if err == nil || !strings.Contains(err.Error(), "small.zone:5:1: the zone has more than 3 records") {
		t.Errorf("got %v, want the limit at line 5", err)
	}
}

// An $INCLUDE that includes itself stops at the nesting limit.
func TestIncludeLoop(t *testing.T) {
	dir := t.TempDir()
	zone := writeFile(t, dir, "loop.zone", "$TTL 300\n"+apexLines+"$INCLUDE loop.zone\n")
	_, err := ParseZoneFile(zone, "example.org", ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "$INCLUDE nests more than 20 files deep") {
		t.Errorf("got %v, want the nesting limit", err)
	}
}

// A file that is not a zone file (configuration, a binary) gets one error:
// where, and why, without its content echoed.
func TestParseNotAZoneFile(t *testing.T) {
	hcl := "resource \"plumb_data\" \"secret\" {\n  input = \"hunter2-do-not-print\"\n}\n"
	_, err := ParseZone(strings.NewReader(hcl), "main.hcl", "example.org", ParseOptions{})
	want := "main.hcl:1:10: this does not read as a zone file: none of its 3 problem lines is a record BIND would load; check the path"
	if err == nil || err.Error() != want {
		t.Errorf("configuration read as a zone: got %v\nwant %s", err, want)
	}
	bin := append([]byte("\x7fELF\x02\x01"), make([]byte, 64)...)
	_, err = ParseZone(bytes.NewReader(bin), "plumb", "example.org", ParseOptions{})
	if err == nil || err.Error() != "plumb:1: this file holds binary data (a NUL byte), so it is not a zone file; check the path" {
		t.Errorf("binary read as a zone: got %v", err)
	}
}
