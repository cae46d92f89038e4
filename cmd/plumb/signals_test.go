package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/plumbhq/plumb/internal/awstest"
)

// s3LockEnv is s3Env with a client to look at the bucket.
func s3LockEnv(t *testing.T) (env []string, bucket string, client *s3.Client) {
	t.Helper()
	emu := awstest.StartKumo(t)
	bucket = fmt.Sprintf("plumb-sig-%d", time.Now().UnixNano())
	client = emu.S3Client()
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: awssdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	env = append(env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir())
	for k, v := range emu.Env() {
		if k == "AWS_ENDPOINT_URL" {
			v = emu.S3URL()
		}
		env = append(env, k+"="+v)
	}
	return env, bucket, client
}

// lockHeld reports whether the S3 state lock object exists.
func lockHeld(t *testing.T, client *s3.Client, bucket string) bool {
	t.Helper()
	_, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: awssdk.String(bucket), Key: awssdk.String("estate/plumb.state.lock")})
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey") {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// waitLock waits until the lock is held (want true) or released.
func waitLock(t *testing.T, client *s3.Client, bucket string, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if lockHeld(t, client, bucket) == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the S3 lock is still %v", !want)
}

// spinConfig plans a local that takes minutes to compute: a billion
// additions in nested for expressions, in little memory.
const spinConfig = `
locals {
  spin = sum([for a in range(1000) : sum([for b in range(1000) : sum([for c in range(1000) : c])])])
}
resource "plumb_data" "x" { input = local.spin }
`

// TestSignalStopsCPUBoundPlan sends SIGTERM, SIGHUP or SIGINT to a plan
// busy computing: plumb stops at once (it ran about 15 more minutes
// before), says so, and releases the S3 lock.
func TestSignalStopsCPUBoundPlan(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			env, bucket, client := s3LockEnv(t)
			dir := configDir(t, map[string]string{"main.hcl": backendBlock(bucket) + spinConfig})
			cmd := exec.Command(plumbBin, "-chdir="+dir, "plan")
			cmd.Env = env
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitLock(t, client, bucket, true)
			time.Sleep(300 * time.Millisecond) // into the computation
			sent := time.Now()
			cmd.Process.Signal(sig)
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("plumb plan did not stop after %v", sig)
			}
			t.Logf("%v: stopped %v after the signal", sig, time.Since(sent).Round(time.Millisecond))
			if cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("exit 0 after an abandoned plan")
			}
			if !strings.Contains(stderr.String(), "nothing was changed") {
				t.Errorf("plumb did not say what it did:\n%s", stderr.String())
			}
			if lockHeld(t, client, bucket) {
				t.Errorf("the S3 lock was left behind after %v:\n%s", sig, stderr.String())
			}
		})
	}
}

// TestSIGPIPEReleasesS3Lock: plumb plan | head -1. The reader goes away
// after one line; plumb's next write fails, and the run ends releasing
// the lock instead of dying of SIGPIPE with it held.
func TestSIGPIPEReleasesS3Lock(t *testing.T) {
	env, bucket, client := s3LockEnv(t)
	var cfg strings.Builder
	cfg.WriteString(backendBlock(bucket))
	for i := range 400 {
		fmt.Fprintf(&cfg, "resource \"plumb_data\" \"r%d\" { input = \"%s\" }\n", i, strings.Repeat("x", 200))
	}
	dir := configDir(t, map[string]string{"main.hcl": cfg.String()})
	cmd := exec.Command(plumbBin, "-chdir="+dir, "plan", "-no-color")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	out.Close() // head -1 exits
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("plumb died of %v", ws.Signal())
	}
	if lockHeld(t, client, bucket) {
		t.Errorf("the S3 lock was left behind after the reader went away (%v):\n%s", err, stderr.String())
	}
}

// TestSIGHUPDuringApplyReleasesS3Lock: the terminal of an apply goes
// away. The apply stops as for SIGTERM: what is in flight finishes and is
// recorded, the lock is released, and the next apply finishes the rest.
func TestSIGHUPDuringApplyReleasesS3Lock(t *testing.T) {
	env, bucket, client := s3LockEnv(t)
	dir := configDir(t, map[string]string{"main.hcl": backendBlock(bucket) + crashConfig})
	cmd := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve")
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(dir + "/files"); len(entries) > 20 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	cmd.Wait()
	if lockHeld(t, client, bucket) {
		t.Fatalf("the S3 lock was left behind after SIGHUP:\n%s", stderr.String())
	}
	if r := plumbEnv(t, env, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply after SIGHUP:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after the second apply:\n%s", r)
	}
	checkNoOrphans(t, env, dir)
}

// TestForceUnlockAsks: at a terminal force-unlock asks, and only "yes"
// breaks the lock; without a terminal it needs -force.
func TestForceUnlockAsks(t *testing.T) {
	env, bucket, client := s3LockEnv(t)
	dir := configDir(t, map[string]string{"main.hcl": backendBlock(bucket) + spinConfig})
	cmd := exec.Command(plumbBin, "-chdir="+dir, "plan")
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitLock(t, client, bucket, true)
	cmd.Process.Kill() // dies holding the lock
	cmd.Wait()
	r := plumbEnv(t, env, dir, "plan", "-lock-timeout=0")
	id := lockID(r.stderr)
	if id == "" {
		t.Fatalf("no lock ID in:\n%s", r)
	}
	if !strings.Contains(r.stderr, "@") || strings.Count(strings.SplitN(r.stderr, " (pid", 2)[0], "@") != 1 {
		t.Errorf("the holder is not named once as user@host:\n%s", r.stderr)
	}
	if strings.HasSuffix(strings.TrimSpace(strings.SplitN(r.stderr, "\n", 2)[0]), "context deadline exceeded") {
		t.Errorf("the lock timeout does not say what timed out:\n%s", r.stderr)
	}

	if r := plumbEnv(t, env, dir, "force-unlock", id); r.code == exitOK || !strings.Contains(r.stderr, "-force") {
		t.Fatalf("force-unlock without a terminal nor -force:\n%s", r)
	}
	if !lockHeld(t, client, bucket) {
		t.Fatal("the lock was broken without confirmation")
	}

	no := startInTTY(t, env, dir, "force-unlock", id)
	no.waitFor(t, "Enter a value:")
	no.answer(t, "no")
	if code := no.wait(t); code == exitOK || !lockHeld(t, client, bucket) {
		t.Fatalf("answering no broke the lock (exit %d):\n%s", code, no.output())
	}
	yes := startInTTY(t, env, dir, "force-unlock", id)
	yes.waitFor(t, "Enter a value:")
	yes.answer(t, "yes")
	if code := yes.wait(t); code != exitOK || lockHeld(t, client, bucket) {
		t.Fatalf("answering yes did not break the lock (exit %d):\n%s", code, yes.output())
	}
}
