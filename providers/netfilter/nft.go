package netfilter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"strings"
)

// nft runs the nft command, in a network namespace when netns is set.
type nft struct {
	netns string
	// path is the nft binary; empty means "nft" on PATH.
	path string
	// applied, when set, is called with each script nft accepted (tests
	// count transactions with it).
	applied func(script string)
}

// errNoTable is returned by listTable when the table does not exist.
var errNoTable = errors.New("no such table")

// command returns the command line that runs args in the namespace.
func (n *nft) command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	if n.netns != "" {
		return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.netns, tool}, args...)...)
	}
	return exec.CommandContext(ctx, tool, args...)
}

func (n *nft) bin() string {
	if n.path != "" {
		return n.path
	}
	return "nft"
}

// run runs nft with args and stdin; the error carries nft's message.
func (n *nft) run(ctx context.Context, stdin string, args ...string) ([]byte, error) {
	if _, err := exec.LookPath(n.bin()); err != nil {
		return nil, fmt.Errorf("the nft command is not installed (Debian package nftables: apt-get install nftables): %w", err)
	}
	if n.netns != "" {
		if _, err := exec.LookPath("ip"); err != nil {
			return nil, fmt.Errorf("the ip command is needed to reach network namespace %s (Debian package iproute2): %w", n.netns, err)
		}
	}
	cmd := n.command(ctx, n.bin(), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.Bytes(), &nftError{args: args, msg: msg, script: stdin}
	}
	return out.Bytes(), nil
}

// nftError is a failed nft run with what nft said, and the script it was
// given (nfterror.go shows the lines nft complained about).
type nftError struct {
	args   []string
	msg    string
	script string
}

// apply runs script as one transaction (nft -f -): all or nothing.
func (n *nft) apply(ctx context.Context, script string) error {
	_, err := n.run(ctx, script, "-f", "-")
	if err == nil && n.applied != nil {
		n.applied(script)
	}
	return err
}

// listTable reads table inet NAME as nft's JSON.
func (n *nft) listTable(ctx context.Context, table string) (*liveTable, error) {
	out, err := n.run(ctx, "", "-j", "list", "table", "inet", table)
	if err != nil {
		var ne *nftError
		if errors.As(err, &ne) && strings.Contains(ne.msg, "No such file or directory") {
			return nil, errNoTable
		}
		return nil, err
	}
	return parseTable(out, table)
}

// hostAddrs returns this host's (or the namespace's) own addresses with
// the interface each is on.
func (n *nft) hostAddrs(ctx context.Context) ([]hostAddr, error) {
	if n.netns == "" {
		return localAddrs()
	}
	cmd := n.command(ctx, "ip", "-j", "addr", "show")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the addresses of network namespace %s with ip -j addr: %w", n.netns, err)
	}
	var ifs []struct {
		Name  string `json:"ifname"`
		Addrs []struct {
			Local string `json:"local"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &ifs); err != nil {
		return nil, fmt.Errorf("reading ip -j addr output: %w", err)
	}
	var res []hostAddr
	for _, i := range ifs {
		for _, a := range i.Addrs {
			if ip, err := netip.ParseAddr(a.Local); err == nil {
				res = append(res, hostAddr{ip.Unmap().WithZone(""), i.Name})
			}
		}
	}
	return res, nil
}

// hostAddr is one of the host's own addresses.
type hostAddr struct {
	addr netip.Addr
	ifc  string
}

// localAddrs lists the addresses of this host's interfaces.
func localAddrs() ([]hostAddr, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("listing this host's interfaces: %w", err)
	}
	var res []hostAddr
	for _, i := range ifs {
		addrs, err := i.Addrs()
		if err != nil {
			return nil, fmt.Errorf("listing the addresses of %s: %w", i.Name, err)
		}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				res = append(res, hostAddr{p.Addr().Unmap().WithZone(""), i.Name})
			}
		}
	}
	return res, nil
}
