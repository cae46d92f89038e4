package lang

import (
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// planTimestampFunc is plantimestamp(): the moment the plan was made, in
// RFC 3339 form, UTC. It is the same in every call of one run and, for a
// saved plan, in its apply; before there is a plan (validate) it is
// unknown.
func planTimestampFunc(planTime time.Time) function.Function {
	return function.New(&function.Spec{
		Description:  "Returns the time the plan was made, in RFC 3339 form (UTC).",
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
			if planTime.IsZero() {
				return cty.UnknownVal(cty.String).RefineNotNull(), nil
			}
			return cty.StringVal(planTime.UTC().Format(time.RFC3339)), nil
		},
	})
}

// timeCmpFunc is timecmp(a, b): -1, 0 or 1 as the RFC 3339 timestamp a is
// before, the same moment as, or after b. Offsets are taken into account,
// so "2024-01-01T01:00:00+01:00" equals "2024-01-01T00:00:00Z".
var timeCmpFunc = function.New(&function.Spec{
	Description: "Compares two RFC 3339 timestamps: -1 if the first is earlier, 0 if they are the same moment, 1 if it is later.",
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.Number),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		var ts [2]time.Time
		for i := range ts {
			t, err := time.Parse(time.RFC3339, args[i].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(i, "%q is not an RFC 3339 timestamp such as 2024-05-01T12:00:00Z", args[i].AsString())
			}
			ts[i] = t
		}
		return cty.NumberIntVal(int64(ts[0].Compare(ts[1]))), nil
	},
})
