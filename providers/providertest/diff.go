package providertest

import (
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// unknown stands for an unknown value in a rendered diff.
type unknown struct{ Type string }

func (u unknown) String() string { return "(known after apply: " + u.Type + ")" }

// null stands for a null value in a rendered diff; the type is kept so two
// nulls of different types show as different.
type null struct{ Type string }

func (n null) String() string { return "null (" + n.Type + ")" }

// number keeps numbers apart from strings in a rendered diff.
type number string

// marked stands for a value that carries cty marks (such as sensitive).
type marked struct {
	Marks string
	Value any
}

// toGo turns a cty value into plain Go values that go-cmp can diff and
// fmt can print: objects and maps become map[string]any, sequences []any.
func toGo(v cty.Value) any {
	if v == cty.NilVal {
		return "(cty.NilVal)"
	}
	if v.IsMarked() {
		uv, marks := v.Unmark()
		names := make([]string, 0, len(marks))
		for m := range marks {
			names = append(names, fmt.Sprint(m))
		}
		return marked{Marks: strings.Join(names, ","), Value: toGo(uv)}
	}
	ty := v.Type()
	switch {
	case !v.IsKnown():
		return unknown{Type: ty.FriendlyName()}
	case v.IsNull():
		return null{Type: ty.FriendlyName()}
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		return number(v.AsBigFloat().Text('g', -1))
	case ty == cty.Bool:
		return v.True()
	case ty.IsObjectType() || ty.IsMapType():
		m := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			m[k.AsString()] = toGo(ev)
		}
		return m
	case ty.IsListType() || ty.IsTupleType() || ty.IsSetType():
		s := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			s = append(s, toGo(ev))
		}
		return s
	}
	return v.GoString()
}

// show renders one value on one line for messages.
func show(v cty.Value) string {
	g := toGo(v)
	if s, ok := g.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", g)
}

// diff renders the difference between two values in go-cmp's format. When
// the values differ only in type (a list against a tuple of the same
// elements), it says so and names both types.
func diff(want, got cty.Value) string {
	d := cmp.Diff(toGo(want), toGo(got))
	if d != "" {
		return d
	}
	wt, gt := "cty.NilVal", "cty.NilVal"
	if want != cty.NilVal {
		wt = want.Type().GoString()
	}
	if got != cty.NilVal {
		gt = got.Type().GoString()
	}
	return fmt.Sprintf("the values print the same but differ in type (or marks):\n  - %s\n  + %s\n", wt, gt)
}
