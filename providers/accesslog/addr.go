package accesslog

import (
	"net/netip"
)

// addrKey is a client address as a fixed-size map key: an IPv6 address,
// with IPv4 held in its IPv4-mapped form (::ffff:a.b.c.d), so that
// "1.2.3.4" and "::ffff:1.2.3.4" count as one client.
type addrKey [16]byte

// v4Prefix is the first twelve bytes of an IPv4-mapped address.
var v4Prefix = [12]byte{10: 0xff, 11: 0xff}

// is4 reports whether k holds an IPv4 address.
func (k addrKey) is4() bool { return [12]byte(k[:12]) == v4Prefix }

// addr returns k as a netip.Addr: IPv4 when k holds one.
func (k addrKey) addr() netip.Addr {
	a := netip.AddrFrom16(k)
	if k.is4() {
		return a.Unmap()
	}
	return a
}

// String returns the address in its canonical text form.
func (k addrKey) String() string { return k.addr().String() }

// prefix returns the key of the network k belongs to: its /24 for IPv4,
// its /64 for IPv6.
func (k addrKey) prefix() addrKey {
	if k.is4() {
		k[15] = 0
		return k
	}
	for i := 8; i < 16; i++ {
		k[i] = 0
	}
	return k
}

// prefixString returns the network key k (from prefix) as a CIDR.
func (k addrKey) prefixString() string {
	if k.is4() {
		return k.String() + "/24"
	}
	return k.String() + "/64"
}

// PrefixBits4 and PrefixBits6 are the prefix lengths plumb aggregates
// by: /24 for IPv4 and /64 for IPv6, the usual size of one customer's
// network.
const (
	PrefixBits4 = 24
	PrefixBits6 = 64
)

// parseAddr reads a client address: dotted IPv4 (fast path, no leading
// zeros) or any IPv6 form netip accepts, IPv4-mapped ones included. A
// zone (fe80::1%eth0) is not a client address and is refused.
func parseAddr(b []byte) (addrKey, bool) {
	var k addrKey
	if v, ok := parseIPv4(b); ok {
		copy(k[:12], v4Prefix[:])
		copy(k[12:], v[:])
		return k, true
	}
	if len(b) < 2 || len(b) > 45 {
		return k, false
	}
	hasColon := false
	for _, c := range b {
		switch {
		case c == ':':
			hasColon = true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '.':
		default:
			return k, false
		}
	}
	if !hasColon {
		return k, false
	}
	a, err := netip.ParseAddr(string(b))
	if err != nil {
		return k, false
	}
	return addrKey(a.As16()), true
}

// parseIPv4 reads a dotted-quad IPv4 address without leading zeros. It
// is unrolled per part: it runs once for every line of a log.
func parseIPv4(b []byte) ([4]byte, bool) {
	var out [4]byte
	n := len(b)
	if n < 7 || n > 15 {
		return out, false
	}
	i := 0
	for p := 0; p < 4; p++ {
		if p > 0 {
			if b[i] != '.' {
				return out, false
			}
			i++
			if i == n {
				return out, false
			}
		}
		d := b[i] - '0'
		if d > 9 {
			return out, false
		}
		v := uint32(d)
		i++
		if i < n && b[i]-'0' <= 9 {
			if v == 0 {
				return out, false // leading zero
			}
			v = v*10 + uint32(b[i]-'0')
			i++
			if i < n && b[i]-'0' <= 9 {
				v = v*10 + uint32(b[i]-'0')
				i++
			}
		}
		if v > 255 || p < 3 && i == n {
			return out, false
		}
		out[p] = byte(v)
	}
	return out, i == n
}

// v4 returns the IPv4 address held in an IPv4-mapped key.
func (k addrKey) v4() uint32 {
	return uint32(k[12])<<24 | uint32(k[13])<<16 | uint32(k[14])<<8 | uint32(k[15])
}

// keyFrom4 returns the IPv4-mapped key of an IPv4 address.
func keyFrom4(a uint32) addrKey {
	var k addrKey
	copy(k[:12], v4Prefix[:])
	k[12], k[13], k[14], k[15] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
	return k
}
