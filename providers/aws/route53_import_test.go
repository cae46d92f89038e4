package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/plan"
)

// importedRecords are the record sets of the imported zone, as the
// configuration writes them in its canonical spelling.
var importedRecords = []struct {
	name, typ string
	values    []string
}{
	{"www.imported.example.", "A", []string{"192.0.2.10"}},
	{"mail.imported.example.", "A", []string{"192.0.2.25"}},
	{"imported.example.", "MX", []string{"10 mail.imported.example."}},
	{"ftp.imported.example.", "CNAME", []string{"www.imported.example."}},
	{"sub.imported.example.", "NS", []string{"ns1.other.example.", "ns2.other.example."}},
	{"_sip._tcp.imported.example.", "SRV", []string{"10 60 5060 sip.imported.example."}},
	{"10.imported.example.", "PTR", []string{"host10.imported.example."}},
}

// respell returns s written another way: upper case, and without its
// final dot when drop is set.
func respell(s string, drop bool) string {
	s = strings.ToUpper(s)
	if drop {
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// recordsConfig is the records attribute for importedRecords, each name
// and name-like value passed through spell.
func recordsConfig(spell func(string) string, change map[string]string) cty.Value {
	var out []cty.Value
	for _, r := range importedRecords {
		vals := make([]cty.Value, len(r.values))
		for i, v := range r.values {
			if c, ok := change[r.name+" "+r.typ]; ok {
				v = c
			}
			if r.typ != "A" {
				// The name in the value: its last field.
				f := strings.Fields(v)
				f[len(f)-1] = spell(f[len(f)-1])
				v = strings.Join(f, " ")
			}
			vals[i] = cty.StringVal(v)
		}
		out = append(out, cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal(spell(r.name)), "type": cty.StringVal(r.typ),
			"ttl": cty.NumberIntVal(300), "values": cty.ListVal(vals),
		}))
	}
	return cty.ListVal(out)
}

// TestImportedZonePlansClean imports a zone made in Route 53, then plans
// configurations that write every name-like attribute (the zone's name,
// record names, and the names inside CNAME, MX, NS, SRV and PTR values)
// another way: in upper case, without the final dot. Each plan must be a
// no-op; and a configuration that also changes one record shows that
// record only.
func TestImportedZonePlansClean(t *testing.T) {
	e := awstest.StartKumo(t)
	_, r := zoneRes(t, e)
	c := e.Route53Client()
	out, err := createZone(c, "imported.example")
	if err != nil {
		t.Fatal(err)
	}
	id := *out.HostedZone.Id
	var changes []types.Change
	for _, rec := range importedRecords {
		changes = append(changes, newChange(types.ChangeActionCreate, recordSet(rec.name, types.RRType(rec.typ), 300, rec.values...)))
	}
	changeByHand(t, e, id, changes...)
	imp := r.Import(context.Background(), providers.ImportRequest{ID: id})
	if imp.Diagnostics.HasErrors() {
		t.Fatalf("import: %s", imp.Diagnostics.Error())
	}
	read := r.Read(context.Background(), providers.ReadRequest{Prior: imp.State})
	if read.Diagnostics.HasErrors() {
		t.Fatalf("read: %s", read.Diagnostics.Error())
	}
	prior := read.State

	spellings := map[string]func(string) string{
		"as imported": func(s string) string { return s },
		"final dots":  func(s string) string { return strings.TrimSuffix(s, ".") },
		"upper case":  func(s string) string { return respell(s, false) },
		"both":        func(s string) string { return respell(s, true) },
	}
	zoneNames := []string{"imported.example", "imported.example.", "Imported.Example", "IMPORTED.EXAMPLE."}
	for what, spell := range spellings {
		for _, zone := range zoneNames {
			cfg := zoneConfig(map[string]cty.Value{"name": cty.StringVal(zone), "records": recordsConfig(spell, nil)})
			resp := planZone(r, "aws_route53_zone.imported", prior, cfg)
			if resp.Diagnostics.HasErrors() || len(resp.RequiresReplace) > 0 {
				t.Fatalf("%s, name %q: %s (replace %v)", what, zone, resp.Diagnostics.Error(), resp.RequiresReplace)
			}
			if ch := (&plan.Change{Action: plan.Update, Before: prior, After: resp.Planned, Keys: r.schema.ElementKeys()}); !resp.Planned.RawEquals(prior) {
				t.Errorf("%s, name %q: the plan changes %v", what, zone, paths(plan.Diff(ch)))
			}
		}
	}

	// A real change among respellings shows that change alone.
	cfg := zoneConfig(map[string]cty.Value{"name": cty.StringVal("Imported.Example."), "records": recordsConfig(spellings["both"], map[string]string{"mail.imported.example. A": "192.0.2.26"})})
	resp := planZone(r, "aws_route53_zone.imported", prior, cfg)
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics.Error())
	}
	got := paths(plan.Diff(&plan.Change{Action: plan.Update, Before: prior, After: resp.Planned, Keys: r.schema.ElementKeys()}))
	want := []string{`records[name="mail.imported.example.",type="A"].values[-]`, `records[name="mail.imported.example.",type="A"].values[+]`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("one changed record among respelled ones: the plan changes %v, want %v", got, want)
	}
	// Applied, read back and planned again, it is a no-op.
	applied := applyZone(t, r, "aws_route53_zone.imported", prior, cfg)
	read = r.Read(context.Background(), providers.ReadRequest{Prior: applied})
	if again := planZone(r, "aws_route53_zone.imported", read.State, cfg); again.Diagnostics.HasErrors() || !again.Planned.RawEquals(read.State) {
		t.Errorf("after applying, the plan changes %v", paths(plan.Diff(&plan.Change{Action: plan.Update, Before: read.State, After: again.Planned, Keys: r.schema.ElementKeys()})))
	}
	if live := liveSets(t, e, id); live["mail.imported.example. A"] != "192.0.2.26" {
		t.Errorf("the change did not reach Route 53: %v", live)
	}
}

func paths(ds []plan.AttrDiff) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Path)
	}
	return out
}
