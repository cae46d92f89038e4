package netfilter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

var _ providers.Restorer = (*blocklist)(nil)

// Restore puts a block list back after a reboot, from its state alone:
// the kernel's sets come up empty, and the next log-based run may be
// minutes away. Every element whose block has not ended (expires) goes
// back with the time it has left, and one without a timeout for good; an
// element whose block ended is dropped. A table still there only gets
// the elements it lacks. plumb restore calls it, from a systemd unit
// before the web server starts (examples/dos-triage).
func (b *blocklist) Restore(ctx context.Context, req providers.RestoreRequest) providers.RestoreResponse {
	prior := req.Prior
	if prior.IsNull() {
		return providers.RestoreResponse{State: prior}
	}
	s := stateSettings(prior)
	if s.chain == "" || s.setV4 == "" || s.setV6 == "" {
		s.chain, s.setV4, s.setV6 = defaultChain, defaultSetV4, defaultSetV6
	}
	now := b.now()
	blocked := providers.StringMap(prior.GetAttr("blocked"))
	expires := providers.StringMap(prior.GetAttr("expires"))
	offences := numberMap(prior.GetAttr("offences"))
	due := map[string]elemOp{}
	kept := map[string]string{}
	ended, unknown := 0, 0
	for k, v := range blocked {
		op := elemOp{key: k, timeout: s.banFor(k, offences[k])}
		switch e := expires[k]; {
		case e == never:
			op.timeout = 0
		case e == "":
			// Recorded before plumb kept ends: a whole ban from now.
			unknown++
		default:
			end, err := time.Parse(time.RFC3339, e)
			if err != nil {
				unknown++
				break
			}
			left := int64(end.Sub(now) / time.Second)
			if left <= 0 {
				ended++
				continue
			}
			op.expires = left
			op.timeout = max(op.timeout, left)
		}
		due[k] = op
		kept[k] = v
	}
	live, err := b.nft.listTable(ctx, s.table)
	var sc script
	switch {
	case errors.Is(err, errNoTable):
		sc.create(s)
		var ops []elemOp
		for _, op := range due {
			ops = append(ops, op)
		}
		sc.addElems(s, ops)
	case err != nil:
		return providers.RestoreResponse{State: prior, Diagnostics: providers.Errorf("Cannot read nftables table", "%v\n\n%s", err, hint(err))}
	case !live.owned:
		return providers.RestoreResponse{State: prior, Diagnostics: providers.Errorf("Table not managed by plumb",
			"Table inet %s exists without plumb's mark; plumb will not add to it. Remove it, or choose another table name.", s.table)}
	default:
		have := map[string]bool{}
		for _, e := range live.elems(s) {
			have[e.key] = true
		}
		var ops []elemOp
		for k, op := range due {
			if !have[k] {
				ops = append(ops, op)
			}
		}
		if !live.hasChain(s) || !live.hasSet(s.setV4, "ipv4_addr") || !live.hasSet(s.setV6, "ipv6_addr") {
			return providers.RestoreResponse{State: prior, Diagnostics: providers.Errorf("Table changed",
				"Table inet %s is plumb's but its chain or sets are not as plumb made them; run plumb apply to rebuild it.", s.table)}
		}
		sc.addElems(s, ops)
	}
	put := len(due)
	if !sc.empty() {
		if err := b.nft.apply(ctx, sc.String()); err != nil {
			return providers.RestoreResponse{State: prior, Diagnostics: providers.Errorf("nftables change failed",
				"%v\n\nThe change ran as one transaction, so nothing was changed. %s", err, hint(err))}
		}
	}
	m := prior.AsValueMap()
	m["chain"], m["set_v4"], m["set_v6"] = cty.StringVal(s.chain), cty.StringVal(s.setV4), cty.StringVal(s.setV6)
	m["blocked"] = providers.StringMapVal(kept)
	exp := map[string]string{}
	for k := range kept {
		switch op := due[k]; {
		case op.timeout == 0:
			exp[k] = never
		case op.expires > 0:
			exp[k] = expires[k]
		default:
			exp[k] = now.Add(time.Duration(op.timeout) * time.Second).UTC().Format(time.RFC3339)
		}
	}
	m["expires"] = providers.StringMapVal(exp)
	summary := fmt.Sprintf("%d block(s) in place with the time each had left", put)
	if ended > 0 {
		summary += fmt.Sprintf("; %d had ended and were dropped", ended)
	}
	if unknown > 0 {
		summary += fmt.Sprintf("; %d recorded without an end were given a whole ban", unknown)
	}
	return providers.RestoreResponse{State: cty.ObjectVal(m), Summary: summary}
}
