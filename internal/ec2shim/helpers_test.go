package ec2shim

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// testClock is a clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2025, 3, 10, 3, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// client returns an SDK EC2 client for the shim that retries at once, up
// to attempts times.
func client(s *Shim, attempts int) *ec2.Client {
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDSHIMTEST", "secret", ""),
	}
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.BaseEndpoint = aws.String(s.URL())
		o.HTTPClient = plainBodies{http.DefaultClient}
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
}

// plainBodies hides the io.WriterTo of request bodies from net/http.
// smithy-go wraps request bodies in a reader whose WriteTo returns io.EOF
// once the SDK has closed it, which it does as soon as response headers
// arrive; against a server as fast as the in-process shim, net/http's
// check for extra body bytes then runs after that close, fails, and closes
// the connection while the response is still being read ("use of closed
// network connection"). Without WriteTo the check reads, and gets a plain
// EOF.
type plainBodies struct{ c *http.Client }

func (p plainBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return p.c.Do(r)
}

// start runs a shim without an upstream on the test clock.
func start(t *testing.T, o Options) (*Shim, *ec2.Client, *testClock) {
	t.Helper()
	clock := newTestClock()
	if o.Now == nil {
		o.Now = clock.Now
	}
	s := Start(t, "", o)
	return s, client(s, 1), clock
}

// apiError returns the code and message of an API error, or "" and the
// error text.
func apiError(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "", err.Error()
	}
	return "", ""
}

// filter builds an SDK filter.
func sdkFilter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}
