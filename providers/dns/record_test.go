package dns

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"www.example.org.", "www.example.org.", ""},
		{"WWW.Example.ORG", "www.example.org.", ""},
		{"*.Example.org", "*.example.org.", ""},
		{"_dmarc.example.org", "_dmarc.example.org.", ""},
		{"bücher.example", "xn--bcher-kva.example.", ""},
		{"BÜCHER.example.", "xn--bcher-kva.example.", ""},
		{`b\195\188cher.example.`, "xn--bcher-kva.example.", ""},
		{"xn--BCHER-KVA.example", "xn--bcher-kva.example.", ""},
		{`a\.b.example.org`, `a\.b.example.org.`, ""},
		{".", ".", ""},
		{"", "", "empty domain name"},
		{strings.Repeat("a", 64) + ".example.", "", "labels are at most 63 bytes"},
		{"a..b.example.", "", "empty label"},
		{`a\065.example`, "aa.example.", ""},
		{`x\ y.example`, `x\032y.example.`, ""},
		{"@", "", "zone's apex"},
		{strings.Repeat("abcdefgh.", 32), "", "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeName(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %q, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		in   Record
		want Record
		err  string
	}{
		{"names, sorting and duplicates",
			Record{"Mail.Example.org", "mx", 300, []string{"20 MX2.example.net", "10 mail.example.org.", "10 Mail.Example.ORG."}},
			Record{"mail.example.org.", "MX", 300, []string{"10 mail.example.org.", "20 mx2.example.net."}}, ""},
		{"IPv6 compressed", Record{"a.example.", "AAAA", 60, []string{"2001:0DB8:0000:0000::0001"}},
			Record{"a.example.", "AAAA", 60, []string{"2001:db8::1"}}, ""},
		{"unquoted TXT is one string", Record{"t.example.", "TXT", 60, []string{`v=spf1 include:"x" -all`}},
			Record{"t.example.", "TXT", 60, []string{`"v=spf1 include:\"x\" -all"`}}, ""},
		{"quoted TXT keeps its strings", Record{"t.example.", "TXT", 60, []string{`"a b"  "c"`}},
			Record{"t.example.", "TXT", 60, []string{`"a b" "c"`}}, ""},
		{"long TXT is split", Record{"t.example.", "TXT", 60, []string{long}},
			Record{"t.example.", "TXT", 60, []string{`"` + long[:255] + `" "` + long[255:] + `"`}}, ""},
		{"CNAME target", Record{"c.example.", "CNAME", 60, []string{"Target.Example"}},
			Record{"c.example.", "CNAME", 60, []string{"target.example."}}, ""},
		{"SRV", Record{"_sip._tcp.example.", "SRV", 60, []string{"10 60 5060 SIP.example."}},
			Record{"_sip._tcp.example.", "SRV", 60, []string{"10 60 5060 sip.example."}}, ""},
		{"TLSA hex upper-cased", Record{"_443._tcp.example.", "TLSA", 60, []string{"3 1 1 abcdef"}},
			Record{"_443._tcp.example.", "TLSA", 60, []string{"3 1 1 ABCDEF"}}, ""},
		{"two CNAMEs", Record{"c.example.", "CNAME", 60, []string{"a.example.", "b.example."}}, Record{}, "only one CNAME"},
		{"HINFO", Record{"h.example.", "hinfo", 60, []string{`a "b c"`}}, Record{"h.example.", "HINFO", 60, []string{`"a" "b c"`}}, ""},
		{"generic type", Record{"h.example.", "TYPE65534", 60, []string{`\# 2 abcd`}}, Record{"h.example.", "TYPE65534", 60, []string{`\# 2 ABCD`}}, ""},
		{"generic data of a known type", Record{"h.example.", "A", 60, []string{`\# 4 0A000001`}}, Record{"h.example.", "A", 60, []string{"10.0.0.1"}}, ""},
		{"generic data of the wrong length", Record{"h.example.", "A", 60, []string{`\# 5 0A00000100`}}, Record{}, "not valid A data"},
		{"SVCB mandatory names an absent key", Record{"s.example.", "SVCB", 60, []string{"1 . mandatory=port alpn=h2"}}, Record{}, "mandatory list names port"},
		{"unknown type", Record{"h.example.", "BOGUS", 60, []string{`"a" "b"`}}, Record{}, `"BOGUS" is not a record type`},
		{"no values", Record{"a.example.", "A", 60, nil}, Record{}, "has no values"},
		{"bad A", Record{"a.example.", "A", 60, []string{"2001:db8::1"}}, Record{}, `invalid IPv4 address "2001:db8::1"`},
		{"empty MX", Record{"a.example.", "MX", 60, []string{" "}}, Record{}, "no data"},
		{"empty TXT string is data", Record{"a.example.", "TXT", 60, []string{`""`}}, Record{"a.example.", "TXT", 60, []string{`""`}}, ""},
		{"two lines", Record{"a.example.", "MX", 60, []string{"10 a.example.\nb IN A 192.0.2.1"}}, Record{}, "spans lines"},
		{"bad MX", Record{"a.example.", "MX", 60, []string{"mail.example."}}, Record{}, `invalid MX value "mail.example."`},
		{"TTL too large", Record{"a.example.", "A", 1 << 31, []string{"192.0.2.1"}}, Record{}, "TTL 2147483648 is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, %v; want error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Normalize must leave what the zone reader returns as it is, so records
// from a zone file and from an API or configuration compare equal.
func TestNormalizeAgreesWithZoneReader(t *testing.T) {
	res := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	for _, r := range res.Records {
		got, err := Normalize(r)
		if err != nil {
			t.Errorf("%s: %v", r.Key(), err)
			continue
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("%s changed (-read +normalised):\n%s", r.Key(), diff)
		}
	}
}

func TestRelativeName(t *testing.T) {
	tests := []struct{ name, origin, want string }{
		{"www.example.org.", "example.org.", "www"},
		{"example.org.", "example.org", "@"},
		{"a.b.Example.org", "example.org.", "a.b"},
		{"*.example.org.", "example.org.", "*"},
		{"www.example.net.", "example.org.", "www.example.net."},
		{"badexample.org.", "example.org.", "badexample.org."},
		{"www.example.org.", ".", "www.example.org"},
	}
	for _, tt := range tests {
		if got := RelativeName(tt.name, tt.origin); got != tt.want {
			t.Errorf("RelativeName(%q, %q) = %q, want %q", tt.name, tt.origin, got, tt.want)
		}
	}
}

func TestSort(t *testing.T) {
	want := []Record{
		{Name: "example.org.", Type: "SOA"},
		{Name: "example.org.", Type: "NS"},
		{Name: "example.org.", Type: "A"},
		{Name: "example.org.", Type: "MX"},
		{Name: "*.example.org.", Type: "A"},
		{Name: "a.example.org.", Type: "A"},
		{Name: `x\.y.a.example.org.`, Type: "A"},
		{Name: "z.a.example.org.", Type: "A"},
		{Name: "b.example.org.", Type: "A"},
		{Name: "zz.example.org.", Type: "A"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := append([]Record(nil), want...)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	}
}

func TestApex(t *testing.T) {
	rs := []Record{
		{Name: "example.org.", Type: "SOA", Values: []string{"soa"}},
		{Name: "example.org.", Type: "NS", Values: []string{"ns"}},
		{Name: "example.org.", Type: "A", Values: []string{"192.0.2.1"}},
		{Name: "sub.example.org.", Type: "NS", Values: []string{"delegated"}},
	}
	soa, ns := Apex(rs, "Example.org")
	if soa == nil || soa.Values[0] != "soa" || ns == nil || ns.Values[0] != "ns" {
		t.Errorf("Apex = %v, %v", soa, ns)
	}
	if soa, ns := Apex(rs[2:], "example.org."); soa != nil || ns != nil {
		t.Errorf("Apex without SOA and NS = %v, %v; want nil, nil", soa, ns)
	}
	got := WithoutApexSOANS(rs, "example.org")
	if diff := cmp.Diff(rs[2:], got); diff != "" {
		t.Errorf("WithoutApexSOANS (-want +got):\n%s", diff)
	}
	if len(rs) != 4 {
		t.Error("WithoutApexSOANS changed its input")
	}
}

func TestCtyRoundTrip(t *testing.T) {
	res := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	for _, r := range res.Records {
		v := r.Value()
		if !v.Type().Equals(RecordType) {
			t.Fatalf("%s: type %#v", r.Key(), v.Type())
		}
		got, err := FromValue(v)
		if err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", r.Key(), diff)
		}
	}
	// ListValue sorts a copy; FromListValue reads it back.
	shuffled := append([]Record(nil), res.Records...)
	shuffled[0], shuffled[len(shuffled)-1] = shuffled[len(shuffled)-1], shuffled[0]
	lv := ListValue(shuffled)
	if shuffled[0].Type == "SOA" {
		t.Error("ListValue reordered its input")
	}
	back, err := FromListValue(lv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Records, back); diff != "" {
		t.Errorf("FromListValue(ListValue) (-want +got):\n%s", diff)
	}
	if !ListValue(nil).Type().Equals(cty.List(RecordType)) {
		t.Errorf("ListValue(nil) has type %#v", ListValue(nil).Type())
	}
	if a := RecordsAttribute("records"); !a.Type.Equals(cty.List(RecordType)) || len(a.Key) != 2 {
		t.Errorf("RecordsAttribute = %+v", a)
	}
}

func TestFromValueErrors(t *testing.T) {
	obj := func(name, typ string, ttl cty.Value, values cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": ttl, "values": values})
	}
	one := cty.ListVal([]cty.Value{cty.StringVal("192.0.2.1")})
	tests := []struct {
		name string
		v    cty.Value
		err  string
	}{
		{"null", cty.NullVal(RecordType), "null"},
		{"not an object", cty.StringVal("x"), "want an object"},
		{"no name", cty.ObjectVal(map[string]cty.Value{"type": cty.StringVal("A")}), `no "name" attribute`},
		{"fractional ttl", obj("a.example.", "A", cty.NumberFloatVal(1.5), one), "not a whole number"},
		{"negative ttl", obj("a.example.", "A", cty.NumberIntVal(-1), one), "not a whole number"},
		{"null ttl", obj("a.example.", "A", cty.NullVal(cty.Number), one), "ttl must be a number"},
		{"values not strings", obj("a.example.", "A", cty.NumberIntVal(60), cty.TupleVal([]cty.Value{cty.True})), "list of strings"},
		{"bad value", obj("a.example.", "A", cty.NumberIntVal(60), cty.SetVal([]cty.Value{cty.StringVal("x")})), `invalid IPv4 address "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromValue(tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("got %v, want error containing %q", err, tt.err)
			}
		})
	}
	dup := cty.ListVal([]cty.Value{
		obj("a.example.", "A", cty.NumberIntVal(60), one),
		obj("A.example", "a", cty.NumberIntVal(60), one),
	})
	if _, err := FromListValue(dup); err == nil || !strings.Contains(err.Error(), "a.example. A twice") {
		t.Errorf("duplicate sets: got %v", err)
	}
}

// compareNames' fast path must order names as the label-by-label walk does.
func TestCompareNamesFastPath(t *testing.T) {
	labels := []string{"a", "b", "ab", "ba", "*", "_x", "a-b", "example", "org"}
	rng := rand.New(rand.NewPCG(7, 7))
	name := func() string {
		n := 1 + rng.IntN(4)
		parts := make([]string, 0, n)
		for range n {
			parts = append(parts, labels[rng.IntN(len(labels))])
		}
		s := strings.Join(parts, ".")
		if rng.IntN(4) > 0 {
			s += "."
		}
		return s
	}
	sign := func(n int) int { return min(max(n, -1), 1) }
	for range 20000 {
		a, b := name(), name()
		if got, want := sign(compareNames(a, b)), sign(compareNamesByLabel(a, b)); got != want {
			t.Fatalf("compareNames(%q, %q) = %d, label by label %d", a, b, got, want)
		}
	}
}

func TestCompareNamesEscapes(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{`b.`, `a\.b.`, 1},
		{`a\.b.`, `b.`, -1},
		{`xa\.b.`, `ya\.b.`, -1},
		{`x.a\.b.`, `y.a\.b.`, -1},
		{`a\\.b.`, `b.`, 1},
	}
	for _, tt := range tests {
		if got := compareNames(tt.a, tt.b); min(max(got, -1), 1) != tt.want {
			t.Errorf("compareNames(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// The sort keys order names exactly as compareNames does.
func TestNameKeyOrder(t *testing.T) {
	names := []string{".", "org.", "example.org.", "*.example.org.", "a.example.org.", "x.a.example.org.", "b.example.org.",
		`a\.b.example.org.`, "a-b.example.org.", "ab.example.org.", "a0.example.org.", "_sip._tcp.example.org.", `\$x.example.org.`,
		"example.com.", "xn--bcher-kva.example.org.", "h10.example.org.", "h9.example.org.", "h100.example.org."}
	for _, a := range names {
		for _, b := range names {
			ka, kb := string(nameKey(nil, a)), string(nameKey(nil, b))
			if got, want := sign(strings.Compare(ka, kb)), sign(compareNames(a, b)); got != want {
				t.Errorf("%s vs %s: key order %d, compareNames %d", a, b, got, want)
			}
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Normalising says what a plan reader should know, once per record set:
// a UTF-8 name in both forms, TXT strings split at 255 bytes.
func TestNormalizeWithNotes(t *testing.T) {
	long := strings.Repeat("y", 300)
	for _, tc := range []struct {
		name string
		in   Record
		want []string
	}{
		{"UTF-8 owner", Record{"straße.bücher.example", "A", 60, []string{"192.0.2.1"}},
			[]string{"xn--strae-oqa.xn--bcher-kva.example. A: the name straße.bücher.example is written in punycode as xn--strae-oqa.xn--bcher-kva.example., the name resolvers look up"}},
		{"two long strings, one note", Record{"t.example.", "TXT", 60, []string{long, long + "z"}},
			[]string{"t.example. TXT: a string of this record is longer than 255 bytes, the most one TXT string holds; it is split into strings of 255 bytes, which resolvers join again"}},
		{"UTF-8 target", Record{"c.example.", "CNAME", 60, []string{"münchen.example."}},
			[]string{"c.example. CNAME: a name in the values is written in punycode, the form resolvers look up"}},
		{"nothing to say", Record{"Www.Example", "A", 60, []string{"192.0.2.1"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, notes, err := NormalizeWithNotes(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range notes {
				got = append(got, n.Key+": "+n.Msg)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("notes\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	var many []Note
	for i := range 23 {
		many = append(many, Note{Key: fmt.Sprintf("h%d.example. TXT", i), Msg: "split"})
	}
	text := NotesText(many)
	if lines := strings.Split(text, "\n"); len(lines) != 21 || lines[20] != "… and 3 more" || lines[0] != "h0.example. TXT: split" {
		t.Errorf("NotesText of 23 notes:\n%s", text)
	}
}
