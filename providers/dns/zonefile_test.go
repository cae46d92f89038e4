package dns

import (
	"context"
	"errors"
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
		// Three records, one duplicate, two TTLs: the lowest wins.
		{"mail.example.org.", "A", []string{"198.51.100.25", "198.51.100.26"}, 600},
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
	t.Run("long TXT split into 255-byte chunks", func(t *testing.T) {
		res := mustParse(t, "testdata/zones/long-txt.zone", "example.org", ParseOptions{})
		long := find(t, res.Records, "long.example.org.", "TXT").Values[0]
		chunks := strings.Split(strings.Trim(long, `"`), `" "`)
		if len(chunks) != 2 || len(chunks[0]) != 255 || len(chunks[0])+len(chunks[1]) != 18+44*7 {
			t.Errorf("chunks of %d bytes: %q", len(chunks[0]), chunks)
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
			"testdata/zones/example.org.zone:24:1: the records of mail.example.org. A have different TTLs; the lowest, 600, is used for all: give them one TTL",
			"testdata/zones/example.org.zone:25:1: mail.example.org. A 198.51.100.25 is listed already; the duplicate is ignored",
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
		{"unknown_type.zone", []string{`unknown_type.zone:4:8: unknown RR type "AAAAA"; check the record type`}},
		{"bad_a.zone", []string{`bad_a.zone:2:10: invalid A record data "192.0.2"; write it as an IPv4 address, e.g. 192.0.2.1`}},
		{"bad_mx.zone", []string{`bad_mx.zone:2:9: invalid MX record data "mail" (pref); write it as PREFERENCE EXCHANGE, e.g. 10 mail.example.org.`}},
		{"bad_ttl.zone", []string{`bad_ttl.zone:2:5: invalid TTL "3x"; write a TTL in seconds (3600) or with units (1h)`}},
		{"class.zone", []string{`class.zone:2:1: class CH is not supported; use IN`}},
		{"outside.zone", []string{`outside.zone:3:1: name foo.other.com. is outside the zone example.org.; remove the record or move it to its own zone's file`}},
		{"cname_other.zone", []string{`cname_other.zone:4:1: www.example.org. has a CNAME and other records (A); a name with a CNAME can hold nothing else: remove the CNAME or the others`}},
		{"cname_apex.zone", []string{`cname_apex.zone:2:1: CNAME at the zone apex example.org. is not allowed: the apex holds the SOA and NS records; use A or AAAA records there`}},
		{"cname_twice.zone", []string{`cname_twice.zone:2:1: alias.example.org. has 2 CNAME records; a name can have only one CNAME target: keep one`}},
		{"unsupported.zone", []string{`unsupported.zone:2:1: record type HINFO is not supported by Route 53; remove the record or use one of ` + strings.Join(SupportedTypes, ", ")}},
		{"soa_below.zone", []string{`soa_below.zone:2:1: SOA record at www.sub.example.org. is not at the zone apex example.org.; remove it`}},
		{"paren.zone", []string{`paren.zone:5:5: unexpected "IN" after the record's data; check for a missing ')' or a value with spaces that needs quotes`}},
		{"txt_quote.zone", []string{`txt_quote.zone:2:11: invalid TXT record data near " "; write it as quoted strings, each closed with a double quote on the record's line`}},
		{"generate.zone", []string{`generate.zone:2:11: invalid $GENERATE directive (bad range in $GENERATE range at "5-1"); write it as $GENERATE START-STOP[/STEP] OWNER TYPE DATA`}},
		{"empty.zone", []string{`empty.zone:2:1: mail.example.org. MX: the record has no data; write it as PREFERENCE EXCHANGE, e.g. 10 mail.example.org.`}},
		{"include_missing.zone", []string{`include_missing.zone:3:10: $INCLUDE file "missing.inc" not found beside the including file nor in the zone root; check the path`}},
		{"include_bad.zone", []string{`bad.inc:3:13: invalid AAAA record data "192.0.2.1"; write it as an IPv6 address, e.g. 2001:db8::1`}},
		{"several.zone", []string{
			`several.zone:3:1: name old.example.com. is outside the zone example.org.; remove the record or move it to its own zone's file`,
			`several.zone:4:1: record type HINFO is not supported by Route 53; remove the record or use one of ` + strings.Join(SupportedTypes, ", "),
			`several.zone:5:1: CNAME at the zone apex example.org. is not allowed: the apex holds the SOA and NS records; use A or AAAA records there`,
		}},
		// Lines are counted in included files, and again in the main file
		// after the include; every record of a $GENERATE is on its line.
		{"after_include.zone", []string{
			`after_include.zone:5:1: record type HINFO is not supported by Route 53; remove the record or use one of ` + strings.Join(SupportedTypes, ", "),
			`after_include.zone:6:1: name outside.example.com. is outside the zone example.org.; remove the record or move it to its own zone's file`,
			`semantic.inc:4:1: name other.example.net. is outside the zone example.org.; remove the record or move it to its own zone's file`,
		}},
		// A record is placed at its first line; an inherited owner at the
		// line's first field.
		{"multiline.zone", []string{
			`multiline.zone:4:1: name www.example.net. is outside the zone example.org.; remove the record or move it to its own zone's file`,
			`multiline.zone:7:3: name www.example.net. is outside the zone example.org.; remove the record or move it to its own zone's file`,
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
		want := filepath.FromSlash("testdata/zones/escape.zone") + `:4:10: $INCLUDE "../outside.zone" is outside the zone root; keep included files under the root directory`
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
		zone := writeFile(t, dir, "main.zone", "$ORIGIN example.org.\n$INCLUDE inc/a.inc\n")
		writeFile(t, dir, "inc/a.inc", "a IN A 192.0.2.1\n$INCLUDE b.inc\n")
		writeFile(t, dir, "inc/b.inc", "b IN A 192.0.2.2\n")
		res := mustParse(t, zone, "example.org", ParseOptions{})
		if got, want := dump(res.Records), "a.example.org. A 3600 192.0.2.1\nb.example.org. A 3600 192.0.2.2\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("absolute path inside the root", func(t *testing.T) {
		dir := t.TempDir()
		inc := writeFile(t, dir, "keys/k.inc", "k IN TXT key\n")
		zone := writeFile(t, dir, "main.zone", "$ORIGIN example.org.\n$INCLUDE "+inc+"\n")
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
	want := "xn--bcher-kva.example. A 300 192.0.2.10\n" +
		"alias.xn--bcher-kva.example. CNAME 300 xn--mnchen-3ya.xn--bcher-kva.example.\n" +
		"xn--strae-oqa.xn--bcher-kva.example. A 300 192.0.2.11\n"
	if diff := cmp.Diff(want, dump(res.Records)); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestParseZoneOptions(t *testing.T) {
	tests := []struct {
		name, zone string
		opts       ParseOptions
		want       string
	}{
		{"default TTL when none is given", "www IN A 192.0.2.1\n", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
		{"DefaultTTL option", "www IN A 192.0.2.1\n", ParseOptions{DefaultTTL: 60}, "www.example.org. A 60 192.0.2.1\n"},
		{"$TTL beats DefaultTTL", "$TTL 1h\nwww IN A 192.0.2.1\n", ParseOptions{DefaultTTL: 60}, "www.example.org. A 3600 192.0.2.1\n"},
		{"origin from the caller, no $ORIGIN", "@ IN MX 10 mail\n", ParseOptions{}, "example.org. MX 3600 10 mail.example.org.\n"},
		{"quoted TXT with spaces, quotes and a semicolon", `t IN TXT "a b" "say \"hi\"; ok"` + "\n", ParseOptions{}, `t.example.org. TXT 3600 "a b" "say \"hi\"; ok"` + "\n"},
		{"no trailing newline", "www IN A 192.0.2.1", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
		{"CRLF line ends", "$ORIGIN example.org.\r\nwww IN A 192.0.2.1\r\n", ParseOptions{}, "www.example.org. A 3600 192.0.2.1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseZone(strings.NewReader(tt.zone), "", "example.org", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := dump(res.Records); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseZoneFiles(t *testing.T) {
	paths := []string{"testdata/zones/example.org.zone", "testdata/errors/outside.zone", "testdata/zones/idn.zone", "testdata/errors/class.zone"}
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
	if !errors.As(err, &zes) || !strings.HasPrefix(zes[0].Error(), filepath.FromSlash("testdata/errors/outside.zone:3:1")) {
		t.Errorf("first error: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "outside.zone:3:1") || !strings.Contains(msg, "class.zone:2:1") || strings.Index(msg, "class.zone") < strings.Index(msg, "outside.zone") {
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
