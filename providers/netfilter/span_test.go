package netfilter

import "testing"

func TestSpans(t *testing.T) {
	for _, c := range []struct {
		key, lo, hi string
	}{
		{"192.0.2.5", "192.0.2.5", "192.0.2.5"},
		{"192.0.2.0/24", "192.0.2.0", "192.0.2.255"},
		{"192.0.2.128/25", "192.0.2.128", "192.0.2.255"},
		{"10.0.0.0/9", "10.0.0.0", "10.127.255.255"},
		{"198.51.100.1-198.51.100.9", "198.51.100.1", "198.51.100.9"},
		{"2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff"},
		{"2001:db8::/63", "2001:db8::", "2001:db8:0:1:ffff:ffff:ffff:ffff"},
	} {
		s, err := parseSpan(c.key)
		if err != nil || s.lo.String() != c.lo || s.hi.String() != c.hi {
			t.Errorf("parseSpan(%q) = %v–%v, %v; want %s–%s", c.key, s.lo, s.hi, err, c.lo, c.hi)
		}
	}
	for _, bad := range []string{"192.0.2.9-192.0.2.1", "192.0.2.1-2001:db8::1", "x-y"} {
		if _, err := parseSpan(bad); err == nil {
			t.Errorf("parseSpan(%q) accepted", bad)
		}
	}
	set := newSpanSet([]keyedSpan{
		{mustSpan("192.0.2.0/25"), "192.0.2.0/25"},
		{mustSpan("198.51.100.7"), "198.51.100.7"},
		{mustSpan("2001:db8::/64"), "2001:db8::/64"},
		{mustSpan("203.0.113.10-203.0.113.20"), "203.0.113.10-203.0.113.20"},
	})
	for _, c := range []struct {
		key, hit string
	}{
		{"192.0.2.5", "192.0.2.0/25"},
		{"192.0.2.0/24", "192.0.2.0/25"},
		{"192.0.2.128/25", ""},
		{"198.51.100.0/24", "198.51.100.7"},
		{"198.51.100.8", ""},
		{"203.0.113.15", "203.0.113.10-203.0.113.20"},
		{"203.0.113.0/28", "203.0.113.10-203.0.113.20"},
		{"203.0.113.21", ""},
		{"2001:db8::5", "2001:db8::/64"},
		{"2001:db8:1::5", ""},
		{"::ffff:192.0.2.1", "192.0.2.0/25"},
		{"0.0.0.0/0", "192.0.2.0/25"},
		{"::/0", "2001:db8::/64"},
	} {
		got, _ := set.overlapping(mustSpan(c.key))
		if got != c.hit {
			t.Errorf("overlapping(%s) = %q, want %q", c.key, got, c.hit)
		}
	}
}

func mustSpan(k string) span {
	s, err := parseSpan(k)
	if err != nil {
		panic(err)
	}
	return s
}
