package plan

import (
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// AttrDiff is one changed attribute, or one changed part of an attribute,
// of a Change: what Diff returns and what the renderers print.
//
// Path names the part in HCL-like syntax, starting at a top-level
// attribute:
//
//	content                          a top-level attribute
//	tags["env"]                      a map element
//	settings.mode                    an attribute of a nested object
//	records[name="www",type="A"]     a list or set element paired by its key attributes
//	records[name="www",type="A"].ttl an attribute of such an element
//	lint[0].pattern                  a list element paired by index
//	allow[+], allow[-]               an element added to or removed from a
//	                                 list or set compared as a set
type AttrDiff struct {
	// Path names the part that changed; see the type's documentation.
	Path string
	// Action is Create when the part was added (null before), Delete when
	// it was removed (null after) and Update when it changed.
	Action Action
	// Before and After are the part's old and new values. After may be
	// unknown, or hold unknowns, until the change is applied.
	Before, After cty.Value
	// Sensitive is set when the part lies under an attribute named in
	// Change.Sensitive; renderers print (sensitive) instead of its values.
	Sensitive bool
	// ForcesReplace is set when the part's top-level attribute is named in
	// Change.RequiresReplace.
	ForcesReplace bool
}

// Diff computes what changes between c.Before and c.After, as a list of
// AttrDiff ordered by top-level attribute name. Only changed parts are
// returned; unchanged attributes yield nothing.
//
// When one side is null (a create, a read or a delete), every non-null
// top-level attribute is one AttrDiff holding the whole attribute value.
// Otherwise each changed top-level attribute is diffed down to its
// smallest changed parts:
//
//   - Objects recurse into their attributes and maps into their keys.
//   - A list or set of objects whose attribute name has an entry in
//     c.Keys pairs elements by those key attributes, with a map, so one
//     changed record among thousands yields diffs about that record only:
//     its changed attributes, recursively (records[name="www",type="A"].ttl).
//     A whole element added or removed is one AttrDiff
//     (records[name="new",type="A"]). Elements whose key attributes are
//     unknown or null cannot be paired and show as added or removed by
//     index. The lookup in c.Keys is by the name of the attribute holding
//     the list, at any depth, and applies only when the element type has
//     every key attribute.
//   - A list or set of primitives, and any set without keys, is compared
//     as a multiset: each removed element is an AttrDiff with Path
//     "name[-]" and Action Delete, each added element one with Path
//     "name[+]" and Action Create, removals first, each group in the
//     collection's order. A list whose elements only moved is one Update
//     of the whole list.
//   - Other lists and tuples pair elements by index (lint[0].pattern),
//     with extra elements added or removed at their index.
//   - An attribute named in c.Sensitive is never recursed into: it is one
//     AttrDiff with Sensitive set, so not even the shape of the change
//     leaks.
//   - A value that becomes unknown, or that changes type, is one Update.
func Diff(c *Change) []AttrDiff {
	before, after := norm(c.Before), norm(c.After)
	if before.IsNull() && after.IsNull() {
		return nil
	}
	d := differ{keys: c.Keys}
	if !isObject(before) || !isObject(after) {
		d.diff("", "", before, after)
		return d.out
	}
	names := attrNames(before.Type(), after.Type())
	for _, name := range names {
		start := len(d.out)
		b, a := attrOf(before, name), attrOf(after, name)
		if slices.Contains(c.Sensitive, name) {
			if act, changed := leafAction(b, a); changed {
				d.out = append(d.out, AttrDiff{Path: name, Action: act, Before: b, After: a, Sensitive: true})
			}
		} else {
			d.diff(name, name, b, a)
		}
		if len(d.out) > start && slices.Contains(c.RequiresReplace, name) {
			for i := start; i < len(d.out); i++ {
				d.out[i].ForcesReplace = true
			}
		}
	}
	return d.out
}

// differ accumulates the AttrDiffs of one Change.
type differ struct {
	keys map[string][]string
	out  []AttrDiff
}

func (d *differ) emit(path string, act Action, b, a cty.Value) {
	d.out = append(d.out, AttrDiff{Path: path, Action: act, Before: b, After: a})
}

// diff compares b and a found at path; name is the attribute holding them,
// or "" for collection elements.
func (d *differ) diff(path, name string, b, a cty.Value) {
	if b.IsMarked() {
		b, _ = b.Unmark()
	}
	if a.IsMarked() {
		a, _ = a.Unmark()
	}
	act, changed := leafAction(b, a)
	if !changed {
		return
	}
	if act != Update || !a.IsKnown() || !b.IsKnown() {
		d.emit(path, act, b, a)
		return
	}
	bt, at := b.Type(), a.Type()
	switch {
	case bt.IsObjectType() && at.IsObjectType():
		for _, n := range attrNames(bt, at) {
			if bv, av := attrOf(b, n), attrOf(a, n); !equal(bv, av) {
				d.diff(path+"."+n, n, bv, av)
			}
		}
	case bt.IsMapType() && at.IsMapType():
		d.diffMap(path, b, a)
	case (bt.IsListType() && at.IsListType()) || (bt.IsSetType() && at.IsSetType()):
		et := at.ElementType()
		switch {
		case d.keyed(name, bt.ElementType()) && d.keyed(name, et):
			d.diffKeyed(path, d.keys[name], b, a)
		case et.IsPrimitiveType() || at.IsSetType():
			d.diffMultiset(path, b, a)
		default:
			d.diffIndexed(path, b, a)
		}
	case bt.IsTupleType() && at.IsTupleType():
		d.diffIndexed(path, b, a)
	default:
		d.emit(path, Update, b, a)
	}
}

// keyed reports whether elements of type et in the attribute name pair by
// key attributes.
func (d *differ) keyed(name string, et cty.Type) bool {
	ks := d.keys[name]
	if name == "" || len(ks) == 0 || !et.IsObjectType() {
		return false
	}
	for _, k := range ks {
		if !et.HasAttribute(k) {
			return false
		}
	}
	return true
}

func (d *differ) diffMap(path string, b, a cty.Value) {
	bm, am := b.AsValueMap(), a.AsValueMap()
	keys := make([]string, 0, len(bm)+len(am))
	for k := range bm {
		keys = append(keys, k)
	}
	for k := range am {
		if _, ok := bm[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	et := a.Type().ElementType()
	for _, k := range keys {
		bv, ok := bm[k]
		if !ok {
			bv = cty.NullVal(et)
		}
		av, ok := am[k]
		if !ok {
			av = cty.NullVal(et)
		}
		if !equal(bv, av) {
			d.diff(path+"["+quote(k)+"]", "", bv, av)
		}
	}
}

// diffKeyed pairs list or set elements by their key attributes.
func (d *differ) diffKeyed(path string, keyAttrs []string, b, a cty.Value) {
	var scratch []byte
	bs := elements(b)
	bKeys := make([]string, len(bs)) // "" when the element has no usable key
	index := make(map[string]int, len(bs))
	seen := make(map[string]int, len(bs))
	for i, e := range bs {
		if k, ok := elementKey(&scratch, keyAttrs, e); ok {
			bKeys[i] = k
			index[occurrence(seen, k)] = i
		}
	}
	used := make([]bool, len(bs))
	clear(seen)
	i := 0
	for it := a.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		k, ok := elementKey(&scratch, keyAttrs, e)
		if !ok {
			d.emit(path+"["+strconv.Itoa(i)+"]", Create, cty.NullVal(e.Type()), e)
			continue
		}
		if j, found := index[occurrence(seen, k)]; found {
			used[j] = true
			if !equal(bs[j], e) {
				d.diff(path+"["+k+"]", "", bs[j], e)
			}
			continue
		}
		d.emit(path+"["+k+"]", Create, cty.NullVal(e.Type()), e)
	}
	for j, e := range bs {
		switch {
		case used[j]:
		case bKeys[j] == "":
			d.emit(path+"["+strconv.Itoa(j)+"]", Delete, e, cty.NullVal(e.Type()))
		default:
			d.emit(path+"["+bKeys[j]+"]", Delete, e, cty.NullVal(e.Type()))
		}
	}
}

// occurrence returns k qualified by how often it was seen before, so
// duplicate keys pair first with first, second with second.
func occurrence(seen map[string]int, k string) string {
	n := seen[k]
	seen[k] = n + 1
	if n == 0 {
		return k
	}
	return k + "#" + strconv.Itoa(n)
}

// elementKey formats the key attributes of e as name="www",type="A".
func elementKey(scratch *[]byte, keyAttrs []string, e cty.Value) (string, bool) {
	if e.IsMarked() {
		e, _ = e.Unmark()
	}
	if e.IsNull() || !e.IsKnown() {
		return "", false
	}
	buf := (*scratch)[:0]
	for i, k := range keyAttrs {
		v := e.GetAttr(k)
		if !v.IsWhollyKnown() {
			return "", false
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, k...)
		buf = append(buf, '=')
		buf = appendValue(buf, v)
	}
	*scratch = buf
	return string(buf), true
}

// diffMultiset compares two lists or sets as multisets of elements.
func (d *differ) diffMultiset(path string, b, a cty.Value) {
	bs, as := elements(b), elements(a)
	var scratch []byte
	count := make(map[elemKey]int, len(bs))
	bKeys := make([]elemKey, len(bs))
	for i, e := range bs {
		bKeys[i] = setKey(&scratch, e)
		if bKeys[i].kind != 0 {
			count[bKeys[i]]++
		}
	}
	var added []cty.Value
	for _, e := range as {
		if k := setKey(&scratch, e); k.kind != 0 && count[k] > 0 {
			count[k]--
			continue
		}
		added = append(added, e)
	}
	removed := 0
	for i, e := range bs {
		k := bKeys[i]
		if k.kind != 0 && count[k] == 0 {
			continue
		}
		if k.kind != 0 {
			count[k]--
		}
		removed++
		d.emit(path+"[-]", Delete, e, cty.NullVal(e.Type()))
	}
	for _, e := range added {
		d.emit(path+"[+]", Create, cty.NullVal(e.Type()), e)
	}
	if removed == 0 && len(added) == 0 {
		// Same elements in another order.
		d.emit(path, Update, b, a)
	}
}

// elemKey identifies a wholly known element among the elements of one
// collection; kind 0 marks an element that cannot be identified (it holds
// unknowns).
type elemKey struct {
	kind byte // 's' string, 'z' null, 'v' other, formatted
	s    string
}

func setKey(scratch *[]byte, v cty.Value) elemKey {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	switch {
	case !v.IsKnown():
		return elemKey{}
	case v.IsNull():
		return elemKey{kind: 'z'}
	case v.Type() == cty.String:
		return elemKey{kind: 's', s: v.AsString()}
	case !v.IsWhollyKnown():
		return elemKey{}
	}
	*scratch = appendValue((*scratch)[:0], v)
	return elemKey{kind: 'v', s: string(*scratch)}
}

// diffIndexed pairs list or tuple elements by index.
func (d *differ) diffIndexed(path string, b, a cty.Value) {
	bs, as := elements(b), elements(a)
	for i := 0; i < max(len(bs), len(as)); i++ {
		if i < len(bs) && i < len(as) && equal(bs[i], as[i]) {
			continue
		}
		p := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case i >= len(bs):
			d.emit(p, Create, cty.NullVal(as[i].Type()), as[i])
		case i >= len(as):
			d.emit(p, Delete, bs[i], cty.NullVal(bs[i].Type()))
		default:
			d.diff(p, "", bs[i], as[i])
		}
	}
}

// leafAction says whether b and a differ and, if so, how the change reads
// when taken as a whole.
func leafAction(b, a cty.Value) (Action, bool) {
	bNull, aNull := b.IsNull(), a.IsNull()
	switch {
	case bNull && aNull:
		return NoOp, false
	case bNull:
		return Create, true
	case aNull:
		return Delete, true
	case equal(b, a):
		return NoOp, false
	}
	return Update, true
}

// norm turns the zero cty.Value into a null, so callers may leave Before
// or After unset.
func norm(v cty.Value) cty.Value {
	if v.Type() == cty.NilType {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	return v
}

func isObject(v cty.Value) bool {
	return v.Type().IsObjectType() || v.IsNull() && v.Type() == cty.DynamicPseudoType
}

// attrNames returns the sorted union of the attribute names of two types,
// either of which may be DynamicPseudoType (standing for a null).
func attrNames(bt, at cty.Type) []string {
	var names []string
	var aAttrs map[string]cty.Type
	if at.IsObjectType() {
		aAttrs = at.AttributeTypes()
		names = make([]string, 0, len(aAttrs))
		for n := range aAttrs {
			names = append(names, n)
		}
	}
	if bt.IsObjectType() {
		for n := range bt.AttributeTypes() {
			if _, ok := aAttrs[n]; !ok {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

// attrOf returns v's attribute name, or a null when v is null or has no
// such attribute.
func attrOf(v cty.Value, name string) cty.Value {
	ty := v.Type()
	if !ty.IsObjectType() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	at, ok := ty.AttributeTypes()[name]
	switch {
	case !ok:
		return cty.NullVal(cty.DynamicPseudoType)
	case v.IsNull():
		return cty.NullVal(at)
	}
	return v.GetAttr(name)
}

// elements returns the elements of a known, non-null collection.
func elements(v cty.Value) []cty.Value {
	if v.LengthInt() == 0 {
		return nil
	}
	return v.AsValueSlice()
}
