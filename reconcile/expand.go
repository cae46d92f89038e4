package reconcile

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/plumbhq/plumb/reconcile/config"
)

// instance is one expansion of a resource block.
type instance struct {
	key  cty.Value // cty.NilVal, a number (count) or a string (for_each)
	each cty.Value // each.value for for_each
	addr string
}

// expand evaluates count or for_each and lists the instances of r in the
// module instance whose address prefix is prefix ("" for the root, else
// "module.a[\"x\"]."), sorted by key.
func expand(r *config.Resource, prefix string, ctx *hcl.EvalContext) ([]instance, hcl.Diagnostics) {
	return expandMeta(r.Count, r.ForEach, prefix+r.Addr(), ctx)
}

// expandMeta evaluates count or for_each (either may be nil) and lists the
// instances of base, sorted by key: what a resource, a module call or a
// provider block with those arguments expands to.
func expandMeta(count, forEach hcl.Expression, base string, ctx *hcl.EvalContext) ([]instance, hcl.Diagnostics) {
	switch {
	case count != nil:
		v, diags := count.Value(ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		if v.ContainsMarked() {
			return nil, sensitiveMeta(count, "count")
		}
		if !v.IsKnown() {
			return nil, notKnownYet(count, "count")
		}
		n, err := convert.Convert(v, cty.Number)
		if err != nil || n.IsNull() {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid count", Detail: "count must be a whole number, zero or more.", Subject: count.Range().Ptr()}}
		}
		c, acc := n.AsBigFloat().Int64()
		if acc != big.Exact || c < 0 {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid count", Detail: fmt.Sprintf("count must be a whole number, zero or more; it is %s.", n.AsBigFloat().String()), Subject: count.Range().Ptr()}}
		}
		out := make([]instance, c)
		for i := range out {
			k := cty.NumberIntVal(int64(i))
			out[i] = instance{key: k, addr: base + config.KeyString(k)}
		}
		return out, nil
	case forEach != nil:
		v, diags := forEach.Value(ctx)
		if diags.HasErrors() {
			return nil, diags
		}
		if v.IsMarked() {
			return nil, sensitiveMeta(forEach, "for_each")
		}
		if !v.IsKnown() {
			return nil, notKnownYet(forEach, "for_each")
		}
		if v.IsNull() {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid for_each", Detail: "for_each is null; give it a map or a set of strings.", Subject: forEach.Range().Ptr()}}
		}
		ty := v.Type()
		var out []instance
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				out = append(out, instance{key: k, each: ev, addr: base + config.KeyString(k)})
			}
		case ty.IsSetType() && ty.ElementType() == cty.String:
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if ev.IsNull() || !ev.IsKnown() {
					return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid for_each", Detail: "for_each holds a null or unknown string.", Subject: forEach.Range().Ptr()}}
				}
				out = append(out, instance{key: ev, each: ev, addr: base + config.KeyString(ev)})
			}
		default:
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError, Summary: "Invalid for_each",
				Detail:  fmt.Sprintf("for_each takes a map or a set of strings, not %s. A list converts with toset(...).", ty.FriendlyName()),
				Subject: forEach.Range().Ptr(),
			}}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].key.AsString() < out[j].key.AsString() })
		return out, nil
	}
	return []instance{{key: cty.NilVal, addr: base}}, nil
}

// sensitiveMeta refuses a sensitive count or for_each: instance keys
// appear in addresses, plans and state, where a secret must not.
func sensitiveMeta(expr hcl.Expression, meta string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + meta + " argument",
		Detail:   fmt.Sprintf("The %s value is sensitive (it comes from a sensitive variable), and instance keys are shown in every plan and address. Use a value that is not sensitive; a map whose keys are plain may hold sensitive values.", meta),
		Subject:  expr.Range().Ptr(),
	}}
}

// instanceAddr is the address of one instance of r in the module instance
// of s.
func instanceAddr(s *scope, r *config.Resource, in instance) config.Addr {
	return config.Addr{Module: s.addr, Mode: r.Mode, Type: r.Type, Name: r.Name, Key: in.key}
}

func notKnownYet(expr hcl.Expression, meta string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + meta + " argument",
		Detail:   fmt.Sprintf("The %s value depends on values known only after apply, so plumb cannot tell how many instances to plan. Use values known before apply (variables, locals, data), or apply the resources it depends on first with -target.", meta),
		Subject:  expr.Range().Ptr(),
	}}
}

// aggregate is the value a reference to the whole resource sees: the
// object itself, a tuple for count, an object keyed by for_each key.
func aggregate(r *config.Resource, insts []instance, vals []cty.Value) cty.Value {
	return repeated(r.Count != nil, r.ForEach != nil, vals, func(i int) cty.Value { return insts[i].key })
}

// repeated is what a reference to a whole resource or module call sees,
// given the values of its instances: a tuple of them with count, an
// object of them by key (key(i) is instance i's) with for_each, the one
// value otherwise, unknown while there is none.
func repeated(count, forEach bool, vals []cty.Value, key func(i int) cty.Value) cty.Value {
	switch {
	case count:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case forEach:
		m := make(map[string]cty.Value, len(vals))
		for i := range vals {
			m[key(i).AsString()] = vals[i]
		}
		return cty.ObjectVal(m)
	}
	if len(vals) == 0 {
		return cty.DynamicVal
	}
	return vals[0]
}
