package awstest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Route53Shim is an http.Handler that stands in front of kumo and adds the
// Route 53 behaviours kumo lacks, so code written against real Route 53 can
// be tested against it unchanged. Requests for other services pass through
// to kumo untouched, so one URL serves every service.
//
// What it reproduces of real Route 53:
//
//   - Pagination. ListResourceRecordSets returns at most MaxItems (default
//     and limit 300) record sets, sorted by name with the labels reversed,
//     then by type and set identifier, starting at StartRecordName /
//     StartRecordType / StartRecordIdentifier, with IsTruncated and
//     NextRecordName / NextRecordType / NextRecordIdentifier. ListHostedZones
//     pages by Marker / NextMarker (MaxItems default and limit 100), and
//     ListHostedZonesByName by DNSName / HostedZoneId. kumo returns every
//     record in one page in insertion order, and its ListHostedZones skips
//     the first zone of every page after the first.
//   - Caller references. CreateHostedZone with a CallerReference used
//     before (even by a zone since deleted) fails with HostedZoneAlreadyExists
//     (HTTP 409). kumo creates a second zone.
//   - Names as Route 53 stores them: lower case, trailing dot, and bytes
//     other than a-z 0-9 - _ as octal escapes ("*" is returned as "\052").
//   - The apex SOA and four NS records (values: the delegation set's name
//     servers) that Route 53 creates with every zone; kumo creates none.
//   - DeleteHostedZone fails with HostedZoneNotEmpty (HTTP 400) while the
//     zone holds anything but its apex SOA and NS records.
//   - Atomic, validated change batches: a ChangeResourceRecordSets whose
//     changes cannot all apply is rejected whole with InvalidChangeBatch and
//     one message per problem (create of an existing set, delete of a
//     missing one or with values that differ, a name outside the zone, a
//     CNAME beside other types, deleting the apex SOA or NS, malformed A or
//     AAAA values, more than 1,000 records or 32,000 characters of values).
//     kumo applies a failing batch partly and corrupts its record list.
//   - Throttling and PriorRequestNotComplete, injected on demand (Faults).
//   - An account of its own: kumo keeps one Route 53 store per process, so
//     the shim shows each Emulator only the zones created through it.
//
// It also counts requests per API action (Counts).
type Route53Shim struct {
	upstream *url.URL
	client   *http.Client
	proxy    *httputil.ReverseProxy
	mux      *http.ServeMux
	faults   faultState

	countMu  sync.Mutex
	counts   map[string]int
	rejected map[string]int

	mu    sync.Mutex           // guards zones, ids and refs
	zones map[string]*zoneMeta // zones created through the shim, by full ID
	ids   []string             // the keys of zones, sorted
	refs  map[string]bool      // every caller reference used
}

// zoneMeta is what the shim remembers of a zone it created.
type zoneMeta struct {
	name string     // canonical zone name
	lock sync.Mutex // serialises checks and changes of the zone's records
}

// NewRoute53Shim returns a shim that forwards to the kumo server at
// upstream (such as "http://127.0.0.1:41234").
func NewRoute53Shim(upstream string) (*Route53Shim, error) {
	u, err := url.Parse(upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("route53 shim: upstream %q is not an http URL", upstream)
	}
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second}
	s := &Route53Shim{
		upstream: u,
		client:   &http.Client{Transport: tr},
		proxy: &httputil.ReverseProxy{
			Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
			Transport: tr,
		},
		mux:      http.NewServeMux(),
		counts:   map[string]int{},
		rejected: map[string]int{},
		zones:    map[string]*zoneMeta{},
		refs:     map[string]bool{},
	}
	s.faults.now = time.Now
	s.faults.set(Faults{})
	s.routes()
	return s, nil
}

func (s *Route53Shim) routes() {
	const p = "/2013-04-01"
	for _, r := range []struct {
		pattern, action string
		h               http.HandlerFunc
	}{
		{"POST " + p + "/hostedzone", "CreateHostedZone", s.createZone},
		{"GET " + p + "/hostedzone", "ListHostedZones", s.listZones},
		{"GET " + p + "/hostedzonesbyname", "ListHostedZonesByName", s.listZonesByName},
		{"GET " + p + "/hostedzonecount", "GetHostedZoneCount", s.zoneCount},
		{"GET " + p + "/hostedzone/{id}", "GetHostedZone", s.ownedThenProxy},
		{"DELETE " + p + "/hostedzone/{id}", "DeleteHostedZone", s.deleteZone},
		{"POST " + p + "/hostedzone/{id}/rrset", "ChangeResourceRecordSets", s.changeRecords},
		{"GET " + p + "/hostedzone/{id}/rrset", "ListResourceRecordSets", s.listRecords},
		{"GET " + p + "/change/{id}", "GetChange", s.proxy.ServeHTTP},
		{"GET " + p + "/tags/hostedzone/{id}", "ListTagsForResource", s.ownedThenProxy},
		{"POST " + p + "/tags/hostedzone/{id}", "ChangeTagsForResource", s.ownedThenProxy},
		{p + "/", "Other", s.proxy.ServeHTTP},
	} {
		s.mux.HandleFunc(r.pattern, s.action(r.action, r.h))
	}
}

// ServeHTTP serves Route 53 requests itself and passes every other request
// to kumo.
func (s *Route53Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isRoute53(r) {
		s.mux.ServeHTTP(w, r)
		return
	}
	s.proxy.ServeHTTP(w, r)
}

// isRoute53 reports whether r is a Route 53 API request: its path is under
// the API version and it is unsigned or signed for route53 (so an S3
// bucket named "2013-04-01" still reaches S3).
func isRoute53(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, "/2013-04-01/") {
		return false
	}
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return true
	}
	scope := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	return len(scope) == 5 && scope[3] == "route53"
}

// action wraps a handler with request counting and fault injection.
func (s *Route53Shim) action(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.countMu.Lock()
		s.counts[name]++
		s.countMu.Unlock()
		if code, msg, ok := s.faults.inject(name); ok {
			s.countMu.Lock()
			s.rejected[name]++
			s.countMu.Unlock()
			writeFault(w, code, msg)
			return
		}
		h(w, r)
	}
}

// SetFaults replaces the fault injection settings and restarts their
// counters and token bucket.
func (s *Route53Shim) SetFaults(f Faults) { s.faults.set(f) }

// Counts returns how many Route 53 requests the shim received, by API
// action ("CreateHostedZone": 5000), including those it answered with an
// injected error. Requests the shim itself sends to kumo are not counted.
func (s *Route53Shim) Counts() map[string]int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.counts)
}

// Rejected returns how many requests, by API action, were answered with an
// injected Throttling or PriorRequestNotComplete error.
func (s *Route53Shim) Rejected() map[string]int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.rejected)
}

// ResetCounts sets the request and rejection counts back to zero.
func (s *Route53Shim) ResetCounts() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	clear(s.counts)
	clear(s.rejected)
}

// Close releases the shim's idle connections to kumo.
func (s *Route53Shim) Close() { s.client.CloseIdleConnections() }

// owned returns the zone with the bare or full ID if it was created through
// this shim, or nil.
func (s *Route53Shim) owned(id string) *zoneMeta {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.zones[fullZoneID(id)]
}

func (s *Route53Shim) own(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zones[id] = &zoneMeta{name: name}
	i := sort.SearchStrings(s.ids, id)
	s.ids = append(s.ids, "")
	copy(s.ids[i+1:], s.ids[i:])
	s.ids[i] = id
}

func (s *Route53Shim) disown(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.zones, id)
	if i := sort.SearchStrings(s.ids, id); i < len(s.ids) && s.ids[i] == id {
		s.ids = append(s.ids[:i], s.ids[i+1:]...)
	}
}

func fullZoneID(id string) string { return "/hostedzone/" + strings.TrimPrefix(id, "/hostedzone/") }

func bareZoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

// ownedThenProxy answers NoSuchHostedZone for a zone of another Emulator and
// passes the request to kumo otherwise.
func (s *Route53Shim) ownedThenProxy(w http.ResponseWriter, r *http.Request) {
	if s.owned(r.PathValue("id")) == nil {
		noSuchZone(w, r.PathValue("id"))
		return
	}
	s.proxy.ServeHTTP(w, r)
}

func noSuchZone(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: "+bareZoneID(id))
}

// upstreamReply is kumo's answer to a request the shim sent.
type upstreamReply struct {
	status int
	header http.Header
	body   []byte
}

// ok reports whether kumo answered with a 2xx status.
func (u upstreamReply) ok() bool { return u.status/100 == 2 }

// relay copies kumo's answer to the client.
func (u upstreamReply) relay(w http.ResponseWriter) {
	for _, k := range []string{"Content-Type", "Location", "X-Amzn-Requestid"} {
		if v := u.header.Get(k); v != "" {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(u.status)
	_, _ = w.Write(u.body)
}

// call sends a request to kumo's Route 53, with in (if not nil) encoded as
// the XML body, and decodes a 2xx answer into out (if not nil).
func (s *Route53Shim) call(ctx context.Context, method, path string, in, out any) (upstreamReply, error) {
	var body io.Reader
	if in != nil {
		b, err := xml.Marshal(in)
		if err != nil {
			return upstreamReply{}, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.upstream.JoinPath(path).String(), body)
	if err != nil {
		return upstreamReply{}, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return upstreamReply{}, fmt.Errorf("kumo %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return upstreamReply{}, fmt.Errorf("read kumo answer to %s %s: %w", method, path, err)
	}
	rep := upstreamReply{status: resp.StatusCode, header: resp.Header, body: raw}
	if rep.ok() && out != nil {
		if err := xml.Unmarshal(raw, out); err != nil {
			return rep, fmt.Errorf("decode kumo answer to %s %s: %w", method, path, err)
		}
	}
	return rep, nil
}

// decodeBody reads the request's XML body into v, answering InvalidInput
// and returning false when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(r.Body)
	if err == nil {
		err = xml.Unmarshal(b, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidInput", "Could not parse the request body: "+err.Error())
		return false
	}
	return true
}

// internalError answers HTTP 500 for a failure of the shim itself.
func internalError(w http.ResponseWriter, err error) {
	writeError(w, http.StatusInternalServerError, "InternalFailure", "route53 shim: "+err.Error())
}
