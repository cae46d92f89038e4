package reconcile

import (
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// placed is a moved or removed block with the module it is written in:
// its addresses are relative to each instance of that module.
type placed[T any] struct {
	block *T
	path  config.ModulePath
}

// movedBlocks lists the moved blocks of every module, callers first, each
// module's in file order.
func (e *Engine) movedBlocks() []placed[config.Moved] {
	var out []placed[config.Moved]
	e.cfg.Walk(func(mod *config.Config) {
		for _, m := range mod.Moved {
			out = append(out, placed[config.Moved]{m, mod.Path})
		}
	})
	return out
}

// removedBlocks lists the removed blocks of every module.
func (e *Engine) removedBlocks() []placed[config.Removed] {
	var out []placed[config.Removed]
	e.cfg.Walk(func(mod *config.Config) {
		for _, r := range mod.Removed {
			out = append(out, placed[config.Removed]{r, mod.Path})
		}
	})
	return out
}

// under returns the move of a block written in a module, for the module
// instance inst of that module: its addresses made absolute.
func under(m config.Move, inst config.ModuleInstance) config.Move {
	if len(inst) == 0 {
		return m
	}
	m.From.Module = append(append(config.ModuleInstance{}, inst...), m.From.Module...)
	m.To.Module = append(append(config.ModuleInstance{}, inst...), m.To.Module...)
	return m
}

// declared reports whether the configuration has a block at the address a
// (relative to module mod): its resource block, or its module call.
func declared(mod *config.Config, a config.Addr) bool {
	if a.IsModule() {
		return mod.Descendant(a.Module.Path()) != nil
	}
	m := mod.Descendant(a.Module.Path())
	if m == nil {
		return false
	}
	_, ok := m.Resources[strings.TrimPrefix(a.ConfigResource(), a.Module.Path().Prefix())]
	return ok
}

// wholeMove reports whether a move renames a whole resource or module
// call, rather than giving an instance another key.
func wholeMove(m config.Move) bool {
	if m.From.IsModule() {
		f, t := m.From.Module[len(m.From.Module)-1], m.To.Module[len(m.To.Module)-1]
		return f.Key == cty.NilVal && t.Key == cty.NilVal
	}
	return m.From.Key == cty.NilVal && m.To.Key == cty.NilVal
}

// checkMoved refuses moved blocks whose from is still declared: the
// object would be claimed both by its block and by the move.
func (e *Engine) checkMoved(blocks []placed[config.Moved]) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		mod := e.cfg.Descendant(b.path)
		if mod == nil || !wholeMove(b.block.Move) || !declared(mod, b.block.From) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Moved object still declared",
			Detail:   fmt.Sprintf("The moved block moves %s to %s, but the configuration still declares %s. Rename the block in the configuration (the move says where its objects went), or remove the moved block.", b.block.From, b.block.To, b.block.From),
			Subject:  b.block.DeclRange.Ptr(),
		})
	}
	return diags
}

// applyMoves returns st with every object a moved block concerns at its
// new address, and, for those, the new address → the old one. Moves
// chain: A → B and B → C take an object at A to C. A move whose
// destination state already holds is not made (Terraform's rule), with a
// warning: neither object is lost. st is not changed.
func (e *Engine) applyMoves(st *state.State) (*state.State, map[string]string, []string, hcl.Diagnostics) {
	blocks := e.movedBlocks()
	if len(blocks) == 0 {
		return st, nil, nil, nil
	}
	if d := e.checkMoved(blocks); d.HasErrors() {
		return st, nil, nil, d
	}
	dest := map[string]string{} // old → new
	for _, addr := range st.SortedAddrs() {
		a, err := config.ParseAddr(addr)
		if err != nil {
			continue
		}
		cur, moved := a, false
		used := make([]bool, len(blocks))
		for {
			step := false
			for i, b := range blocks {
				if used[i] || !moduleUnder(cur.Module, b.path) {
					continue
				}
				if next, ok := under(b.block.Move, cur.Module[:len(b.path)]).Apply(cur); ok {
					cur, used[i], step, moved = next, true, true, true
					break
				}
			}
			if !step {
				break
			}
		}
		if moved && cur.String() != addr {
			dest[addr] = cur.String()
		}
	}
	if len(dest) == 0 {
		return st, nil, nil, nil
	}
	var warnings []string
	olds := keys(dest)
	taken := map[string]string{}
	from := map[string]string{}
	for _, old := range olds {
		to := dest[old]
		_, occupied := st.Resources[to]
		_, leaving := dest[to]
		switch {
		case occupied && !leaving:
			warnings = append(warnings, fmt.Sprintf("A moved block would move %s to %s, but state already has an object there; %s stays where it is. Remove one of them from state (plumb state rm) or fix the moved block.", old, to, old))
			continue
		case taken[to] != "":
			warnings = append(warnings, fmt.Sprintf("Moved blocks would move both %s and %s to %s; only %s is moved.", taken[to], old, to, taken[to]))
			continue
		}
		taken[to] = old
		from[to] = old
	}
	work := *st
	work.Resources = maps.Clone(st.Resources)
	for _, old := range from {
		delete(work.Resources, old)
	}
	for to, old := range from {
		inst := *st.Resources[old]
		a := config.MustParseAddr(to)
		inst.Addr, inst.Name = to, a.Name
		work.Resources[to] = &inst
	}
	return &work, from, warnings, nil
}

// moduleUnder reports whether a module instance is (inside) an instance of
// the module at path.
func moduleUnder(m config.ModuleInstance, path config.ModulePath) bool {
	if len(m) < len(path) {
		return false
	}
	for i, name := range path {
		if m[i].Name != name {
			return false
		}
	}
	return true
}

// checkRemoved refuses removed blocks whose from is still declared.
func (e *Engine) checkRemoved(blocks []placed[config.Removed]) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		mod := e.cfg.Descendant(b.path)
		if mod == nil || !declared(mod, b.block.From) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Removed object still declared",
			Detail:   fmt.Sprintf("The removed block says %s has left the configuration, but it is still declared. Remove its block (the removed block says what happens to its objects), or remove the removed block.", b.block.From),
			Subject:  b.block.DeclRange.Ptr(),
		})
	}
	return diags
}

// removedFor finds the removed block that covers an instance in state, or
// nil.
func removedFor(blocks []placed[config.Removed], a config.Addr) *config.Removed {
	for _, b := range blocks {
		if !moduleUnder(a.Module, b.path) {
			continue
		}
		pattern := b.block.From
		prefix := make(config.ModuleInstance, len(b.path))
		for i, name := range b.path {
			prefix[i] = config.ModuleStep{Name: name, Key: cty.NilVal}
		}
		pattern.Module = append(prefix, pattern.Module...)
		if pattern.Selects(a) {
			return b.block
		}
	}
	return nil
}

// recordMoves records, before anything else is applied, the change of
// address of every object a moved block moves, each in one durable step,
// and makes the rest of the apply see the objects at their new addresses.
// It reports whether all were recorded.
func (a *applier) recordMoves() bool {
	for _, c := range a.p.Changes {
		if c.PrevAddr == "" {
			continue
		}
		si, ok := a.before[c.PrevAddr]
		if !ok {
			a.addDiags(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: c.PrevAddr + ": not in state",
				Detail: fmt.Sprintf("The plan moves %s to %s, but state has nothing at %s. Run plumb plan again.", c.PrevAddr, c.Addr, c.PrevAddr)}})
			return false
		}
		inst := *si
		inst.Addr, inst.Name = c.Addr, c.Name
		if err := a.rec.Move(c.PrevAddr, &inst); err != nil {
			a.addDiags(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: c.Addr + ": move not recorded",
				Detail: fmt.Sprintf("plumb could not record that %s moved to %s: %v. Nothing was changed; fix the cause (disk full?) and run plumb apply again.", c.PrevAddr, c.Addr, err)}})
			return false
		}
		delete(a.before, c.PrevAddr)
		a.before[c.Addr] = &inst
	}
	return true
}

// forgetAll removes from state the objects removed blocks say to keep,
// without asking any provider.
func (a *applier) forgetAll() {
	for _, c := range a.p.Changes {
		if c.Action != plan.Forget {
			continue
		}
		done := a.e.observe(c.Addr, plan.Forget)
		err := a.rec.Remove(c.Addr)
		if err != nil {
			a.addDiags(hcl.Diagnostics{recordFailed(c.Addr, err)})
		}
		done(err)
	}
}
