package reconcile

import (
	"fmt"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/lang"
)

// scope holds every value evaluated so far in one module instance during
// a walk and builds the hcl.EvalContext for an expression from the values
// it refers to. Nodes write their value once done; the graph guarantees
// that readers run after the writers they depend on.
type scope struct {
	// addr is the module instance; prefix is its address followed by a
	// dot ("" for the root), which instance addresses start with.
	addr   config.ModuleInstance
	prefix string
	mod    *config.Config
	parent *scope // nil for the root
	// key and each are the instance's count.index, or each.key and
	// each.value, for evaluating the call's arguments; cty.NilVal when the
	// call has neither.
	key, each cty.Value

	mu sync.RWMutex
	// vars are the root module's variables, fixed before the walk;
	// varVals those of a called module, set as their nodes run.
	vars      cty.Value
	varVals   map[string]cty.Value
	locals    map[string]cty.Value
	resources map[string]cty.Value // by configuration address, data.* included
	outputs   map[string]cty.Value
	secret    map[string]bool // outputs whose value came from a sensitive variable
	// children are the instances of the modules this one calls, by call
	// name, sorted by key.
	children map[string][]*scope
	// provKeys are the provider instance keys this instance's call picked
	// in its providers map (aws = aws.by_region[each.key]), by the name
	// the module uses.
	provKeys map[string]cty.Value
	funcs    map[string]function.Function
	path     cty.Value
}

func newScope(mod *config.Config, vars map[string]cty.Value, secretVars map[string]bool, funcs map[string]function.Function, cwd string) *scope {
	marked := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		if secretVars[name] {
			v = v.Mark(sensitiveMark)
		}
		marked[name] = v
	}
	return &scope{
		mod:       mod,
		vars:      cty.ObjectVal(marked),
		secret:    map[string]bool{},
		locals:    map[string]cty.Value{},
		resources: map[string]cty.Value{},
		outputs:   map[string]cty.Value{},
		funcs:     funcs,
		path: cty.ObjectVal(map[string]cty.Value{
			"root":   cty.StringVal(mod.Dir),
			"module": cty.StringVal(mod.Dir),
			"cwd":    cty.StringVal(cwd),
		}),
	}
}

// newChild makes the scope of one instance of the module call name.
func (s *scope) newChild(mod *config.Config, key, each cty.Value) *scope {
	addr := s.addr.Child(mod.Path[len(mod.Path)-1], key)
	return &scope{
		addr:      addr,
		prefix:    addr.String() + ".",
		mod:       mod,
		parent:    s,
		key:       key,
		each:      each,
		varVals:   map[string]cty.Value{},
		secret:    map[string]bool{},
		locals:    map[string]cty.Value{},
		resources: map[string]cty.Value{},
		outputs:   map[string]cty.Value{},
		provKeys:  map[string]cty.Value{},
		funcs:     s.funcs,
		path: cty.ObjectVal(map[string]cty.Value{
			"root":   s.path.GetAttr("root"),
			"module": cty.StringVal(mod.Dir),
			"cwd":    s.path.GetAttr("cwd"),
		}),
	}
}

// ancestor returns the scope of the module instance depth steps from the
// root that holds s (s itself at its own depth).
func (s *scope) ancestor(depth int) *scope {
	for len(s.addr) > depth {
		s = s.parent
	}
	return s
}

func (s *scope) setVar(name string, v cty.Value) {
	s.mu.Lock()
	s.varVals[name] = v
	s.mu.Unlock()
}

func (s *scope) setLocal(name string, v cty.Value) {
	s.mu.Lock()
	s.locals[name] = v
	s.mu.Unlock()
}

func (s *scope) setResource(addr string, v cty.Value) {
	s.mu.Lock()
	s.resources[addr] = v
	s.mu.Unlock()
}

func (s *scope) setOutput(name string, v cty.Value, secret bool) {
	s.mu.Lock()
	s.outputs[name] = v
	s.secret[name] = secret
	s.mu.Unlock()
}

func (s *scope) setChildren(name string, kids []*scope) {
	s.mu.Lock()
	if s.children == nil {
		s.children = map[string][]*scope{}
	}
	s.children[name] = kids
	s.mu.Unlock()
}

// evalContext builds a context holding what refs refer to. Missing values
// (a dependency that failed) are unknown, so evaluation goes on and the
// failure is reported once, where it happened.
func (s *scope) evalContext(refs []hcl.Traversal) *hcl.EvalContext {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vars := map[string]cty.Value{"var": s.vars, "path": s.path}
	if s.varVals != nil {
		vals := make(map[string]cty.Value, len(s.mod.Variables))
		for name := range s.mod.Variables {
			vals[name] = valueOr(s.varVals, name)
		}
		vars["var"] = cty.ObjectVal(vals)
	}
	locals := map[string]cty.Value{}
	byType := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	var modules map[string]cty.Value
	for _, t := range refs {
		root := t.RootName()
		switch root {
		case "var", "path", "count", "each", "self":
		case "local":
			if name, ok := stepName(t, 1); ok {
				locals[name] = valueOr(s.locals, name)
			}
		case "module":
			if name, ok := stepName(t, 1); ok {
				if modules == nil {
					modules = map[string]cty.Value{}
				}
				modules[name] = s.moduleValue(name)
			}
		case "data":
			typ, ok1 := stepName(t, 1)
			name, ok2 := stepName(t, 2)
			if ok1 && ok2 {
				if data[typ] == nil {
					data[typ] = map[string]cty.Value{}
				}
				data[typ][name] = valueOr(s.resources, "data."+typ+"."+name)
			}
		default:
			if name, ok := stepName(t, 1); ok {
				if byType[root] == nil {
					byType[root] = map[string]cty.Value{}
				}
				byType[root][name] = valueOr(s.resources, root+"."+name)
			}
		}
	}
	vars["local"] = cty.ObjectVal(locals)
	for typ, m := range byType {
		vars[typ] = cty.ObjectVal(m)
	}
	dataObj := map[string]cty.Value{}
	for typ, m := range data {
		dataObj[typ] = cty.ObjectVal(m)
	}
	vars["data"] = cty.ObjectVal(dataObj)
	if modules != nil {
		vars["module"] = cty.ObjectVal(modules)
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.funcs}
}

// moduleValue is what module.NAME is in this module instance: an object
// of the called module's outputs, a tuple of them for count, or an object
// of them by key for for_each. Called with s.mu held for reading.
func (s *scope) moduleValue(name string) cty.Value {
	call := s.mod.Modules[name]
	kids, ok := s.children[name]
	if call == nil || call.Child == nil || !ok {
		return cty.DynamicVal
	}
	vals := make([]cty.Value, len(kids))
	for i, k := range kids {
		if k.key != cty.NilVal && !k.key.IsKnown() {
			return cty.DynamicVal // validation: how many instances is not known
		}
		vals[i] = k.outputsValue()
	}
	return repeated(call.Count != nil, call.ForEach != nil, vals, func(i int) cty.Value { return kids[i].key })
}

// outputsValue is the object of this module instance's outputs; one not
// evaluated (yet, or because it failed) is unknown.
func (s *scope) outputsValue() cty.Value {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vals := make(map[string]cty.Value, len(s.mod.Outputs))
	for name := range s.mod.Outputs {
		vals[name] = valueOr(s.outputs, name)
	}
	return cty.ObjectVal(vals)
}

func valueOr(m map[string]cty.Value, k string) cty.Value {
	if v, ok := m[k]; ok {
		return v
	}
	return cty.DynamicVal
}

func stepName(t hcl.Traversal, i int) (string, bool) {
	if len(t) <= i {
		return "", false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseRoot:
		return s.Name, true
	}
	return "", false
}

// instanceContext adds count.index or each.key and each.value.
func instanceContext(parent *hcl.EvalContext, key cty.Value, each cty.Value) *hcl.EvalContext {
	if key == cty.NilVal {
		return parent
	}
	child := parent.NewChild()
	if key.Type() == cty.Number {
		child.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": key})}
	} else {
		child.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key, "value": each})}
	}
	return child
}

// refTargets says which graph nodes a reference written in module cfg
// points at: none when it points at nothing in the graph (var in the
// root, path, count, each), or a diagnostic when it points at something
// undeclared. A reference to a whole module (module.site) points at its
// outputs, or, in depends_on (whole), at everything in it.
func refTargets(cfg *config.Config, t hcl.Traversal, whole bool) ([]string, *hcl.Diagnostic) {
	prefix := cfg.Path.Prefix()
	root := t.RootName()
	rng := t.SourceRange()
	undeclared := func(summary, detail string) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}
	}
	switch root {
	case "var":
		name, ok := stepName(t, 1)
		if !ok {
			return nil, undeclared("Invalid reference", "var must be followed by a variable name, such as var.region.")
		}
		if _, ok := cfg.Variables[name]; !ok {
			return nil, undeclared("Reference to undeclared input variable",
				fmt.Sprintf("No variable %q is declared. Declare it with a variable %q {} block%s.", name, name, suggest(name, keys(cfg.Variables), " or did you mean var.%s?")))
		}
		if cfg.Parent == nil {
			return nil, nil // root variables are set before the walk
		}
		return []string{prefix + "var." + name}, nil
	case "local":
		name, ok := stepName(t, 1)
		if !ok {
			return nil, undeclared("Invalid reference", "local must be followed by a name, such as local.zones.")
		}
		if _, ok := cfg.Locals[name]; !ok {
			return nil, undeclared("Reference to undeclared local value",
				fmt.Sprintf("No local value %q is declared in a locals block%s.", name, suggest(name, keys(cfg.Locals), "; did you mean local.%s?")))
		}
		return []string{prefix + "local." + name}, nil
	case "module":
		return moduleTargets(cfg, t, whole)
	case "path", "count", "each", "self":
		return nil, nil
	case "data":
		typ, ok1 := stepName(t, 1)
		name, ok2 := stepName(t, 2)
		if !ok1 || !ok2 {
			return nil, undeclared("Invalid reference", "A data source reference is data.TYPE.NAME.")
		}
		addr := "data." + typ + "." + name
		if _, ok := cfg.Resources[addr]; !ok {
			return nil, undeclared("Reference to undeclared data source", fmt.Sprintf("No data %q %q block is declared.", typ, name))
		}
		return []string{prefix + addr}, nil
	}
	name, ok := stepName(t, 1)
	if !ok {
		return nil, undeclared("Invalid reference", fmt.Sprintf("%q is not something configuration can refer to. A reference is var.NAME, local.NAME, module.NAME.OUTPUT, TYPE.NAME or data.TYPE.NAME.", root))
	}
	addr := root + "." + name
	if _, ok := cfg.Resources[addr]; !ok {
		return nil, undeclared("Reference to undeclared resource",
			fmt.Sprintf("No resource %q %q is declared%s.", root, name, suggest(addr, resourceKeys(cfg), "; did you mean %s?")))
	}
	return []string{prefix + addr}, nil
}

// moduleTargets resolves module.NAME, module.NAME.OUTPUT and
// module.NAME[KEY].OUTPUT.
func moduleTargets(cfg *config.Config, t hcl.Traversal, whole bool) ([]string, *hcl.Diagnostic) {
	rng := t.SourceRange()
	name, ok := stepName(t, 1)
	if !ok {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference", Detail: "module must be followed by the module's name, such as module.site.ns.", Subject: &rng}
	}
	call, ok := cfg.Modules[name]
	if !ok {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared module",
			Detail: fmt.Sprintf("No module %q block is declared%s.", name, suggest(name, keys(cfg.Modules), "; did you mean module.%s?")), Subject: &rng}
	}
	child := call.Child
	if child == nil {
		return nil, nil // not loaded; already reported
	}
	callNode := child.Path.String()
	if whole {
		return append([]string{callNode}, moduleNodes(child)...), nil
	}
	rest := t[2:]
	if len(rest) > 0 {
		if _, isIndex := rest[0].(hcl.TraverseIndex); isIndex {
			rest = rest[1:]
		}
	}
	out, ok := "", false
	if len(rest) > 0 {
		if a, isAttr := rest[0].(hcl.TraverseAttr); isAttr {
			out, ok = a.Name, true
		}
	}
	if !ok {
		targets := []string{callNode}
		for o := range child.Outputs {
			targets = append(targets, child.Path.Prefix()+"output."+o)
		}
		return targets, nil
	}
	if _, declared := child.Outputs[out]; !declared {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared output",
			Detail: fmt.Sprintf("module.%s has no output %q%s. Declare it in the module with an output block.", name, out, suggest(out, keys(child.Outputs), "; did you mean %s?")), Subject: &rng}
	}
	return []string{callNode, child.Path.Prefix() + "output." + out}, nil
}

// moduleNodes lists the resource and output nodes of a module and of the
// modules it calls: what depends_on = [module.x] waits for.
func moduleNodes(mod *config.Config) []string {
	var out []string
	mod.Walk(func(m *config.Config) {
		p := m.Path.Prefix()
		for addr := range m.Resources {
			out = append(out, p+addr)
		}
		for o := range m.Outputs {
			out = append(out, p+"output."+o)
		}
	})
	sort.Strings(out)
	return out
}

// keys returns the keys of m in order.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func resourceKeys(cfg *config.Config) []string {
	var out []string
	for k, r := range cfg.Resources {
		if r.Mode == config.Managed {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// suggest returns format applied to the closest of names (lang.Suggest,
// the same rule as for unknown functions), or "" when none is close.
func suggest(name string, names []string, format string) string {
	best := lang.Suggest(name, names)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(format, best)
}
