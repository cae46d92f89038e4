package plan

import "github.com/zclconf/go-cty/cty"

// equal reports whether a and b are the same value, as cty's RawEquals
// does (unknowns equal only identical unknowns), but without the costs
// RawEquals pays on every primitive (mark walks, string normalisation), so
// comparing thousands of elements stays cheap.
func equal(a, b cty.Value) bool {
	if a.IsMarked() || b.IsMarked() {
		return a.RawEquals(b)
	}
	ta, tb := a.Type(), b.Type()
	if ta.IsPrimitiveType() {
		if ta != tb {
			return false
		}
	} else if !ta.Equals(tb) {
		return false
	}
	return equalSameType(a, b)
}

// equalSameType is equal for values already known to have the same type,
// as the elements of two equal-typed collections have.
func equalSameType(a, b cty.Value) bool {
	if a.IsMarked() || b.IsMarked() {
		return a.RawEquals(b)
	}
	ta := a.Type()
	ka, kb := a.IsKnown(), b.IsKnown()
	switch {
	case !ka || !kb:
		return !ka && !kb && a.RawEquals(b)
	case a.IsNull() || b.IsNull():
		return a.IsNull() && b.IsNull()
	}
	switch {
	case ta == cty.String:
		return a.AsString() == b.AsString()
	case ta == cty.Bool:
		return a.True() == b.True()
	case ta == cty.Number:
		return a.AsBigFloat().Cmp(b.AsBigFloat()) == 0
	case ta.IsObjectType():
		for name := range ta.AttributeTypes() {
			if !equalSameType(a.GetAttr(name), b.GetAttr(name)) {
				return false
			}
		}
		return true
	case ta.IsListType() || ta.IsTupleType() || ta.IsMapType():
		if a.LengthInt() != b.LengthInt() {
			return false
		}
		ia, ib := a.ElementIterator(), b.ElementIterator()
		for ia.Next() && ib.Next() {
			ka, ea := ia.Element()
			kb, eb := ib.Element()
			if ta.IsMapType() && ka.AsString() != kb.AsString() {
				return false
			}
			if !ta.IsTupleType() && !equalSameType(ea, eb) || ta.IsTupleType() && !equal(ea, eb) {
				return false
			}
		}
		return true
	}
	return a.RawEquals(b)
}
