package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Moved is a moved { from = ADDR, to = ADDR } block: the object state has
// at from now belongs at to, so plumb changes its address instead of
// deleting it and creating it again.
type Moved struct {
	Move
	DeclRange hcl.Range
}

// Removed is a removed { from = ADDR, lifecycle { destroy = BOOL } }
// block: the resource (or module) at from has left the configuration on
// purpose. With destroy = false its objects are forgotten, not deleted.
type Removed struct {
	From Addr
	// Destroy is false when lifecycle { destroy = false } says to keep
	// the objects; true (delete them) otherwise.
	Destroy   bool
	DeclRange hcl.Range
}

var movedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "to", Required: true}},
}

var removedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}},
}

var removedLifecycleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "destroy"}},
}

// blockAddr reads the address an attribute of a moved or removed block
// names.
func blockAddr(a *hcl.Attribute, block string) (Addr, hcl.Diagnostics) {
	trav, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		return Addr{}, diags
	}
	addr, err := AddrFromTraversal(trav)
	if err != nil {
		return Addr{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + block + " address",
			Detail:   fmt.Sprintf("%s must name a resource (TYPE.NAME), one of its instances (TYPE.NAME[KEY]) or a module (module.NAME, module.NAME[KEY]), not quoted: %v.", a.Name, err),
			Subject:  a.Expr.Range().Ptr(),
		}}
	}
	return addr, nil
}

func (c *Config) addMoved(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(movedSchema)
	if diags.HasErrors() {
		return diags
	}
	from, fd := blockAddr(content.Attributes["from"], "moved")
	to, td := blockAddr(content.Attributes["to"], "moved")
	diags = append(append(diags, fd...), td...)
	if diags.HasErrors() {
		return diags
	}
	m := &Moved{Move: Move{From: from, To: to}, DeclRange: b.DefRange}
	if err := m.Check(); err != nil {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid moved block", Detail: err.Error() + ".", Subject: b.DefRange.Ptr()})
	}
	if from.Mode == Data {
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid moved block", Detail: "Data sources are not kept in state, so there is nothing to move: remove the block.", Subject: b.DefRange.Ptr()})
	}
	c.Moved = append(c.Moved, m)
	return diags
}

func (c *Config) addRemoved(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(removedSchema)
	if diags.HasErrors() {
		return diags
	}
	fromAttr := content.Attributes["from"]
	from, fd := blockAddr(fromAttr, "removed")
	diags = append(diags, fd...)
	if fd.HasErrors() {
		return diags
	}
	if from.Key != cty.NilVal || !wholePath(from.Module) || from.Mode == Data {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid removed address",
			Detail:   "from names a whole managed resource or module, without instance keys, such as local_file.site or module.site: every instance of it leaves the configuration together.",
			Subject:  fromAttr.Expr.Range().Ptr(),
		})
	}
	r := &Removed{From: from, Destroy: true, DeclRange: b.DefRange}
	for _, lb := range content.Blocks {
		lc, ld := lb.Body.Content(removedLifecycleSchema)
		diags = append(diags, ld...)
		if a, ok := lc.Attributes["destroy"]; ok {
			diags = append(diags, decodeBool(a, &r.Destroy)...)
		}
	}
	c.Removed = append(c.Removed, r)
	return diags
}

// wholePath reports whether a module instance path has no keys.
func wholePath(m ModuleInstance) bool {
	for _, s := range m {
		if s.Key != cty.NilVal {
			return false
		}
	}
	return true
}

// Move is a change of address: from a resource instance, a whole resource
// or a module instance to another of the same kind, as plumb state mv and
// moved blocks make. When only one side has an instance key, both are
// read as instances: local_file.a to local_file.a[0] moves the one
// instance of a resource that gains count.
type Move struct {
	From, To Addr
}

// Check says why the move is not possible, or returns nil.
func (m Move) Check() error {
	f, t := m.From, m.To
	switch {
	case f.IsModule() != t.IsModule():
		return fmt.Errorf("cannot move %s to %s: a module moves only to a module, a resource only to a resource", f, t)
	case f.IsModule():
		if f.Module.Equal(t.Module) {
			return fmt.Errorf("cannot move %s to itself", f)
		}
		if len(t.Module) > len(f.Module) && f.Module.Equal(t.Module[:len(f.Module)]) {
			return fmt.Errorf("cannot move %s into itself (%s)", f, t)
		}
	case f.Mode != t.Mode || f.Type != t.Type:
		return fmt.Errorf("cannot move %s to %s: an object keeps its type", f, t)
	case f.String() == t.String():
		return fmt.Errorf("cannot move %s to itself", f)
	}
	return nil
}

// Apply returns where the move puts the instance a, and whether the move
// concerns a at all. Addresses are compared exactly, keys included: a
// move from module.a moves the instance of module.a that has no key.
func (m Move) Apply(a Addr) (Addr, bool) {
	f, t := m.From, m.To
	if f.IsModule() {
		if len(a.Module) < len(f.Module) || !f.Module.Equal(a.Module[:len(f.Module)]) {
			return a, false
		}
		out := a
		out.Module = append(append(ModuleInstance{}, t.Module...), a.Module[len(f.Module):]...)
		return out, true
	}
	if !f.Module.Equal(a.Module) || f.Mode != a.Mode || f.Type != a.Type || f.Name != a.Name {
		return a, false
	}
	if f.Key == cty.NilVal && t.Key == cty.NilVal {
		// The whole resource: every instance keeps its key.
		out := a
		out.Module, out.Name = t.Module, t.Name
		return out, true
	}
	if !keyEqual(f.Key, a.Key) {
		return a, false
	}
	return t, true
}
