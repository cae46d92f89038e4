package dns

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func recVal(name, typ string, ttl int64, values ...string) cty.Value {
	vs := make([]cty.Value, len(values))
	for i, v := range values {
		vs[i] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl), "values": cty.ListVal(vs)})
}

func TestKeepSpelling(t *testing.T) {
	prior := cty.ListVal([]cty.Value{
		recVal("www.example.org.", "CNAME", 300, "web.example.org."),
		recVal("mail.example.org.", "A", 300, "192.0.2.1"),
		recVal("example.org.", "MX", 300, "10 mail.example.org."),
	})
	config := cty.ListVal([]cty.Value{
		recVal("WWW.Example.Org", "CNAME", 300, "Web.Example.Org"),        // the same, written another way
		recVal("Mail.Example.Org.", "A", 60, "192.0.2.1"),                 // a real change, written another way
		recVal("example.org", "MX", 300, "10 MAIL.example.org."),          // the same
		recVal("New.Example.Org.", "TXT", 300, `"written as configured"`), // new
	})
	got := KeepSpelling(prior, config)
	want := cty.ListVal([]cty.Value{
		recVal("www.example.org.", "CNAME", 300, "web.example.org."),
		recVal("mail.example.org.", "A", 60, "192.0.2.1"),
		recVal("example.org.", "MX", 300, "10 mail.example.org."),
		recVal("New.Example.Org.", "TXT", 300, `"written as configured"`),
	})
	if !got.Equals(want).True() {
		t.Errorf("KeepSpelling:\n got %#v\nwant %#v", got, want)
	}
	// Unreadable or unknown lists are left to the provider to report.
	bad := cty.ListVal([]cty.Value{recVal("x", "NOPE", 300, "1")})
	if got := KeepSpelling(prior, bad); !got.RawEquals(bad) {
		t.Errorf("an unreadable configuration was rewritten: %#v", got)
	}
	unknown := cty.UnknownVal(cty.List(RecordType))
	if got := KeepSpelling(prior, unknown); !got.RawEquals(unknown) {
		t.Errorf("an unknown configuration was rewritten")
	}
}
