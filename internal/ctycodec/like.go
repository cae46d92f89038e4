package ctycodec

import (
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
)

// UnmarshalLike is Unmarshal, except that every part of the result equal
// to the same part of like (a value of type ty) is taken from like instead
// of built anew. The result is the same value; it shares like's memory. A
// provider's prior state is usually equal to the configuration just
// evaluated, and building a second copy of a million records costs a
// second and most of a gigabyte.
func UnmarshalLike(data []byte, ty cty.Type, like cty.Value) (cty.Value, error) {
	if ty.HasDynamicTypes() || like == cty.NilVal || !like.Type().Equals(ty) {
		return Unmarshal(data, ty)
	}
	d := decoder{data: data}
	d.space()
	v, err := d.valueLike(ty, like, nil)
	if err != nil {
		return cty.NilVal, err
	}
	d.space()
	if d.pos != len(d.data) {
		return cty.NilVal, d.errorf(nil, "extraneous data after value")
	}
	return v, nil
}

// valueLike reads a value of type ty, reusing like where they agree.
func (d *decoder) valueLike(ty cty.Type, like cty.Value, path cty.Path) (cty.Value, error) {
	if like.IsMarked() || !like.IsKnown() || like.IsNull() {
		return d.value(ty, path)
	}
	if d.matches(like, ty) {
		return like, nil
	}
	switch {
	case ty.IsListType() && d.peek() == '[':
		return d.listLike(ty, like, path)
	case ty.IsObjectType() && d.peek() == '{':
		return d.objectLike(ty, like, path)
	}
	return d.value(ty, path)
}

// likeLookahead is how many elements of like a stored element is tried
// against before it is decoded on its own.
const likeLookahead = 2

// listLike reads a list, reusing the elements of like that agree.
func (d *decoder) listLike(ty cty.Type, like cty.Value, path cty.Path) (cty.Value, error) {
	ety := ty.ElementType()
	d.pos++
	likes := make([]cty.Value, 0, like.LengthInt())
	for _, e := range ctyconv.All(like) {
		likes = append(likes, e)
	}
	vals := make([]cty.Value, 0, len(likes))
	// The lists are walked side by side; an element of like that the
	// stored list lacks (the configuration's SOA, which a zone's state
	// leaves out) or holds in addition is stepped over.
	next := 0
	for i := 0; d.peek() != ']'; i++ {
		if i > 0 {
			if err := d.expect(',', path); err != nil {
				return cty.NilVal, err
			}
		}
		d.space()
		found := false
		for j := next; j < len(likes) && j <= next+likeLookahead; j++ {
			if d.matches(likes[j], ety) {
				vals, next, found = append(vals, likes[j]), j+1, true
				break
			}
		}
		if found {
			continue
		}
		p := append(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))})
		var v cty.Value
		var err error
		if next < len(likes) {
			v, err = d.valueLike(ety, likes[next], p)
			next++
		} else {
			v, err = d.value(ety, p)
		}
		if err != nil {
			return cty.NilVal, err
		}
		vals = append(vals, v)
	}
	d.pos++
	if len(vals) == 0 {
		return cty.ListValEmpty(ety), nil
	}
	return ctyconv.ListVal(vals), nil
}

// objectLike reads an object, reusing the attributes of like that agree.
func (d *decoder) objectLike(ty cty.Type, like cty.Value, path cty.Path) (cty.Value, error) {
	atys := ty.AttributeTypes()
	d.pos++
	vals := make(map[string]cty.Value, len(atys))
	for i := 0; d.peek() != '}'; i++ {
		if i > 0 {
			if err := d.expect(',', path); err != nil {
				return cty.NilVal, err
			}
		}
		d.space()
		k, err := d.string(path)
		if err != nil {
			return cty.NilVal, err
		}
		aty, ok := atys[k]
		if !ok {
			return cty.NilVal, d.errorf(path, "unsupported attribute %q", k)
		}
		if err := d.expect(':', path); err != nil {
			return cty.NilVal, err
		}
		v, err := d.valueLike(aty, like.GetAttr(k), append(path, cty.GetAttrStep{Name: k}))
		if err != nil {
			return cty.NilVal, err
		}
		vals[k] = v
	}
	d.pos++
	for k, aty := range atys {
		if _, ok := vals[k]; !ok {
			vals[k] = cty.NullVal(aty)
		}
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, nil
	}
	return cty.ObjectVal(vals), nil
}

// matches reports whether the JSON value at the position is like, read as
// ty, and moves past it if so; it allocates little, so that checking is
// cheaper than building.
func (d *decoder) matches(like cty.Value, ty cty.Type) bool {
	start := d.pos
	if d.match(like, ty) {
		return true
	}
	d.pos = start
	return false
}

func (d *decoder) match(like cty.Value, ty cty.Type) bool {
	if like.IsMarked() || !like.IsKnown() {
		return false
	}
	c := d.peek()
	if like.IsNull() {
		return d.literal("null")
	}
	if c == 'n' {
		return false
	}
	switch {
	case ty == cty.String:
		if c != '"' {
			return false
		}
		start := d.pos + 1
		for i := start; i < len(d.data); i++ {
			switch b := d.data[i]; {
			case b == '"':
				if string(d.data[start:i]) != like.AsString() {
					return false
				}
				d.pos = i + 1
				return true
			case b == '\\' || b >= 0x80 || b < 0x20:
				s, err := d.string(nil)
				return err == nil && s == like.AsString()
			}
		}
		return false
	case ty == cty.Number:
		start := d.pos
		if c != '-' && (c < '0' || c > '9') {
			return false
		}
		if _, err := d.number(nil); err != nil {
			return false
		}
		text := string(d.data[start:d.pos])
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && len(text) <= 15 {
			if i, ok := ctyconv.Int64Of(like); ok {
				return i == n
			}
			i, acc := like.AsBigFloat().Int64()
			return acc == big.Exact && i == n
		}
		v, err := cty.ParseNumberVal(text)
		return err == nil && v.RawEquals(like)
	case ty == cty.Bool:
		if like.True() {
			return d.literal("true")
		}
		return d.literal("false")
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		if c != '[' {
			return false
		}
		d.pos++
		ety := cty.NilType
		if !ty.IsTupleType() {
			ety = ty.ElementType()
		}
		for i, e := range ctyconv.All(like) {
			if i > 0 && d.peek() != ',' {
				return false
			} else if i > 0 {
				d.pos++
			}
			t := ety
			if ty.IsTupleType() {
				t = ty.TupleElementType(i)
			}
			if !d.match(e, t) {
				return false
			}
		}
		if d.peek() != ']' {
			return false
		}
		d.pos++
		return true
	case ty.IsObjectType(), ty.IsMapType():
		if c != '{' {
			return false
		}
		d.pos++
		n := 0
		for ; d.peek() != '}'; n++ {
			if n > 0 {
				if d.peek() != ',' {
					return false
				}
				d.pos++
			}
			d.space()
			if ty.IsObjectType() {
				// A plain key is looked up as the bytes it is.
				if raw, ok := d.plainString(); ok {
					t, known := ty.AttributeTypes()[string(raw)]
					e, ok := ctyconv.AttrBytes(like, raw)
					if !known || !ok || d.peek() != ':' {
						return false
					}
					d.pos++
					if !d.match(e, t) {
						return false
					}
					continue
				}
			}
			k, err := d.string(nil)
			if err != nil || d.peek() != ':' {
				return false
			}
			d.pos++
			var e cty.Value
			var t cty.Type
			if ty.IsObjectType() {
				if !ty.HasAttribute(k) {
					return false
				}
				e, t = like.GetAttr(k), ty.AttributeType(k)
			} else {
				kv := cty.StringVal(k)
				if !like.HasIndex(kv).True() {
					return false
				}
				e, t = like.Index(kv), ty.ElementType()
			}
			if !d.match(e, t) {
				return false
			}
		}
		d.pos++
		if ty.IsObjectType() {
			return n == len(ty.AttributeTypes())
		}
		return n == like.LengthInt()
	}
	return false
}
