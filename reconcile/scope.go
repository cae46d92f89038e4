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

	mu        sync.RWMutex
	vars      cty.Value
	locals    map[string]cty.Value
	resources map[string]cty.Value // by configuration address, data.* included
	outputs   map[string]cty.Value
	secret    map[string]bool // outputs whose value came from a sensitive variable
	funcs     map[string]function.Function
	path      cty.Value
}

func newScope(addr config.ModuleInstance, vars map[string]cty.Value, secretVars map[string]bool, funcs map[string]function.Function, root, dir, cwd string) *scope {
	marked := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		if secretVars[name] {
			v = v.Mark(sensitiveMark)
		}
		marked[name] = v
	}
	prefix := addr.String()
	if prefix != "" {
		prefix += "."
	}
	return &scope{
		addr:      addr,
		prefix:    prefix,
		vars:      cty.ObjectVal(marked),
		secret:    map[string]bool{},
		locals:    map[string]cty.Value{},
		resources: map[string]cty.Value{},
		outputs:   map[string]cty.Value{},
		funcs:     funcs,
		path: cty.ObjectVal(map[string]cty.Value{
			"root":   cty.StringVal(root),
			"module": cty.StringVal(dir),
			"cwd":    cty.StringVal(cwd),
		}),
	}
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

// evalContext builds a context holding what refs refer to. Missing values
// (a dependency that failed) are unknown, so evaluation goes on and the
// failure is reported once, where it happened.
func (s *scope) evalContext(refs []hcl.Traversal) *hcl.EvalContext {
	s.mu.RLock()
	defer s.mu.RUnlock()
	vars := map[string]cty.Value{"var": s.vars, "path": s.path}
	locals := map[string]cty.Value{}
	byType := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for _, t := range refs {
		root := t.RootName()
		switch root {
		case "var", "path", "count", "each", "self":
		case "local":
			if name, ok := stepName(t, 1); ok {
				locals[name] = valueOr(s.locals, name)
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
	return &hcl.EvalContext{Variables: vars, Functions: s.funcs}
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

// refTarget says which graph node a reference written in module cfg
// points at: "" when it points at nothing in the graph (var, path, count,
// each), or a diagnostic when it points at something undeclared.
func refTarget(cfg *config.Config, t hcl.Traversal) (string, *hcl.Diagnostic) {
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
			return "", undeclared("Invalid reference", "var must be followed by a variable name, such as var.region.")
		}
		if _, ok := cfg.Variables[name]; !ok {
			return "", undeclared("Reference to undeclared input variable",
				fmt.Sprintf("No variable %q is declared. Declare it with a variable %q {} block%s.", name, name, suggest(name, keys(cfg.Variables), " or did you mean var.%s?")))
		}
		return "", nil
	case "local":
		name, ok := stepName(t, 1)
		if !ok {
			return "", undeclared("Invalid reference", "local must be followed by a name, such as local.zones.")
		}
		if _, ok := cfg.Locals[name]; !ok {
			return "", undeclared("Reference to undeclared local value",
				fmt.Sprintf("No local value %q is declared in a locals block%s.", name, suggest(name, keys(cfg.Locals), "; did you mean local.%s?")))
		}
		return prefix + "local." + name, nil
	case "path", "count", "each", "self":
		return "", nil
	case "data":
		typ, ok1 := stepName(t, 1)
		name, ok2 := stepName(t, 2)
		if !ok1 || !ok2 {
			return "", undeclared("Invalid reference", "A data source reference is data.TYPE.NAME.")
		}
		addr := "data." + typ + "." + name
		if _, ok := cfg.Resources[addr]; !ok {
			return "", undeclared("Reference to undeclared data source", fmt.Sprintf("No data %q %q block is declared.", typ, name))
		}
		return prefix + addr, nil
	}
	name, ok := stepName(t, 1)
	if !ok {
		return "", undeclared("Invalid reference", fmt.Sprintf("%q is not something configuration can refer to. A reference is var.NAME, local.NAME, TYPE.NAME or data.TYPE.NAME.", root))
	}
	addr := root + "." + name
	if _, ok := cfg.Resources[addr]; !ok {
		return "", undeclared("Reference to undeclared resource",
			fmt.Sprintf("No resource %q %q is declared%s.", root, name, suggest(addr, resourceKeys(cfg), "; did you mean %s?")))
	}
	return prefix + addr, nil
}

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
