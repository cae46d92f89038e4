package ctyconv

import (
	"reflect"
	"unsafe"

	"github.com/zclconf/go-cty/cty"
)

// Identical reports, in constant time, whether a and b are the same value
// in memory: the same type and the same underlying map or slice (an
// object, map, list, set or tuple value copied, not rebuilt). Then
// a.RawEquals(b) is true, and comparing them deeply would take time
// proportional to their size for nothing: a no-change plan of a zone of a
// million records compares values that are one and the same. It reports
// false when it cannot tell, so callers fall back to RawEquals.
//
// It looks into cty.Value's representation (the unexported field v), which
// TestIdentical checks, so an upgrade of cty that changes it makes the
// test fail rather than this function lie.
func Identical(a, b cty.Value) bool {
	if a.IsMarked() || b.IsMarked() || !a.IsKnown() || !b.IsKnown() || a.IsNull() || b.IsNull() {
		return false
	}
	ta, tb := a.Type(), b.Type()
	if !(ta.IsObjectType() || ta.IsCollectionType() || ta.IsTupleType()) {
		return false
	}
	pa, ok := representation(a)
	if !ok {
		return false
	}
	pb, ok := representation(b)
	return ok && pa == pb && SameType(ta, tb)
}

// representation returns the address of the map or slice a value holds.
func representation(v cty.Value) (uintptr, bool) {
	f := reflect.ValueOf(v).FieldByName("v")
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return 0, false
	}
	e := f.Elem()
	switch e.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer:
		if e.Kind() == reflect.Slice && e.Len() == 0 {
			return 0, false // empty slices may share an address
		}
		return e.Pointer(), true
	}
	return 0, false
}

// ContainsMarked is v.ContainsMarked, without gathering every value of v
// into a slice first: it stops at the first mark and allocates little.
func ContainsMarked(v cty.Value) bool {
	if v.IsMarked() {
		return true
	}
	if !v.IsKnown() || v.IsNull() {
		return false
	}
	return !eachChild(v, func(e cty.Value) bool { return !ContainsMarked(e) })
}

// IsWhollyKnown is v.IsWhollyKnown, faster on large values: cty iterates
// an object's attributes in sorted order, sorting them anew for every
// object, which for a million records costs a second each time it is asked.
func IsWhollyKnown(v cty.Value) bool {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if !v.IsKnown() {
		return false
	}
	if v.IsNull() {
		return true
	}
	return eachChild(v, IsWhollyKnown)
}

// eachChild calls f with each attribute or element of v, a known,
// unmarked, non-null value, until f returns false; it reports whether
// every call returned true. Lists, tuples and objects are walked without
// cty's costs per child (a number for every index, a normalised lookup
// for every attribute).
func eachChild(v cty.Value, f func(cty.Value) bool) bool {
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		raw, fast := (*valueLayout)(unsafe.Pointer(&v)).v.(map[string]any)
		fast = fast && valueLayoutOK
		for name, aty := range ty.AttributeTypes() {
			var a cty.Value
			if fast {
				// One lookup, not Attr's two: the type is at hand.
				out := valueLayout{ty: aty, v: raw[name]}
				a = *(*cty.Value)(unsafe.Pointer(&out))
			} else {
				a = v.GetAttr(name)
			}
			if !f(a) {
				return false
			}
		}
	case ty.IsCollectionType() || ty.IsTupleType():
		for _, e := range All(v) {
			if !f(e) {
				return false
			}
		}
	}
	return true
}
