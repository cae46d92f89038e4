package host

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrHostKey is matched (errors.Is) by the error of a connection refused
// because the host's key is unknown or has changed.
var ErrHostKey = errors.New("host key not trusted")

// hostKeyError says which key the host offered and how to trust it.
type hostKeyError struct {
	addr    string
	offered ssh.PublicKey
	changed bool   // a different key was expected
	where   string // the known_hosts file, or "host_key"
}

func (e *hostKeyError) Is(target error) bool { return target == ErrHostKey }

func (e *hostKeyError) Error() string {
	fp := ssh.FingerprintSHA256(e.offered)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(e.offered)))
	host, port, _ := net.SplitHostPort(e.addr)
	scan := "ssh-keyscan -t " + e.offered.Type() + " " + host
	if port != "" && port != "22" {
		scan = "ssh-keyscan -p " + port + " -t " + e.offered.Type() + " " + host
	}
	check := fmt.Sprintf("Compare it with the key on the host (ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub, run there or read from your provider's console)", keyFileType(e.offered.Type()))
	if e.changed {
		return fmt.Sprintf("the host key of %s has CHANGED: it now offers %s %s, which %s does not list for it. "+
			"Someone may be intercepting the connection, or the host was reinstalled. %s; only if they match, replace the old line in %s "+
			"(ssh-keygen -R %s -f FILE removes it), or pin the new key with host_key = %q",
			e.addr, e.offered.Type(), fp, e.where, check, e.where, host, line)
	}
	if e.where == "host_key" {
		return fmt.Sprintf("the host key of %s is %s %s, not the pinned host_key. %s; if it matches, set host_key = %q",
			e.addr, e.offered.Type(), fp, check, line)
	}
	return fmt.Sprintf("the host key of %s is not known: it offers %s %s, and %s has no line for it. "+
		"%s; if it matches, accept it with `%s >> %s`, or pin it with host_key = %q",
		e.addr, e.offered.Type(), fp, e.where, check, scan, e.where, line)
}

// keyFileType turns a key type into the name of OpenSSH's host key file.
func keyFileType(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ed25519"
	case strings.Contains(t, "ecdsa"):
		return "ecdsa"
	}
	return "rsa"
}

// hostKeyCheck returns the callback that checks the host's key against
// s.HostKey or s.KnownHostsFile, and the key algorithms to ask for (those
// of the keys already trusted, so a host with several keys offers the
// one plumb knows).
func hostKeyCheck(s Settings) (ssh.HostKeyCallback, []string, error) {
	if s.HostKey != "" {
		want, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s.HostKey))
		if err != nil {
			return nil, nil, fmt.Errorf("host_key = %q is not a public key (%v); write it as a known_hosts line without the host name, such as \"ssh-ed25519 AAAAC3...\"", s.HostKey, err)
		}
		cb := func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if string(key.Marshal()) == string(want.Marshal()) {
				return nil
			}
			return &hostKeyError{addr: s.Addr(), offered: key, where: "host_key"}
		}
		return cb, algorithmsFor([]string{want.Type()}), nil
	}
	if _, err := os.Stat(s.KnownHostsFile); err != nil {
		return nil, nil, fmt.Errorf("reading the known hosts: %w; create it with `ssh-keyscan %s >> %s` after checking the key, or pin the key with host_key", err, s.Host, s.KnownHostsFile)
	}
	kh, err := knownhosts.New(s.KnownHostsFile)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the known hosts %s: %w", s.KnownHostsFile, err)
	}
	cb := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := kh(hostname, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke):
			return &hostKeyError{addr: s.Addr(), offered: key, changed: len(ke.Want) > 0, where: s.KnownHostsFile}
		}
		return err
	}
	// Ask the file which key types it has for this host, by offering a
	// key it cannot have.
	var types []string
	probe := probeKey()
	var ke *knownhosts.KeyError
	if err := kh(knownhosts.Normalize(s.Addr()), &net.TCPAddr{IP: net.IPv4zero, Port: s.Port}, probe); errors.As(err, &ke) {
		for _, k := range ke.Want {
			types = append(types, k.Key.Type())
		}
	}
	return cb, algorithmsFor(types), nil
}

// probeKey is a public key no known_hosts file lists.
func probeKey() ssh.PublicKey {
	k, _, _, _, _ := ssh.ParseAuthorizedKey([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
	return k
}

// algorithmsFor returns the host key algorithms that verify keys of the
// given types, or nil (the library's defaults) when there are none.
func algorithmsFor(types []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	for _, t := range types {
		switch t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			add(t)
		}
	}
	return out
}
