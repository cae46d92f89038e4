// Command localaws serves the project's AWS emulator (Route 53, S3, EC2
// volumes and snapshots; see internal/localaws) on one address until it is
// stopped, so plumb's AWS examples can be tried without an AWS account:
//
//	go run ./internal/cmd/localaws -addr 127.0.0.1:4566 -region eu-west-1 \
//	    -instance i-0a1b2c3d4e5f60718=2 -bucket example-svn-backups
//
// It prints the environment that points plumb at it, as shell export
// lines on standard output, and then serves until interrupted (Ctrl-C,
// SIGTERM). Everything is kept in memory and lost when it stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plumbhq/plumb/internal/localaws"
)

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "localaws:", err)
		os.Exit(1)
	}
}

func run() error {
	var instances, buckets repeated
	addr := flag.String("addr", "127.0.0.1:4566", "address to serve on (port 0 picks a free one)")
	region := flag.String("region", "us-east-1", "the region the EC2 volumes are in: the aws provider's region")
	complete := flag.Duration("complete-after", time.Minute, "how long new snapshots and copies stay pending")
	flag.Var(&instances, "instance", "ID[=N]: give this EC2 instance N volumes (default 2); repeatable")
	flag.Var(&buckets, "bucket", "create this S3 bucket; repeatable")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; see -help", flag.Args())
	}
	s, err := localaws.Start(localaws.Options{Addr: *addr, Region: *region, CompleteAfter: *complete})
	if err != nil {
		return err
	}
	defer s.Close()
	for _, spec := range instances {
		id, count, _ := strings.Cut(spec, "=")
		n := 2
		if count != "" {
			if n, err = strconv.Atoi(count); err != nil || n < 1 || n > 26 {
				return fmt.Errorf("-instance %s: want ID or ID=N with N from 1 to 26", spec)
			}
		}
		if !strings.HasPrefix(id, "i-") {
			return fmt.Errorf("-instance %s: %q is not an EC2 instance ID (i-…)", spec, id)
		}
		vols := s.SeedInstance(id, n)
		fmt.Fprintf(os.Stderr, "localaws: instance %s has volumes %s in %s\n", id, strings.Join(vols, ", "), s.Region())
	}
	for _, b := range buckets {
		if err := s.CreateBucket(context.Background(), b); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "localaws: bucket %s\n", b)
	}
	for _, kv := range s.Env() {
		fmt.Printf("export %s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintf(os.Stderr, "localaws: serving Route 53, S3 and EC2 snapshots on %s; Ctrl-C stops it\n", s.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	fmt.Fprintln(os.Stderr, "localaws: stopped")
	return nil
}
