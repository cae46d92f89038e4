package netfilter

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
)

// ownerMark is the comment plumb puts on the sets (and rules) it creates;
// a table without it is not plumb's, and plumb leaves it alone.
const ownerMark = "managed by plumb"

// liveTable is a table as nft lists it.
type liveTable struct {
	name   string
	owned  bool
	chains map[string]liveChain
	rules  []liveRule
	sets   map[string]liveSet
}

type liveChain struct {
	typ, hook, policy string
	prio              int64
}

// liveRule is a rule of the form "ip saddr @set ... drop".
type liveRule struct {
	chain, proto, set string
	drop              bool
}

type liveSet struct {
	typ     string
	flags   []string
	comment string
	elems   []liveElem
}

// liveElem is one set element: an address, a network ("a/len") or a
// range ("a-b"); timeout and expires in seconds, zero for none.
type liveElem struct {
	key              string
	timeout, expires int64
}

// parseTable reads the output of nft -j list table.
func parseTable(out []byte, name string) (*liveTable, error) {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("reading nft's JSON listing of table inet %s: %w", name, err)
	}
	t := &liveTable{name: name, chains: map[string]liveChain{}, sets: map[string]liveSet{}}
	for _, obj := range doc.Nftables {
		for kind, raw := range obj {
			var err error
			switch kind {
			case "chain":
				err = t.addChain(raw)
			case "rule":
				err = t.addRule(raw)
			case "set":
				err = t.addSet(raw)
			}
			if err != nil {
				return nil, fmt.Errorf("reading nft's JSON listing of table inet %s: %s: %w", name, kind, err)
			}
		}
	}
	return t, nil
}

func (t *liveTable) addChain(raw json.RawMessage) error {
	var c struct {
		Name, Type, Hook, Policy string
		Prio                     int64
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	t.chains[c.Name] = liveChain{typ: c.Type, hook: c.Hook, policy: c.Policy, prio: c.Prio}
	return nil
}

func (t *liveTable) addRule(raw json.RawMessage) error {
	var r struct {
		Chain   string
		Comment string
		Expr    []map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	lr := liveRule{chain: r.Chain}
	for _, e := range r.Expr {
		if m, ok := e["match"]; ok {
			var match struct {
				Left struct {
					Payload struct{ Protocol, Field string }
				}
				Right any
			}
			if json.Unmarshal(m, &match) == nil && match.Left.Payload.Field == "saddr" {
				if s, ok := match.Right.(string); ok && strings.HasPrefix(s, "@") {
					lr.proto, lr.set = match.Left.Payload.Protocol, s[1:]
				}
			}
		}
		if _, ok := e["drop"]; ok {
			lr.drop = true
		}
	}
	if r.Comment == ownerMark {
		t.owned = true
	}
	t.rules = append(t.rules, lr)
	return nil
}

func (t *liveTable) addSet(raw json.RawMessage) error {
	var s struct {
		Name, Type, Comment string
		Flags               []string
		Elem                []json.RawMessage
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	ls := liveSet{typ: s.Type, flags: s.Flags, comment: s.Comment}
	for _, e := range s.Elem {
		el, err := parseElem(e)
		if err != nil {
			return fmt.Errorf("set %s: %w", s.Name, err)
		}
		ls.elems = append(ls.elems, el)
	}
	if s.Comment == ownerMark {
		t.owned = true
	}
	t.sets[s.Name] = ls
	return nil
}

// parseElem reads one element: a value, or {"elem": {"val": value,
// "timeout": n, "expires": n}}.
func parseElem(raw json.RawMessage) (liveElem, error) {
	var wrapped struct {
		Elem *struct {
			Val     json.RawMessage
			Timeout int64
			Expires int64
		}
	}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Elem != nil {
			k, err := elemKey(wrapped.Elem.Val)
			return liveElem{key: k, timeout: wrapped.Elem.Timeout, expires: wrapped.Elem.Expires}, err
		}
	}
	k, err := elemKey(raw)
	return liveElem{key: k}, err
}

// elemKey renders an element value the way plumb keys addresses: "a",
// "a/len" or "a-b".
func elemKey(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return canonical(s)
	}
	var v struct {
		Prefix *struct {
			Addr string
			Len  int
		}
		Range []string
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch {
	case v.Prefix != nil:
		return canonical(fmt.Sprintf("%s/%d", v.Prefix.Addr, v.Prefix.Len))
	case len(v.Range) == 2:
		return v.Range[0] + "-" + v.Range[1], nil
	}
	return "", fmt.Errorf("unexpected element %s", raw)
}

// canonical parses an address or network and renders it as plumb keys
// it: a single address without "/32" or "/128", a network masked, IPv4-
// mapped IPv6 unmapped.
func canonical(s string) (string, error) {
	p, err := parsePrefix(s)
	if err != nil {
		return "", err
	}
	return prefixKey(p), nil
}

// parsePrefix reads an address or CIDR network.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("%q is not an address or network: %w", s, err)
		}
		a := p.Addr()
		bits := p.Bits()
		if a.Is4In6() {
			if bits < 96 {
				return p, fmt.Errorf("%q mixes an IPv4-mapped address with a prefix shorter than /96", s)
			}
			a, bits = a.Unmap(), bits-96
		}
		return netip.PrefixFrom(a.WithZone(""), bits).Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or network: %w", s, err)
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q has a zone; give the address without %%%s", s, a.Zone())
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// prefixKey renders a prefix: a single address alone.
func prefixKey(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// ElementKey returns an address or network the way block lists key it
// ("203.0.113.7", "203.0.113.0/24"), for plumb unban.
func ElementKey(s string) (string, error) { return canonical(s) }
