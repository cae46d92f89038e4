package lang

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SensitiveMark is the mark a sensitive value carries while expressions
// are evaluated: a value from a sensitive variable, or one given to
// sensitive(). Everything computed from it carries the mark too.
const SensitiveMark = "sensitive"

// anyParam is a parameter that takes every value as it is: unknown, null,
// marked, of any type.
func anyParam(name string) function.Parameter {
	return function.Parameter{Name: name, Type: cty.DynamicPseudoType, AllowUnknown: true, AllowNull: true, AllowMarked: true, AllowDynamicType: true}
}

// sameType is the return type of a function that only changes marks.
func sameType(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil }

// sensitiveFunc is sensitive(value): the value marked sensitive, so it
// prints as (sensitive) in every plan and is recorded as sensitive in state.
var sensitiveFunc = function.New(&function.Spec{
	Description: "Returns the value marked as sensitive, as if it came from a sensitive variable.",
	Params:      []function.Parameter{anyParam("value")},
	Type:        sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return args[0].Mark(SensitiveMark), nil
	},
})

// nonsensitiveFunc is nonsensitive(value): the value with every sensitive
// mark removed, at any depth. A value that was not sensitive comes back
// as it is, as in Terraform 1.6 and later.
var nonsensitiveFunc = function.New(&function.Spec{
	Description: "Returns the value without its sensitive marking, so it is shown in plans. Use it only on a value derived so that it holds no secret.",
	Params:      []function.Parameter{anyParam("value")},
	Type:        sameType,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.ContainsMarked() {
			return v, nil
		}
		clean, pvm := v.UnmarkDeepWithPaths()
		var keep []cty.PathValueMarks
		for _, pm := range pvm {
			if _, ok := pm.Marks[SensitiveMark]; !ok {
				keep = append(keep, pm)
				continue
			}
			if len(pm.Marks) > 1 {
				other := cty.NewValueMarks()
				for m := range pm.Marks {
					if m != SensitiveMark {
						other[m] = struct{}{}
					}
				}
				keep = append(keep, cty.PathValueMarks{Path: pm.Path, Marks: other})
			}
		}
		return clean.MarkWithPaths(keep), nil
	},
})

// isSensitiveFunc is issensitive(value): whether the value is marked
// sensitive. An unknown value's answer is known: marks do not wait for
// apply.
var isSensitiveFunc = function.New(&function.Spec{
	Description:  "Reports whether the value is marked as sensitive.",
	Params:       []function.Parameter{anyParam("value")},
	Type:         function.StaticReturnType(cty.Bool),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(args[0].HasMark(SensitiveMark)), nil
	},
})
