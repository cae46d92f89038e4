package providers

import (
	"fmt"
	"sort"
	"strings"

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
// provider checks itself, returning the warning of MassChangeAllowed.
// Either way the plan records it, with the same numbers as the refusal.
type MassChange struct {
	// Changed of Total are what the rule counts.
	Changed, Total int
	// Of names what Total counts, after "of the 20": "records of zone
	// big.example".
	Of string
	// Verb says what the Changed ones do: "change or go".
	Verb string
	// AllowedBy, on a warning, says what let the mass change through:
	// "allow_mass_change = true", or "-allow-mass-change".
	AllowedBy string
}

// Text says what the mass change is, the same way wherever it is shown:
// "8 of the 20 records of zone big.example".
func (m MassChange) Text() string {
	return fmt.Sprintf("%s of the %s %s", Count(m.Changed), Count(m.Total), m.Of)
}

// Count formats n with commas between thousands, as plumb writes every
// count a reviewer reads: 4,974.
func Count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// JoinFirst joins lines one per line, at most shown of them, and counts
// the rest in a last line "… and N more", followed by hint when there is
// one (" (see withheld in the plan)"), so a message about thousands of
// items stays readable.
func JoinFirst(lines []string, shown int, hint string) string {
	if len(lines) <= shown {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:shown], "\n") + fmt.Sprintf("\n… and %d more", len(lines)-shown) + hint
}

// MassChangeError returns the diagnostic a provider gives for a mass
// change of a zone's records: what the records are of ("zone
// big.example"), how many change or go, of how many.
func MassChangeError(what string, changed, total int) hcl.Diagnostics {
	m := MassChange{Changed: changed, Total: total, Of: "records of " + what, Verb: "change or go"}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Mass change refused",
		Detail: fmt.Sprintf("The plan would change or delete %s (over 30%%). If that is what you mean, review it and run again with -allow-mass-change, or set allow_mass_change = true on the resource.",
			m.Text()),
		Extra: m,
	}}
}

// MassChangeAllowed returns the warning a provider gives for a mass
// change its resource's allow_mass_change lets through, so the plan
// records it as it records one -allow-mass-change lets through.
func MassChangeAllowed(what string, changed, total int) hcl.Diagnostics {
	m := MassChange{Changed: changed, Total: total, Of: "records of " + what, Verb: "change or go", AllowedBy: "allow_mass_change = true"}
	return hcl.Diagnostics{{
		Severity: hcl.DiagWarning,
		Summary:  "Mass change allowed by allow_mass_change",
		Detail:   fmt.Sprintf("The plan changes or deletes %s (over 30%%); allow_mass_change = true lets it through.", m.Text()),
		Extra:    m,
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

// StringMap returns the entries of a known map of strings, skipping null
// values; an empty map for a null or unknown value. Providers decode tag
// maps and the string maps they keep in state with it.
func StringMap(v cty.Value) map[string]string {
	if v.IsNull() || !v.IsKnown() {
		return map[string]string{}
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if !e.IsNull() {
			out[k.AsString()] = e.AsString()
		}
	}
	return out
}

// StringMapVal makes a map of strings; an empty one is typed, not null.
func StringMapVal(m map[string]string) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}
