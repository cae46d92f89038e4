package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/netfilter"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// blocklistType is the resource type plumb unban works on.
const blocklistType = "nftables_blocklist"

// runUnban lifts the block of addresses now, and records it: the block
// list's next runs leave each alone until a run no longer lists it (its
// old requests left the log's window) and it offends anew. It is an
// apply of the block lists holding the addresses, with the unban marked
// in their state first: the plan shows each address leaving the sets,
// and asks for yes on a terminal.
func runUnban(a *app, args []string) int {
	fs := newFlagSet(a, "unban", "unban [options] ADDRESS...   (an address or network, as the block list holds it)")
	var rf runFlags
	rf.register(fs)
	auto := fs.Bool("auto-approve", false, "unban without asking for confirmation")
	if !parse(fs, args) {
		return exitError
	}
	if fs.NArg() == 0 {
		return a.errorf("usage: plumb unban [options] ADDRESS... such as plumb unban 203.0.113.7")
	}
	var keys []string
	for _, s := range fs.Args() {
		k, err := netfilter.ElementKey(s)
		if err != nil {
			return a.errorf("%v", err)
		}
		keys = append(keys, k)
	}
	ctx, stop, done := signals(a)
	defer done()
	b := a.backend()
	// Which block lists hold the addresses: read without the lock to
	// target the run at them, and again under the lock below.
	st, err := b.Read(ctx)
	if err != nil {
		return a.errorf("%v", err)
	}
	holders, err := blocklistsHolding(st, keys)
	if err != nil {
		return a.errorf("%v", err)
	}
	opts := rf.options(a)
	opts.Targets = append(opts.Targets, holders...)
	opts.Stop = stop
	ui := newProgress(a, false)
	opts.Observer = ui.event
	e, ok := a.load(opts)
	if !ok {
		return exitError
	}
	defer e.Close()
	st, unlock, ok := a.lockedState(ctx, b, "unban", rf.lockTimeout)
	if !ok {
		return exitError
	}
	defer unlock()
	if _, err := blocklistsHolding(st, keys); err != nil {
		return a.errorf("%v", err)
	}
	at := time.Now().UTC().Format(time.RFC3339)
	for _, addr := range holders {
		if err := markUnbanned(st.Resources[addr], keys, at); err != nil {
			return a.errorf("%s: %v", addr, err)
		}
	}
	p, d := e.Plan(ctx, st)
	if a.diags(d) {
		return exitError
	}
	if err := ui.plan(p); err != nil {
		return a.errorf("%v", err)
	}
	if !*auto {
		if !a.tty {
			return a.errorf("unban needs confirmation, and this is not a terminal. Review the plan and pass -auto-approve.")
		}
		if !a.confirm(false) {
			fmt.Fprintln(a.stdout, "\nNothing was changed.")
			return exitError
		}
	}
	code := a.applyPlan(ctx, e, b, st, p, ui)
	if code == exitOK {
		fmt.Fprintf(a.stdout, "Unbanned %s at %s: not blocked again until a run no longer lists it and it offends anew.\n", strings.Join(keys, ", "), at)
	}
	return code
}

// blocklistsHolding returns the block lists in state whose sets hold
// every key (each key in at least one), or an error naming what is not
// blocked.
func blocklistsHolding(st *state.State, keys []string) ([]string, error) {
	found := map[string]bool{}
	var holders []string
	for addr, inst := range st.Resources {
		if inst.Type != blocklistType || inst.Mode != "managed" {
			continue
		}
		v, _, err := reconcile.DecodeInstance(registry(), inst)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", addr, err)
		}
		blocked := v.GetAttr("blocked")
		holds := false
		for _, k := range keys {
			if !blocked.IsNull() && blocked.HasIndex(cty.StringVal(k)).True() {
				found[k], holds = true, true
			}
		}
		if holds {
			holders = append(holders, addr)
		}
	}
	for _, k := range keys {
		if !found[k] {
			return nil, fmt.Errorf("%s is not blocked by any nftables_blocklist in state (plumb state show ADDR lists what one blocks; an address inside a blocked network is unbanned with the network)", k)
		}
	}
	return holders, nil
}

// markUnbanned records in a block list's state that keys are lifted.
func markUnbanned(inst *state.Instance, keys []string, at string) error {
	v, schema, err := reconcile.DecodeInstance(registry(), inst)
	if err != nil {
		return err
	}
	m := v.AsValueMap()
	unbanned := map[string]cty.Value{}
	if u := m["unbanned"]; !u.IsNull() {
		unbanned = u.AsValueMap()
		if unbanned == nil {
			unbanned = map[string]cty.Value{}
		}
	}
	blocked := m["blocked"]
	for _, k := range keys {
		if blocked.HasIndex(cty.StringVal(k)).True() {
			unbanned[k] = cty.StringVal(at)
		}
	}
	m["unbanned"] = cty.MapVal(unbanned)
	return inst.SetValue(cty.ObjectVal(m), schema.ImpliedType())
}

// runRestore puts block lists back from state after a reboot, before the
// next log-based run: every block that has not ended, with the time it
// has left. It reads no log and plans nothing; a systemd unit runs it at
// boot (examples/dos-triage/plumb-restore.service).
func runRestore(a *app, args []string) int {
	fs := newFlagSet(a, "restore", "restore [-target ADDR]...")
	var rf runFlags
	rf.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	opts := rf.options(a)
	targets := opts.Targets
	opts.Targets = nil
	e, ok := a.load(opts)
	if !ok {
		return exitError
	}
	defer e.Close()
	ctx, _, done := signals(a)
	defer done()
	b := a.backend()
	st, unlock, ok := a.lockedState(ctx, b, "restore", rf.lockTimeout)
	if !ok {
		return exitError
	}
	defer unlock()
	only := func(addr string) bool {
		if len(targets) == 0 {
			return true
		}
		for _, t := range targets {
			if addr == t || strings.HasPrefix(addr, t+"[") {
				return true
			}
		}
		return false
	}
	restored, d := e.Restore(ctx, st, only)
	for _, r := range restored {
		st.Resources[r.Addr] = r.Instance
	}
	if len(restored) > 0 {
		st.PlumbVersion = reconcile.Version
		if err := b.Write(context.Background(), st); err != nil {
			return a.errorf("cannot write state: %v", err)
		}
	}
	for _, r := range restored {
		fmt.Fprintf(a.stdout, "%s: %s.\n", r.Addr, r.Summary)
	}
	if a.diags(d) {
		return exitError
	}
	if len(restored) == 0 {
		fmt.Fprintln(a.stdout, "Nothing to restore: no block list in state.")
	}
	return exitOK
}
