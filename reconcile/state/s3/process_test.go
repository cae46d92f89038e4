package s3

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plumbhq/plumb/reconcile/state"
)

// The tests here run plumb/internal/s3race, built once per test binary,
// as separate processes against this binary's kumo.
var race struct {
	once sync.Once
	path string
	err  error
}

// raceBinary builds s3race (once) and returns its path.
func raceBinary(t *testing.T) string {
	t.Helper()
	race.once.Do(func() {
		dir, err := os.MkdirTemp("", "s3race-")
		if err != nil {
			race.err = err
			return
		}
		race.path = filepath.Join(dir, "s3race")
		out, err := exec.Command("go", "build", "-o", race.path, "github.com/plumbhq/plumb/internal/s3race").CombinedOutput()
		if err != nil {
			race.err = fmt.Errorf("go build plumb/internal/s3race: %v\n%s", err, out)
		}
	})
	if race.err != nil {
		t.Fatal(race.err)
	}
	return race.path
}

// raceCommand returns an s3race command on bucket, working in dir, with
// the environment pointing the SDK's standard chain at kumo.
func raceCommand(t *testing.T, bucket, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(raceBinary(t), append([]string{"-bucket", bucket, "-key", "env/plumb.state", "-dir", dir}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_ENDPOINT_URL="+kumoURL,
		"AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_REGION="+testRegion,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-aws-credentials"),
	)
	return cmd
}

// applyResult is how one s3race apply ended.
type applyResult struct {
	n      int
	code   int
	stderr string
}

// startApplies starts s3race apply for each n at once, with the lock
// timeout timeout(n). Each result arrives on its channel when its process
// exits.
func startApplies(t *testing.T, bucket, dir, logPath string, count int, timeout func(n int) time.Duration) []chan applyResult {
	t.Helper()
	results := make([]chan applyResult, count)
	for n := range count {
		cmd := raceCommand(t, bucket, dir, "-mode", "apply", "-n", strconv.Itoa(n), "-log", logPath, "-lock-timeout", timeout(n).String())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		results[n] = make(chan applyResult, 1)
		go func() {
			err := cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			results[n] <- applyResult{n: n, code: code, stderr: stderr.String()}
		}()
	}
	return results
}

// checkNoOverlap reads the start/end log of the applies and fails unless
// the lock holders followed each other: start and end of one process, in
// turn, with times that never go back. It returns the processes in order.
func checkNoOverlap(t *testing.T, logPath string) []string {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var last int64
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("log line %d %q is not 'start|end PID NANOS'", i+1, line)
		}
		when, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		want := "start"
		if i%2 == 1 {
			want = "end"
		}
		switch {
		case f[0] != want:
			t.Fatalf("log line %d is %q, want %s: two processes held the lock at once\n%s", i+1, line, want, data)
		case i%2 == 1 && f[1] != strings.Fields(lines[i-1])[1]:
			t.Fatalf("log line %d: pid %s ended while pid %s held the lock\n%s", i+1, f[1], strings.Fields(lines[i-1])[1], data)
		case when < last:
			t.Fatalf("log line %d goes back in time\n%s", i+1, data)
		}
		last = when
		if i%2 == 0 {
			order = append(order, f[1])
		}
	}
	if len(lines)%2 != 0 {
		t.Fatalf("the log ends with a start and no end\n%s", data)
	}
	return order
}

// TestRaceTwentyApplies runs 20 applies as separate processes against one
// state: every one gets the lock in turn, the holders never overlap, and
// the final state holds every change.
func TestRaceTwentyApplies(t *testing.T) {
	const count = 20
	bucket, dir := newBucket(t), t.TempDir()
	logPath := filepath.Join(dir, "holders.log")
	results := startApplies(t, bucket, dir, logPath, count, func(int) time.Duration { return time.Minute })
	var want []string
	for _, ch := range results {
		r := <-ch
		if r.code != 0 {
			t.Errorf("apply %d exited %d: %s", r.n, r.code, r.stderr)
		}
		want = append(want, fmt.Sprintf("plumb_data.race[%d]", r.n))
	}
	if order := checkNoOverlap(t, logPath); len(order) != count {
		t.Errorf("%d processes held the lock, want %d", len(order), count)
	}
	st := storedState(t, bucket)
	checkAddrs(t, st, want)
	if st.Serial != count {
		t.Errorf("stored serial %d after %d writes", st.Serial, count)
	}
	if objectExists(t, bucket, "env/plumb.state.lock") {
		t.Error("the lock object remains after every apply ended")
	}
}

// TestRaceSomeGiveUp holds the lock from this process while 20 applies
// start: those with a short lock timeout fail naming this process as the
// holder; the others wait, and once the lock is released all get through
// in turn. The state holds exactly the changes of those that did.
func TestRaceSomeGiveUp(t *testing.T) {
	const count = 20
	ctx := context.Background()
	bucket, dir := newBucket(t), t.TempDir()
	holder := newBackend(t, "", bucket, t.TempDir())
	if err := holder.Lock(ctx, state.LockInfo{Operation: "test holds", Who: "tester@here"}); err != nil {
		t.Fatal(err)
	}
	info, _ := holder.HeldLock()
	logPath := filepath.Join(dir, "holders.log")
	results := startApplies(t, bucket, dir, logPath, count, func(n int) time.Duration {
		if n%2 == 1 {
			return 200 * time.Millisecond
		}
		return time.Minute
	})
	// Those with the short timeout give up while this test holds the lock.
	for n := 1; n < count; n += 2 {
		r := <-results[n]
		if r.code != 3 {
			t.Errorf("apply %d with a short timeout exited %d, want 3 (locked): %s", r.n, r.code, r.stderr)
			continue
		}
		for _, w := range []string{"tester@here", fmt.Sprintf("pid %d", os.Getpid()), info.ID, "test holds"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("apply %d's error %q does not name the holder's %q", r.n, r.stderr, w)
			}
		}
	}
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for n := 0; n < count; n += 2 {
		r := <-results[n]
		if r.code != 0 {
			t.Errorf("waiting apply %d exited %d: %s", r.n, r.code, r.stderr)
		}
		want = append(want, fmt.Sprintf("plumb_data.race[%d]", r.n))
	}
	if order := checkNoOverlap(t, logPath); len(order) != len(want) {
		t.Errorf("%d processes held the lock, want %d", len(order), len(want))
	}
	checkAddrs(t, storedState(t, bucket), want)
}

// child is a running s3race process whose output lines are read.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

func startChild(t *testing.T, cmd *exec.Cmd) *child {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1000)}
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			c.lines <- s.Text()
		}
		close(c.lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("child stderr: %s", stderr.String())
		}
	})
	return c
}

// next returns the child's next output line.
func (c *child) next(t *testing.T) string {
	t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			t.Fatal("the child exited early")
		}
		return line
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for the child")
	}
	return ""
}

// kill9 kills the child with SIGKILL and waits for it.
func (c *child) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// TestKillHolderThenForceUnlock kills a lock holder with SIGKILL: its lock
// stays, the next run fails naming it, and force-unlock with the ID from
// that error frees the state.
func TestKillHolderThenForceUnlock(t *testing.T) {
	ctx := context.Background()
	bucket, dir := newBucket(t), t.TempDir()
	c := startChild(t, raceCommand(t, bucket, dir, "-mode", "hold"))
	id, ok := strings.CutPrefix(c.next(t), "locked ")
	if !ok {
		t.Fatal("the child did not report its lock")
	}
	pid := c.cmd.Process.Pid
	c.kill9(t)

	b := newBackend(t, "", bucket, t.TempDir())
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err := b.Lock(short, holderInfo)
	if !errors.Is(err, state.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", pid)) || !strings.Contains(err.Error(), "force-unlock "+id) {
		t.Fatalf("Lock after the holder was killed: %v, want ErrLocked naming pid %d and force-unlock %s", err, pid, id)
	}
	info, err := b.ForceUnlock(id)
	if err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	if info.PID != pid || info.ID != id || info.Operation != "hold 0" {
		t.Fatalf("ForceUnlock returned %+v, want the killed holder (pid %d, ID %s)", info, pid, id)
	}
	if err := b.Lock(ctx, holderInfo); err != nil {
		t.Fatalf("Lock after force-unlock: %v", err)
	}
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// recordAndKill runs s3race record in dir, reads the acknowledgements of
// count Sets, kills it with SIGKILL and breaks its lock. It returns the
// addresses acknowledged.
func recordAndKill(t *testing.T, bucket, dir string, count int) []string {
	t.Helper()
	c := startChild(t, raceCommand(t, bucket, dir, "-mode", "record", "-count", strconv.Itoa(count)))
	var acked []string
	for {
		line := c.next(t)
		if line == "done" {
			break
		}
		addr, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			t.Fatalf("child said %q", line)
		}
		acked = append(acked, addr)
	}
	c.kill9(t)
	breaker := newBackend(t, "", bucket, t.TempDir())
	info, _, found, err := breaker.readLock(context.Background())
	if err != nil || !found {
		t.Fatalf("the killed recorder left no lock (%v)", err)
	}
	if _, err := breaker.ForceUnlock(info.ID); err != nil {
		t.Fatal(err)
	}
	return acked
}

// TestKillRecorderRecovers kills an apply while it records changes: the
// next run in the same directory recovers every acknowledged change and
// saves it to S3.
func TestKillRecorderRecovers(t *testing.T) {
	ctx := context.Background()
	bucket, dir := newBucket(t), t.TempDir()
	acked := recordAndKill(t, bucket, dir, 50)
	b := newBackend(t, "", bucket, dir)
	if !journalLeft(t, b) {
		t.Fatal("the killed recorder left no journal")
	}
	// Without the lock, Read shows the changes but saves nothing.
	st, err := newBackend(t, "", bucket, dir).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAddrs(t, st, acked)
	if !journalLeft(t, b) {
		t.Fatal("Read without the lock removed the journal")
	}

	if err := b.Lock(ctx, holderInfo); err != nil {
		t.Fatal(err)
	}
	defer b.Unlock()
	st, err = b.Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	checkAddrs(t, st, acked)
	checkAddrs(t, storedState(t, bucket), acked)
	if journalLeft(t, b) {
		t.Error("the journal remains after its changes were saved")
	}
	st.Resources["plumb_data.after"] = testInstance(t, "plumb_data.after", 1)
	if err := b.Write(ctx, st); err != nil {
		t.Fatalf("Write after recovery: %v", err)
	}
}

// TestKillRecorderConflict kills an apply while it records changes, then
// another run (elsewhere) writes the state: the next run in the killed
// one's directory must neither drop its changes nor overwrite the other
// run's, so it moves them to the errored file and says so.
func TestKillRecorderConflict(t *testing.T) {
	ctx := context.Background()
	bucket, dir := newBucket(t), t.TempDir()
	acked := recordAndKill(t, bucket, dir, 20)

	other := newBackend(t, "", bucket, t.TempDir())
	st, err := other.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Resources["plumb_data.theirs"] = testInstance(t, "plumb_data.theirs", 1)
	if err := other.Write(ctx, st); err != nil {
		t.Fatal(err)
	}

	b := newBackend(t, "", bucket, dir)
	_, err = b.Read(ctx)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), erroredPath(dir)) {
		t.Fatalf("Read: %v, want ErrConflict naming %s", err, erroredPath(dir))
	}
	checkAddrs(t, readStateFile(t, erroredPath(dir)), acked)
	if journalLeft(t, b) {
		t.Error("the journal remains after it was saved to the errored file")
	}
	st, err = b.Read(ctx)
	if err != nil {
		t.Fatalf("second Read: %v", err)
	}
	checkAddrs(t, st, []string{"plumb_data.theirs"})
}

// TestKillRecorderThenUnlockedApply: after a killed apply, a run without
// the lock sees the recovered changes, and a recorder it opens on them
// keeps them, so its Close saves both theirs and its own.
func TestKillRecorderThenUnlockedApply(t *testing.T) {
	ctx := context.Background()
	bucket, dir := newBucket(t), t.TempDir()
	acked := recordAndKill(t, bucket, dir, 10)
	b := newBackend(t, "", bucket, dir)
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkAddrs(t, st, acked)
	rec, err := b.Recorder(ctx, st)
	if err != nil {
		t.Fatalf("Recorder over a recovered journal: %v", err)
	}
	if err := rec.Set(testInstance(t, "plumb_data.mine", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkAddrs(t, storedState(t, bucket), append(acked, "plumb_data.mine"))
	if journalLeft(t, b) {
		t.Error("the journal remains after Close")
	}
}
