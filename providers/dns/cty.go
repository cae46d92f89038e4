package dns

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
)

// RecordType is the cty type of one record set:
// object({name=string, type=string, ttl=number, values=list(string)}).
var RecordType = cty.Object(map[string]cty.Type{
	"name":   cty.String,
	"type":   cty.String,
	"ttl":    cty.Number,
	"values": cty.List(cty.String),
})

// RecordKey names the attributes that identify a record set in a list, for
// providers.Attribute.Key, so a plan shows the one set that changed.
var RecordKey = []string{"name", "type"}

// RecordsAttribute returns the schema attribute for a list of record sets,
// keyed by name and type; the caller sets Required, Optional or Computed.
func RecordsAttribute(description string) *providers.Attribute {
	return &providers.Attribute{Type: cty.List(RecordType), Key: RecordKey, Description: description}
}

// Value returns r as a cty value of RecordType.
func (r Record) Value() cty.Value {
	vals := cty.ListValEmpty(cty.String)
	if len(r.Values) > 0 {
		vs := make([]cty.Value, len(r.Values))
		for i, v := range r.Values {
			vs[i] = cty.StringVal(v)
		}
		vals = ctyconv.ListVal(vs)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name":   cty.StringVal(r.Name),
		"type":   cty.StringVal(r.Type),
		"ttl":    cty.NumberUIntVal(uint64(r.TTL)),
		"values": vals,
	})
}

// ListValue returns the records as a cty list of RecordType, in Sort order
// (rs itself is not reordered).
func ListValue(rs []Record) cty.Value {
	if len(rs) == 0 {
		return cty.ListValEmpty(RecordType)
	}
	sorted := rs
	if !slices.IsSortedFunc(rs, compareRecords) {
		sorted = slices.Clone(rs)
		Sort(sorted)
	}
	vs := make([]cty.Value, len(sorted))
	// A large zone's values are built on every core: a million records
	// take seconds on one.
	workers := min(runtime.GOMAXPROCS(0), 1+len(sorted)/20000)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(sorted)/workers, (w+1)*len(sorted)/workers
		wg.Go(func() {
			c := valueCache{ttls: map[uint32]cty.Value{}, types: map[string]cty.Value{}, attrs: make(map[string]cty.Value, 4)}
			for i := lo; i < hi; i++ {
				vs[i] = c.record(sorted[i])
			}
		})
	}
	wg.Wait()
	return ctyconv.ListVal(vs)
}

// noValues is the empty list of values, shared.
var noValues = cty.ListValEmpty(cty.String)

// valueCache shares the cty values of TTLs and types between records:
// cty values never change, and a zone holds few distinct ones.
type valueCache struct {
	ttls  map[uint32]cty.Value
	types map[string]cty.Value
	// attrs is the map handed to ctyconv.ObjectOfType, which copies it:
	// one map for all records, not a million maps of garbage.
	attrs map[string]cty.Value
}

func (c *valueCache) record(r Record) cty.Value {
	ttl, ok := c.ttls[r.TTL]
	if !ok {
		ttl = cty.NumberUIntVal(uint64(r.TTL))
		c.ttls[r.TTL] = ttl
	}
	typ, ok := c.types[r.Type]
	if !ok {
		typ = cty.StringVal(r.Type)
		c.types[r.Type] = typ
	}
	vals := noValues
	if len(r.Values) > 0 {
		vs := make([]cty.Value, len(r.Values))
		for i, v := range r.Values {
			vs[i] = cty.StringVal(v)
		}
		vals = ctyconv.ListVal(vs)
	}
	c.attrs["name"], c.attrs["type"], c.attrs["ttl"], c.attrs["values"] = cty.StringVal(r.Name), typ, ttl, vals
	return ctyconv.ObjectOfType(RecordType, c.attrs)
}

// FromValue decodes and normalises one record set from a cty object with
// the attributes of RecordType (values may be a list, set or tuple of
// strings). The error says which attribute is wrong.
func FromValue(v cty.Value) (Record, error) {
	if v.IsNull() || !v.IsWhollyKnown() {
		return Record{}, errors.New("record is null or not yet known")
	}
	return fromObject(v)
}

// FromValueWithNotes is FromValue that also says what normalising changed
// that a reader of the plan should know (see NormalizeWithNotes).
func FromValueWithNotes(v cty.Value) (Record, []Note, error) {
	if v.IsNull() || !v.IsWhollyKnown() {
		return Record{}, nil, errors.New("record is null or not yet known")
	}
	return fromObjectNotes(v)
}

// fromObject is FromValue for a value known to be wholly known.
func fromObject(v cty.Value) (Record, error) {
	r, _, err := fromObjectNotes(v)
	return r, err
}

// fromObjectNotes is fromObject with the notes of normalising.
func fromObjectNotes(v cty.Value) (Record, []Note, error) {
	if v.IsNull() {
		return Record{}, nil, errors.New("record is null")
	}
	if !v.Type().IsObjectType() {
		return Record{}, nil, fmt.Errorf("record is a %s; want an object with name, type, ttl and values", v.Type().FriendlyName())
	}
	var r Record
	// get is v.GetAttr, without cty's cost of normalising the name for
	// each of a zone's records; ok is false if there is no such attribute.
	get := func(name string) (cty.Value, bool) {
		if a, ok := ctyconv.Attr(v, name); ok {
			return a, true
		}
		if !v.Type().HasAttribute(name) {
			return cty.NilVal, false
		}
		return v.GetAttr(name), true
	}
	str := func(attr string) (string, error) {
		a, ok := get(attr)
		if !ok {
			return "", fmt.Errorf("record has no %q attribute; set it", attr)
		}
		if a.IsNull() || a.Type() != cty.String {
			return "", fmt.Errorf("record attribute %q must be a string", attr)
		}
		return a.AsString(), nil
	}
	var err error
	if r.Name, err = str("name"); err != nil {
		return Record{}, nil, err
	}
	if r.Type, err = str("type"); err != nil {
		return Record{}, nil, err
	}
	ttlV, ok := get("ttl")
	if !ok || ttlV.IsNull() || ttlV.Type() != cty.Number {
		return Record{}, nil, fmt.Errorf("record %s %s: ttl must be a number of seconds", r.Name, r.Type)
	}
	if ttl, ok := ctyconv.Int64Of(ttlV); ok && ttl >= 0 && ttl <= maxTTL {
		r.TTL = uint32(ttl)
	} else {
		bf := ttlV.AsBigFloat()
		ttl, acc := bf.Uint64()
		if !bf.IsInt() || bf.Sign() < 0 || acc != 0 || ttl > maxTTL {
			return Record{}, nil, fmt.Errorf("record %s %s: ttl %s is not a whole number of seconds from 0 to %d", r.Name, r.Type, bf.Text('f', -1), maxTTL)
		}
		r.TTL = uint32(ttl)
	}
	vals, ok := get("values")
	if !ok {
		return Record{}, nil, fmt.Errorf("record %s %s has no \"values\" attribute; set it", r.Name, r.Type)
	}
	if vals.IsNull() || !vals.CanIterateElements() {
		return Record{}, nil, fmt.Errorf("record %s %s: values must be a list of strings", r.Name, r.Type)
	}
	if n := vals.LengthInt(); n > 0 {
		r.Values = make([]string, 0, n)
	}
	for _, e := range ctyconv.All(vals) {
		if e.IsNull() || e.Type() != cty.String {
			return Record{}, nil, fmt.Errorf("record %s %s: values must be a list of strings", r.Name, r.Type)
		}
		r.Values = append(r.Values, e.AsString())
	}
	return NormalizeWithNotes(r)
}

// FromListValue decodes and normalises a list (or set or tuple) of record
// sets, as FromValue does each, in Sort order. Two elements with the same
// name and type are an error: give all values of a set in one element.
func FromListValue(v cty.Value) ([]Record, error) {
	rs, _, err := FromListValueWithNotes(v)
	return rs, err
}

// FromListValueWithNotes is FromListValue that also returns what
// normalising changed that a reader of the plan should know: names
// converted to punycode and long TXT strings split, once per record set.
func FromListValueWithNotes(v cty.Value) ([]Record, []Note, error) {
	if v.IsNull() {
		return nil, nil, nil
	}
	if !ctyconv.IsWhollyKnown(v) || !v.CanIterateElements() {
		return nil, nil, errors.New("records must be a known list of record objects")
	}
	rs := make([]Record, 0, v.LengthInt())
	var notes []Note
	for i, e := range ctyconv.All(v) {
		r, n, err := fromObjectNotes(e)
		if err != nil {
			return nil, nil, fmt.Errorf("record %d: %w", i, err)
		}
		notes = append(notes, n...)
		rs = append(rs, r)
	}
	Sort(rs)
	for i := 1; i < len(rs); i++ {
		if rs[i].Name == rs[i-1].Name && rs[i].Type == rs[i-1].Type {
			return nil, nil, fmt.Errorf("records list %s %s twice; give all values of one name and type in one record", rs[i].Name, rs[i].Type)
		}
	}
	return rs, notes, nil
}
