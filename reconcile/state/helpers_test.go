package state

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Child processes: the test binary re-runs itself with childModeEnv set to
// one of the modes below, and TestMain runs that mode instead of the tests.
const (
	childModeEnv  = "PLUMB_STATE_TEST_CHILD"
	childPathEnv  = "PLUMB_STATE_TEST_PATH"
	childRoundEnv = "PLUMB_STATE_TEST_ROUND"

	// modeHoldLock takes the lock as testLockInfo, prints "locked", and
	// unlocks and exits when its standard input closes.
	modeHoldLock = "hold-lock"
	// modeCrashLoop writes the state and records changes in a loop until
	// killed, printing each address once its write or Set has returned.
	modeCrashLoop = "crash-loop"
)

// testLockInfo is what a modeHoldLock child records as the lock holder.
var testLockInfo = LockInfo{ID: "child-lock-id", Operation: "apply", Who: "child"}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(runChild(mode, os.Getenv(childPathEnv)))
	}
	os.Exit(m.Run())
}

func runChild(mode, path string) int {
	var err error
	switch mode {
	case modeHoldLock:
		err = childHoldLock(path)
	case modeCrashLoop:
		err = childCrashLoop(path, os.Getenv(childRoundEnv))
	default:
		err = fmt.Errorf("unknown child mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func childHoldLock(path string) error {
	l := NewLocal(path)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Lock(ctx, testLockInfo); err != nil {
		return err
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return l.Unlock()
}

// child is a running child process of the test binary.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // complete lines of its standard output; closed at EOF
}

// startChild runs the test binary in mode on the state at path.
func startChild(t *testing.T, mode, path string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childPathEnv+"="+path)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1<<16)}
	go func() {
		defer close(c.lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut short by a kill is not acknowledged
			}
			c.lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	return c
}

// expect waits for the child to print want.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok || line != want {
			t.Fatalf("child printed %q (open %v), want %q", line, ok, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("child did not print %q in time", want)
	}
}

// kill kills the child with SIGKILL and reaps it.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()
}

// testAttrs is the value of a test instance: a small object with three
// strings, like a plumb_data resource.
func testAttrs(id string, n int) cty.Value {
	val := cty.StringVal(fmt.Sprintf("value-%d", n))
	return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(id), "input": val, "output": val})
}

var testAttrsType = testAttrs("", 0).Type()

// testInstance returns a managed plumb_data instance at addr.
func testInstance(t testing.TB, addr string, n int) *Instance {
	t.Helper()
	inst, err := NewInstance(addr, "managed", "plumb_data", "r", "plumb", testAttrs(addr, n), []string{"plumb_data.base"})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// testState returns a state with n instances plumb_data.r[0..n-1].
func testState(t testing.TB, n int) *State {
	t.Helper()
	st := New()
	st.PlumbVersion = "0.0.0-test"
	for i := range n {
		inst := testInstance(t, fmt.Sprintf("plumb_data.r[%d]", i), i)
		st.Resources[inst.Addr] = inst
	}
	return st
}

// statePath returns the path of a state file in a new temporary directory.
func statePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "plumb.state")
}

// copyTestdata copies the file testdata/src to dst.
func copyTestdata(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// mustRead reads the state at path with a fresh backend.
func mustRead(t *testing.T, path string) *State {
	t.Helper()
	st, err := NewLocal(path).Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return st
}

// exists reports whether path exists.
func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Lstat(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return err == nil
}

// printMu keeps a crash-loop child's printed lines whole.
var printMu sync.Mutex

func ack(addr string) {
	printMu.Lock()
	defer printMu.Unlock()
	fmt.Println(addr)
}
