package providers

import (
	"sort"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"
)

// Schema describes the attributes and nested blocks of a provider
// configuration, a resource type or a data source type.
type Schema struct {
	// Description says in one sentence what the object is.
	Description string
	// Attributes are keyed by name.
	Attributes map[string]*Attribute
	// Blocks are nested blocks keyed by their type name.
	Blocks map[string]*Block
}

// Attribute describes one attribute of a Schema.
type Attribute struct {
	// Type is the attribute's value type.
	Type cty.Type
	// Required attributes must be set in configuration.
	Required bool
	// Optional attributes may be set in configuration.
	Optional bool
	// Computed attributes are set by the provider; when also Optional, the
	// provider fills them in when configuration leaves them null.
	Computed bool
	// Sensitive values print as "(sensitive)" in plans and output.
	Sensitive bool
	// ForceNew means a change to the attribute replaces the object.
	ForceNew bool
	// DerivedFrom names, for a computed attribute, the attributes its value
	// is computed from (local_file's content_sha256 is the hash of content
	// or sensitive_content). When one of them holds a sensitive value, this
	// one is sensitive too: a hash of a short secret gives the secret away.
	DerivedFrom []string
	// Key names, for a list or set of objects, the attributes that identify
	// an element (a DNS record's name and type), so a plan shows the element
	// that changed instead of the whole collection.
	Key []string
	// Description says what the attribute means.
	Description string
}

// Nesting says how many times a nested block may appear.
type Nesting int

const (
	// NestingList is a block that may appear any number of times, in order.
	NestingList Nesting = iota
	// NestingSingle is a block that appears at most once.
	NestingSingle
)

// Block describes a nested block type of a Schema.
type Block struct {
	Nesting Nesting
	Schema  Schema
	// Key, for NestingList, identifies an element as Attribute.Key does.
	Key []string
	// MinItems and MaxItems bound a NestingList; zero means no bound.
	MinItems, MaxItems int
}

// ImpliedType is the object type of a value that conforms to the schema.
func (s Schema) ImpliedType() cty.Type {
	attrs := make(map[string]cty.Type, len(s.Attributes)+len(s.Blocks))
	for name, a := range s.Attributes {
		attrs[name] = a.Type
	}
	for name, b := range s.Blocks {
		switch b.Nesting {
		case NestingSingle:
			attrs[name] = b.Schema.ImpliedType()
		default:
			attrs[name] = cty.List(b.Schema.ImpliedType())
		}
	}
	return cty.Object(attrs)
}

// DecoderSpec is the hcldec specification that decodes a configuration body
// for this schema. Computed-only attributes are not part of configuration.
func (s Schema) DecoderSpec() hcldec.Spec {
	spec := hcldec.ObjectSpec{}
	for name, a := range s.Attributes {
		if a.Computed && !a.Optional && !a.Required {
			continue
		}
		spec[name] = &hcldec.AttrSpec{Name: name, Type: a.Type, Required: a.Required}
	}
	for name, b := range s.Blocks {
		inner := b.Schema.DecoderSpec()
		switch b.Nesting {
		case NestingSingle:
			spec[name] = &hcldec.BlockSpec{TypeName: name, Nested: inner}
		default:
			spec[name] = &hcldec.BlockListSpec{TypeName: name, Nested: inner, MinItems: b.MinItems, MaxItems: b.MaxItems}
		}
	}
	return spec
}

// Complete fills in, as null, every attribute of the schema that the
// decoded configuration value lacks (computed-only attributes), so the
// value has the schema's implied type.
func (s Schema) Complete(v cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	vals := make(map[string]cty.Value, len(s.Attributes)+len(s.Blocks))
	for name, a := range s.Attributes {
		if v.Type().HasAttribute(name) {
			vals[name] = v.GetAttr(name)
		} else {
			vals[name] = cty.NullVal(a.Type)
		}
	}
	for name, b := range s.Blocks {
		ty := s.ImpliedType().AttributeType(name)
		if !v.Type().HasAttribute(name) {
			vals[name] = cty.NullVal(ty)
			continue
		}
		bv := v.GetAttr(name)
		switch {
		case bv.IsNull() || !bv.IsKnown():
			vals[name] = bv
		case b.Nesting == NestingSingle:
			vals[name] = b.Schema.Complete(bv)
		default:
			var elems []cty.Value
			for it := bv.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				elems = append(elems, b.Schema.Complete(ev))
			}
			if len(elems) == 0 {
				vals[name] = cty.ListValEmpty(b.Schema.ImpliedType())
			} else {
				vals[name] = cty.ListVal(elems)
			}
		}
	}
	return cty.ObjectVal(vals)
}

// SensitivePaths lists the top-level attributes marked Sensitive, sorted.
func (s Schema) SensitivePaths() []string {
	var out []string
	for name, a := range s.Attributes {
		if a.Sensitive {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// DerivedSensitive returns the attributes that are sensitive because they
// derive (DerivedFrom) from one in sensitive, directly or through another
// derived one, counting a source only where it holds a value (is not
// null) in one of vals, sorted. Values that are not objects count as
// holding every attribute.
func (s Schema) DerivedSensitive(sensitive []string, vals ...cty.Value) []string {
	secret := map[string]bool{}
	for _, n := range sensitive {
		if holdsValue(n, vals) {
			secret[n] = true
		}
	}
	var out []string
	for changed := true; changed; {
		changed = false
		for name, a := range s.Attributes {
			if secret[name] {
				continue
			}
			for _, src := range a.DerivedFrom {
				if secret[src] {
					secret[name] = true
					out = append(out, name)
					changed = true
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// holdsValue reports whether attribute name is not null in one of vals.
func holdsValue(name string, vals []cty.Value) bool {
	for _, v := range vals {
		if v != cty.NilVal && v.IsMarked() {
			v, _ = v.Unmark()
		}
		if v == cty.NilVal || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
			if v != cty.NilVal && !v.IsNull() {
				return true
			}
			continue
		}
		if !v.Type().HasAttribute(name) {
			continue
		}
		if a := v.GetAttr(name); !a.IsNull() {
			return true
		}
	}
	return false
}

// ElementKeys returns, for each attribute or block that declares a Key,
// the key attribute names, so diffs can pair elements by identity.
func (s Schema) ElementKeys() map[string][]string {
	out := map[string][]string{}
	for name, a := range s.Attributes {
		if len(a.Key) > 0 {
			out[name] = a.Key
		}
	}
	for name, b := range s.Blocks {
		if len(b.Key) > 0 {
			out[name] = b.Key
		}
	}
	return out
}
