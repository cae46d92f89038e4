// Package localaws serves the project's AWS emulator on one address, for
// trying plumb without an AWS account and for CI: kumo (an AWS emulator
// in Go; S3 and the other services) behind the awstest Route 53 shim
// (pagination, caller references, apex SOA and NS, validated batches)
// behind the ec2shim (volumes, snapshots, copies between regions, AMIs).
// Raw kumo is not enough: it skips a zone at every ListHostedZones page
// boundary, so plumb against it reports zones deleted outside plumb.
//
// It is a development tool, not part of plumb: the program that serves it
// is internal/cmd/localaws, and `make demo-aws` runs the AWS examples
// against it. It accepts any credentials and keeps everything in memory.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sivchari/kumo"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/ec2shim"
)

// Options configure a Server.
type Options struct {
	// Addr is the address to listen on, such as "127.0.0.1:4566";
	// "127.0.0.1:0" picks a free port.
	Addr string
	// Region is where the EC2 volumes are (the region plumb's aws
	// provider is configured with); us-east-1 when empty. Snapshot copies
	// go to any other region.
	Region string
	// CompleteAfter is how long a new snapshot or copy stays pending; at
	// least a second, so a plan right after an apply sees it pending.
	CompleteAfter time.Duration
}

// Server is a running emulator.
type Server struct {
	// URL is the endpoint of every service: AWS_ENDPOINT_URL.
	URL string
	// EC2 is the EC2 shim, to seed volumes and snapshots.
	EC2 *ec2shim.Shim

	region string
	kumo   *kumo.Server
	r53    *awstest.Route53Shim
	srv    *http.Server
	done   chan error

	closeOnce sync.Once
	closeErr  error
}

// Start starts kumo and the shims and serves them on o.Addr until Close.
func Start(o Options) (*Server, error) {
	if o.Region == "" {
		o.Region = awstest.Region
	}
	o.CompleteAfter = max(o.CompleteAfter, time.Second)
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("localaws: listen on %s: %w", o.Addr, err)
	}
	k := kumo.NewServer()
	r53, err := awstest.NewRoute53Shim(k.URL)
	if err != nil {
		ln.Close()
		k.Close()
		return nil, err
	}
	ec2 := ec2shim.NewInFront(r53, ec2shim.Options{Region: o.Region, CompleteAfter: o.CompleteAfter})
	s := &Server{
		URL: "http://" + ln.Addr().String(), EC2: ec2, region: o.Region, kumo: k, r53: r53,
		srv:  &http.Server{Handler: ec2, ReadHeaderTimeout: 30 * time.Second},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Region is the EC2 shim's home region.
func (s *Server) Region() string { return s.region }

// SeedInstance gives the instance n volumes (/dev/xvda, /dev/xvdf, …) in
// the home region, so a snapshot policy has something to snapshot, and
// returns their IDs.
func (s *Server) SeedInstance(instanceID string, n int) []string {
	var ids []string
	for i := range n {
		dev := "/dev/xvda"
		if i > 0 {
			dev = fmt.Sprintf("/dev/xvd%c", 'f'+i-1)
		}
		ids = append(ids, s.EC2.AddVolume(ec2shim.Volume{InstanceID: instanceID, Device: dev, Size: int32(8 * (i + 1))}))
	}
	return ids
}

// CreateBucket makes an S3 bucket.
func (s *Server) CreateBucket(ctx context.Context, name string) error {
	c := s3.NewFromConfig(s.awsConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("localaws: create bucket %s: %w", name, err)
	}
	return nil
}

func (s *Server) awsConfig() aws.Config {
	return aws.Config{
		Region:       s.region,
		Credentials:  credentials.NewStaticCredentialsProvider(awstest.AccessKeyID, awstest.SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Env is the environment that points the AWS SDK, and so plumb, at the
// emulator: the endpoint, static credentials, the region, and no
// instance metadata. Shared config files are left alone; a profile in
// them that sets an endpoint would win over none of these.
func (s *Server) Env() [][2]string {
	return [][2]string{
		{"AWS_ENDPOINT_URL", s.URL},
		{"AWS_ACCESS_KEY_ID", awstest.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", awstest.SecretAccessKey},
		{"AWS_REGION", s.region},
		{"AWS_EC2_METADATA_DISABLED", "true"},
	}
}

// Close stops serving and stops kumo; calling it again does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeErr = s.srv.Shutdown(ctx)
		if err := <-s.done; !errors.Is(err, http.ErrServerClosed) && s.closeErr == nil {
			s.closeErr = err
		}
		s.r53.Close()
		s.kumo.Close()
	})
	return s.closeErr
}
