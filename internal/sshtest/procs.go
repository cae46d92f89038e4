package sshtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Stop stops sshd and every session it serves: from now on the host is
// down (connections are refused).
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	if s.fwd != nil {
		s.fwd.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		// sshd, and every session it forked (listed first: once sshd
		// is gone they are no longer its children).
		below := descendants(s.sshdPID())
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		for _, pid := range below {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		<-s.exited
		waitGone(below) // a child just forked may hold the listening socket
	}
}

// waitGone waits, up to five seconds, until the processes have ended.
func waitGone(pids []int) {
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
			if err != nil {
				break
			}
			if i := strings.LastIndexByte(string(b), ')'); i > 0 && strings.HasPrefix(string(b[i+1:]), " Z") {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// KillSessions kills, with SIGKILL, the sshd processes serving the
// current connections (the children sshd forks per connection, and all
// they run), as a dropped connection or a crashed session would. sshd
// itself keeps listening.
func (s *Server) KillSessions() int {
	pids := descendants(s.sshdPID())
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	waitGone(pids)
	return len(pids)
}

// Connections counts the SSH connections sshd is serving now (the
// children it forks, one per connection).
func (s *Server) Connections() int {
	pid := s.sshdPID()
	n := 0
	for _, c := range descendants(pid) {
		if parentOf(c) == pid {
			n++
		}
	}
	return n
}

// parentOf returns the parent process ID of pid, or 0.
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(f[1])
	return pp
}

// sshdPID is the listening sshd's process ID, from its pid file.
func (s *Server) sshdPID() int {
	b, err := os.ReadFile(filepath.Join(s.scratch, "sshd", "sshd.pid"))
	if err != nil {
		if s.cmd != nil && s.cmd.Process != nil {
			return s.cmd.Process.Pid
		}
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// descendants lists the processes below pid, children first.
func descendants(pid int) []int {
	if pid <= 0 {
		return nil
	}
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parens.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		parent[p] = pp
	}
	var out []int
	var walk func(int)
	walk = func(p int) {
		for c, pp := range parent {
			if pp == p {
				out = append(out, c)
				walk(c)
			}
		}
	}
	walk(pid)
	return out
}
