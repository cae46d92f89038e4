package ec2shim

import (
	"net/url"
	"strconv"
	"strings"
)

// filter is one Filter.N of a Describe call: a name and the values any of
// which may match.
type filter struct {
	name   string
	values []string
}

// filters reads Filter.N.Name and Filter.N.Value.M, answering
// InvalidParameterValue and returning false for a name not in known (a
// "tag:" name is always known) or a filter without values.
func (c *call) filters(known ...string) ([]filter, bool) {
	var out []filter
	for _, n := range indexes(c.form, "Filter") {
		p := "Filter." + strconv.Itoa(n) + "."
		f := filter{name: c.form.Get(p + "Name"), values: listOf(c.form, p+"Value")}
		ok := strings.HasPrefix(f.name, "tag:") && len(f.name) > len("tag:")
		for _, k := range known {
			ok = ok || f.name == k
		}
		if !ok {
			c.invalid("InvalidParameterValue", "The filter '"+f.name+"' is invalid")
			return nil, false
		}
		if len(f.values) == 0 {
			c.invalid("InvalidParameterValue", "The filter '"+f.name+"' has no values; give at least one Filter."+strconv.Itoa(n)+".Value.1")
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// match reports whether one of the filter's values matches s.
func (f filter) match(s string) bool {
	for _, want := range f.values {
		if wildcard(want, s) {
			return true
		}
	}
	return false
}

// matchTags answers the tag:KEY and tag-key filters from tags.
func (f filter) matchTags(tags map[string]string) bool {
	if key, ok := strings.CutPrefix(f.name, "tag:"); ok {
		v, ok := tags[key]
		return ok && f.match(v)
	}
	if f.name == "tag-key" {
		for k := range tags {
			if f.match(k) {
				return true
			}
		}
	}
	return false
}

// wildcard matches s against an EC2 filter value, where * stands for any
// run of characters, ? for any one character, and a backslash makes the
// next character literal.
func wildcard(pattern, s string) bool {
	if !strings.ContainsAny(pattern, `*?\`) {
		return pattern == s
	}
	// Iterative matching with backtracking to the last star.
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; {
			case c == '*':
				starP, starI = p, i
				p++
				continue
			case c == '?':
				p++
				i++
				continue
			case c == '\\' && p+1 < len(pattern) && pattern[p+1] == s[i]:
				p += 2
				i++
				continue
			case c != '\\' && c == s[i]:
				p++
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ownersOf reads Owner.N, mapping "self" to the shim's account.
func ownersOf(form url.Values) map[string]bool {
	list := listOf(form, "Owner")
	if len(list) == 0 {
		return nil
	}
	out := map[string]bool{}
	for _, o := range list {
		if o == "self" {
			o = Account
		}
		out[o] = true
	}
	return out
}
