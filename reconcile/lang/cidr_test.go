package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestCIDRFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `cidrhost("10.12.112.0/20", 16)`, want: cty.StringVal("10.12.112.16")},
		{expr: `cidrhost("10.12.112.0/20", 268)`, want: cty.StringVal("10.12.113.12")},
		{expr: `cidrhost("10.12.112.0/20", -1)`, want: cty.StringVal("10.12.127.255")},
		{expr: `cidrhost("10.12.112.0/20", -4096)`, want: cty.StringVal("10.12.112.0")},
		{expr: `cidrhost("10.1.2.3/24", 5)`, want: cty.StringVal("10.1.2.5")},
		{expr: `cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)`, want: cty.StringVal("fd00:fd12:3456:7890::22")},
		{expr: `cidrhost("2001:db8::/32", -1)`, want: cty.StringVal("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")},
		{expr: `cidrhost("::/0", 340282366920938463463374607431768211455)`, want: cty.StringVal("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")},
		{expr: `cidrhost("10.0.0.0/24", 256)`, wantErr: "host number 256 is outside 10.0.0.0/24, which has 256 addresses: use 0 to 255, or -1 to -256"},
		{expr: `cidrhost("10.0.0.0/24", -257)`, wantErr: "host number -257 is outside"},
		{expr: `cidrhost("10.0.0.0/24", 1.5)`, wantErr: "1.5 is not a whole number"},
		{expr: `cidrhost("10.0.0.0/33", 1)`, wantErr: "invalid CIDR prefix"},
		{expr: `cidrhost("10.0.0.0", 1)`, wantErr: "invalid CIDR prefix"},
		{expr: `cidrhost(var.str, 1)`, want: cty.UnknownVal(cty.String)},
		{expr: `cidrhost("10.0.0.0/8", var.num)`, want: cty.UnknownVal(cty.String)},

		{expr: `cidrsubnet("172.16.0.0/12", 4, 2)`, want: cty.StringVal("172.18.0.0/16")},
		{expr: `cidrsubnet("10.1.2.0/24", 4, 15)`, want: cty.StringVal("10.1.2.240/28")},
		{expr: `cidrsubnet("10.0.0.0/8", 0, 0)`, want: cty.StringVal("10.0.0.0/8")},
		{expr: `cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)`, want: cty.StringVal("fd00:fd12:3456:7800:a200::/72")},
		{expr: `cidrsubnet("2001:db8::/32", 96, 1)`, want: cty.StringVal("2001:db8::1/128")},
		{expr: `cidrsubnet("10.0.0.0/24", 9, 0)`, wantErr: "cannot extend 10.0.0.0/24 by 9 bits: an IPv4 prefix has at most 32 bits, so use 0 to 8"},
		{expr: `cidrsubnet("10.0.0.0/24", -1, 0)`, wantErr: "cannot extend"},
		{expr: `cidrsubnet("10.0.0.0/24", 2, 4)`, wantErr: "network number 4 is outside the 4 subnets of /26 that 10.0.0.0/24 holds: use 0 to 3"},
		{expr: `cidrsubnet("10.0.0.0/24", 2, -1)`, wantErr: "network number -1 is outside"},
		{expr: `cidrsubnet("10.0.0.0/8", var.num, 1)`, want: cty.UnknownVal(cty.String)},

		{expr: `cidrnetmask("172.16.0.0/12")`, want: cty.StringVal("255.240.0.0")},
		{expr: `cidrnetmask("10.0.0.0/32")`, want: cty.StringVal("255.255.255.255")},
		{expr: `cidrnetmask("0.0.0.0/0")`, want: cty.StringVal("0.0.0.0")},
		{expr: `cidrnetmask("2001:db8::/32")`, wantErr: "IPv6 prefix, which has no dotted netmask"},

		{expr: `cidrcontains("192.168.2.0/20", "192.168.2.1")`, want: cty.True},
		{expr: `cidrcontains("192.168.2.0/20", "192.168.2.0/22")`, want: cty.True},
		{expr: `cidrcontains("192.168.2.0/20", "192.126.2.1")`, want: cty.False},
		{expr: `cidrcontains("192.168.0.0/20", "192.168.0.0/16")`, want: cty.False},
		{expr: `cidrcontains("fe80::/48", "fe80::1")`, want: cty.True},
		{expr: `cidrcontains("fe80::/48", "fe81::1")`, want: cty.False},
		{expr: `cidrcontains("10.0.0.0/8", "2001:db8::1")`, wantErr: "2001:db8::1 is IPv6 but 10.0.0.0/8 is IPv4"},
		{expr: `cidrcontains("10.0.0.0/8", "10.0.0.300")`, wantErr: "invalid IP address"},
		{expr: `cidrcontains("10.0.0.0/8", var.str)`, want: cty.UnknownVal(cty.Bool)},
	})
}
