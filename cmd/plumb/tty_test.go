package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ttyRun is plumb running with a pseudo-terminal as its stdin, stdout and
// stderr, as at a workstation.
type ttyRun struct {
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
}

// startInTTY starts plumb in dir on a new pseudo-terminal.
func startInTTY(t *testing.T, env []string, dir string, args ...string) *ttyRun {
	t.Helper()
	cmd := exec.Command(plumbBin, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = env
	return startCommandInTTY(t, cmd)
}

// startCommandInTTY starts cmd on a new pseudo-terminal: its stdin,
// stdout and stderr, and its controlling terminal.
func startCommandInTTY(t *testing.T, cmd *exec.Cmd) *ttyRun {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	r := &ttyRun{cmd: cmd, master: master, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return // EIO once the process and its terminal are gone
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		master.Close()
	})
	return r
}

// waitFor waits until the output holds text.
func (r *ttyRun) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(r.output(), text) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q in the terminal output:\n%s", text, r.output())
}

func (r *ttyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// answer types a line at the terminal.
func (r *ttyRun) answer(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(r.master, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// wait waits for plumb to exit and returns its exit code.
func (r *ttyRun) wait(t *testing.T) int {
	t.Helper()
	err := r.cmd.Wait()
	select {
	case <-r.done:
	case <-time.After(2 * time.Second):
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}
