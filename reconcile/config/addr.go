package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Addr is the address of a resource or of one of its instances:
// type.name, type.name[0], type.name["key"], data.type.name.
type Addr struct {
	Mode Mode
	Type string
	Name string
	// Key is the instance key: a number for count, a string for for_each,
	// cty.NilVal for a resource with neither.
	Key cty.Value
}

// Resource returns the address of the resource the instance belongs to.
func (a Addr) Resource() string {
	if a.Mode == Data {
		return "data." + a.Type + "." + a.Name
	}
	return a.Type + "." + a.Name
}

// String returns the address as written in configuration.
func (a Addr) String() string {
	return a.Resource() + KeyString(a.Key)
}

// KeyString renders an instance key as an index: [3] or ["key"]; the empty
// string for cty.NilVal.
func KeyString(k cty.Value) string {
	if k == cty.NilVal {
		return ""
	}
	if k.Type() == cty.Number {
		bf := k.AsBigFloat()
		if i, acc := bf.Int64(); acc == 0 {
			return "[" + strconv.FormatInt(i, 10) + "]"
		}
		return "[" + bf.Text('f', -1) + "]"
	}
	return "[" + strconv.Quote(k.AsString()) + "]"
}

// ParseAddr parses an instance or resource address given on the command
// line or in an import block.
func ParseAddr(s string) (Addr, error) {
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		return Addr{}, fmt.Errorf("%q is not a resource address: %s", s, diags[0].Summary)
	}
	a, err := AddrFromTraversal(trav)
	if err != nil {
		return Addr{}, fmt.Errorf("%q is not a resource address: %w", s, err)
	}
	return a, nil
}

// AddrFromTraversal converts a traversal such as local_file.a["x"] into an
// address.
func AddrFromTraversal(t hcl.Traversal) (Addr, error) {
	var a Addr
	names := make([]string, 0, 3)
	var rest hcl.Traversal
	for i, step := range t {
		var name string
		switch s := step.(type) {
		case hcl.TraverseRoot:
			name = s.Name
		case hcl.TraverseAttr:
			name = s.Name
		default:
			rest = t[i:]
		}
		if rest != nil {
			break
		}
		names = append(names, name)
	}
	switch {
	case len(names) == 3 && names[0] == "data":
		a.Mode, a.Type, a.Name = Data, names[1], names[2]
	case len(names) == 2 && names[0] != "data":
		a.Mode, a.Type, a.Name = Managed, names[0], names[1]
	default:
		return Addr{}, fmt.Errorf("expected TYPE.NAME, TYPE.NAME[KEY] or data.TYPE.NAME")
	}
	switch len(rest) {
	case 0:
	case 1:
		idx, ok := rest[0].(hcl.TraverseIndex)
		if !ok {
			return Addr{}, fmt.Errorf("expected an index after %s", a.Resource())
		}
		k := idx.Key
		if k.Type() != cty.Number && k.Type() != cty.String {
			return Addr{}, fmt.Errorf("an instance key is a number or a string")
		}
		a.Key = k
	default:
		return Addr{}, fmt.Errorf("unexpected %s after the instance key", strings.TrimSpace(fmt.Sprint(rest[1])))
	}
	return a, nil
}
