package reconcile

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile/lang"
	"github.com/plumbhq/plumb/reconcile/state"
)

// Sensitivity in the engine
//
// A value from a sensitive variable carries the mark sensitiveMark while
// expressions are evaluated, and everything computed from it carries the
// mark too. Providers never see marks: at the provider boundary (a
// provider block, a resource or data body) the value is unmarked and the
// marked paths are kept beside it. Those paths, with the attributes the
// schema declares sensitive, are recorded in state (state.Paths), named
// in the plan (plan.Change.Sensitive) and put back as marks on the
// resource's value in the scope, so whatever refers to it stays
// sensitive. Whatever a provider says about a configuration is redacted
// of the sensitive strings it was given (redactDiags), since a provider
// may echo a value it rejects.

// sensitiveMark marks values that came from a sensitive variable or the
// sensitive() function.
const sensitiveMark = lang.SensitiveMark

// unmarkPaths strips marks from v and returns the paths that held a
// marked value.
func unmarkPaths(v cty.Value) (cty.Value, state.Paths) {
	if !ctyconv.ContainsMarked(v) {
		return v, nil
	}
	clean, pvm := v.UnmarkDeepWithPaths()
	paths := make(state.Paths, 0, len(pvm))
	for _, pm := range pvm {
		if _, ok := pm.Marks[sensitiveMark]; ok {
			paths = append(paths, pm.Path)
		}
	}
	return clean, paths.Normalize()
}

// unmarkSensitive strips marks from v and names the top-level attributes
// that held a marked value.
func unmarkSensitive(v cty.Value) (cty.Value, []string) {
	clean, paths := unmarkPaths(v)
	return clean, paths.TopNames()
}

// schemaPaths turns the names of a schema's sensitive attributes into
// paths.
func schemaPaths(names []string) state.Paths {
	out := make(state.Paths, 0, len(names))
	for _, n := range names {
		out = append(out, cty.GetAttrPath(n))
	}
	return out
}

// joinPaths returns the union of path lists, normalized.
func joinPaths(lists ...state.Paths) state.Paths {
	var all state.Paths
	for _, l := range lists {
		all = append(all, l...)
	}
	return all.Normalize()
}

// derivedPaths adds to paths the attributes of the schema derived from a
// sensitive one (providers.Attribute.DerivedFrom), judged on vals: the
// hash of a secret is as sensitive as the secret.
func derivedPaths(s providers.Schema, paths state.Paths, vals ...cty.Value) state.Paths {
	derived := s.DerivedSensitive(paths.TopNames(), vals...)
	if len(derived) == 0 {
		return paths
	}
	return joinPaths(paths, schemaPaths(derived))
}

// markPaths marks the values of v at paths as sensitive. Paths that v
// does not have (an element since removed) are skipped.
func markPaths(v cty.Value, paths state.Paths) cty.Value {
	if len(paths) == 0 || v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return v
	}
	var deep []cty.PathValueMarks
	top := map[string]bool{}
	for _, p := range paths {
		switch {
		case len(p) == 0:
			return v.Mark(sensitiveMark)
		case len(p) == 1:
			if ga, ok := p[0].(cty.GetAttrStep); ok {
				top[ga.Name] = true
				continue
			}
		}
		deep = append(deep, cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(sensitiveMark)})
	}
	if len(top) > 0 && v.Type().IsObjectType() {
		attrs := v.AsValueMap()
		for name := range top {
			if a, ok := attrs[name]; ok && !a.IsNull() {
				attrs[name] = a.Mark(sensitiveMark)
			}
		}
		v = cty.ObjectVal(attrs)
	}
	if len(deep) > 0 {
		v = v.MarkWithPaths(deep)
	}
	return v
}

// secretStrings lists the text of every value of v under paths: the
// strings (and numbers, as written) a message about v must not repeat.
func secretStrings(v cty.Value, paths state.Paths) []string {
	var out []string
	for _, p := range paths {
		sub, err := p.Apply(v)
		if err != nil {
			continue
		}
		out = append(out, lang.LeafStrings(sub)...)
	}
	return out
}

// redactDiags removes secrets from the summary and detail of diags.
func redactDiags(diags hcl.Diagnostics, secrets []string) hcl.Diagnostics {
	if len(secrets) == 0 {
		return diags
	}
	for _, d := range diags {
		d.Summary = lang.Redact(d.Summary, secrets)
		d.Detail = lang.Redact(d.Detail, secrets)
	}
	return diags
}

// recordedPaths is what state records of paths for a value v: the paths
// whose value is not null (a null reveals nothing, and a schema's
// sensitive attributes are mostly unset).
func recordedPaths(paths state.Paths, v cty.Value) state.Paths {
	if v == cty.NilVal || v.IsNull() || len(paths) == 0 {
		return nil
	}
	if ctyconv.ContainsMarked(v) {
		v, _ = v.UnmarkDeep()
	}
	var out state.Paths
	for _, p := range paths {
		if sub, err := p.Apply(v); err == nil && !sub.IsNull() {
			out = append(out, p)
		}
	}
	return out.Normalize()
}

// covers reports whether every path of want lies under a path of have.
func covers(have, want state.Paths) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if len(h) <= len(w) && h.Equals(w[:len(h)]) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
