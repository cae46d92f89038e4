package accesslog

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// Conn is one TCP socket from /proc/net/tcp or /proc/net/tcp6.
type Conn struct {
	Local, Remote netip.AddrPort
	// State is the kernel's name for the socket state: ESTABLISHED,
	// SYN_RECV, TIME_WAIT, LISTEN, ...
	State string
}

// tcpStates are the kernel's socket states by their number in /proc.
var tcpStates = [...]string{1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
	6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV"}

// ValidState reports whether s names a TCP state (as Conn.State spells
// it, in any case).
func ValidState(s string) bool {
	return slices.Contains(tcpStates[1:], strings.ToUpper(s))
}

// ReadConnections reads dir/tcp and dir/tcp6 on this machine; see
// ReadConnectionsOn.
func ReadConnections(dir string) ([]Conn, error) {
	return ReadConnectionsOn(context.Background(), host.Local(), dir)
}

// ReadConnectionsOn reads dir/tcp and dir/tcp6 on h, where dir is
// /proc/net for the network namespace of whoever reads it (over SSH, the
// host's sshd), or /proc/PID/net for another's. A missing tcp6 (IPv6
// disabled) is not an error. The tables are streamed, one line at a time.
func ReadConnectionsOn(ctx context.Context, h host.Host, dir string) ([]Conn, error) {
	var out []Conn
	for _, name := range []string{"tcp", "tcp6"} {
		path := filepath.Join(dir, name)
		f, err := h.Open(ctx, path)
		if err != nil {
			if name == "tcp6" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("reading TCP connections: %w", err)
		}
		conns, err := ParseProcNetTCP(f, name == "tcp6")
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		out = append(out, conns...)
	}
	return out, nil
}

// ParseProcNetTCP reads the table format of /proc/net/tcp (v6 false) or
// /proc/net/tcp6 (v6 true). IPv4-mapped IPv6 addresses are unmapped.
func ParseProcNetTCP(r io.Reader, v6 bool) ([]Conn, error) {
	sc := bufio.NewScanner(r)
	var out []Conn
	n := 0
	for sc.Scan() {
		n++
		fields := strings.Fields(sc.Text())
		if n == 1 || len(fields) == 0 {
			continue // the header
		}
		if len(fields) < 4 {
			return nil, fmt.Errorf("line %d: want at least 4 fields, got %q", n, sc.Text())
		}
		local, err := parseHexAddrPort(fields[1], v6)
		if err != nil {
			return nil, fmt.Errorf("line %d: local address: %w", n, err)
		}
		remote, err := parseHexAddrPort(fields[2], v6)
		if err != nil {
			return nil, fmt.Errorf("line %d: remote address: %w", n, err)
		}
		st, err := strconv.ParseUint(fields[3], 16, 8)
		if err != nil || st == 0 || int(st) >= len(tcpStates) {
			return nil, fmt.Errorf("line %d: unknown state %q", n, fields[3])
		}
		out = append(out, Conn{Local: local, Remote: remote, State: tcpStates[st]})
	}
	return out, sc.Err()
}

// parseHexAddrPort reads "0100007F:0050": the address as the kernel's
// native-endian 32-bit words in hex, the port in hex.
func parseHexAddrPort(s string, v6 bool) (netip.AddrPort, error) {
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	want := 8
	if v6 {
		want = 32
	}
	if !ok || len(hexAddr) != want {
		return netip.AddrPort{}, fmt.Errorf("%q is not ADDRESS:PORT in hex", s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: bad port", s)
	}
	var b [16]byte
	for i := 0; i < want/8; i++ {
		w, err := strconv.ParseUint(hexAddr[i*8:i*8+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: bad address", s)
		}
		binary.NativeEndian.PutUint32(b[i*4:], uint32(w))
	}
	var a netip.Addr
	if v6 {
		a = netip.AddrFrom16(b).Unmap()
	} else {
		a = netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}

// ConnFilter selects the connections CountConnections counts.
type ConnFilter struct {
	// Port, when not zero, keeps connections to this local port.
	Port uint16
	// States keeps connections in these states (any case); empty keeps
	// every state but LISTEN.
	States []string
	// ByPrefix counts by /24 (IPv4) and /64 (IPv6) network instead of by
	// address.
	ByPrefix bool
}

// CountConnections counts connections per remote address (or prefix),
// most first, ties by address. Listening sockets, which have no remote
// end, are never counted.
func CountConnections(conns []Conn, f ConnFilter) []Count {
	states := map[string]bool{}
	for _, s := range f.States {
		states[strings.ToUpper(s)] = true
	}
	tally := map[string]int64{}
	for _, c := range conns {
		if f.Port != 0 && c.Local.Port() != f.Port {
			continue
		}
		if len(states) > 0 && !states[c.State] || len(states) == 0 && c.State == "LISTEN" {
			continue
		}
		if !c.Remote.Addr().IsValid() || c.Remote.Addr().IsUnspecified() {
			continue
		}
		k := c.Remote.Addr().String()
		if f.ByPrefix {
			k = prefixOf(c.Remote.Addr()).String()
		}
		tally[k]++
	}
	out := make([]Count, 0, len(tally))
	for k, n := range tally {
		out = append(out, Count{Key: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// prefixOf returns the /24 or /64 network of an address.
func prefixOf(a netip.Addr) netip.Prefix {
	bits := PrefixBits6
	if a.Is4() {
		bits = PrefixBits4
	}
	p, _ := a.Prefix(bits)
	return p
}
