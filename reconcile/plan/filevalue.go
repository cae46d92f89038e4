package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// fileValue is a cty value as the saved-plan file stores it. ctyjson cannot
// write unknown values, and would reorder a set once its unknowns became
// nulls, so the value is written by ctyjson.Marshal with every set turned
// into a list (in the set's own order) and every unknown turned into null,
// and Unknown lists the paths of the unknowns. Type indexes the file's
// table of types (each written once by ctyjson.MarshalType): the value's
// real type, so decoding restores the sets and the unknowns exactly.
type fileValue struct {
	Type    int         `json:"type"`
	Value   any         `json:"value"`
	Unknown []valuePath `json:"unknown,omitempty"`
}

// valuePath locates a part of a value: strings are attribute names or map
// keys, numbers are list, set or tuple positions. An empty path is the
// whole value.
type valuePath []any

// valueEncoder converts values for the file and keeps its type table.
type valueEncoder struct {
	types []cty.Type
	table []json.RawMessage
	index map[string]int
}

// typeIndex returns ty's position in the type table, adding it if new.
func (e *valueEncoder) typeIndex(ty cty.Type) (int, error) {
	if len(e.types) <= 16 {
		for i := len(e.types) - 1; i >= 0; i-- {
			if e.types[i].Equals(ty) {
				return i, nil
			}
		}
	}
	tj, err := ctyjson.MarshalType(ty)
	if err != nil {
		return 0, err
	}
	if i, ok := e.index[string(tj)]; ok {
		return i, nil
	}
	if e.index == nil {
		e.index = map[string]int{}
	}
	e.index[string(tj)] = len(e.table)
	e.types = append(e.types, ty)
	e.table = append(e.table, tj)
	return len(e.table) - 1, nil
}

// encode converts v for the file.
func (e *valueEncoder) encode(v cty.Value) (*fileValue, error) {
	v = norm(v)
	ty := v.Type()
	ti, err := e.typeIndex(ty)
	if err != nil {
		return nil, err
	}
	fv := &fileValue{Type: ti}
	if !hasSet(ty) {
		// The common case: wholly known, without marks.
		if raw, err := ctyjson.Marshal(v, ty); err == nil {
			fv.Value = json.RawMessage(raw)
			return fv, nil
		}
	}
	raw, err := ctyjson.Marshal(fv.flatten(v, nil), listify(ty))
	if err != nil {
		return nil, err
	}
	fv.Value = json.RawMessage(raw)
	return fv, nil
}

// flatten returns v with sets turned into lists, unknowns into nulls and
// marks dropped, recording the path of each unknown.
func (fv *fileValue) flatten(v cty.Value, path valuePath) cty.Value {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	ty := v.Type()
	switch {
	case !v.IsKnown():
		fv.Unknown = append(fv.Unknown, slices.Clone(path))
		return cty.NullVal(listify(ty))
	case v.IsNull():
		return cty.NullVal(listify(ty))
	case ty.IsObjectType():
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			attrs[k.AsString()] = fv.flatten(e, append(path, k.AsString()))
		}
		return cty.ObjectVal(attrs)
	case ty.IsMapType():
		if v.LengthInt() == 0 {
			return cty.MapValEmpty(listify(ty.ElementType()))
		}
		elems := make(map[string]cty.Value, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			elems[k.AsString()] = fv.flatten(e, append(path, k.AsString()))
		}
		return cty.MapVal(elems)
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		elems := make([]cty.Value, 0, v.LengthInt())
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			elems = append(elems, fv.flatten(e, append(path, i)))
		}
		switch {
		case ty.IsTupleType():
			return cty.TupleVal(elems)
		case len(elems) == 0:
			return cty.ListValEmpty(listify(ty.ElementType()))
		}
		return cty.ListVal(elems)
	}
	return v
}

// valueDecoder reverses valueEncoder, given the file's type table.
type valueDecoder struct {
	table []json.RawMessage
	types []cty.Type
}

func (d *valueDecoder) typeAt(i int) (cty.Type, error) {
	if i < 0 || i >= len(d.table) {
		return cty.NilType, fmt.Errorf("type %d is not in the type table", i)
	}
	if d.types == nil {
		d.types = make([]cty.Type, len(d.table))
	}
	if d.types[i] == cty.NilType {
		ty, err := ctyjson.UnmarshalType(d.table[i])
		if err != nil {
			return cty.NilType, fmt.Errorf("bad type %d: %w", i, err)
		}
		d.types[i] = ty
	}
	return d.types[i], nil
}

// decode rebuilds a value from the file. The JSON was parsed with numbers
// kept as json.Number, so no precision is lost.
func (d *valueDecoder) decode(fv *fileValue) (cty.Value, error) {
	if fv == nil {
		return cty.NullVal(cty.DynamicPseudoType), nil
	}
	ty, err := d.typeAt(fv.Type)
	if err != nil {
		return cty.NilVal, err
	}
	var root *pathNode
	if len(fv.Unknown) > 0 {
		root = &pathNode{}
		for _, p := range fv.Unknown {
			if err := root.add(p); err != nil {
				return cty.NilVal, err
			}
		}
	}
	return fromJSON(fv.Value, ty, root)
}

// valueError says where in a value decoding failed.
type valueError struct {
	path string
	msg  string
}

func (e *valueError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return "at " + e.path + ": " + e.msg
}

// inside prefixes the path of a valueError with the step leading to it.
func inside(err error, step string) error {
	if ve, ok := err.(*valueError); ok {
		ve.path = step + ve.path
	}
	return err
}

// pathNode is a trie of unknown paths.
type pathNode struct {
	here     bool
	children map[any]*pathNode
}

func (n *pathNode) add(p valuePath) error {
	for _, step := range p {
		var key any
		switch s := step.(type) {
		case string:
			key = s
		case json.Number:
			i, err := s.Int64()
			if err != nil {
				return fmt.Errorf("bad unknown-value path step %q", s)
			}
			key = int(i)
		case int:
			key = s
		default:
			return fmt.Errorf("bad unknown-value path step %v", step)
		}
		if n.children == nil {
			n.children = map[any]*pathNode{}
		}
		next := n.children[key]
		if next == nil {
			next = &pathNode{}
			n.children[key] = next
		}
		n = next
	}
	n.here = true
	return nil
}

func (n *pathNode) child(key any) *pathNode {
	if n == nil {
		return nil
	}
	return n.children[key]
}

// fromJSON converts x, as encoding/json parsed it from ctyjson's output,
// to a value of type ty, putting back the sets and the unknowns that the
// trie n marks.
func fromJSON(x any, ty cty.Type, n *pathNode) (cty.Value, error) {
	if n != nil && n.here {
		return cty.UnknownVal(ty), nil
	}
	if x == nil {
		return cty.NullVal(ty), nil
	}
	bad := func() (cty.Value, error) {
		return cty.NilVal, &valueError{msg: fmt.Sprintf("a %s value cannot be JSON %T", ty.FriendlyName(), x)}
	}
	switch {
	case ty == cty.String:
		if s, ok := x.(string); ok {
			return cty.StringVal(s), nil
		}
	case ty == cty.Number:
		if num, ok := x.(json.Number); ok {
			v, err := cty.ParseNumberVal(string(num))
			if err != nil {
				return cty.NilVal, &valueError{msg: err.Error()}
			}
			return v, nil
		}
	case ty == cty.Bool:
		if b, ok := x.(bool); ok {
			return cty.BoolVal(b), nil
		}
	case ty == cty.DynamicPseudoType:
		// ctyjson wraps a value of unknown type with its type.
		raw, err := json.Marshal(x)
		if err == nil {
			var v cty.Value
			if v, err = ctyjson.Unmarshal(raw, ty); err == nil {
				return v, nil
			}
		}
		return cty.NilVal, &valueError{msg: err.Error()}
	case ty.IsObjectType():
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name, at := range ty.AttributeTypes() {
			v, err := fromJSON(m[name], at, n.child(name))
			if err != nil {
				return cty.NilVal, inside(err, "."+name)
			}
			attrs[name] = v
		}
		return cty.ObjectVal(attrs), nil
	case ty.IsMapType():
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		et := ty.ElementType()
		if len(m) == 0 {
			return cty.MapValEmpty(et), nil
		}
		elems := make(map[string]cty.Value, len(m))
		for k, e := range m {
			v, err := fromJSON(e, et, n.child(k))
			if err != nil {
				return cty.NilVal, inside(err, "["+quote(k)+"]")
			}
			elems[k] = v
		}
		return cty.MapVal(elems), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		arr, ok := x.([]any)
		if !ok {
			return bad()
		}
		var ets []cty.Type
		if ty.IsTupleType() {
			ets = ty.TupleElementTypes()
			if len(ets) != len(arr) {
				return cty.NilVal, &valueError{msg: fmt.Sprintf("a tuple of %d elements cannot hold %d", len(ets), len(arr))}
			}
		}
		elems := make([]cty.Value, len(arr))
		for i, e := range arr {
			var et cty.Type
			if ets != nil {
				et = ets[i]
			} else {
				et = ty.ElementType()
			}
			v, err := fromJSON(e, et, n.child(i))
			if err != nil {
				return cty.NilVal, inside(err, "["+strconv.Itoa(i)+"]")
			}
			elems[i] = v
		}
		switch {
		case ty.IsTupleType():
			return cty.TupleVal(elems), nil
		case ty.IsListType() && len(elems) == 0:
			return cty.ListValEmpty(ty.ElementType()), nil
		case ty.IsListType():
			return cty.ListVal(elems), nil
		case len(elems) == 0:
			return cty.SetValEmpty(ty.ElementType()), nil
		}
		return cty.SetVal(elems), nil
	}
	return bad()
}

// hasSet reports whether ty is or contains a set type.
func hasSet(ty cty.Type) bool {
	switch {
	case ty.IsSetType():
		return true
	case ty.IsListType() || ty.IsMapType():
		return hasSet(ty.ElementType())
	case ty.IsObjectType():
		for _, at := range ty.AttributeTypes() {
			if hasSet(at) {
				return true
			}
		}
	case ty.IsTupleType():
		for _, et := range ty.TupleElementTypes() {
			if hasSet(et) {
				return true
			}
		}
	}
	return false
}

// listify returns ty with every set type turned into a list type.
func listify(ty cty.Type) cty.Type {
	if !hasSet(ty) {
		return ty
	}
	switch {
	case ty.IsSetType(), ty.IsListType():
		return cty.List(listify(ty.ElementType()))
	case ty.IsMapType():
		return cty.Map(listify(ty.ElementType()))
	case ty.IsObjectType():
		attrs := make(map[string]cty.Type, len(ty.AttributeTypes()))
		for name, at := range ty.AttributeTypes() {
			attrs[name] = listify(at)
		}
		return cty.Object(attrs)
	case ty.IsTupleType():
		ets := ty.TupleElementTypes()
		out := make([]cty.Type, len(ets))
		for i, et := range ets {
			out[i] = listify(et)
		}
		return cty.Tuple(out)
	}
	return ty
}
