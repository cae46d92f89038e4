package providers

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// DurationForms is how every duration attribute is written, as the error
// for one that is not says.
const DurationForms = `whole numbers each followed by a unit: ms, s, m, h, d (days) or w (weeks), such as "30s", "15m", "24h", "7d", "2w" or "1d12h"`

// durationUnits are the units of ParseDuration, longest first where one
// is a prefix of another ("ms" before "m").
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

// ParseDuration reads a duration the way every plumb attribute takes one:
// one or more whole numbers, each followed by a unit (ms, s, m, h, d for
// 24 hours, w for 7 days), largest first or not, such as "30s", "15m",
// "24h", "7d", "2w" or "1d12h". Zero ("0s") is a duration; whether an
// attribute allows it is the attribute's business. Every mistake gives
// the same error, naming the text and the forms above.
func ParseDuration(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("%q is not a duration: write %s", s, DurationForms)
	}
	if s == "" {
		return bad()
	}
	var total time.Duration
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return bad()
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return bad()
		}
		rest = rest[i:]
		var unit time.Duration
		for _, u := range durationUnits {
			if len(rest) >= len(u.name) && rest[:len(u.name)] == u.name {
				unit, rest = u.d, rest[len(u.name):]
				break
			}
		}
		if unit == 0 || n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return bad()
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

// DurationAttr reads the duration attribute attr of obj (a configuration
// value), returning 0 and no diagnostics when it is null or unknown, and
// the one "Invalid duration" error, about the attribute, when it is not a
// duration. path is where the attribute is, for the diagnostic: attr
// itself at the top level, or a nested path such as "copy[0].retain".
func DurationAttr(obj cty.Value, attr, path string) (time.Duration, hcl.Diagnostics) {
	if obj.IsNull() || !obj.IsKnown() {
		return 0, nil
	}
	v := obj.GetAttr(attr)
	if v.IsNull() || !v.IsKnown() {
		return 0, nil
	}
	d, err := ParseDuration(v.AsString())
	if err != nil {
		return 0, AttributeErrorf(path, "Invalid duration", "%s = %v.", attr, err)
	}
	return d, nil
}
