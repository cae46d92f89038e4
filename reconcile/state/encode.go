package state

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/internal/ctycodec"
	"github.com/plumbhq/plumb/internal/ctyconv"
)

// New returns an empty state of the current format with a fresh random
// lineage and serial 0.
func New() *State {
	return &State{
		Version:   FormatVersion,
		Lineage:   NewID(),
		Outputs:   map[string]*Output{},
		Resources: map[string]*Instance{},
	}
}

// NewID returns a random identifier in the form of a version 4 UUID: state
// lineages and lock IDs.
func NewID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error on supported platforms.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// decodeValue decodes cty JSON as a value of type ty. An empty or absent
// encoding is a null value of ty.
func decodeValue(raw json.RawMessage, ty cty.Type) (cty.Value, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return cty.NullVal(ty), nil
	}
	v, err := ctycodec.Unmarshal(raw, ty)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode value as %s: %w", ty.FriendlyName(), err)
	}
	return v, nil
}

// decodeValueLike is decodeValue, sharing like's memory where the decoded
// value agrees with it (ctycodec.UnmarshalLike).
func decodeValueLike(raw json.RawMessage, ty cty.Type, like cty.Value) (cty.Value, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return cty.NullVal(ty), nil
	}
	v, err := ctycodec.UnmarshalLike(raw, ty, like)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode value as %s: %w", ty.FriendlyName(), err)
	}
	return v, nil
}

// encodeValue encodes v as cty JSON conforming to ty. Marks (such as
// sensitivity) are dropped: the state records values, not how they print.
func encodeValue(v cty.Value, ty cty.Type) (json.RawMessage, error) {
	// Most values have no marks and no unknowns: written at once, they
	// are not walked twice more to look for them (a million records).
	if raw, err := ctycodec.Marshal(v, ty); err == nil {
		return raw, nil
	}
	if ctyconv.ContainsMarked(v) {
		v, _ = v.UnmarkDeep()
	}
	if !ctyconv.IsWhollyKnown(v) {
		return nil, errors.New("value is not wholly known: unknown values cannot be stored in state")
	}
	raw, err := ctycodec.Marshal(v, ty)
	if err != nil {
		return nil, fmt.Errorf("encode value as %s: %w", ty.FriendlyName(), err)
	}
	return raw, nil
}

// NewInstance returns the instance at addr with attributes v, encoded with
// v's own type. Decoding it (Value) with the resource schema's implied type
// works when that type has no cty.DynamicPseudoType in it; for a schema
// that has one (an attribute of any type), use SetValue with the implied
// type instead, so the dynamic parts are stored with their types.
func NewInstance(addr, mode, typ, name, provider string, v cty.Value, deps []string) (*Instance, error) {
	inst := &Instance{
		Addr:         addr,
		Mode:         mode,
		Type:         typ,
		Name:         name,
		Provider:     provider,
		Dependencies: slices.Clone(deps),
	}
	if err := inst.SetValue(v, v.Type()); err != nil {
		return nil, err
	}
	return inst, nil
}

// SetValue stores v, converted to ty, as the instance's attributes. Pass
// the resource schema's implied type: parts of it that are
// cty.DynamicPseudoType are stored together with their concrete types, so
// Value(ty) gives back exactly v.
func (i *Instance) SetValue(v cty.Value, ty cty.Type) error {
	raw, err := encodeValue(v, ty)
	if err != nil {
		return fmt.Errorf("%s: %w", i.Addr, err)
	}
	i.Attributes = raw
	return nil
}

// NewOutput returns a root output holding v. Marks on v are dropped;
// sensitive says whether the output prints.
func NewOutput(v cty.Value, sensitive bool) (*Output, error) {
	v, _ = v.UnmarkDeep()
	ty, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return nil, fmt.Errorf("encode output type: %w", err)
	}
	raw, err := encodeValue(v, v.Type())
	if err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return &Output{Value: raw, Type: ty, Sensitive: sensitive}, nil
}

// Decode returns the output's value, with the type it was stored with.
func (o *Output) Decode() (cty.Value, error) {
	if len(bytes.TrimSpace(o.Type)) == 0 {
		return cty.NilVal, errors.New("output has no type")
	}
	ty, err := ctyjson.UnmarshalType(o.Type)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decode output type: %w", err)
	}
	return decodeValue(o.Value, ty)
}

// DeepCopy returns a copy of s that shares no memory with it.
func (s *State) DeepCopy() *State {
	if s == nil {
		return nil
	}
	c := *s
	c.Outputs = copyOutputs(s.Outputs)
	c.Resources = make(map[string]*Instance, len(s.Resources))
	for addr, inst := range s.Resources {
		c.Resources[addr] = inst.clone()
	}
	if s.Pending != nil {
		c.Pending = make(map[string]*Instance, len(s.Pending))
		for addr, inst := range s.Pending {
			c.Pending[addr] = inst.clone()
		}
	}
	return &c
}

// SortedAddrs returns the addresses of the state's instances, sorted as
// strings (the order of the file).
func (s *State) SortedAddrs() []string {
	return slices.Sorted(maps.Keys(s.Resources))
}

// clone returns a copy of i that shares no memory with it.
func (i *Instance) clone() *Instance {
	if i == nil {
		return nil
	}
	c := *i
	c.Attributes = bytes.Clone(i.Attributes)
	c.Dependencies = slices.Clone(i.Dependencies)
	c.Sensitive = slices.Clone(i.Sensitive)
	return &c
}

func (o *Output) clone() *Output {
	if o == nil {
		return nil
	}
	c := *o
	c.Value = bytes.Clone(o.Value)
	c.Type = bytes.Clone(o.Type)
	return &c
}

// copyOutputs deep-copies an output map; the copy is never nil.
func copyOutputs(outputs map[string]*Output) map[string]*Output {
	c := make(map[string]*Output, len(outputs))
	for name, o := range outputs {
		c[name] = o.clone()
	}
	return c
}
