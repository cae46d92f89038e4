package ctyconv

import (
	"reflect"
	"unsafe"

	"github.com/zclconf/go-cty/cty"
)

// ObjectOfType returns the object value of type ty whose attributes are
// attrs, as cty.ObjectVal(attrs) does, but holding ty itself instead of a
// type built anew from the attributes. cty.ObjectVal allocates a map of
// attribute types for every object; a zone of a million records, each an
// object of the same type, spent a third of its memory (350 MB) on a
// million copies of one type.
//
// attrs must hold exactly ty's attributes, each of the attribute's type,
// unmarked; attrs is not kept. The value is built in cty's own
// representation (the fields ty and v of cty.Value), which valueLayoutOK
// checks once: if cty's representation ever differs, ObjectOfType falls
// back to cty.ObjectVal, which TestObjectOfType would show.
func ObjectOfType(ty cty.Type, attrs map[string]cty.Value) cty.Value {
	if !valueLayoutOK {
		return cty.ObjectVal(attrs)
	}
	vals := make(map[string]any, len(attrs))
	for name, v := range attrs {
		vals[name] = (*valueLayout)(unsafe.Pointer(&v)).v
	}
	out := valueLayout{ty: ty, v: vals}
	return *(*cty.Value)(unsafe.Pointer(&out))
}

// valueLayout mirrors cty.Value's fields.
type valueLayout struct {
	ty cty.Type
	v  any
}

// valueLayoutOK reports whether cty.Value is laid out as valueLayout.
var valueLayoutOK = func() bool {
	t := reflect.TypeFor[cty.Value]()
	l := reflect.TypeFor[valueLayout]()
	if t.NumField() != 2 || t.Size() != l.Size() {
		return false
	}
	for i := range 2 {
		f, g := t.Field(i), l.Field(i)
		if f.Name != g.Name || f.Type != g.Type || f.Offset != g.Offset {
			return false
		}
	}
	return true
}()
