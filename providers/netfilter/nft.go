package netfilter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/plumbhq/plumb/providers/host"
)

// nft runs the nft command on the provider's host, in a network
// namespace when netns is set.
type nft struct {
	host  *host.Slot
	netns string
	// path is the nft binary; empty means "nft" on the host's PATH (or in
	// its sbin folders).
	path string
	// applied, when set, is called with each script nft accepted (tests
	// count transactions with it).
	applied func(script string)

	mu    sync.Mutex
	tools map[string]string // found programs, by name
}

// errNoTable is returned by listTable when the table does not exist.
var errNoTable = errors.New("no such table")

// packages names the Debian package of each tool, for messages.
var packages = map[string]string{"nft": "nftables", "ip": "iproute2", "cat": "coreutils"}

// find returns the path of tool on the host, looked for once.
func (n *nft) find(ctx context.Context, h host.Host, tool string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.tools[tool]; ok {
		return p, nil
	}
	name := tool
	if tool == "nft" && n.path != "" {
		name = n.path
	}
	p, err := host.LookPath(ctx, h, name, host.SbinDirs...)
	if err != nil {
		return "", fmt.Errorf("the %s command is needed on %s (Debian package %s: apt-get install %s): %w", tool, h, packages[tool], packages[tool], err)
	}
	if n.tools == nil {
		n.tools = map[string]string{}
	}
	n.tools[tool] = p
	return p, nil
}

// command returns the command that runs tool with args on the host, in
// the namespace when there is one.
func (n *nft) command(ctx context.Context, h host.Host, tool string, args ...string) ([]string, error) {
	p, err := n.find(ctx, h, tool)
	if err != nil {
		return nil, err
	}
	cmd := append([]string{p}, args...)
	if n.netns == "" {
		return cmd, nil
	}
	ip, err := n.find(ctx, h, "ip")
	if err != nil {
		return nil, fmt.Errorf("reaching network namespace %s: %w", n.netns, err)
	}
	return append([]string{ip, "netns", "exec", n.netns}, cmd...), nil
}

// output runs tool with args on the host and returns its output; the
// error carries what it wrote to standard error.
func (n *nft) output(ctx context.Context, tool string, args ...string) ([]byte, error) {
	h := n.host.Get()
	cmd, err := n.command(ctx, h, tool, args...)
	if err != nil {
		return nil, err
	}
	return host.Output(ctx, h, host.Cmd{Args: cmd})
}

// run runs nft with args and stdin; the error carries nft's message.
func (n *nft) run(ctx context.Context, stdin string, args ...string) ([]byte, error) {
	h := n.host.Get()
	cmd, err := n.command(ctx, h, "nft", args...)
	if err != nil {
		return nil, err
	}
	var out, errb bytes.Buffer
	if err := h.Run(ctx, host.Cmd{Args: cmd, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}); err != nil {
		msg := strings.TrimSpace(errb.String())
		var exit *host.ExitError
		if msg == "" || !errors.As(err, &exit) {
			msg = strings.TrimSpace(err.Error() + " " + msg)
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

// hostAddrs returns the host's (or the namespace's) own addresses with
// the interface each is on.
func (n *nft) hostAddrs(ctx context.Context) ([]hostAddr, error) {
	out, err := n.output(ctx, "ip", "-j", "addr", "show")
	if err != nil {
		return nil, fmt.Errorf("listing the addresses%s with ip -j addr: %w", n.where(), err)
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
