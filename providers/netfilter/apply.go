package netfilter

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Read returns the table as it is: null when it is gone (or is no longer
// plumb's); chain or a set name empty when that part is missing or
// altered, so the plan repairs it; blocked as the sets hold it. An
// address whose block ends within a quarter of its timeout shows as
// refreshDue, so a plan that still lists it refreshes it.
func (b *blocklist) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	table := req.Prior.GetAttr("table").AsString()
	live, err := b.nft.listTable(ctx, table)
	if errors.Is(err, errNoTable) {
		return providers.ReadResponse{State: b.null}
	}
	if err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot read nftables table",
			"%v\n\n%s", err, hint(err))}
	}
	if !live.owned {
		return providers.ReadResponse{State: b.null, Diagnostics: providers.Warnf("Table not managed by plumb",
			"Table inet %s exists but plumb's mark is not on it: someone replaced it. plumb will not change it; the plan creates it, which fails until the table is removed or the name changed.", table)}
	}
	m := req.Prior.AsValueMap()
	s := stateSettings(req.Prior)
	if !live.hasChain(s) {
		m["chain"] = cty.StringVal("")
	} else {
		m["priority"] = cty.NumberIntVal(live.chains[s.chain].prio)
	}
	if !live.hasSet(s.setV4, "ipv4_addr") {
		m["set_v4"] = cty.StringVal("")
	}
	if !live.hasSet(s.setV6, "ipv6_addr") {
		m["set_v6"] = cty.StringVal("")
	}
	prior := providers.StringMap(req.Prior.GetAttr("blocked"))
	elems, now := live.elems(s), b.now()
	blocked := map[string]string{}
	for _, e := range elems {
		v, known := prior[e.key]
		switch {
		case !known:
			v = retainedLabel(true, e.timeout > 0)
		case isRetained(v):
			v = retainedLabel(strings.HasPrefix(v, "added outside plumb"), e.timeout > 0)
		case e.timeout > 0 && e.expires*4 < e.timeout:
			v = refreshDue
		}
		blocked[e.key] = v
	}
	m["blocked"] = providers.StringMapVal(blocked)
	recorded := providers.StringMap(req.Prior.GetAttr("expires"))
	exp := liveExpires(elems, recorded, now)
	// An element gone before its recorded end (removed by hand, or a
	// reboot) keeps its end: listing it again is not a new offence.
	for k, e := range recorded {
		if end, err := time.Parse(time.RFC3339, e); err == nil && end.After(now) {
			if _, ok := exp[k]; !ok {
				exp[k] = e
			}
		}
	}
	m["expires"] = providers.StringMapVal(exp)
	state := cty.ObjectVal(m)
	if state.RawEquals(req.Prior) {
		state = req.Prior
	}
	return providers.ReadResponse{State: state}
}

// expiresSlack is how far the kernel's remaining time may stray from the
// end recorded in state before Read believes the kernel: an element
// re-added by hand has a new end; the seconds an apply takes do not.
const expiresSlack = 2 * time.Minute

// never is the expires of an element without a timeout.
const never = "never"

// liveExpires says when each element ends: the end state recorded, while
// the kernel agrees with it, else now plus what the kernel says is left.
func liveExpires(elems []liveElem, recorded map[string]string, now time.Time) map[string]string {
	out := make(map[string]string, len(elems))
	for _, e := range elems {
		if e.timeout == 0 {
			out[e.key] = never
			continue
		}
		end := now.Add(time.Duration(e.expires) * time.Second).UTC().Truncate(time.Second)
		if r, err := time.Parse(time.RFC3339, recorded[e.key]); err == nil && r.Sub(end).Abs() <= expiresSlack {
			out[e.key] = recorded[e.key]
			continue
		}
		out[e.key] = end.Format(time.RFC3339)
	}
	return out
}

// stateSettings reads the names and numbers of a state (or plan).
func stateSettings(v cty.Value) settings {
	s := settings{
		table: v.GetAttr("table").AsString(),
		chain: v.GetAttr("chain").AsString(),
		setV4: v.GetAttr("set_v4").AsString(),
		setV6: v.GetAttr("set_v6").AsString(),
	}
	s.priority, _ = v.GetAttr("priority").AsBigFloat().Int64()
	if t := v.GetAttr("timeout"); !t.IsNull() {
		if d, err := parseTimeout(t.AsString()); err == nil {
			s.timeout = d
		}
	}
	s.repeatFactor, s.maxBan, s.bans = defaultRepeatFactor, defaultMaxBan, map[string]int64{}
	if f := v.GetAttr("repeat_factor"); !f.IsNull() {
		s.repeatFactor, _ = f.AsBigFloat().Float64()
	}
	if m := v.GetAttr("max_ban"); !m.IsNull() {
		if d, err := parseTimeout(m.AsString()); err == nil {
			s.maxBan = d
		}
	}
	for k, e := range providers.StringMap(v.GetAttr("bans")) {
		p, err := parsePrefix(k)
		if d, derr := parseTimeout(e); err == nil && derr == nil {
			s.bans[prefixKey(p)] = d
		}
	}
	return s
}

// hasChain reports whether the chain of s is an input hook holding a
// drop rule for each set, and nothing else.
func (t *liveTable) hasChain(s settings) bool {
	c, ok := t.chains[s.chain]
	if !ok || c.typ != "filter" || c.hook != "input" || c.prio != s.priority || c.policy != "accept" {
		return false
	}
	var got []string
	for _, r := range t.rules {
		if r.chain == s.chain {
			if !r.drop {
				return false
			}
			got = append(got, r.proto+" "+r.set)
		}
	}
	slices.Sort(got)
	return slices.Equal(got, []string{"ip " + s.setV4, "ip6 " + s.setV6})
}

// hasSet reports whether the named set has the type and the flags plumb
// gives it.
func (t *liveTable) hasSet(name, typ string) bool {
	ls, ok := t.sets[name]
	return ok && ls.typ == typ && slices.Contains(ls.flags, "interval") && slices.Contains(ls.flags, "timeout")
}

// elems lists the elements of both sets of s.
func (t *liveTable) elems(s settings) []liveElem {
	var out []liveElem
	for _, n := range []string{s.setV4, s.setV6} {
		if ls, ok := t.sets[n]; ok && n != "" {
			out = append(out, ls.elems...)
		}
	}
	return out
}

// Apply makes the table match the plan in one nft transaction. A new
// table is created with `create`, which fails if the name is taken, so
// plumb never adopts a table it did not make. A table whose structure
// changed (names, priority, drift) is deleted and built again in the same
// transaction; otherwise only elements change: what goes (unlisted ones,
// and those an overlapping new element replaces) is deleted first, then
// new and refreshed elements are added with a fresh timeout, so a block
// can widen from an address to its network, or narrow back, in one
// transaction. Kept elements are not touched. If an element expires
// between reading the table and changing it, the transaction fails as a
// whole; plumb reads the table again and retries.
func (b *blocklist) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		return b.delete(ctx, req.Prior)
	}
	if !req.Planned.IsWhollyKnown() {
		resp := b.Plan(ctx, providers.PlanRequest{Addr: req.Addr, Prior: req.Prior, Config: req.Config})
		if resp.Diagnostics.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: resp.Diagnostics}
		}
		req.Planned = resp.Planned
	}
	c := change{want: stateSettings(req.Planned), planned: providers.StringMap(req.Planned.GetAttr("blocked")), prior: map[string]string{},
		offences: numberMap(req.Planned.GetAttr("offences"))}
	if !req.Prior.IsNull() {
		c.before = stateSettings(req.Prior)
		c.prior = providers.StringMap(req.Prior.GetAttr("blocked"))
		c.timeoutChanged = !req.Prior.GetAttr("timeout").RawEquals(req.Planned.GetAttr("timeout"))
	}
	const attempts = 3
	for attempt := 1; ; attempt++ {
		if !req.Prior.IsNull() {
			live, err := b.nft.listTable(ctx, c.before.table)
			switch {
			case errors.Is(err, errNoTable):
				live = nil
			case err != nil:
				return b.failed(req.Prior, err)
			case !live.owned:
				return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Table not managed by plumb",
					"Table inet %s lacks plumb's mark; plumb will not change or delete it. Remove it by hand or choose another table name.", c.before.table)}
			}
			c.live = live
		}
		result, sc := c.script()
		if !sc.empty() {
			err := b.nft.apply(ctx, sc.String())
			if err != nil && attempt < attempts && raced(err) {
				continue
			}
			if err != nil {
				return b.failed(req.Prior, err)
			}
		}
		m := req.Planned.AsValueMap()
		m["blocked"] = providers.StringMapVal(result)
		recorded := map[string]string{}
		if !req.Prior.IsNull() {
			recorded = providers.StringMap(req.Prior.GetAttr("expires"))
		}
		m["expires"] = providers.StringMapVal(c.expires(result, recorded, b.now()))
		return providers.ApplyResponse{State: cty.ObjectVal(m)}
	}
}

// timeoutOf is the timeout a new or renewed element gets, in seconds:
// its ban (bans, or timeout) grown for its offences.
func (c *change) timeoutOf(key string) int64 {
	return c.want.banFor(key, c.offences[key])
}

// expires says when each element of result ends after the transaction:
// the new and renewed ones their timeout from now, the others as before.
func (c *change) expires(result, recorded map[string]string, now time.Time) map[string]string {
	live := map[string]liveElem{}
	if c.live != nil {
		for _, e := range c.live.elems(c.before) {
			live[e.key] = e
		}
	}
	out := make(map[string]string, len(result))
	for k, v := range result {
		e, isLive := live[k]
		renewed := !isLive || !isRetained(v) && (c.prior[k] != v || c.timeoutChanged) ||
			v == leftToExpire && e.timeout == 0 && c.want.timeout > 0
		switch {
		case renewed && c.timeoutOf(k) == 0:
			out[k] = never
		case renewed:
			out[k] = now.Add(time.Duration(c.timeoutOf(k)) * time.Second).UTC().Format(time.RFC3339)
		default:
			out[k] = liveExpires([]liveElem{e}, recorded, now)[k]
		}
	}
	return out
}

// change is what Apply works from: the settings before and after, the
// blocked maps of the state and the plan, and the table as it is now.
type change struct {
	want, before   settings
	planned, prior map[string]string
	offences       map[string]int64
	timeoutChanged bool
	live           *liveTable // nil when there is no table yet
}

// script returns the transaction that makes the table match the plan, and
// what blocked then holds.
func (c *change) script() (map[string]string, *script) {
	var sc script
	liveElems := map[string]liveElem{}
	if c.live != nil {
		for _, e := range c.live.elems(c.before) {
			liveElems[e.key] = e
		}
	}
	result := maps(c.planned)
	for k, v := range c.planned {
		if _, ok := liveElems[k]; !ok && isRetained(v) {
			delete(result, k) // expired since the plan was made
		}
	}
	want, before, live := c.want, c.before, c.live
	rebuild := live == nil || before.table != want.table || before.chain != want.chain || before.setV4 != want.setV4 ||
		before.setV6 != want.setV6 || before.priority != want.priority ||
		!live.hasChain(want) || !live.hasSet(want.setV4, "ipv4_addr") || !live.hasSet(want.setV6, "ipv6_addr")
	if rebuild {
		if live != nil {
			sc.linef("delete table inet %s", before.table)
		}
		sc.create(want)
		var elems []elemOp
		for k, v := range result {
			op := elemOp{key: k, timeout: c.timeoutOf(k)}
			if isRetained(v) {
				e := liveElems[k]
				op.timeout, op.expires = e.timeout, e.expires
			}
			elems = append(elems, op)
		}
		sc.addElems(want, elems)
		return result, &sc
	}
	var gone, fresh []elemOp
	for k := range liveElems {
		if _, keep := result[k]; !keep {
			gone = append(gone, elemOp{key: k})
		}
	}
	for k, v := range result {
		e, isLive := liveElems[k]
		if isRetained(v) && isLive {
			// Kept as it is, unless it was promised to expire and has no
			// timeout (blocked by plumb before the table had one).
			if v == leftToExpire && e.timeout == 0 && want.timeout > 0 {
				gone = append(gone, elemOp{key: k})
				fresh = append(fresh, elemOp{key: k, timeout: c.timeoutOf(k)})
			}
			continue
		}
		if !isLive || c.prior[k] != v || c.timeoutChanged {
			if isLive {
				gone = append(gone, elemOp{key: k})
			}
			fresh = append(fresh, elemOp{key: k, timeout: c.timeoutOf(k)})
		}
	}
	// Deletes first: nft checks a new interval against the set as the
	// transaction has left it, so an address can give way to its network.
	sc.deleteElems(want, gone)
	sc.addElems(want, fresh)
	return result, &sc
}

// failed reports an nft failure: nothing changed (one transaction).
func (b *blocklist) failed(prior cty.Value, err error) providers.ApplyResponse {
	if prior.IsNull() {
		prior = b.null
	}
	return providers.ApplyResponse{State: prior, Diagnostics: providers.Errorf("nftables change failed",
		"%v\n\nThe change ran as one transaction, so nothing was changed. %s", err, hint(err))}
}

// delete removes the table, if it is still plumb's.
func (b *blocklist) delete(ctx context.Context, prior cty.Value) providers.ApplyResponse {
	table := prior.GetAttr("table").AsString()
	live, err := b.nft.listTable(ctx, table)
	if errors.Is(err, errNoTable) {
		return providers.ApplyResponse{State: b.null}
	}
	if err != nil {
		return b.failed(prior, err)
	}
	if !live.owned {
		return providers.ApplyResponse{State: b.null, Diagnostics: providers.Warnf("Table left in place",
			"Table inet %s no longer carries plumb's mark, so plumb did not delete it; it was removed from state only.", table)}
	}
	if err := b.nft.apply(ctx, fmt.Sprintf("delete table inet %s\n", table)); err != nil {
		return b.failed(prior, err)
	}
	return providers.ApplyResponse{State: b.null}
}

// Import adopts a table plumb created, by name. What only configuration
// knows (addresses, evidence, timeout, ...) is left null; blocked lists
// the sets' elements as imported.
func (b *blocklist) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	table := strings.TrimPrefix(req.ID, "inet/")
	live, err := b.nft.listTable(ctx, table)
	if err != nil {
		return providers.ImportResponse{State: b.null, Diagnostics: providers.Errorf("Cannot import nftables table",
			"Reading table inet %s: %v. The import ID is the table's name.", table, err)}
	}
	if !live.owned {
		return providers.ImportResponse{State: b.null, Diagnostics: providers.Errorf("Table not managed by plumb",
			"Table inet %s does not carry plumb's mark, so plumb will not adopt it. Let plumb create a table of its own.", table)}
	}
	s := settings{table: table}
	for name, ls := range live.sets {
		if ls.comment != ownerMark {
			continue
		}
		switch ls.typ {
		case "ipv4_addr":
			s.setV4 = name
		case "ipv6_addr":
			s.setV6 = name
		}
	}
	for _, r := range live.rules {
		if r.drop && (r.set == s.setV4 || r.set == s.setV6) {
			s.chain = r.chain
			s.priority = live.chains[r.chain].prio
		}
	}
	blocked := map[string]string{}
	var addrs []cty.Value
	for _, e := range live.elems(s) {
		blocked[e.key] = "imported"
		addrs = append(addrs, cty.StringVal(e.key))
	}
	set := cty.SetValEmpty(cty.String)
	if len(addrs) > 0 {
		set = cty.SetVal(addrs)
	}
	// What only configuration knows stays null (Complete fills it in).
	return providers.ImportResponse{State: b.schema.Complete(cty.ObjectVal(map[string]cty.Value{
		"table":       cty.StringVal(table),
		"chain":       cty.StringVal(s.chain),
		"set_v4":      cty.StringVal(s.setV4),
		"set_v6":      cty.StringVal(s.setV6),
		"priority":    cty.NumberIntVal(s.priority),
		"addresses":   set,
		"max_entries": cty.NumberIntVal(defaultMaxEntries),
		"blocked":     providers.StringMapVal(blocked),
		"withheld":    cty.MapValEmpty(cty.String),
	}))}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// is6 reports whether an element key is IPv6.
func is6(key string) bool {
	if p, err := parsePrefix(strings.SplitN(key, "-", 2)[0]); err == nil {
		return p.Addr().Is6()
	}
	a, err := netip.ParseAddr(strings.SplitN(key, "-", 2)[0])
	return err == nil && a.Is6()
}
