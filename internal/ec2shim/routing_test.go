package ec2shim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// upstream records the requests that reach it and answers 200.
type upstream struct {
	mu     sync.Mutex
	bodies []string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.bodies = append(u.bodies, string(b))
	u.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_, _ = io.WriteString(w, `<DescribeInstancesResponse xmlns="`+namespace+`"><requestId>up</requestId><reservationSet/></DescribeInstancesResponse>`)
}

func TestOtherRequestsGoUpstream(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	s := Start(t, srv.URL, Options{})
	c := client(s, 1)
	if _, err := c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0aaa"}}); err != nil {
		t.Fatal(err)
	}
	// Tags on an instance are kumo's business.
	if _, err := c.CreateTags(context.Background(), &ec2.CreateTagsInput{Resources: []string{"i-0aaa"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	// The same action name signed for another service (ElastiCache has a
	// CreateSnapshot too) is not the shim's either.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader("Action=CreateSnapshot&Version=2015-02-02&CacheClusterId=c1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250310/us-east-1/elasticache/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.bodies) != 3 {
		t.Fatalf("upstream saw %d requests, want 3: %q", len(up.bodies), up.bodies)
	}
	for i, want := range []string{"DescribeInstances", "CreateTags", "CreateSnapshot"} {
		form, _ := url.ParseQuery(up.bodies[i])
		if form.Get("Action") != want {
			t.Errorf("upstream request %d is %q, want the whole %s body", i, up.bodies[i], want)
		}
	}
	if n := len(s.Counts()); n != 0 {
		t.Errorf("the shim counted requests it passed on: %v", s.Counts())
	}
}

func TestNoUpstream(t *testing.T) {
	s := Start(t, "", Options{})
	_, err := client(s, 1).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if code, _ := apiError(err); code != "InvalidAction" {
		t.Errorf("DescribeInstances without an upstream: %v, want InvalidAction", err)
	}
	if _, err := New("127.0.0.1:1", Options{}); err == nil {
		t.Error("New accepted an upstream without a scheme")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		faults   Faults
		attempts int
		failAt   int // the first of 6 calls expected to fail; 0 none
		rejected int
	}{
		{"every second call, retried", Faults{Every: 2}, 3, 0, 5},
		{"after four, beyond retries", Faults{After: 4}, 3, 5, 3},
		{"other actions untouched", Faults{Every: 1, Actions: []string{"DeleteSnapshot"}}, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, _ := start(t, Options{})
			c := client(s, tt.attempts)
			vol := s.AddVolume(Volume{})
			s.SetFaults(tt.faults)
			failedAt := 0
			for i := 1; i <= 6 && failedAt == 0; i++ {
				_, err := c.CreateSnapshot(context.Background(), &ec2.CreateSnapshotInput{VolumeId: aws.String(vol)})
				if err != nil {
					failedAt = i
					if code, msg := apiError(err); code != "RequestLimitExceeded" || msg != "Request limit exceeded." {
						t.Errorf("call %d failed with %s %q, want RequestLimitExceeded", i, code, msg)
					}
				}
			}
			if failedAt != tt.failAt {
				t.Errorf("first failure at call %d, want %d", failedAt, tt.failAt)
			}
			if got := s.Rejected()["CreateSnapshot"]; got != tt.rejected {
				t.Errorf("rejected %d, want %d", got, tt.rejected)
			}
			made := len(s.Snapshots())
			if want := s.Counts()["CreateSnapshot"] - s.Rejected()["CreateSnapshot"]; made != want {
				t.Errorf("%d snapshots exist, want one per accepted request (%d)", made, want)
			}
			s.ResetCounts()
			if len(s.Counts()) != 0 || len(s.Rejected()) != 0 {
				t.Error("ResetCounts left counts")
			}
		})
	}
}
