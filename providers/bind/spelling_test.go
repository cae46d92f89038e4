package bind

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// respelledRecords writes every name of a records list, and the names in
// its values, in upper case and without the final dot.
func respelledRecords(v cty.Value) cty.Value {
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		m := e.AsValueMap()
		m["name"] = cty.StringVal(respell(m["name"].AsString()))
		typ := m["type"].AsString()
		var vals []cty.Value
		for vi := m["values"].ElementIterator(); vi.Next(); {
			_, x := vi.Element()
			s := x.AsString()
			switch typ {
			case "CNAME", "NS", "PTR", "MX", "SRV":
				f := strings.Fields(s)
				f[len(f)-1] = respell(f[len(f)-1])
				s = strings.Join(f, " ")
			}
			vals = append(vals, cty.StringVal(s))
		}
		m["values"] = cty.ListVal(vals)
		out = append(out, cty.ObjectVal(m))
	}
	return cty.ListVal(out)
}

func respell(s string) string { return strings.TrimSuffix(strings.ToUpper(s), ".") }

// TestImportedZoneRespelledPlansClean imports a zone file, then plans a
// configuration that writes every name-like attribute another way: the
// zone's name, each record's name, the names in CNAME, NS, MX and PTR
// values, and the SOA's mname and rname. The plan must be a no-op.
func TestImportedZoneRespelledPlansClean(t *testing.T) {
	r := testResource()
	imp := r.Import(context.Background(), providers.ImportRequest{ID: "testdata/import/example.com.db"})
	if imp.Diagnostics.HasErrors() {
		t.Fatal(imp.Diagnostics.Error())
	}
	s := imp.State
	soa := s.GetAttr("soa").AsValueMap()
	soa["mname"] = cty.StringVal(respell(soa["mname"].AsString()))
	soa["rname"] = cty.StringVal(respell(soa["rname"].AsString()))
	for _, name := range []string{"example.com", "Example.Com.", "EXAMPLE.COM"} {
		cfg := cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal(name), "directory": s.GetAttr("directory"), "filename": s.GetAttr("filename"),
			"ttl": s.GetAttr("ttl"), "soa": cty.ObjectVal(soa), "records": respelledRecords(s.GetAttr("records")),
		})
		p := plan(r, s, cfg)
		if p.Diagnostics.HasErrors() || len(p.RequiresReplace) > 0 {
			t.Fatalf("name %q: %s (replace %v)", name, p.Diagnostics.Error(), p.RequiresReplace)
		}
		if !p.Planned.RawEquals(s) {
			for attr := range s.Type().AttributeTypes() {
				if !p.Planned.GetAttr(attr).RawEquals(s.GetAttr(attr)) {
					t.Errorf("name %q: %s changes from %#v to %#v", name, attr, s.GetAttr(attr), p.Planned.GetAttr(attr))
				}
			}
		}
	}
}
