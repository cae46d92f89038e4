// Package ctyconv converts cty values to a type in time linear in their
// size. go-cty's convert package turns a tuple into a list by unifying the
// types of all its elements, pairwise: a for-expression over a zone of
// 8,000 records took 2 s to convert and one of a million records never
// finished. When the target's element type is known (list(object(...)),
// as a schema gives it), each element is converted on its own instead, and
// cty's conversion is used for everything else.
package ctyconv

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Convert returns v converted to ty, as convert.Convert does, with the
// same result.
func Convert(v cty.Value, ty cty.Type) (cty.Value, error) {
	if v.IsMarked() {
		u, marks := v.Unmark()
		c, err := Convert(u, ty)
		if err != nil {
			return cty.NilVal, err
		}
		return c.WithMarks(marks), nil
	}
	in := v.Type()
	switch {
	case !v.IsKnown() || v.IsNull() || ty.HasDynamicTypes():
		return convert.Convert(v, ty)
	case ty.IsListType() || ty.IsSetType():
		if !in.IsTupleType() && !in.IsListType() && !in.IsSetType() {
			return convert.Convert(v, ty)
		}
		if in.Equals(ty) {
			return v, nil
		}
		ety := ty.ElementType()
		elems := make([]cty.Value, 0, v.LengthInt())
		var conv elemConverter
		for i, e := range All(v) {
			c, err := conv.convert(e, ety)
			if err != nil {
				return cty.NilVal, fmt.Errorf("element %d: %w", i, err)
			}
			elems = append(elems, c)
		}
		empty := ety.WithoutOptionalAttributesDeep()
		switch {
		case ty.IsListType() && len(elems) == 0:
			return cty.ListValEmpty(empty), nil
		case ty.IsListType():
			return ListVal(elems), nil
		case len(elems) == 0:
			return cty.SetValEmpty(empty), nil
		}
		return cty.SetVal(elems), nil
	case ty.IsMapType():
		if !in.IsObjectType() && !in.IsMapType() {
			return convert.Convert(v, ty)
		}
		if in.Equals(ty) {
			return v, nil
		}
		ety := ty.ElementType()
		elems := make(map[string]cty.Value, v.LengthInt())
		var conv elemConverter
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			c, err := conv.convert(e, ety)
			if err != nil {
				return cty.NilVal, fmt.Errorf("element %q: %w", k.AsString(), err)
			}
			elems[k.AsString()] = c
		}
		if len(elems) == 0 {
			return cty.MapValEmpty(ety.WithoutOptionalAttributesDeep()), nil
		}
		return cty.MapVal(elems), nil
	}
	return convert.Convert(v, ty)
}

// elemConverter converts the elements of one collection, reusing the
// conversion of the last element's type: the elements of a large list
// almost always share one type, and building a conversion costs far more
// than running it.
type elemConverter struct {
	in   cty.Type
	conv convert.Conversion
}

func (c *elemConverter) convert(e cty.Value, ety cty.Type) (cty.Value, error) {
	t := e.Type()
	if e.IsMarked() || !e.IsKnown() || e.IsNull() || t.IsCollectionType() || t.IsTupleType() || ety.IsCollectionType() {
		// Collections inside go through Convert, which is linear too.
		return Convert(e, ety)
	}
	if SameType(t, ety) {
		return e, nil
	}
	if c.conv == nil || !SameType(t, c.in) {
		c.in, c.conv = t, convert.GetConversionUnsafe(t, ety)
		if c.conv == nil {
			return Convert(e, ety) // for cty's error
		}
	}
	return c.conv(e)
}
