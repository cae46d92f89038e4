package ctyconv

import (
	"iter"
	"math/big"
	"reflect"
	"unsafe"

	"github.com/zclconf/go-cty/cty"
)

// Elements reads the elements of a list or tuple one by one, as cty's
// ElementIterator does but without allocating a number for each index:
// iterating a million elements spent half a second making their keys.
type Elements struct {
	ety  cty.Type   // a list's element type
	etys []cty.Type // a tuple's element types
	raw  []any
}

// ElementsOf returns the Elements of v, which must be a known, unmarked,
// non-null list or tuple; ok is false for anything else (or if cty's
// representation is not the one this package knows).
func ElementsOf(v cty.Value) (Elements, bool) {
	if !valueLayoutOK || v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return Elements{}, false
	}
	ty := v.Type()
	raw, ok := (*valueLayout)(unsafe.Pointer(&v)).v.([]any)
	switch {
	case !ok:
		return Elements{}, false
	case ty.IsListType():
		return Elements{ety: ty.ElementType(), raw: raw}, true
	case ty.IsTupleType():
		etys := ty.TupleElementTypes()
		if len(etys) != len(raw) {
			return Elements{}, false
		}
		return Elements{etys: etys, raw: raw}, true
	}
	return Elements{}, false
}

// Len is the number of elements.
func (e Elements) Len() int { return len(e.raw) }

// At returns element i, the value ElementIterator gives for it.
func (e Elements) At(i int) cty.Value {
	out := valueLayout{ty: e.ety, v: e.raw[i]}
	if e.etys != nil {
		out.ty = e.etys[i]
	}
	return *(*cty.Value)(unsafe.Pointer(&out))
}

// All yields the index and value of each element of v, a known, unmarked,
// non-null collection or tuple, in ElementIterator's order. Lists and
// tuples are read by index (ElementsOf), without the number cty's
// iterator makes for each key; anything else goes through ElementIterator.
func All(v cty.Value) iter.Seq2[int, cty.Value] {
	return func(yield func(int, cty.Value) bool) {
		if elems, ok := ElementsOf(v); ok {
			for i := range elems.Len() {
				if !yield(i, elems.At(i)) {
					return
				}
			}
			return
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if _, e := it.Element(); !yield(i, e) {
				return
			}
		}
	}
}

// ListVal is cty.ListVal, in less time when the elements' types are one
// type in memory (as the elements converted by Convert, or made by one
// decoder, are): cty compares every element's type with the first's, which
// for object types means comparing maps of attribute types.
func ListVal(vals []cty.Value) cty.Value {
	if !valueLayoutOK || !typeLayoutOK || len(vals) == 0 {
		return cty.ListVal(vals)
	}
	first := vals[0].Type()
	for _, v := range vals[1:] {
		if !SameType(v.Type(), first) {
			return cty.ListVal(vals)
		}
	}
	if first == cty.DynamicPseudoType {
		return cty.ListVal(vals)
	}
	raw := make([]any, len(vals))
	for i := range vals {
		raw[i] = (*valueLayout)(unsafe.Pointer(&vals[i])).v
	}
	ty := listOfString
	if first != cty.String {
		ty = cty.List(first)
	}
	out := valueLayout{ty: ty, v: raw}
	return *(*cty.Value)(unsafe.Pointer(&out))
}

// listOfString is the type of lists of strings, made once: a zone's
// million lists of values need not each make it.
var listOfString = cty.List(cty.String)

// SameType is a.Equals(b), answered in constant time when a and b are
// copies of one type value.
func SameType(a, b cty.Type) bool {
	if typeLayoutOK {
		ia, ib := (*[2]unsafe.Pointer)(unsafe.Pointer(&a)), (*[2]unsafe.Pointer)(unsafe.Pointer(&b))
		if ia[0] == ib[0] && ia[1] == ib[1] && ia[1] != nil {
			return true
		}
	}
	return a.Equals(b)
}

// typeLayoutOK reports whether cty.Type is one interface value, which
// SameType compares word by word.
var typeLayoutOK = func() bool {
	t := reflect.TypeFor[cty.Type]()
	return t.NumField() == 1 && t.Field(0).Type.Kind() == reflect.Interface &&
		t.Size() == unsafe.Sizeof([2]unsafe.Pointer{})
}()

// Attr returns attribute name of v, a known, unmarked, non-null object,
// as v.GetAttr(name) does for a name in normal form (NFC, as HCL's
// parser and cty.NormalizeString leave it); ok is false if v has no such
// attribute or is not such an object. cty's GetAttr normalises the name
// and looks it up three times, which for a million records mattered.
func Attr(v cty.Value, name string) (cty.Value, bool) {
	if !valueLayoutOK || v.IsMarked() || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return cty.NilVal, false
	}
	aty, ok := v.Type().AttributeTypes()[name]
	if !ok {
		return cty.NilVal, false
	}
	raw, ok := (*valueLayout)(unsafe.Pointer(&v)).v.(map[string]any)
	if !ok {
		return cty.NilVal, false
	}
	out := valueLayout{ty: aty, v: raw[name]}
	return *(*cty.Value)(unsafe.Pointer(&out)), true
}

// GetAttr is v.GetAttr(name), by Attr where it can: for a name in normal
// form, without cty's cost of normalising it for each of a million records.
func GetAttr(v cty.Value, name string) cty.Value {
	if a, ok := Attr(v, name); ok {
		return a
	}
	return v.GetAttr(name)
}

// AttrBytes is Attr for a name given as bytes (read from JSON), without
// making a string of them.
func AttrBytes(v cty.Value, name []byte) (cty.Value, bool) {
	if !valueLayoutOK || v.IsMarked() || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return cty.NilVal, false
	}
	aty, ok := v.Type().AttributeTypes()[string(name)]
	if !ok {
		return cty.NilVal, false
	}
	raw, ok := (*valueLayout)(unsafe.Pointer(&v)).v.(map[string]any)
	if !ok {
		return cty.NilVal, false
	}
	out := valueLayout{ty: aty, v: raw[string(name)]}
	return *(*cty.Value)(unsafe.Pointer(&out)), true
}

// BoolOf returns the bool v holds, for a known, unmarked, non-null
// bool; ok is false for anything else. (cty's True compares v with
// cty.True in full.)
func BoolOf(v cty.Value) (b, ok bool) {
	if !valueLayoutOK || v.Type() != cty.Bool || v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return false, false
	}
	b, ok = (*valueLayout)(unsafe.Pointer(&v)).v.(bool)
	return b, ok
}

// Int64Of returns the integer v holds, for a known, unmarked, non-null
// number that is a whole number in int64's range (and not negative
// zero); ok is false for anything else. It reads the number in place:
// cty's AsBigFloat copies it, which for a million TTLs was most of the
// cost of writing them.
func Int64Of(v cty.Value) (i int64, ok bool) {
	if !valueLayoutOK || v.Type() != cty.Number || v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return 0, false
	}
	f, ok := (*valueLayout)(unsafe.Pointer(&v)).v.(*big.Float)
	if !ok || f == nil || !f.IsInt() {
		return 0, false
	}
	i, acc := f.Int64()
	if acc != big.Exact || i == 0 && f.Signbit() {
		return 0, false
	}
	return i, true
}
