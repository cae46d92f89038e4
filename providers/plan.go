package providers

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DefaultPlan proposes a new state the way most resource types want it:
// configured attributes take their configured value; computed attributes
// left null in configuration keep their prior value, or become unknown on
// create and on replace; attributes marked ForceNew that change are named
// in RequiresReplace.
func DefaultPlan(s Schema, req PlanRequest) PlanResponse {
	if req.Config.IsNull() {
		return PlanResponse{Planned: cty.NullVal(s.ImpliedType())}
	}
	var replace []string
	if !req.Prior.IsNull() {
		for name, a := range s.Attributes {
			if !a.ForceNew {
				continue
			}
			cv := req.Config.GetAttr(name)
			if a.Computed && cv.IsNull() {
				continue
			}
			pv := req.Prior.GetAttr(name)
			if !cv.IsKnown() || !cv.RawEquals(pv) && !cv.Equals(pv).True() {
				replace = append(replace, name)
			}
		}
		sort.Strings(replace)
	}
	creating := req.Prior.IsNull() || len(replace) > 0
	vals := make(map[string]cty.Value, len(s.Attributes)+len(s.Blocks))
	for name, a := range s.Attributes {
		cv := req.Config.GetAttr(name)
		switch {
		case !a.Computed || !cv.IsNull():
			vals[name] = cv
		case creating:
			vals[name] = cty.UnknownVal(a.Type)
		default:
			vals[name] = req.Prior.GetAttr(name)
		}
	}
	for name := range s.Blocks {
		vals[name] = req.Config.GetAttr(name)
	}
	return PlanResponse{Planned: cty.ObjectVal(vals), RequiresReplace: replace}
}

// Errorf returns diagnostics holding one error with the given summary and
// a detail built from format and args.
func Errorf(summary, format string, args ...any) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...)}}
}

// Warnf returns diagnostics holding one warning.
func Warnf(summary, format string, args ...any) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(format, args...)}}
}

// AttributePath names, in a diagnostic's Extra, the top-level attribute a
// diagnostic is about, so the engine can point at where it is written.
type AttributePath string

// AttributeErrorf returns diagnostics holding one error about the named
// top-level attribute of the configuration.
func AttributeErrorf(attr, summary, format string, args ...any) hcl.Diagnostics {
	d := Errorf(summary, format, args...)
	d[0].Extra = AttributePath(attr)
	return d
}

// MassChange, as the Extra of an error diagnostic from Plan, says the plan
// would delete or change more of an object than is safe to do unreviewed
// (octoDNS's rule: over 30% of a zone's records). The engine lets it
// through as a warning when the run allows mass changes
// (-allow-mass-change); a resource attribute may allow it too, which the
// provider checks itself.
type MassChange struct {
	Changed, Total int
}

// MassChangeError returns the diagnostic a provider gives for a mass change.
func MassChangeError(what string, changed, total int) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Mass change refused",
		Detail: fmt.Sprintf("The plan would change or delete %d of the %d records of %s (over 30%%). If that is what you mean, review it and run again with -allow-mass-change, or set allow_mass_change = true on the resource.",
			changed, total, what),
		Extra: MassChange{Changed: changed, Total: total},
	}}
}

// Strings returns the elements of a known list or set of strings, skipping
// null elements; nil for a null value. Providers decode string lists with
// it.
func Strings(v cty.Value) []string {
	if v.IsNull() {
		return nil
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsNull() {
			out = append(out, e.AsString())
		}
	}
	return out
}

// StringList makes a list of strings; an empty one is typed.
func StringList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}
