package lang

import (
	"errors"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// allTrueFunc is alltrue(list): true when every element is true, or the
// list is empty. A null element counts as false.
var allTrueFunc = function.New(&function.Spec{
	Description:  "Returns true if every element of the given list is true, or the list is empty.",
	Params:       []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
	Type:         function.StaticReturnType(cty.Bool),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		unknown := false
		for it := args[0].ElementIterator(); it.Next(); {
			_, v := it.Element()
			switch {
			case !v.IsKnown():
				unknown = true
			case v.IsNull() || v.False():
				return cty.False, nil
			}
		}
		if unknown {
			return cty.UnknownVal(cty.Bool), nil
		}
		return cty.True, nil
	},
})

// anyTrueFunc is anytrue(list): true when at least one element is true.
var anyTrueFunc = function.New(&function.Spec{
	Description:  "Returns true if at least one element of the given list is true.",
	Params:       []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
	Type:         function.StaticReturnType(cty.Bool),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		unknown := false
		for it := args[0].ElementIterator(); it.Next(); {
			_, v := it.Element()
			switch {
			case !v.IsKnown():
				unknown = true
			case !v.IsNull() && v.True():
				return cty.True, nil
			}
		}
		if unknown {
			return cty.UnknownVal(cty.Bool), nil
		}
		return cty.False, nil
	},
})

// coalesceFunc is coalesce(vals...) with Terraform's rule: the first
// argument that is neither null nor an empty string.
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is neither null nor an empty string.",
	VarParam: &function.Parameter{
		Name:             "vals",
		Type:             cty.DynamicPseudoType,
		AllowUnknown:     true,
		AllowDynamicType: true,
		AllowNull:        true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, v := range args {
			types[i] = v.Type()
		}
		ty, _ := convert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, errors.New("all arguments must be convertible to one type")
		}
		return ty, nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, v := range args {
			if !v.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if v.IsNull() {
				continue
			}
			c, err := convert.Convert(v, retType)
			if err != nil {
				return cty.NilVal, err
			}
			if !c.IsKnown() {
				return cty.UnknownVal(retType), nil
			}
			if c.Type() == cty.String && c.AsString() == "" {
				continue
			}
			return c, nil
		}
		return cty.NilVal, errors.New("every argument is null or an empty string; give at least one with a value")
	},
})

// indexFunc is index(list, value): the position of the first element equal
// to value.
var indexFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element of the list equal to the given value.",
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		{Name: "value", Type: cty.DynamicPseudoType},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if !ty.IsListType() && !ty.IsTupleType() {
			return cty.NilType, function.NewArgErrorf(0, "index needs a list or tuple, not %s", ty.FriendlyName())
		}
		return cty.Number, nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		for it := args[0].ElementIterator(); it.Next(); {
			i, v := it.Element()
			eq := v.Equals(args[1])
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return i, nil
			}
		}
		return cty.NilVal, function.NewArgErrorf(1, "the list has no element equal to the given value")
	},
})

// lengthFunc is length(x) for strings (in characters), collections and
// structural types.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of characters in a string, or of elements in a collection or structure.",
	Params: []function.Parameter{{
		Name:             "value",
		Type:             cty.DynamicPseudoType,
		AllowDynamicType: true,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty == cty.String, ty == cty.DynamicPseudoType,
			ty.IsCollectionType(), ty.IsTupleType(), ty.IsObjectType():
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "length needs a string, list, set, map, tuple or object, not %s", ty.FriendlyName())
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		ty := v.Type()
		switch {
		case ty == cty.String:
			return stdlib.Strlen(v)
		case ty.IsTupleType():
			return cty.NumberIntVal(int64(len(ty.TupleElementTypes()))), nil
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))), nil
		}
		// A set with unknown elements has an unknown length, since some
		// may turn out equal; Length reports that.
		return v.Length(), nil
	},
})

// oneFunc is one(list): the only element of a list, set or tuple, or null
// when it is empty.
var oneFunc = function.New(&function.Spec{
	Description: "Returns the only element of a list, set or tuple, null if it is empty, or an error if it has more than one.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			switch etys := ty.TupleElementTypes(); len(etys) {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return etys[0], nil
			default:
				return cty.NilType, function.NewArgErrorf(0, "one needs at most one element, but this tuple has %d", len(etys))
			}
		}
		return cty.NilType, function.NewArgErrorf(0, "one needs a list, set or tuple, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if v.Type().IsSetType() && !v.IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		if n := v.LengthInt(); n > 1 {
			return cty.NilVal, function.NewArgErrorf(0, "one needs at most one element, but this one has %d", n)
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			return e, nil
		}
		return cty.NullVal(retType), nil
	},
})

// sumFunc is sum(list): the total of a list, set or tuple of numbers.
var sumFunc = function.New(&function.Spec{
	Description:  "Returns the total of the numbers in the given list, set or tuple.",
	Params:       []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:         sumType,
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if v.LengthInt() == 0 {
			return cty.NilVal, function.NewArgErrorf(0, "cannot sum an empty list")
		}
		total := cty.Zero
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !e.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if e.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "cannot sum a list with null elements")
			}
			n, err := convert.Convert(e, cty.Number)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(0, "every element must be a number: %w", err)
			}
			total = total.Add(n)
		}
		return total, nil
	},
})

// sumType checks that sum's argument is a sequence whose elements can be
// numbers.
func sumType(args []cty.Value) (cty.Type, error) {
	ty := args[0].Type()
	var etys []cty.Type
	switch {
	case ty.IsListType() || ty.IsSetType():
		etys = []cty.Type{ty.ElementType()}
	case ty.IsTupleType():
		etys = ty.TupleElementTypes()
	default:
		return cty.NilType, function.NewArgErrorf(0, "sum needs a list, set or tuple of numbers, not %s", ty.FriendlyName())
	}
	for _, ety := range etys {
		if !ety.Equals(cty.Number) && convert.GetConversionUnsafe(ety, cty.Number) == nil {
			return cty.NilType, function.NewArgErrorf(0, "sum needs numbers, but an element is %s", ety.FriendlyName())
		}
	}
	return cty.Number, nil
}

// lookupFunc is lookup(map, key[, default]) with Terraform's rules: without
// a default a missing key is an error, and the default may be null.
var lookupFunc = function.New(&function.Spec{
	Description: "Returns the element of the map with the given key, or the default (which may be null) when there is none.",
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true},
		{Name: "key", Type: cty.String, AllowMarked: true},
	},
	VarParam: &function.Parameter{
		Name: "default", Type: cty.DynamicPseudoType,
		AllowUnknown: true, AllowDynamicType: true, AllowNull: true, AllowMarked: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, errors.New("lookup takes a map, a key and at most one default")
		}
		ty := args[0].Type()
		switch {
		case ty.IsObjectType():
			if !args[1].IsKnown() {
				return cty.DynamicPseudoType, nil
			}
			key, _ := args[1].Unmark()
			if ty.HasAttribute(key.AsString()) {
				return ty.AttributeType(key.AsString()), nil
			}
			if len(args) == 3 {
				return args[2].Type(), nil
			}
			return cty.NilType, function.NewArgErrorf(1, "the object has no attribute %q, and no default was given", key.AsString())
		case ty.IsMapType():
			if len(args) == 3 {
				if _, err := convert.Convert(args[2], ty.ElementType()); err != nil {
					return cty.NilType, function.NewArgErrorf(2, "the default must have the type of the map's elements, %s", ty.ElementType().FriendlyName())
				}
			}
			return ty.ElementType(), nil
		}
		return cty.NilType, function.NewArgErrorf(0, "lookup needs a map or an object, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		m, mapMarks := args[0].Unmark()
		key, keyMarks := args[1].Unmark()
		marks := []cty.ValueMarks{mapMarks, keyMarks}
		if !key.IsKnown() || (m.Type().IsMapType() && !m.IsWhollyKnown()) {
			return cty.UnknownVal(retType).WithMarks(marks...), nil
		}
		k := cty.StringVal(key.AsString())
		if m.Type().IsObjectType() {
			if m.Type().HasAttribute(key.AsString()) {
				return m.GetAttr(key.AsString()).WithMarks(marks...), nil
			}
		} else if m.HasIndex(k).True() {
			return m.Index(k).WithMarks(marks...), nil
		}
		if len(args) < 3 {
			return cty.NilVal, function.NewArgErrorf(1, "the map has no key %q; give lookup a default as its third argument", key.AsString())
		}
		def, err := convert.Convert(args[2], retType)
		if err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		return def.WithMarks(marks...), nil
	},
})

// matchKeysFunc is matchkeys(values, keys, searchset): the elements of
// values whose element at the same position in keys is in searchset, in
// their order.
var matchKeysFunc = function.New(&function.Spec{
	Description: "Returns the elements of values whose corresponding element of keys is in searchset.",
	Params: []function.Parameter{
		{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "searchset", Type: cty.List(cty.DynamicPseudoType)},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if ty, _ := convert.UnifyUnsafe([]cty.Type{args[1].Type(), args[2].Type()}); ty == cty.NilType {
			return cty.NilType, function.NewArgErrorf(2, "searchset is %s but keys is %s; they must be of one type", args[2].Type().FriendlyName(), args[1].Type().FriendlyName())
		}
		return args[0].Type(), nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		values, keys, search := args[0], args[1], args[2]
		if !values.IsKnown() || !keys.IsKnown() {
			return cty.UnknownVal(retType), nil
		}
		if values.LengthInt() != keys.LengthInt() {
			return cty.NilVal, function.NewArgErrorf(1, "keys has %d elements but values has %d; they must be of one length", keys.LengthInt(), values.LengthInt())
		}
		if values.LengthInt() == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		var out []cty.Value
		i := 0
		for it := keys.ElementIterator(); it.Next(); i++ {
			_, k := it.Element()
			for sit := search.ElementIterator(); sit.Next(); {
				_, s := sit.Element()
				eq := k.Equals(s)
				if !eq.IsKnown() {
					return cty.UnknownVal(retType), nil
				}
				if eq.True() {
					out = append(out, values.Index(cty.NumberIntVal(int64(i))))
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

// transposeFunc is transpose(map): a map of lists of strings turned inside
// out, each value becoming a key that lists the keys it appeared under,
// in key order.
var transposeFunc = function.New(&function.Spec{
	Description:  "Swaps the keys and values of a map of lists of strings.",
	Params:       []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:         function.StaticReturnType(cty.Map(cty.List(cty.String))),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		in := args[0]
		if !in.IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		out := map[string][]cty.Value{}
		for it := in.ElementIterator(); it.Next(); {
			k, list := it.Element()
			if list.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "the list under key %q is null", k.AsString())
			}
			for lit := list.ElementIterator(); lit.Next(); {
				_, v := lit.Element()
				if v.IsNull() {
					return cty.NilVal, function.NewArgErrorf(0, "the list under key %q holds a null", k.AsString())
				}
				out[v.AsString()] = append(out[v.AsString()], k)
			}
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		vals := make(map[string]cty.Value, len(out))
		for k, ks := range out {
			vals[k] = cty.ListVal(ks)
		}
		return cty.MapVal(vals), nil
	},
})
