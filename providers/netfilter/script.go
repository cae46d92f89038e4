package netfilter

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plumbhq/plumb/providers"
)

// script is an nft transaction being written.
type script struct{ b strings.Builder }

func (s *script) linef(format string, args ...any) {
	fmt.Fprintf(&s.b, format, args...)
	s.b.WriteByte('\n')
}

func (s *script) empty() bool    { return s.b.Len() == 0 }
func (s *script) String() string { return s.b.String() }

// create writes a new table: its input chain, its two sets and the drop
// rules. `create table` fails when the name is taken.
func (s *script) create(w settings) {
	s.linef("create table inet %s { comment %q; }", w.table, ownerMark)
	s.linef("add chain inet %s %s { type filter hook input priority %d; policy accept; }", w.table, w.chain, w.priority)
	s.linef("add set inet %s %s { type ipv4_addr; flags interval, timeout; comment %q; }", w.table, w.setV4, ownerMark)
	s.linef("add set inet %s %s { type ipv6_addr; flags interval, timeout; comment %q; }", w.table, w.setV6, ownerMark)
	s.linef("add rule inet %s %s ip saddr @%s counter drop comment %q", w.table, w.chain, w.setV4, ownerMark)
	s.linef("add rule inet %s %s ip6 saddr @%s counter drop comment %q", w.table, w.chain, w.setV6, ownerMark)
}

// elemOp is an element to write, with its timeout and (for a kept one)
// the time it has left, in seconds.
type elemOp struct {
	key              string
	timeout, expires int64
}

// addElems adds elements with their timeouts.
func (s *script) addElems(w settings, ops []elemOp) {
	s.elems(w, "add", ops, true)
}

// deleteElems removes elements.
func (s *script) deleteElems(w settings, ops []elemOp) {
	s.elems(w, "delete", ops, false)
}

// elems writes one statement per set, elements in key order.
func (s *script) elems(w settings, verb string, ops []elemOp, timeouts bool) {
	slices.SortFunc(ops, func(a, b elemOp) int { return strings.Compare(a.key, b.key) })
	for _, set := range []struct {
		name string
		v6   bool
	}{{w.setV4, false}, {w.setV6, true}} {
		var parts []string
		for _, op := range ops {
			if is6(op.key) != set.v6 {
				continue
			}
			e := op.key
			if timeouts && op.timeout > 0 {
				e += fmt.Sprintf(" timeout %ds", op.timeout)
				if op.expires > 0 && op.expires < op.timeout {
					e += fmt.Sprintf(" expires %ds", op.expires)
				}
			}
			parts = append(parts, e)
		}
		if len(parts) > 0 {
			s.linef("%s element inet %s %s { %s }", verb, w.table, set.name, strings.Join(parts, ", "))
		}
	}
}

// parseTimeout reads a timeout attribute as whole seconds.
func parseTimeout(s string) (int64, error) {
	d, err := providers.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return int64(d / time.Second), nil
}
