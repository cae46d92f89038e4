package providertest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/providers"
)

// mustConform stops the test when v is not a value of the schema's type.
func (r *runner) mustConform(name, what string, v cty.Value) {
	r.t.Helper()
	if v == cty.NilVal {
		r.t.Fatalf("%s: %s returned cty.NilVal; return cty.NullVal(Schema().ImpliedType()) when there is no object", name, what)
	}
	if v.ContainsMarked() {
		r.t.Fatalf("%s: %s returned a value that carries cty marks at %v; return plain values (the schema's Sensitive flag is what hides them)", name, what, markedPaths(v))
	}
	errs := v.Type().TestConformance(r.ty)
	if len(errs) == 0 {
		return
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = describeErr(err)
	}
	r.t.Fatalf("%s: %s returned a value that does not conform to Schema().ImpliedType(): %s\n  want type %s\n  got type  %s",
		name, what, strings.Join(msgs, "; "), r.ty.GoString(), v.Type().GoString())
}

// mustBeKnown stops the test when v, a value that state would hold,
// contains unknowns.
func (r *runner) mustBeKnown(name, what string, v cty.Value) {
	r.t.Helper()
	if paths := unknownPaths(v); len(paths) > 0 {
		r.t.Fatalf("%s: %s returned unknown values at %v; a state must be wholly known (only a plan may hold unknowns)", name, what, paths)
	}
}

// roundTrip encodes v as the state file does and decodes it again, and
// stops the test unless that gives back the same value. It returns the
// decoded value, which is what the engine would hand the resource next.
func (r *runner) roundTrip(name, what string, v cty.Value) cty.Value {
	r.t.Helper()
	b, err := ctyjson.Marshal(v, r.ty)
	if err != nil {
		r.t.Fatalf("%s: the value %s returned cannot be stored in state: %s", name, what, describeErr(err))
	}
	back, err := ctyjson.Unmarshal(b, r.ty)
	if err != nil {
		r.t.Fatalf("%s: the value %s returned cannot be read back from state: %s\n  stored JSON: %s", name, what, describeErr(err), b)
	}
	if !back.RawEquals(v) {
		r.t.Fatalf("%s: the value %s returned changes when stored in state and read back (-returned +stored):\n%s", name, what, diff(v, back))
	}
	return back
}

// describeErr renders an error, with its path when it is a cty.PathError.
func describeErr(err error) string {
	var pe cty.PathError
	if errors.As(err, &pe) && len(pe.Path) > 0 {
		return formatPath(pe.Path) + ": " + pe.Error()
	}
	return err.Error()
}

// unknownPaths lists the paths of the unknown values inside v.
func unknownPaths(v cty.Value) []string {
	v, _ = v.UnmarkDeep()
	var out []string
	_ = cty.Walk(v, func(p cty.Path, v cty.Value) (bool, error) {
		if !v.IsKnown() {
			out = append(out, formatPath(p))
			return false, nil
		}
		return true, nil
	})
	return out
}

// markedPaths lists the paths of the marked values inside v.
func markedPaths(v cty.Value) []string {
	_, pvm := v.UnmarkDeepWithPaths()
	out := make([]string, len(pvm))
	for i, p := range pvm {
		out[i] = formatPath(p.Path)
	}
	return out
}

// formatPath renders a path the way configuration spells it: a.b["k"][0].
func formatPath(p cty.Path) string {
	if len(p) == 0 {
		return "(the whole object)"
	}
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			switch {
			case !s.Key.IsKnown() || s.Key.IsNull():
				b.WriteString("[?]")
			case s.Key.Type() == cty.String:
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			case s.Key.Type() == cty.Number:
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			default:
				b.WriteString("[?]")
			}
		}
	}
	return b.String()
}

// checkConfigKept reports where planned does not keep a value that config
// sets: a provider may only choose values for computed attributes left
// null in configuration.
func checkConfigKept(s providers.Schema, config, planned cty.Value, path cty.Path, problems *[]string) {
	if config.IsNull() || !config.IsKnown() || planned.IsNull() || !planned.IsKnown() {
		return
	}
	for name, a := range s.Attributes {
		cv, pv := config.GetAttr(name), planned.GetAttr(name)
		if a.Computed && cv.IsNull() {
			continue
		}
		if !pv.RawEquals(cv) && !bothNull(pv, cv) {
			p := formatPath(path.GetAttr(name))
			*problems = append(*problems, fmt.Sprintf("%s is %s in configuration but %s in the plan", p, show(cv), show(pv)))
		}
	}
	for name, b := range s.Blocks {
		cv, pv := config.GetAttr(name), planned.GetAttr(name)
		bp := path.GetAttr(name)
		switch {
		case b.Nesting == providers.NestingSingle:
			checkConfigKept(b.Schema, cv, pv, bp, problems)
		case cv.IsNull() || !cv.IsKnown() || pv.IsNull() || !pv.IsKnown():
		case cv.LengthInt() != pv.LengthInt():
			*problems = append(*problems, fmt.Sprintf("%s has %d blocks in configuration but %d in the plan", formatPath(bp), cv.LengthInt(), pv.LengthInt()))
		default:
			for i := 0; i < cv.LengthInt(); i++ {
				idx := cty.NumberIntVal(int64(i))
				checkConfigKept(b.Schema, cv.Index(idx), pv.Index(idx), bp.Index(idx), problems)
			}
		}
	}
}

// bothNull reports whether a and b are both known nulls: their types may
// differ (a null typed by a variable against an untyped null) without the
// value changing.
func bothNull(a, b cty.Value) bool {
	return a.IsKnown() && b.IsKnown() && a.IsNull() && b.IsNull()
}

// checkConsistent reports where actual differs from a known part of
// planned: what Apply returns must match every value Plan promised. Nulls
// match nulls of any type.
func checkConsistent(planned, actual cty.Value, path cty.Path, problems *[]string) {
	if !planned.IsKnown() {
		return
	}
	bad := func() {
		*problems = append(*problems, fmt.Sprintf("%s was planned as %s but is %s", formatPath(path), show(planned), show(actual)))
	}
	if planned.IsNull() || actual.IsNull() || !actual.IsKnown() {
		if !(planned.IsNull() && actual.IsNull()) {
			bad()
		}
		return
	}
	pt, at := planned.Type(), actual.Type()
	switch {
	case pt.IsObjectType() && at.IsObjectType():
		for name := range pt.AttributeTypes() {
			if !at.HasAttribute(name) {
				*problems = append(*problems, fmt.Sprintf("%s is missing", formatPath(path.GetAttr(name))))
				continue
			}
			checkConsistent(planned.GetAttr(name), actual.GetAttr(name), path.GetAttr(name), problems)
		}
	case (pt.IsListType() && at.IsListType()) || (pt.IsTupleType() && at.IsTupleType()):
		if planned.LengthInt() != actual.LengthInt() {
			bad()
			return
		}
		for i := 0; i < planned.LengthInt(); i++ {
			idx := cty.NumberIntVal(int64(i))
			checkConsistent(planned.Index(idx), actual.Index(idx), path.Index(idx), problems)
		}
	case pt.IsMapType() && at.IsMapType():
		if planned.LengthInt() != actual.LengthInt() {
			bad()
			return
		}
		for it := planned.ElementIterator(); it.Next(); {
			k, pv := it.Element()
			if !actual.HasIndex(k).True() {
				bad()
				return
			}
			checkConsistent(pv, actual.Index(k), path.Index(k), problems)
		}
	case pt.IsSetType() && !planned.IsWhollyKnown():
		// Elements with unknowns cannot be paired; the type check and the
		// later re-plan cover the rest.
	default:
		if !planned.RawEquals(actual) {
			bad()
		}
	}
}

// withoutAttrs returns the object v without the named attributes.
func withoutAttrs(v cty.Value, names []string) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	m := v.AsValueMap()
	for _, n := range names {
		delete(m, n)
	}
	return cty.ObjectVal(m)
}

// diagText renders diagnostics for a failure message: "summary: detail",
// prefixed with the source range when there is one.
func diagText(diags hcl.Diagnostics) string {
	parts := make([]string, 0, len(diags))
	for _, d := range diags {
		var b strings.Builder
		if d.Severity == hcl.DiagWarning {
			b.WriteString("warning: ")
		}
		if d.Subject != nil {
			b.WriteString(d.Subject.String() + ": ")
		}
		b.WriteString(d.Summary)
		if d.Detail != "" {
			b.WriteString(": " + d.Detail)
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "; ")
}
