// Command s3race drives the S3 state backend from a separate process, for
// the tests in plumb/reconcile/state/s3 that need real processes: many
// applies racing for one state, and a lock holder or recording apply
// killed with SIGKILL. The S3 endpoint and credentials come from the
// environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), through the
// backend's standard chain.
//
// Modes:
//
//	apply   lock (waiting up to -lock-timeout), append "start PID NANOS"
//	        to -log, read, add instance plumb_data.race[N], write, append
//	        "end PID NANOS", unlock. Exits 3 when the lock stays taken,
//	        printing the error (which names the holder).
//	hold    lock, print "locked ID", then sleep until killed.
//	record  lock, read, open a recorder, Set plumb_data.rec[0..COUNT-1]
//	        printing "ack ADDR" after each returns, print "done", then
//	        sleep until killed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/state"
	"github.com/plumbhq/plumb/reconcile/state/s3"
)

func main() {
	mode := flag.String("mode", "apply", "apply, hold or record")
	bucket := flag.String("bucket", "", "state bucket")
	key := flag.String("key", "plumb.state", "state key")
	dir := flag.String("dir", "", "working directory for the backend's local files")
	n := flag.Int("n", 0, "this process's number (apply)")
	count := flag.Int("count", 10, "instances to record (record)")
	logPath := flag.String("log", "", "file to append start/end lines to (apply)")
	timeout := flag.Duration("lock-timeout", time.Minute, "how long to wait for the lock")
	flag.Parse()

	err := run(*mode, *bucket, *key, *dir, *n, *count, *logPath, *timeout)
	if errors.Is(err, state.ErrLocked) {
		fmt.Fprintln(os.Stderr, "s3race:", err)
		os.Exit(3)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3race:", err)
		os.Exit(1)
	}
}

func run(mode, bucket, key, dir string, n, count int, logPath string, timeout time.Duration) error {
	ctx := context.Background()
	b, err := s3.New(ctx, s3.Config{Bucket: bucket, Key: key, Dir: dir})
	if err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := b.Lock(lctx, state.LockInfo{Operation: mode + " " + strconv.Itoa(n)}); err != nil {
		return err
	}
	switch mode {
	case "apply":
		return apply(ctx, b, n, logPath)
	case "hold":
		info, _ := b.HeldLock()
		fmt.Println("locked", info.ID)
		time.Sleep(time.Hour)
		return nil
	case "record":
		return record(ctx, b, count)
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// apply adds one instance under the lock, bracketed by log lines.
func apply(ctx context.Context, b *s3.Backend, n int, logPath string) (err error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	mark := func(what string) error {
		_, err := fmt.Fprintf(logf, "%s %d %d\n", what, os.Getpid(), time.Now().UnixNano())
		return err
	}
	defer func() { err = errors.Join(err, b.Unlock()) }()
	if err := mark("start"); err != nil {
		return err
	}
	st, err := b.Read(ctx)
	if err != nil {
		return err
	}
	inst, err := instance("race", n)
	if err != nil {
		return err
	}
	st.Resources[inst.Addr] = inst
	if err := b.Write(ctx, st); err != nil {
		return err
	}
	return mark("end")
}

// record sets count instances through a recorder and never closes it.
func record(ctx context.Context, b *s3.Backend, count int) error {
	st, err := b.Read(ctx)
	if err != nil {
		return err
	}
	rec, err := b.Recorder(ctx, st)
	if err != nil {
		return err
	}
	for i := range count {
		inst, err := instance("rec", i)
		if err != nil {
			return err
		}
		if err := rec.Set(inst); err != nil {
			return err
		}
		fmt.Println("ack", inst.Addr)
	}
	fmt.Println("done")
	time.Sleep(time.Hour)
	return nil
}

func instance(name string, n int) (*state.Instance, error) {
	v := cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(int64(n)), "pid": cty.NumberIntVal(int64(os.Getpid()))})
	return state.NewInstance(fmt.Sprintf("plumb_data.%s[%d]", name, n), "managed", "plumb_data", name, "plumb", v, nil)
}
