// Package ec2shim is a test stand-in for the part of Amazon EC2 that EBS
// snapshot policies use, which kumo (the project's AWS emulator) does not
// serve: volumes, snapshots, and the AMIs that pin snapshots. It speaks
// EC2's Query protocol (form-encoded POST with Action=…, XML answers
// carrying a requestId, errors as <Response><Errors>…), so an AWS SDK
// client configured with its URL as endpoint cannot tell it from EC2.
// Requests it does not serve go to an upstream (kumo, or the awstest
// Route 53 shim in front of kumo) unchanged, so one URL serves every
// service.
//
// What it reproduces of real EC2, action by action:
//
//   - DescribeVolumes: VolumeId.N (an unknown ID fails the whole call with
//     InvalidVolume.NotFound, as EC2 does), filters attachment.instance-id,
//     attachment.device, volume-id, status, tag:KEY and tag-key, with
//     EC2's wildcards (* and ?) in filter values; MaxResults (5–500) and NextToken
//     paging, MaxResults together with VolumeId refused with
//     InvalidParameterCombination.
//   - CreateSnapshot: InvalidVolume.NotFound for a missing volume, tags
//     applied atomically from TagSpecification (ResourceType must be
//     "snapshot"; keys starting "aws:" refused, at most 50 tags), a
//     description of at most 255 characters; the answer says "pending".
//   - DescribeSnapshots: without Owner it lists every snapshot the caller
//     can see, including other accounts' public ones, which is why callers
//     pass Owner=self; filters volume-id, snapshot-id, status, owner-id,
//     description, tag:KEY and tag-key; MaxResults (5–1000) and NextToken
//     paging; SnapshotId.N with an unknown ID fails with
//     InvalidSnapshot.NotFound. A snapshot moves from pending to completed
//     after a configurable time on the shim's clock or number of listings
//     (Options).
//   - DeleteSnapshot: InvalidSnapshot.NotFound for an unknown ID, and
//     InvalidSnapshot.InUse ("The snapshot snap-… is currently in use by
//     ami-…") while a registered AMI uses it.
//   - CreateTags on snapshots and volumes (a request naming other
//     resources goes upstream to kumo), all or nothing, with the same tag
//     rules as CreateSnapshot.
//   - CopySnapshot (copy.go): sent to the destination region, like EC2;
//     the source must exist in SourceRegion and be completed
//     (IncorrectState otherwise); the copy starts pending, with the
//     arbitrary volume ID vol-ffffffff real copies carry, and completes
//     like a new snapshot (Options); Encrypted and KmsKeyId (which needs
//     Encrypted) are kept, an encrypted source gives an encrypted copy; at
//     most 20 copies may be in flight per destination region
//     (ResourceLimitExceeded), EC2's documented quota.
//   - DescribeImages: Owner, ImageId.N, filters image-id, name and
//     block-device-mapping.snapshot-id, paging; AMIs exist only through
//     RegisterImage, a test helper, since plumb never makes them.
//   - Regions: every volume, snapshot and AMI lives in one region, and a
//     request sees only those of the region it is signed for (an unsigned
//     one, the home region: Options.Region). Helpers put what they seed
//     in the home region unless told otherwise.
//   - RequestLimitExceeded (HTTP 503), EC2's throttling error, injected on
//     demand (Faults).
//
// Results are returned in snapshot, volume and image ID order, and IDs are
// derived from what they name, so a test run is reproducible. The shim
// also counts requests per action (Counts), and its helpers seed volumes
// and snapshots (AddVolume, AddSnapshot), make volumes disappear
// (DeleteVolume) and read what exists (Snapshots).
package ec2shim

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The account and the default home region the shim plays. Snapshots of
// other accounts can be seeded with Snapshot.OwnerID.
const (
	Account = "123456789012"
	Region  = "us-east-1"
	// APIVersion is the EC2 API version the SDK sends and the shim answers.
	APIVersion = "2016-11-15"
)

// Options configure a Shim. The zero value is usable: the system clock,
// snapshots completed by the first listing after they were created.
type Options struct {
	// Region is the home region: where AddVolume, AddSnapshot and
	// RegisterImage put what has no Region of its own, and what an
	// unsigned request sees. Region (us-east-1) when empty.
	Region string
	// Now is the shim's clock, stamped on new snapshots and used to
	// complete them; nil means time.Now. Tests share it with the code
	// under test to walk through days.
	Now func() time.Time
	// CompleteAfter, when positive, completes a pending snapshot once the
	// clock is that long past its start time.
	CompleteAfter time.Duration
	// CompleteAfterListings, when positive, completes a pending snapshot
	// after that many DescribeSnapshots answers have listed it as pending.
	CompleteAfterListings int
	// When both are zero a snapshot is reported completed by the first
	// DescribeSnapshots after the CreateSnapshot that answered "pending".
	// When both are set, whichever comes first completes it.
}

// Shim is an http.Handler serving EC2's volume, snapshot and image actions
// itself and passing every other request to its upstream.
type Shim struct {
	opts  Options
	now   func() time.Time
	proxy http.Handler // nil without an upstream
	url   string       // set by Start

	countMu  sync.Mutex
	counts   map[string]int
	rejected map[string]int
	faults   faultState

	mu    sync.Mutex
	store store
}

// serve lists the actions the shim answers itself.
var serve = map[string]func(*Shim, *call){
	"DescribeVolumes":   (*Shim).describeVolumes,
	"CreateSnapshot":    (*Shim).createSnapshot,
	"DescribeSnapshots": (*Shim).describeSnapshots,
	"DeleteSnapshot":    (*Shim).deleteSnapshot,
	"CreateTags":        (*Shim).createTags,
	"DescribeImages":    (*Shim).describeImages,
	"CopySnapshot":      (*Shim).copySnapshot,
}

// New returns a shim that passes requests it does not serve to upstream
// (such as an awstest Emulator's URL). With upstream "" it answers them
// with InvalidAction.
func New(upstream string, o Options) (*Shim, error) {
	s := &Shim{opts: o, now: o.Now, counts: map[string]int{}, rejected: map[string]int{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.Region == "" {
		s.opts.Region = Region
	}
	s.store.init()
	if upstream != "" {
		u, err := url.Parse(upstream)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("ec2 shim: upstream %q is not an http URL", upstream)
		}
		s.proxy = &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}
	}
	return s, nil
}

// NewInFront returns a shim that passes requests it does not serve to
// next, in the same process (such as an awstest Route53Shim).
func NewInFront(next http.Handler, o Options) *Shim {
	s, _ := New("", o)
	s.proxy = next
	return s
}

// Start serves a new shim on 127.0.0.1 for the test; t.Cleanup stops it.
// Its URL is the endpoint to configure clients with.
func Start(t testing.TB, upstream string, o Options) *Shim {
	t.Helper()
	s, err := New(upstream, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// URL is where a shim made by Start listens.
func (s *Shim) URL() string { return s.url }

// ServeHTTP answers the EC2 actions the shim serves and passes everything
// else upstream with its body intact.
func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := s.parse(w, r)
	if !ok {
		s.passOn(w, r)
		return
	}
	s.countMu.Lock()
	s.counts[c.action]++
	s.countMu.Unlock()
	if s.faults.inject(c.action) {
		s.countMu.Lock()
		s.rejected[c.action]++
		s.countMu.Unlock()
		c.fail(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		return
	}
	serve[c.action](s, c)
}

// parse reads an EC2 Query request for an action the shim serves. It
// returns false, with r's body restored, for anything else.
func (s *Shim) parse(w http.ResponseWriter, r *http.Request) (*call, bool) {
	scope := credentialScope(r)
	if r.URL.Path != "/" && r.URL.Path != "" || scope != nil && scope[3] != "ec2" {
		return nil, false
	}
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, false
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		body, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, false
		}
		for k, v := range body {
			form[k] = v
		}
	}
	action := form.Get("Action")
	if _, ok := serve[action]; !ok {
		return nil, false
	}
	if action == "CreateTags" && !allShimResources(form) {
		return nil, false
	}
	region := s.opts.Region
	if scope != nil {
		region = scope[2]
	}
	return &call{w: w, form: form, action: action, region: region, requestID: s.store.requestID()}, true
}

// credentialScope returns the parts of a signed request's credential scope
// (key ID, date, region, service, "aws4_request"): nil when r is unsigned,
// and a scope naming no service when it is signed some other way.
func credentialScope(r *http.Request) []string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return nil
	}
	scope := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(scope) != 5 {
		return []string{"", "", "", "", ""}
	}
	return scope
}

// HomeRegion is the region seeded objects go to by default.
func (s *Shim) HomeRegion() string { return s.opts.Region }

// allShimResources reports whether every ResourceId of a CreateTags names
// a volume, snapshot or AMI, the resources the shim keeps.
func allShimResources(form url.Values) bool {
	ids := listOf(form, "ResourceId")
	for _, id := range ids {
		if !strings.HasPrefix(id, "vol-") && !strings.HasPrefix(id, "snap-") && !strings.HasPrefix(id, "ami-") {
			return false
		}
	}
	return len(ids) > 0
}

// passOn sends r upstream, or answers InvalidAction without an upstream.
func (s *Shim) passOn(w http.ResponseWriter, r *http.Request) {
	if s.proxy != nil {
		s.proxy.ServeHTTP(w, r)
		return
	}
	c := &call{w: w, requestID: s.store.requestID()}
	c.fail(http.StatusBadRequest, "InvalidAction", "The action or operation requested is not served by the ec2 shim, which has no upstream.")
}

// SetFaults replaces the fault injection settings and restarts their
// counters.
func (s *Shim) SetFaults(f Faults) { s.faults.set(f) }

// Counts returns how many requests the shim answered itself, by action
// ("DescribeSnapshots": 15), including those answered with an injected
// RequestLimitExceeded. Requests passed upstream are not counted.
func (s *Shim) Counts() map[string]int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.counts)
}

// Rejected returns how many requests, by action, were answered with an
// injected RequestLimitExceeded.
func (s *Shim) Rejected() map[string]int {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	return maps.Clone(s.rejected)
}

// ResetCounts sets the request and rejection counts back to zero.
func (s *Shim) ResetCounts() {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	clear(s.counts)
	clear(s.rejected)
}
