package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// An address is a path of steps read left to right (docs/addressing.md):
// module instances, then a resource and its instance key, or a provider
// configuration and its instance key. Every address form is read by one
// reader (readModule and what follows it), through ParseAddr for module
// and resource addresses and ParseProviderAddr for provider ones; the
// two are separate because no place that takes one accepts the other.

// ModuleStep is one step of a module instance path: module.NAME[KEY].
type ModuleStep struct {
	Name string
	// Key is the module instance key: a number for count, a string for
	// for_each, cty.NilVal for a call with neither.
	Key cty.Value
}

// ModuleInstance is the path of a module instance from the root module;
// the root module is the empty path.
type ModuleInstance []ModuleStep

// String returns the path as written: module.a["x"].module.b; "" for the
// root.
func (m ModuleInstance) String() string {
	if len(m) == 0 {
		return ""
	}
	var b strings.Builder
	for i, s := range m {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(s.Name)
		b.WriteString(KeyString(s.Key))
	}
	return b.String()
}

// Path returns the configuration path of the module instance: its call
// names without keys.
func (m ModuleInstance) Path() ModulePath {
	if len(m) == 0 {
		return nil
	}
	p := make(ModulePath, len(m))
	for i, s := range m {
		p[i] = s.Name
	}
	return p
}

// Child returns the path of the instance key of the call name inside m.
func (m ModuleInstance) Child(name string, key cty.Value) ModuleInstance {
	out := make(ModuleInstance, len(m)+1)
	copy(out, m)
	out[len(m)] = ModuleStep{Name: name, Key: key}
	return out
}

// IsRoot reports whether m is the root module.
func (m ModuleInstance) IsRoot() bool { return len(m) == 0 }

// Equal reports whether m and o name the same module instance.
func (m ModuleInstance) Equal(o ModuleInstance) bool {
	if len(m) != len(o) {
		return false
	}
	for i := range m {
		if m[i].Name != o[i].Name || !keyEqual(m[i].Key, o[i].Key) {
			return false
		}
	}
	return true
}

// selects reports whether m, read as a pattern, selects the module
// instance o or one inside it: a step without a key selects every key
// of that call.
func (m ModuleInstance) selects(o ModuleInstance) bool {
	if len(m) > len(o) {
		return false
	}
	for i := range m {
		if m[i].Name != o[i].Name || m[i].Key != cty.NilVal && !keyEqual(m[i].Key, o[i].Key) {
			return false
		}
	}
	return true
}

// ModulePath is the configuration path of a module: the names of the
// module calls from the root, without instance keys. The root module is
// the empty path.
type ModulePath []string

// String returns the path as written: module.a.module.b; "" for the root.
func (p ModulePath) String() string {
	if len(p) == 0 {
		return ""
	}
	return "module." + strings.Join(p, ".module.")
}

// Prefix returns the path followed by a dot, ready to have a name after
// it; "" for the root.
func (p ModulePath) Prefix() string {
	if len(p) == 0 {
		return ""
	}
	return p.String() + "."
}

// Child returns the path of the call name inside p.
func (p ModulePath) Child(name string) ModulePath {
	out := make(ModulePath, len(p)+1)
	copy(out, p)
	out[len(p)] = name
	return out
}

// Addr is the address of a resource or of one of its instances, inside a
// module instance: type.name, type.name[0], data.type.name,
// module.a["x"].type.name["k"]. An address with an empty Type names a
// module instance (module.a["x"]) or, without keys, every instance of a
// module (module.a); such addresses appear only as patterns (-target,
// plumb state, moved and removed blocks), never in state or plans.
type Addr struct {
	Module ModuleInstance
	Mode   Mode
	Type   string
	Name   string
	// Key is the instance key: a number for count, a string for for_each,
	// cty.NilVal for a resource with neither.
	Key cty.Value
}

// IsModule reports whether the address names a module (instance) rather
// than a resource.
func (a Addr) IsModule() bool { return a.Type == "" }

// local returns the resource part of the address: type.name or
// data.type.name.
func (a Addr) local() string {
	if a.Mode == Data {
		return "data." + a.Type + "." + a.Name
	}
	return a.Type + "." + a.Name
}

// Resource returns the address of the resource the instance belongs to,
// in its module instance: module.a["x"].type.name.
func (a Addr) Resource() string {
	if a.IsModule() {
		return a.Module.String()
	}
	if len(a.Module) == 0 {
		return a.local()
	}
	return a.Module.String() + "." + a.local()
}

// ConfigResource returns the address of the resource block the instance
// was made from: its module path without keys, then type.name. It names
// the block's node in the graph.
func (a Addr) ConfigResource() string {
	if a.IsModule() {
		return a.Module.Path().String()
	}
	return a.Module.Path().Prefix() + a.local()
}

// String returns the address as written in configuration.
func (a Addr) String() string {
	if a.IsModule() {
		return a.Module.String()
	}
	return a.Resource() + KeyString(a.Key)
}

// Selects reports whether a, read as a pattern, selects the instance b:
// the instance itself, its whole resource (a has no key), or a module
// instance holding it. A module step of a without a key selects every
// instance of that module call, so module.site selects the resources of
// module.site["a"] and module.site["b"].
func (a Addr) Selects(b Addr) bool {
	if a.IsModule() {
		return a.Module.selects(b.Module)
	}
	if len(a.Module) != len(b.Module) || !a.Module.selects(b.Module) {
		return false
	}
	if a.Mode != b.Mode || a.Type != b.Type || a.Name != b.Name {
		return false
	}
	return a.Key == cty.NilVal || keyEqual(a.Key, b.Key)
}

func keyEqual(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	return a.Type().Equals(b.Type()) && a.RawEquals(b)
}

// KeyString renders an instance key as an index: [3] or ["key"]; the empty
// string for cty.NilVal.
func KeyString(k cty.Value) string {
	if k == cty.NilVal {
		return ""
	}
	if k.Type() == cty.Number {
		bf := k.AsBigFloat()
		if i, acc := bf.Int64(); acc == 0 {
			return "[" + strconv.FormatInt(i, 10) + "]"
		}
		return "[" + bf.Text('f', -1) + "]"
	}
	return "[" + strconv.Quote(k.AsString()) + "]"
}

// ParseAddr parses a module or resource address as given on the command
// line (-target, plumb state, plumb import): type.name, type.name[KEY],
// data.type.name, module.NAME[KEY]... before any of them, or a module
// instance alone.
func ParseAddr(s string) (Addr, error) {
	trav, err := parseTraversal(s)
	if err != nil {
		return Addr{}, fmt.Errorf("%q is not an address: %w", s, err)
	}
	a, err := AddrFromTraversal(trav)
	if err != nil {
		return Addr{}, fmt.Errorf("%q is not an address: %w", s, err)
	}
	return a, nil
}

// MustParseAddr is ParseAddr for addresses known to be valid, such as
// those plumb wrote itself; it panics on a malformed one.
func MustParseAddr(s string) Addr {
	a, err := ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

func parseTraversal(s string) (hcl.Traversal, error) {
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s", diags[0].Summary)
	}
	return trav, nil
}

// AddrFromTraversal converts a traversal such as module.a["x"].local_file.b
// into an address, as ParseAddr does for text.
func AddrFromTraversal(t hcl.Traversal) (Addr, error) {
	mod, rest, err := readModule(t)
	if err != nil {
		return Addr{}, err
	}
	a := Addr{Module: mod}
	if len(rest) == 0 {
		if len(mod) == 0 {
			return Addr{}, fmt.Errorf("expected TYPE.NAME, data.TYPE.NAME or module.NAME")
		}
		return a, nil
	}
	names, rest := readNames(rest)
	switch {
	case len(names) == 3 && names[0] == "data":
		a.Mode, a.Type, a.Name = Data, names[1], names[2]
	case len(names) == 2 && names[0] != "data" && names[0] != "provider":
		a.Mode, a.Type, a.Name = Managed, names[0], names[1]
	default:
		return Addr{}, fmt.Errorf("expected TYPE.NAME, TYPE.NAME[KEY], data.TYPE.NAME or module.NAME[KEY] before them")
	}
	key, err := readKey(rest, a.local())
	if err != nil {
		return Addr{}, err
	}
	a.Key = key
	return a, nil
}

// readModule reads the module.NAME[KEY] steps at the start of t and
// returns them with the rest of t.
func readModule(t hcl.Traversal) (ModuleInstance, hcl.Traversal, error) {
	var mod ModuleInstance
	for len(t) > 0 {
		if name, ok := stepName(t[0]); !ok || name != "module" {
			break
		}
		if len(t) < 2 {
			return nil, nil, fmt.Errorf("module must be followed by the module's name, as in module.site")
		}
		name, ok := stepName(t[1])
		if !ok {
			return nil, nil, fmt.Errorf("module must be followed by the module's name, as in module.site")
		}
		step := ModuleStep{Name: name}
		t = t[2:]
		if len(t) > 0 {
			if idx, ok := t[0].(hcl.TraverseIndex); ok {
				k, err := instanceKey(idx.Key)
				if err != nil {
					return nil, nil, err
				}
				step.Key = k
				t = t[1:]
			}
		}
		mod = append(mod, step)
	}
	return mod, t, nil
}

// readNames reads the attribute names at the start of t.
func readNames(t hcl.Traversal) ([]string, hcl.Traversal) {
	names := make([]string, 0, 3)
	for len(t) > 0 {
		name, ok := stepName(t[0])
		if !ok {
			break
		}
		names = append(names, name)
		t = t[1:]
	}
	return names, t
}

// readKey reads an optional final [KEY] after what.
func readKey(rest hcl.Traversal, what string) (cty.Value, error) {
	switch len(rest) {
	case 0:
		return cty.NilVal, nil
	case 1:
		idx, ok := rest[0].(hcl.TraverseIndex)
		if !ok {
			return cty.NilVal, fmt.Errorf("expected an index after %s", what)
		}
		return instanceKey(idx.Key)
	default:
		return cty.NilVal, fmt.Errorf("unexpected %s after the instance key of %s", describeStep(rest[1]), what)
	}
}

func describeStep(s hcl.Traverser) string {
	switch s := s.(type) {
	case hcl.TraverseAttr:
		return "." + s.Name
	case hcl.TraverseIndex:
		return "a second index"
	}
	return "a step"
}

func instanceKey(k cty.Value) (cty.Value, error) {
	if k.IsNull() || !k.IsKnown() || k.Type() != cty.Number && k.Type() != cty.String {
		return cty.NilVal, fmt.Errorf("an instance key is a number or a string")
	}
	return k, nil
}

func stepName(s hcl.Traverser) (string, bool) {
	switch s := s.(type) {
	case hcl.TraverseRoot:
		return s.Name, true
	case hcl.TraverseAttr:
		return s.Name, true
	}
	return "", false
}

// ProviderAddr is the address of a provider configuration or of one of its
// instances: provider.aws, provider.aws.eu, provider.apache.web["web1"],
// module.site.provider.aws. A provider configuration belongs to a module
// path, not a module instance: provider blocks are not allowed in modules
// called with count or for_each.
type ProviderAddr struct {
	Module ModulePath
	// Name is the provider's name, such as aws.
	Name string
	// Alias is the alias of a named configuration; "" for the default one.
	Alias string
	// Key is the instance key of a configuration with for_each; cty.NilVal
	// otherwise.
	Key cty.Value
}

// Config returns the address of the provider configuration the instance
// belongs to: the address without its key.
func (p ProviderAddr) Config() ProviderAddr {
	p.Key = cty.NilVal
	return p
}

// String returns the address as state and plans write it.
func (p ProviderAddr) String() string {
	s := p.Module.Prefix() + "provider." + p.Name
	if p.Alias != "" {
		s += "." + p.Alias
	}
	return s + KeyString(p.Key)
}

// Ref returns how configuration refers to the configuration from inside
// its module: aws or aws.eu.
func (p ProviderAddr) Ref() string {
	return ProviderConfigRef(p.Name, p.Alias)
}

// ParseProviderAddr parses a provider configuration or instance address
// as state records it: [module.NAME.]...provider.NAME[.ALIAS][KEY].
// Module steps carry no keys.
func ParseProviderAddr(s string) (ProviderAddr, error) {
	trav, err := parseTraversal(s)
	if err != nil {
		return ProviderAddr{}, fmt.Errorf("%q is not a provider address: %w", s, err)
	}
	mod, rest, err := readModule(trav)
	if err != nil {
		return ProviderAddr{}, fmt.Errorf("%q is not a provider address: %w", s, err)
	}
	var p ProviderAddr
	for _, step := range mod {
		if step.Key != cty.NilVal {
			return ProviderAddr{}, fmt.Errorf("%q is not a provider address: provider configurations belong to modules, not module instances", s)
		}
		p.Module = append(p.Module, step.Name)
	}
	names, rest := readNames(rest)
	switch {
	case len(names) == 2 && names[0] == "provider":
		p.Name = names[1]
	case len(names) == 3 && names[0] == "provider":
		p.Name, p.Alias = names[1], names[2]
	default:
		return ProviderAddr{}, fmt.Errorf("%q is not a provider address: expected provider.NAME or provider.NAME.ALIAS", s)
	}
	p.Key, err = readKey(rest, p.Config().String())
	if err != nil {
		return ProviderAddr{}, fmt.Errorf("%q is not a provider address: %w", s, err)
	}
	return p, nil
}

// ResolveTraversal turns an address written as an expression into a
// traversal, evaluating the keys of its index steps in ctx:
// aws_route53_zone.z[each.key] or module.site[each.value.site].x.y. With
// a nil ctx the index steps whose keys are not literal are left out, which
// gives the address of the resource (or module) without them.
func ResolveTraversal(expr hcl.Expression, ctx *hcl.EvalContext) (hcl.Traversal, hcl.Diagnostics) {
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid address",
		Detail:   "An address names a resource, with keys that may be expressions of each.key and each.value: aws_route53_zone.z[each.key].",
		Subject:  expr.Range().Ptr(),
	}}
	switch e := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return e.Traversal, nil
	case *hclsyntax.IndexExpr:
		t, diags := ResolveTraversal(e.Collection, ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		if ctx == nil {
			if v, d := e.Key.Value(nil); !d.HasErrors() && v.IsKnown() {
				return append(t, hcl.TraverseIndex{Key: v, SrcRange: e.Key.Range()}), nil
			}
			return t, nil
		}
		k, d := e.Key.Value(ctx)
		if d.HasErrors() {
			return nil, d
		}
		if !k.IsKnown() || k.IsNull() {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid address key", Detail: "A key in an address must be known at plan time and not null.", Subject: e.Key.Range().Ptr()}}
		}
		return append(t, hcl.TraverseIndex{Key: k, SrcRange: e.Key.Range()}), nil
	case *hclsyntax.RelativeTraversalExpr:
		t, diags := ResolveTraversal(e.Source, ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		return append(t, e.Traversal...), nil
	}
	return nil, bad
}
