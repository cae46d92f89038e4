package bind

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/providertest"
)

func pathID(s cty.Value) string { return s.GetAttr("path").AsString() }

// wantSerial checks the serial in state and in the file.
func wantSerial(t providertest.TB, s cty.Value, origin string, want uint32) {
	t.Helper()
	if got := serialOf(t, s); got != want {
		t.Errorf("state serial %d, want %d", got, want)
	}
	if got := fileSerialOf(t, pathID(s), origin); got != want {
		t.Errorf("file serial %d, want %d", got, want)
	}
}

// wantRecords checks that the file holds exactly rs besides its SOA.
func wantRecords(t providertest.TB, path, origin string, rs []dns.Record) {
	t.Helper()
	res, err := dns.ParseZoneFile(path, origin, dns.ParseOptions{})
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	got := without(res.Records, origin+" SOA")
	want := append([]dns.Record(nil), rs...)
	dns.Sort(want)
	if c := dns.Diff(want, got); !c.Empty() {
		t.Errorf("%s differs from the configuration: create %v, update %v, delete %v", path, c.Create, c.Update, c.Delete)
	}
}

// plannedSerialUnknown asserts that the plan bumps the serial.
func plannedSerialUnknown(t providertest.TB, _, planned cty.Value) {
	t.Helper()
	if planned.GetAttr("serial").IsKnown() {
		t.Errorf("planned serial %#v, want unknown: the zone's content changes", planned.GetAttr("serial"))
	}
}

// TestZoneConformance runs locally and over SSH, with validate = true:
// named-checkzone runs on the host that holds the zone.
func TestZoneConformance(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { zoneConformance(t, tr) })
	}
}

func zoneConformance(t *testing.T, tr providertest.Transport) {
	dir := filepath.Join(tr.Dir, "zones")
	zc := func(name string, recs []dns.Record, extra map[string]cty.Value) cty.Value {
		e := map[string]cty.Value{"validate": cty.True}
		for k, v := range extra {
			e[k] = v
		}
		return zoneCfg(name, dir, recs, e)
	}
	const org, net = "example.org.", "example.net."
	orgFile := filepath.Join(dir, "example.org.zone")
	netFile := filepath.Join(dir, "example.net.zone")
	v1 := siteRecords(org)
	v2 := withRecord(v1, rec(org, "A", 300, "192.0.2.11"))
	v3 := append(without(v2, "mail.example.org. A"), rec("mail.example.org.", "AAAA", 3600, "2001:db8::25"), rec("_dmarc.example.org.", "TXT", 3600, `"v=DMARC1; p=none"`))
	drifted := rec("www.example.org.", "A", 300, "203.0.113.66")
	check := func(recs []dns.Record, serial uint32) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, s cty.Value) {
			t.Helper()
			checkZone(t, org, orgFile)
			wantRecords(t, orgFile, org, recs)
			wantSerial(t, s, org, serial)
		}
	}
	providertest.Run(t, providertest.Case{
		Resource:     testResourceOver(t, tr),
		ImportID:     pathID,
		ImportIgnore: []string{"validate"},
		Steps: []providertest.Step{
			{Name: "create", Config: zc(org, v1, nil), PlanCheck: plannedSerialUnknown,
				Check: func(t providertest.TB, s cty.Value) {
					check(v1, 2026112500)(t, s)
					if !strings.HasPrefix(readFile(t, orgFile), header) {
						t.Errorf("the zone file does not start with the managed-by header")
					}
				}},
			{Name: "change one record", Config: zc(org, v2, nil), PlanCheck: plannedSerialUnknown,
				Check: check(v2, 2026112501)},
			{Name: "add and delete records", Config: zc(org, v3, nil), PlanCheck: plannedSerialUnknown,
				Check: func(t providertest.TB, s cty.Value) {
					check(v3, 2026112502)(t, s)
					// Someone edits the file by hand: a CNAME becomes an A
					// record and the serial jumps.
					text := readFile(t, orgFile)
					text = strings.Replace(text, "2026112502", "2026112590", 1)
					text = replaceLine(t, text, "www 300 IN CNAME example.org.", "www 300 IN A 203.0.113.66")
					if err := os.WriteFile(orgFile, []byte(text), 0o644); err != nil {
						t.Fatalf("making drift: %v", err)
					}
				}},
			{Name: "repair the hand edit", Config: zc(org, v3, nil),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					t.Helper()
					recs, err := dns.FromListValue(refreshed.GetAttr("records"))
					if err != nil {
						t.Fatalf("refreshed records: %v", err)
					}
					c := dns.Diff(recs, v3)
					if len(c.Create) != 1 || c.Create[0].Key() != "www.example.org. CNAME" || len(c.Delete) != 1 || !c.Delete[0].Equal(drifted) || len(c.Update) != 0 {
						t.Errorf("the refreshed zone should differ by the hand edit only; got create %v, update %v, delete %v", c.Create, c.Update, c.Delete)
					}
					if got := serialOf(t, refreshed); got != 2026112590 {
						t.Errorf("refreshed serial %d, want the file's 2026112590", got)
					}
					plannedSerialUnknown(t, refreshed, planned)
				},
				Check: check(v3, 2026112591)},
			{Name: "nothing to do", Config: zc(org, v3, nil),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					t.Helper()
					if !planned.RawEquals(refreshed) {
						t.Errorf("an unchanged zone should plan as its prior state")
					}
				},
				Check: check(v3, 2026112591)},
			{Name: "change the SOA", Config: zc(org, v3, map[string]cty.Value{
				"ttl": cty.NumberIntVal(7200),
				"soa": soaBlock(map[string]cty.Value{"rname": cty.StringVal("dns.example.org."), "minimum": cty.NumberIntVal(300)}),
			}), PlanCheck: plannedSerialUnknown,
				Check: func(t providertest.TB, s cty.Value) {
					t.Helper()
					check(v3, 2026112592)(t, s)
					if text := readFile(t, orgFile); !hasLine(text, "@ 7200 IN SOA ns1.example.com. dns.example.org. 2026112592 7200 3600 1209600 300") {
						t.Errorf("the SOA is not as configured:\n%s", text)
					}
					if err := os.Remove(orgFile); err != nil {
						t.Fatalf("deleting behind plumb's back: %v", err)
					}
				}},
			{Name: "recreate after deletion outside plumb", Config: zc(org, v3, map[string]cty.Value{
				"ttl": cty.NumberIntVal(7200),
				"soa": soaBlock(map[string]cty.Value{"rname": cty.StringVal("dns.example.org."), "minimum": cty.NumberIntVal(300)}),
			}),
				PlanCheck: func(t providertest.TB, refreshed, _ cty.Value) {
					if !refreshed.IsNull() {
						t.Errorf("refreshed state %#v, want null for a zone file deleted outside plumb", refreshed)
					}
				},
				Check: check(v3, 2026112500)},
			{Name: "rename replaces", Config: zc(net, siteRecords(net), nil), ExpectReplace: true,
				Check: func(t providertest.TB, s cty.Value) {
					t.Helper()
					if _, err := os.Stat(orgFile); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("%s is still there after the rename (stat: %v)", orgFile, err)
					}
					checkZone(t, net, netFile)
					wantRecords(t, netFile, net, siteRecords(net))
				}},
		},
		Gone: func(t providertest.TB, last cty.Value) {
			if _, err := os.Stat(pathID(last)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s is still there after the delete (stat: %v)", pathID(last), err)
			}
		},
	})
}

// TestRecordsKeepTheirSpelling applies records written loosely (mixed
// case, no trailing dots, values out of order): the plan keeps them as
// written, the file holds them normalised, and the next plan is empty.
func TestRecordsKeepTheirSpelling(t *testing.T) {
	dir := t.TempDir()
	loose := cty.ListVal([]cty.Value{
		looseRecord("Example.ORG", "ns", 3600, "NS2.example.net", "ns1.example.net."),
		looseRecord("WWW.example.org", "a", 300, "192.0.2.2", "192.0.2.1"),
	})
	cfg := cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("Example.ORG"), "directory": cty.StringVal(dir), "records": loose,
		"soa": soaBlock(map[string]cty.Value{"rname": cty.StringVal("hostmaster@Example.org")}),
	})
	path := filepath.Join(dir, "example.org.zone")
	providertest.Run(t, providertest.Case{
		Resource: testResource(),
		Steps: []providertest.Step{{Name: "create", Config: cfg, Check: func(t providertest.TB, s cty.Value) {
			t.Helper()
			checkZone(t, "example.org", path)
			wantRecords(t, path, "example.org.", []dns.Record{
				rec("example.org.", "NS", 3600, "ns1.example.net.", "ns2.example.net."),
				rec("www.example.org.", "A", 300, "192.0.2.1", "192.0.2.2"),
			})
			if !s.GetAttr("records").RawEquals(loose) {
				t.Errorf("state records are not as written")
			}
			if text := readFile(t, path); !hasLine(text, "@ 3600 IN SOA ns1.example.net. hostmaster.example.org. 2026112500 7200 3600 1209600 3600") {
				t.Errorf("SOA names not normalised:\n%s", text)
			}
		}}},
	})
}

func looseRecord(name, typ string, ttl int64, values ...string) cty.Value {
	vs := make([]cty.Value, len(values))
	for i, v := range values {
		vs[i] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl), "values": cty.ListVal(vs),
	})
}

// hasLine reports whether text has a line whose fields are those of want.
func hasLine(text, want string) bool {
	w := strings.Join(strings.Fields(want), " ")
	for _, line := range strings.Split(text, "\n") {
		if strings.Join(strings.Fields(line), " ") == w {
			return true
		}
	}
	return false
}

// replaceLine replaces the line whose fields are those of old with repl,
// failing the test when there is none.
func replaceLine(t providertest.TB, text, old, repl string) string {
	t.Helper()
	o := strings.Join(strings.Fields(old), " ")
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if strings.Join(strings.Fields(line), " ") == o {
			lines[i] = repl
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf("no line %q in:\n%s", old, text)
	return text
}

// TestValidateRefuses: with validate = true, a zone BIND rejects (a host
// name with an underscore, which BIND's check-names refuses in a primary
// zone) is not written, locally or over SSH, and the error says what
// BIND said about which file.
func TestValidateRefuses(t *testing.T) {
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) {
			r := testResourceOver(t, tr)
			dir := filepath.Join(tr.Dir, "zones")
			const org = "example.org."
			recs := []dns.Record{rec(org, "NS", 3600, "ns1.example.com."), rec("bad_host.example.org.", "A", 300, "192.0.2.10")}
			// check_names = "ignore" lets the plan through, so that BIND
			// itself has to refuse the name at apply.
			config := r.schema.Complete(zoneCfg(org, dir, recs, map[string]cty.Value{"validate": cty.True, "check_names": cty.StringVal("ignore")}))
			plan := r.Plan(context.Background(), providers.PlanRequest{Prior: r.null, Config: config})
			if plan.Diagnostics.HasErrors() {
				t.Fatalf("plan: %v", plan.Diagnostics)
			}
			resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: r.null, Planned: plan.Planned, Config: config})
			if !resp.Diagnostics.HasErrors() || !resp.State.IsNull() {
				t.Fatalf("apply of a zone BIND rejects: state %#v, diagnostics %v", resp.State, resp.Diagnostics)
			}
			msg := resp.Diagnostics.Error()
			for _, want := range []string{"BIND rejects", "bad owner name (check-names)", filepath.Join(dir, "example.org.zone") + ":", "not changed"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error lacks %q: %s", want, msg)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "example.org.zone")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the rejected zone was written (stat: %v)", err)
			}
		})
	}
}
