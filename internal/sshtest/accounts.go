package sshtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// accounts writes the account files sshd sees and returns args wrapped
// to run in a mount namespace where they stand for the system's: root
// gets a home of its own in the scratch folder (so no one's ~/.ssh or
// shell start-up files are read), and with sudoUser, SudoUser exists
// with passwordless sudo.
func (s *Server) accounts(etc string, args []string, sudoUser bool) []string {
	t := s.t
	rootHome := filepath.Join(s.scratch, "root")
	must(t, os.Mkdir(rootHome, 0o700))
	home := filepath.Join(s.scratch, "home")
	must(t, os.Mkdir(home, 0o755))
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatalf("reading /etc/passwd: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(passwd)), "\n") {
		f := strings.Split(l, ":")
		if len(f) == 7 && f[0] == "root" {
			f[5] = rootHome
			l = strings.Join(f, ":")
		}
		lines = append(lines, l)
	}
	binds := [][2]string{}
	write := func(name, content string, mode os.FileMode, system string) {
		p := filepath.Join(etc, name)
		must(t, os.WriteFile(p, []byte(content), mode))
		binds = append(binds, [2]string{p, system})
	}
	if sudoUser {
		if _, err := exec.LookPath("sudo"); err != nil {
			t.Fatalf("sudo is missing: install the Debian package sudo (apt-get install sudo)")
		}
		must(t, os.Chown(home, sudoUID, sudoUID))
		must(t, os.Chown(s.Dir, sudoUID, sudoUID))
		lines = append(lines, fmt.Sprintf("%s:x:%d:%d:plumb test:%s:/bin/sh", SudoUser, sudoUID, sudoUID, home))
		group, err := os.ReadFile("/etc/group")
		if err != nil {
			t.Fatalf("reading /etc/group: %v", err)
		}
		shadow, err := os.ReadFile("/etc/shadow")
		if err != nil {
			t.Fatalf("reading /etc/shadow: %v", err)
		}
		write("group", string(group)+fmt.Sprintf("%s:x:%d:\n", SudoUser, sudoUID), 0o644, "/etc/group")
		write("shadow", string(shadow)+SudoUser+":*:19000:0:99999:7:::\n", 0o640, "/etc/shadow")
		write("sudoers", "Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n"+SudoUser+" ALL=(ALL:ALL) NOPASSWD: ALL\n", 0o440, "/etc/sudoers")
	}
	write("passwd", strings.Join(lines, "\n")+"\n", 0o644, "/etc/passwd")
	script := ""
	for _, b := range binds {
		script += fmt.Sprintf("mount --bind %s %s && ", shellQuote(b[0]), b[1])
	}
	script += "exec " + strings.Join(quoteAll(args), " ")
	return []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script}
}

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
