package lang

import (
	"math/big"
	"net/netip"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// cidrHostFunc is cidrhost(prefix, hostnum): the address numbered hostnum
// within prefix. A negative hostnum counts back from the end, so -1 is the
// last address.
var cidrHostFunc = function.New(&function.Spec{
	Description: "Returns the address with the given host number within the CIDR prefix; negative numbers count back from the last address.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(0, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		n, err := integer(1, args[1])
		if err != nil {
			return cty.NilVal, err
		}
		size := new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits()))
		if n.Sign() < 0 {
			n.Add(n, size)
		}
		if n.Sign() < 0 || n.Cmp(size) >= 0 {
			return cty.NilVal, function.NewArgErrorf(1, "host number %s is outside %s, which has %s addresses: use 0 to %s, or -1 to -%s to count back from the end",
				args[1].AsBigFloat().Text('f', -1), p, size, new(big.Int).Sub(size, big.NewInt(1)), size)
		}
		return cty.StringVal(offsetAddr(p.Addr(), n).String()), nil
	},
})

// cidrSubnetFunc is cidrsubnet(prefix, newbits, netnum): the netnum-th
// subnet of prefix that is newbits longer.
var cidrSubnetFunc = function.New(&function.Spec{
	Description: "Returns the subnet of the CIDR prefix that is newbits longer and has the given network number.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(0, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		newbits, err := integer(1, args[1])
		if err != nil {
			return cty.NilVal, err
		}
		width := p.Addr().BitLen()
		if newbits.Sign() < 0 || !newbits.IsInt64() || p.Bits()+int(newbits.Int64()) > width {
			return cty.NilVal, function.NewArgErrorf(1, "cannot extend %s by %s bits: an %s prefix has at most %d bits, so use 0 to %d",
				p, newbits, family(p.Addr()), width, width-p.Bits())
		}
		bits := p.Bits() + int(newbits.Int64())
		netnum, err := integer(2, args[2])
		if err != nil {
			return cty.NilVal, err
		}
		count := new(big.Int).Lsh(big.NewInt(1), uint(newbits.Int64()))
		if netnum.Sign() < 0 || netnum.Cmp(count) >= 0 {
			return cty.NilVal, function.NewArgErrorf(2, "network number %s is outside the %s subnets of /%d that %s holds: use 0 to %s",
				netnum, count, bits, p, new(big.Int).Sub(count, big.NewInt(1)))
		}
		offset := netnum.Lsh(netnum, uint(width-bits))
		return cty.StringVal(netip.PrefixFrom(offsetAddr(p.Addr(), offset), bits).String()), nil
	},
})

// cidrNetmaskFunc is cidrnetmask(prefix): the dotted netmask of an IPv4
// prefix.
var cidrNetmaskFunc = function.New(&function.Spec{
	Description:  "Returns the netmask of an IPv4 CIDR prefix in dotted-decimal form.",
	Params:       []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(0, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		if !p.Addr().Is4() {
			return cty.NilVal, function.NewArgErrorf(0, "%s is an IPv6 prefix, which has no dotted netmask; only IPv4 prefixes do", p)
		}
		mask := ^uint32(0) << (32 - p.Bits())
		if p.Bits() == 0 {
			mask = 0
		}
		addr := netip.AddrFrom4([4]byte{byte(mask >> 24), byte(mask >> 16), byte(mask >> 8), byte(mask)})
		return cty.StringVal(addr.String()), nil
	},
})

// cidrContainsFunc is cidrcontains(prefix, addr): whether an address, or
// every address of a prefix, lies within prefix. Mixing IPv4 and IPv6 is an
// error.
var cidrContainsFunc = function.New(&function.Spec{
	Description: "Reports whether the address or CIDR prefix lies within the CIDR prefix.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "addr", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.Bool),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(0, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		s := args[1].AsString()
		var inner netip.Prefix
		if strings.Contains(s, "/") {
			if inner, err = parsePrefix(1, s); err != nil {
				return cty.NilVal, err
			}
		} else {
			a, err := parseAddr(s)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(1, "invalid IP address: %w", err)
			}
			inner = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4() != inner.Addr().Is4() {
			return cty.NilVal, function.NewArgErrorf(1, "%s is %s but %s is %s; compare addresses of one family",
				s, family(inner.Addr()), p, family(p.Addr()))
		}
		return cty.BoolVal(inner.Bits() >= p.Bits() && p.Contains(inner.Addr())), nil
	},
})

// parsePrefix parses a CIDR prefix, dropping any host bits as Terraform
// does, so "10.1.2.3/16" means 10.1.0.0/16. IPv4 parts with leading zeros
// are read as decimal, as Terraform reads them: "010.001.2.0/24" is
// 10.1.2.0/24 (never octal).
func parsePrefix(arg int, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		addr, bits, ok := strings.Cut(s, "/")
		if fixed, changed := trimIPv4Zeros(addr); ok && changed {
			if q, qerr := netip.ParsePrefix(fixed + "/" + bits); qerr == nil {
				return q.Masked(), nil
			}
		}
		return netip.Prefix{}, function.NewArgErrorf(arg, "invalid CIDR prefix (write it like \"10.0.0.0/16\" or \"2001:db8::/32\"): %w", err)
	}
	return p.Masked(), nil
}

// parseAddr parses an IP address, reading IPv4 parts with leading zeros as
// decimal like parsePrefix.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		if fixed, changed := trimIPv4Zeros(s); changed {
			if b, berr := netip.ParseAddr(fixed); berr == nil {
				return b, nil
			}
		}
	}
	return a, err
}

// trimIPv4Zeros drops the leading zeros of each part of a dotted IPv4
// address ("010.001.2.0" → "10.1.2.0"); it reports whether it changed
// anything. Anything that is not four decimal parts is left alone.
func trimIPv4Zeros(s string) (string, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return s, false
	}
	changed := false
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return s, false
		}
		if t := strings.TrimLeft(p, "0"); t != p {
			if t == "" {
				t = "0"
			}
			parts[i], changed = t, changed || t != p
		}
	}
	return strings.Join(parts, "."), changed
}

// integer returns the whole number in v, or an argument error.
func integer(arg int, v cty.Value) (*big.Int, error) {
	f := v.AsBigFloat()
	if !f.IsInt() {
		return nil, function.NewArgErrorf(arg, "%s is not a whole number", f.Text('g', -1))
	}
	n, _ := f.Int(nil)
	return n, nil
}

// offsetAddr returns base plus n, keeping base's form (IPv4, IPv6 or
// IPv4-mapped IPv6). n must fit in the address.
func offsetAddr(base netip.Addr, n *big.Int) netip.Addr {
	sum := new(big.Int).SetBytes(base.AsSlice())
	sum.Add(sum, n)
	if base.Is4() {
		var b [4]byte
		sum.FillBytes(b[:])
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	sum.FillBytes(b[:])
	return netip.AddrFrom16(b)
}

// family names an address's family for messages.
func family(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// cidrSubnetsFunc is cidrsubnets(prefix, newbits...): consecutive subnets
// of prefix, one per newbits argument, each that many bits longer than
// prefix and starting at the first address the earlier ones leave free,
// aligned to its own size. It is how address plans are written without
// counting network numbers by hand.
var cidrSubnetsFunc = function.New(&function.Spec{
	Description: "Returns consecutive subnets of the CIDR prefix, one per newbits argument, each newbits longer than the prefix.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam:    &function.Parameter{Name: "newbits", Type: cty.Number},
	Type:        function.StaticReturnType(cty.List(cty.String)),
	RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
		return b.NotNull()
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(0, args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		if len(args) == 1 {
			return cty.ListValEmpty(cty.String), nil
		}
		width := p.Addr().BitLen()
		start := new(big.Int).SetBytes(p.Addr().AsSlice())
		end := new(big.Int).Add(start, new(big.Int).Lsh(big.NewInt(1), uint(width-p.Bits())))
		cursor := new(big.Int).Set(start)
		out := make([]cty.Value, 0, len(args)-1)
		for i, a := range args[1:] {
			newbits, err := integer(i+1, a)
			if err != nil {
				return cty.NilVal, err
			}
			if newbits.Sign() < 0 || !newbits.IsInt64() || p.Bits()+int(newbits.Int64()) > width {
				return cty.NilVal, function.NewArgErrorf(i+1, "cannot extend %s by %s bits: an %s prefix has at most %d bits, so use 0 to %d",
					p, newbits, family(p.Addr()), width, width-p.Bits())
			}
			bits := p.Bits() + int(newbits.Int64())
			size := new(big.Int).Lsh(big.NewInt(1), uint(width-bits))
			// The first free address, rounded up to the subnet's size.
			first := new(big.Int).Add(cursor, new(big.Int).Sub(size, big.NewInt(1)))
			first.Div(first, size).Mul(first, size)
			next := new(big.Int).Add(first, size)
			if next.Cmp(end) > 0 {
				return cty.NilVal, function.NewArgErrorf(i+1, "%s has no room left for a /%d after the subnets before it", p, bits)
			}
			offset := new(big.Int).Sub(first, start)
			out = append(out, cty.StringVal(netip.PrefixFrom(offsetAddr(p.Addr(), offset), bits).String()))
			cursor = next
		}
		return cty.ListVal(out), nil
	},
})
