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
			a, err := netip.ParseAddr(s)
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
// does, so "10.1.2.3/16" means 10.1.0.0/16.
func parsePrefix(arg int, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, function.NewArgErrorf(arg, "invalid CIDR prefix (write it like \"10.0.0.0/16\" or \"2001:db8::/32\"): %w", err)
	}
	return p.Masked(), nil
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
