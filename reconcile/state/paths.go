package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Paths lists the places in an instance's attributes whose values are
// sensitive: the attributes a schema declares sensitive, and those the
// configuration gave a value derived from a sensitive variable. The file
// keeps them as Terraform's state does, under "sensitive_attributes": a
// list of paths, each a list of steps such as {"type":"get_attr",
// "value":"content"} or {"type":"index","value":{"value":0,"type":"number"}}.
type Paths []cty.Path

// pathStep is one step of a path as the file writes it.
type pathStep struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// indexKey is the value of an index step: a cty value with its type.
type indexKey struct {
	Value json.RawMessage `json:"value"`
	Type  json.RawMessage `json:"type"`
}

// MarshalJSON writes the paths in Terraform's layout.
func (p Paths) MarshalJSON() ([]byte, error) {
	out := make([][]pathStep, 0, len(p))
	for _, path := range p {
		steps := make([]pathStep, 0, len(path))
		for _, s := range path {
			switch s := s.(type) {
			case cty.GetAttrStep:
				name, _ := json.Marshal(s.Name)
				steps = append(steps, pathStep{Type: "get_attr", Value: name})
			case cty.IndexStep:
				key, _ := s.Key.UnmarkDeep()
				val, err := ctyjson.Marshal(key, key.Type())
				if err != nil {
					return nil, fmt.Errorf("sensitive path index: %w", err)
				}
				ty, err := ctyjson.MarshalType(key.Type())
				if err != nil {
					return nil, fmt.Errorf("sensitive path index type: %w", err)
				}
				raw, _ := json.Marshal(indexKey{Value: val, Type: ty})
				steps = append(steps, pathStep{Type: "index", Value: raw})
			default:
				return nil, fmt.Errorf("sensitive path has a step of kind %T", s)
			}
		}
		out = append(out, steps)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the paths from Terraform's layout.
func (p *Paths) UnmarshalJSON(data []byte) error {
	var raw [][]pathStep
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("sensitive_attributes: %w", err)
	}
	out := make(Paths, 0, len(raw))
	for _, steps := range raw {
		path := make(cty.Path, 0, len(steps))
		for _, s := range steps {
			switch s.Type {
			case "get_attr":
				var name string
				if err := json.Unmarshal(s.Value, &name); err != nil {
					return fmt.Errorf("sensitive_attributes: get_attr step: %w", err)
				}
				path = append(path, cty.GetAttrStep{Name: name})
			case "index":
				var k indexKey
				if err := json.Unmarshal(s.Value, &k); err != nil {
					return fmt.Errorf("sensitive_attributes: index step: %w", err)
				}
				ty, err := ctyjson.UnmarshalType(k.Type)
				if err != nil {
					return fmt.Errorf("sensitive_attributes: index step type: %w", err)
				}
				key, err := ctyjson.Unmarshal(k.Value, ty)
				if err != nil {
					return fmt.Errorf("sensitive_attributes: index step value: %w", err)
				}
				path = append(path, cty.IndexStep{Key: key})
			default:
				return fmt.Errorf("sensitive_attributes: unknown step type %q", s.Type)
			}
		}
		out = append(out, path)
	}
	*p = out
	return nil
}

// TopNames returns the top-level attribute names the paths lie under,
// sorted and without repeats; a path that is empty (the whole object)
// is "*".
func (p Paths) TopNames() []string {
	var out []string
	for _, path := range p {
		name := "*"
		if len(path) > 0 {
			if ga, ok := path[0].(cty.GetAttrStep); ok {
				name = ga.Name
			}
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Normalize returns the paths sorted and without repeats, so that equal
// sets of paths encode alike.
func (p Paths) Normalize() Paths {
	if len(p) == 0 {
		return nil
	}
	type keyed struct {
		key  string
		path cty.Path
	}
	seen := map[string]bool{}
	var ks []keyed
	for _, path := range p {
		k := PathString(path)
		if !seen[k] {
			seen[k] = true
			ks = append(ks, keyed{k, path})
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make(Paths, len(ks))
	for i, k := range ks {
		out[i] = k.path
	}
	return out
}

// PathString writes a path the way configuration would: content,
// records[0].value, tags["env"].
func PathString(path cty.Path) string {
	var b strings.Builder
	for i, s := range path {
		switch s := s.(type) {
		case cty.GetAttrStep:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			key, _ := s.Key.UnmarkDeep()
			switch {
			case key.Type() == cty.String && key.IsKnown() && !key.IsNull():
				fmt.Fprintf(&b, "[%q]", key.AsString())
			case key.Type() == cty.Number && key.IsKnown() && !key.IsNull():
				fmt.Fprintf(&b, "[%s]", key.AsBigFloat().Text('f', -1))
			default:
				b.WriteString("[?]")
			}
		}
	}
	return b.String()
}
