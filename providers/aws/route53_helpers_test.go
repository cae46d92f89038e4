package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// zoneRes returns the aws_route53_zone resource of a provider configured
// for the emulator.
func zoneRes(t testing.TB, e *awstest.Emulator) (*Provider, *zoneResource) {
	t.Helper()
	p := emulatorProvider(t, e, nil, nil)
	return p, p.Resources()[ZoneType].(*zoneResource)
}

// zoneConfig is an aws_route53_zone configuration with attrs set and every
// other attribute null.
func zoneConfig(attrs map[string]cty.Value) cty.Value {
	s := newZoneResource(nil).schema
	vals := map[string]cty.Value{}
	for name, a := range s.Attributes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = cty.NullVal(a.Type)
		}
	}
	return cty.ObjectVal(vals)
}

// apexNSLine finds an apex NS record among zone-file lines.
var apexNSLine = regexp.MustCompile(`(?m)^@\s+([0-9]+\s+)?(IN\s+)?NS\s`)

// zoneRecords parses zone-file lines (after $ORIGIN origin and $TTL 300)
// into normalised record sets, apex SOA and NS included when given.
func parseRecords(t testing.TB, origin string, lines ...string) []dns.Record {
	t.Helper()
	body := strings.Join(lines, "\n")
	// BIND reads a zone only with its SOA and NS: add them when the
	// lines leave them out, and leave them out of the result.
	hasSOA, hasNS := strings.Contains(body, " SOA "), apexNSLine.MatchString(body)
	if !hasSOA {
		body += "\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 300"
	}
	if !hasNS {
		body += "\n@ NS ns1.example.net."
	}
	text := fmt.Sprintf("$ORIGIN %s.\n$TTL 300\n%s\n", origin, body)
	res, err := dns.ParseZone(strings.NewReader(text), "test.zone", origin, dns.ParseOptions{})
	if err != nil {
		t.Fatalf("test zone for %s: %v", origin, err)
	}
	out := res.Records[:0]
	for _, r := range res.Records {
		if r.Name == origin+"." && (r.Type == "SOA" && !hasSOA || r.Type == "NS" && !hasNS) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// standardLines are twelve record sets an ordinary zone holds.
var standardLines = []string{
	"@ A 192.0.2.1", "www CNAME @", "mail A 198.51.100.2", "@ MX 10 mail", "@ TXT \"v=spf1 mx a -all\"",
	"_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@example.org\"", "ftp 1800 A 203.0.113.3",
	"ipv6 AAAA 2001:db8::7", "_sip._tcp SRV 10 60 5060 sip", "sip A 192.0.2.9", "host0 A 10.0.0.1", "*.wild A 10.0.0.2",
}

// planZone plans config against prior for addr.
func planZone(r *zoneResource, addr string, prior, config cty.Value) providers.PlanResponse {
	return r.Plan(context.Background(), providers.PlanRequest{Addr: addr, Prior: prior, Config: config})
}

// applyZone plans and applies config, failing the test on an error.
func applyZone(t testing.TB, r *zoneResource, addr string, prior, config cty.Value) cty.Value {
	t.Helper()
	plan := planZone(r, addr, prior, config)
	if plan.Diagnostics.HasErrors() {
		t.Fatalf("plan: %s", plan.Diagnostics.Error())
	}
	resp := r.Apply(context.Background(), providers.ApplyRequest{Addr: addr, Prior: prior, Planned: plan.Planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		t.Fatalf("apply: %s", resp.Diagnostics.Error())
	}
	return resp.State
}

// liveSets lists a zone's record sets through a plain SDK client, keyed
// "name type" as Route 53 spells them, the values joined by commas.
func liveSets(t testing.TB, e *awstest.Emulator, id string) map[string]string {
	t.Helper()
	sets, err := listRecordSets(context.Background(), e.Route53Client(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, rs := range sets {
		var vs []string
		for _, v := range rs.ResourceRecords {
			vs = append(vs, aws.ToString(v.Value))
		}
		out[aws.ToString(rs.Name)+" "+string(rs.Type)] = strings.Join(vs, ",")
	}
	return out
}

// zonesNamed lists the emulator's zones of a name through a plain client.
func zonesNamed(t testing.TB, e *awstest.Emulator, name string) []types.HostedZone {
	t.Helper()
	out, err := e.Route53Client().ListHostedZonesByName(context.Background(), &route53.ListHostedZonesByNameInput{DNSName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var zs []types.HostedZone
	for _, z := range out.HostedZones {
		if aws.ToString(z.Name) == name {
			zs = append(zs, z)
		}
	}
	return zs
}

// changeByHand sends one change batch through a plain client (drift made
// outside plumb).
func changeByHand(t testing.TB, e *awstest.Emulator, id string, changes ...types.Change) {
	t.Helper()
	if _, err := e.Route53Client().ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(id), ChangeBatch: &types.ChangeBatch{Changes: changes},
	}); err != nil {
		t.Fatal(err)
	}
}

func recordSet(name string, typ types.RRType, ttl int64, values ...string) *types.ResourceRecordSet {
	rs := &types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return rs
}

// findDiag returns the first diagnostic of the severity whose summary or
// detail holds words, or nil.
func findDiag(diags hcl.Diagnostics, sev hcl.DiagnosticSeverity, words string) *hcl.Diagnostic {
	for _, d := range diags {
		if d.Severity == sev && (strings.Contains(d.Summary, words) || strings.Contains(d.Detail, words)) {
			return d
		}
	}
	return nil
}

// r53Front is an HTTP server in front of the emulator that lets a test answer
// chosen Route 53 requests itself.
type r53Front struct {
	srv *httptest.Server
	mu  sync.Mutex
	n   map[string]int // requests seen by "METHOD kind"
	// answer, when it returns true, has answered the request itself; seen
	// is how many requests of the kind came before, this one included.
	answer func(w http.ResponseWriter, r *http.Request, kind string, seen int, body []byte) bool
}

// startR53Front starts a front for e; t.Cleanup stops it.
func startR53Front(t testing.TB, e *awstest.Emulator, answer func(w http.ResponseWriter, r *http.Request, kind string, seen int, body []byte) bool) *r53Front {
	t.Helper()
	u, err := url.Parse(e.URL())
	if err != nil {
		t.Fatal(err)
	}
	f := &r53Front{n: map[string]int{}, answer: answer}
	proxy := httputil.NewSingleHostReverseProxy(u)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		kind := r.Method + " " + requestKind(r.URL.Path)
		f.mu.Lock()
		f.n[kind]++
		seen := f.n[kind]
		f.mu.Unlock()
		if f.answer != nil && f.answer(w, r, kind, seen, body) {
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// requestKind names a Route 53 request path: "rrset" for record changes
// and lists, "zone" for one zone, "zones" for the zone list.
func requestKind(path string) string {
	switch {
	case strings.HasSuffix(path, "/rrset"):
		return "rrset"
	case strings.Contains(path, "/hostedzone/"):
		return "zone"
	}
	return "zones"
}

// r53FrontProvider configures a provider that talks to the front, with
// max_retries retries.
func r53FrontProvider(t testing.TB, f *r53Front, retries int64) (*Provider, *zoneResource) {
	t.Helper()
	p := New().(*Provider)
	p.backoff = noDelay
	cfg := configValue(map[string]cty.Value{
		"endpoint": cty.StringVal(f.srv.URL), "access_key": cty.StringVal(awstest.AccessKeyID),
		"secret_key": cty.StringVal(awstest.SecretAccessKey), "max_requests_per_second": cty.Zero,
		"max_retries": cty.NumberIntVal(retries),
	})
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: cfg}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	return p, p.Resources()[ZoneType].(*zoneResource)
}

// writeRoute53Error answers with Route 53's error document.
func writeRoute53Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>front</RequestId></ErrorResponse>`, code, msg)
}

// errorCodeOf returns the API error code inside err, or "".
func errorCodeOf(err error) string {
	var nsz *types.NoSuchHostedZone
	if errors.As(err, &nsz) {
		return "NoSuchHostedZone"
	}
	return errorCode(err)
}

func newChange(a types.ChangeAction, rs *types.ResourceRecordSet) types.Change {
	return types.Change{Action: a, ResourceRecordSet: rs}
}
