package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// hostFlags say which machine plumb detect reads: this one, or one
// reached over SSH (-host), with the same settings as a provider's ssh
// block.
type hostFlags struct {
	target, identity, knownHosts string
	sudo                         bool
}

func (h *hostFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.target, "host", "", "read the logs (and -connections) on `[USER@]NAME[:PORT]` over SSH, streaming them; host keys are checked against -known-hosts")
	fs.StringVar(&h.identity, "identity", "", "with -host, log in with the private key `FILE` (default: the keys in ssh-agent)")
	fs.StringVar(&h.knownHosts, "known-hosts", "", "with -host, the known_hosts `FILE` that lists the host's key (default ~/.ssh/known_hosts)")
	fs.BoolVar(&h.sudo, "sudo", false, "with -host, read as root through sudo -n (for logs only root may read)")
}

// dial returns the host to read: this machine without -host.
func (h *hostFlags) dial(ctx context.Context) (host.Host, error) {
	if h.target == "" {
		if h.identity != "" || h.knownHosts != "" || h.sudo {
			return nil, fmt.Errorf("-identity, -known-hosts and -sudo go with -host")
		}
		return host.Local(), nil
	}
	s, err := h.settings()
	if err != nil {
		return nil, err
	}
	return host.Dial(ctx, s)
}

// settings turns the flags into SSH settings, as an ssh block with the
// same values would give.
func (h *hostFlags) settings() (host.Settings, error) {
	target := h.target
	var user string
	if at := strings.LastIndexByte(target, '@'); at >= 0 {
		user, target = target[:at], target[at+1:]
	}
	name, port := target, host.DefaultPort
	if hp, ps, err := net.SplitHostPort(target); err == nil {
		p, perr := strconv.Atoi(ps)
		if perr != nil || p < 1 || p > 65535 {
			return host.Settings{}, fmt.Errorf("-host %s: %q is not a port", h.target, ps)
		}
		name, port = hp, p
	}
	if name == "" {
		return host.Settings{}, fmt.Errorf("-host %q names no host; write [USER@]NAME[:PORT]", h.target)
	}
	block := map[string]any{"host": name, "port": port, "user": user, "private_key_file": h.identity, "known_hosts_file": h.knownHosts, "sudo": h.sudo}
	s, diags := host.DecodeSettings(host.BlockValue(block))
	if diags.HasErrors() {
		return s, fmt.Errorf("-host %s: %s", h.target, diags.Error())
	}
	return s, nil
}
