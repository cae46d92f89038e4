package s3

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/state"
)

// kumoURL is the one kumo server of this test binary. kumo keeps one
// store per process and re-wires it for every new server, so the tests
// share a server and use buckets of their own.
var kumoURL string

func TestMain(m *testing.M) {
	srv := kumo.NewServer()
	kumoURL = srv.URL
	code := m.Run()
	srv.Close()
	if race.path != "" {
		os.RemoveAll(filepath.Dir(race.path))
	}
	os.Exit(code)
}

// Static credentials for kumo (it does not check them).
const (
	testRegion    = "us-east-1"
	testAccessKey = "AKIAPLUMBS3TEST00000"
	testSecretKey = "plumb-s3-test-secret"
)

var bucketSeq atomic.Int64

// newClient returns a path-style S3 client for endpoint that does not
// retry (so a vanished endpoint fails at once).
func newClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		RetryMaxAttempts: 1,
	})
}

// newBucket creates a bucket unique to the test and returns its name.
func newBucket(t testing.TB) string {
	t.Helper()
	name := strings.ToLower(t.Name())
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
	name = fmt.Sprintf("plumb-%s-%d", name[:min(len(name), 40)], bucketSeq.Add(1))
	if _, err := newClient(kumoURL).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// newBackend returns a Backend for bucket on endpoint (kumo when ""),
// working in dir, uploading every 10 ms while recording.
func newBackend(t testing.TB, endpoint, bucket, dir string) *Backend {
	t.Helper()
	if endpoint == "" {
		endpoint = kumoURL
	}
	b, err := NewWithClient(newClient(endpoint), Config{Bucket: bucket, Key: "env/plumb.state", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b.flushEvery = 10 * time.Millisecond
	b.writeTimeout = 10 * time.Second
	return b
}

// proxy is an endpoint in front of kumo that a test can take away.
func proxy(t *testing.T) *httptest.Server {
	t.Helper()
	u, err := url.Parse(kumoURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	t.Cleanup(srv.Close)
	return srv
}

// testInstance returns an instance at addr with a number in it.
func testInstance(t testing.TB, addr string, n int) *state.Instance {
	t.Helper()
	v := cty.ObjectVal(map[string]cty.Value{
		"id":    cty.StringVal(fmt.Sprintf("id-%d", n)),
		"n":     cty.NumberIntVal(int64(n)),
		"names": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal(addr)}),
	})
	inst, err := state.NewInstance(addr, "managed", "plumb_data", "r", "plumb", v, []string{"plumb_data.dep"})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// testState returns a state with n instances.
func testState(t testing.TB, n int) *state.State {
	t.Helper()
	st := state.New()
	for i := range n {
		inst := testInstance(t, fmt.Sprintf("plumb_data.r[%d]", i), i)
		st.Resources[inst.Addr] = inst
	}
	return st
}

// storedState reads the state object directly.
func storedState(t *testing.T, bucket string) *state.State {
	t.Helper()
	out, err := newClient(kumoURL).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("env/plumb.state")})
	if err != nil {
		t.Fatalf("get state object: %v", err)
	}
	data, err := readAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	st := new(state.State)
	if err := st.UnmarshalJSON(data); err != nil {
		t.Fatalf("stored state: %v", err)
	}
	return st
}

// objectExists reports whether bucket holds key.
func objectExists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := newClient(kumoURL).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil && !isNotFound(err) {
		t.Fatalf("head %s: %v", key, err)
	}
	return err == nil
}

// readStateFile parses a state file.
func readStateFile(t *testing.T, path string) *state.State {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st := new(state.State)
	if err := st.UnmarshalJSON(data); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return st
}

// fileExists reports whether path exists.
func fileExists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// checkAddrs fails unless st holds exactly the instances named.
func checkAddrs(t *testing.T, st *state.State, want []string) {
	t.Helper()
	got := st.SortedAddrs()
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Fatalf("state holds %d instances %v,\nwant %d %v", len(got), got, len(want), want)
	}
}

// journalLeft reports whether the backend's local journal files remain.
func journalLeft(t *testing.T, b *Backend) bool {
	t.Helper()
	statePath, notePath := b.journalPaths()
	return fileExists(t, statePath) || fileExists(t, statePath+".journal") || fileExists(t, notePath)
}

// erroredPath is the errored file in dir.
func erroredPath(dir string) string { return filepath.Join(dir, ErroredFile) }
