package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/internal/awstest"
)

// s3Env starts kumo, makes a bucket and returns the environment a plumb
// process needs to reach it.
func s3Env(t *testing.T) (env []string, bucket string) {
	t.Helper()
	emu := awstest.StartKumo(t)
	bucket = fmt.Sprintf("plumb-state-%d", time.Now().UnixNano())
	if _, err := emu.S3Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: awssdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	env = append(env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir())
	for k, v := range emu.Env() {
		if k == "AWS_ENDPOINT_URL" {
			v = emu.S3URL()
		}
		env = append(env, k+"="+v)
	}
	return env, bucket
}

func plumbEnv(t *testing.T, env []string, dir string, args ...string) result {
	t.Helper()
	return runBinary(t, env, append([]string{"-chdir=" + dir}, args...)...)
}

func backendBlock(bucket string) string {
	return fmt.Sprintf("plumb {\n  backend \"s3\" {\n    bucket = %q\n    key    = \"estate/plumb.state\"\n  }\n}\n", bucket)
}

// TestS3BackendConcurrentApplies runs 20 plumb applies at once, each
// adding its own resource to one state in S3: one holds the lock at a
// time, the others wait, and the final state holds all 20 changes.
func TestS3BackendConcurrentApplies(t *testing.T) {
	env, bucket := s3Env(t)
	var cfg strings.Builder
	cfg.WriteString(backendBlock(bucket))
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&cfg, "resource \"plumb_data\" \"p%d\" {\n  input = %d\n}\n", i, i)
	}
	dir := configDir(t, map[string]string{"main.hcl": cfg.String()})
	var wg sync.WaitGroup
	results := make([]result, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = plumbEnv(t, env, dir, "apply", "-auto-approve", "-lock-timeout=90s", fmt.Sprintf("-target=plumb_data.p%d", i))
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != exitOK {
			t.Errorf("apply %d:\n%s", i, r)
		}
	}
	r := plumbEnv(t, env, dir, "state", "list")
	if got := strings.Count(r.stdout, "\n"); got != 20 {
		t.Fatalf("the state in S3 holds %d instances, want 20 (a lost update):\n%s", got, r)
	}
	if _, err := os.Stat(filepath.Join(dir, StateFile)); !os.IsNotExist(err) {
		t.Error("a local state file was written although the backend is S3")
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after the concurrent applies:\n%s", r)
	}
}

// TestS3BackendKilledHolderAndForceUnlock kills the lock holder with
// SIGKILL: the next run is refused naming the holder, force-unlock breaks
// the lock, and an apply then converges.
func TestS3BackendKilledHolderAndForceUnlock(t *testing.T) {
	env, bucket := s3Env(t)
	dir := configDir(t, map[string]string{"main.hcl": backendBlock(bucket) + crashConfig})
	cmd := exec.Command(plumbBin, "-chdir="+dir, "apply", "-auto-approve")
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(filepath.Join(dir, "files")); len(entries) > 20 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	r := plumbEnv(t, env, dir, "plan")
	if r.code != exitError || !strings.Contains(r.stderr, "force-unlock") {
		t.Fatalf("plan while a dead run holds the lock:\n%s", r)
	}
	id := lockID(r.stderr)
	if id == "" {
		t.Fatalf("no lock ID in:\n%s", r.stderr)
	}
	if r := plumbEnv(t, env, dir, "force-unlock", "-force", id); r.code != exitOK || !strings.Contains(r.stdout, "Broke the lock") {
		t.Fatalf("force-unlock:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply after force-unlock:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after recovery:\n%s", r)
	}
}

// lockID finds the lock ID in a "locked" error: the word after
// "force-unlock".
func lockID(msg string) string {
	f := strings.Fields(msg[strings.Index(msg, "force-unlock")+len("force-unlock"):])
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], "`'\".,:;")
}

// TestS3StatePullPushAndMigrate moves a local state into S3 with
// init -migrate-state, pulls it, and pushes it back.
func TestS3StatePullPushAndMigrate(t *testing.T) {
	env, bucket := s3Env(t)
	dir := configDir(t, map[string]string{"main.hcl": simpleConfig})
	if r := plumbEnv(t, env, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("local apply:\n%s", r)
	}
	os.WriteFile(filepath.Join(dir, "backend.hcl"), []byte(backendBlock(bucket)), 0o644)
	if r := plumbEnv(t, env, dir, "plan"); r.code != exitOK || !strings.Contains(r.stdout, "2 to add") {
		t.Fatalf("before migration the S3 state is empty, so plan adds both:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "init", "-migrate-state"); r.code != exitOK {
		t.Fatalf("init -migrate-state:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after migration:\n%s", r)
	}
	pulled := plumbEnv(t, env, dir, "state", "pull")
	if pulled.code != exitOK || !strings.Contains(pulled.stdout, "local_file.note") {
		t.Fatalf("state pull:\n%s", pulled)
	}
	saved := filepath.Join(t.TempDir(), "saved.state")
	os.WriteFile(saved, []byte(pulled.stdout), 0o600)
	plumbEnv(t, env, dir, "state", "rm", "local_file.note")
	if r := plumbEnv(t, env, dir, "state", "push", saved); r.code != exitError {
		t.Fatalf("pushing an older serial must be refused without -force:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "state", "push", "-force", saved); r.code != exitOK {
		t.Fatalf("state push -force:\n%s", r)
	}
	if r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Fatalf("plan after push:\n%s", r)
	}
}
