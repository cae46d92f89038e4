package reconcile

import (
	"github.com/zclconf/go-cty/cty"
)

// ignorePath returns cfg with the part at path taken from live, for
// lifecycle { ignore_changes = [tags["owner"], soa.refresh] }: a map key
// live has is set to live's value and one it lacks is removed; an
// attribute or list element is set to live's. Where cfg or live has no
// such part (a shorter list, a null block), cfg is left as it is there.
func ignorePath(cfg, live cty.Value, path cty.Path) cty.Value {
	if len(path) == 0 {
		return live
	}
	if cfg.IsNull() || !cfg.IsKnown() || cfg.IsMarked() {
		return cfg
	}
	liveOK := !live.IsNull() && live.IsKnown() && !live.IsMarked()
	ty := cfg.Type()
	switch step := path[0].(type) {
	case cty.GetAttrStep:
		if !ty.IsObjectType() || !ty.HasAttribute(step.Name) {
			return cfg
		}
		child := cty.NullVal(ty.AttributeType(step.Name))
		if liveOK && live.Type().IsObjectType() && live.Type().HasAttribute(step.Name) {
			child = live.GetAttr(step.Name)
		}
		vals := cfg.AsValueMap()
		vals[step.Name] = ignorePath(vals[step.Name], child, path[1:])
		return cty.ObjectVal(vals)
	case cty.IndexStep:
		switch {
		case ty.IsObjectType() && step.Key.Type() == cty.String:
			return ignorePath(cfg, live, append(cty.Path{cty.GetAttrStep{Name: step.Key.AsString()}}, path[1:]...))
		case ty.IsMapType() && step.Key.Type() == cty.String:
			return ignoreMapKey(cfg, live, liveOK, step.Key, path[1:])
		case (ty.IsListType() || ty.IsTupleType()) && step.Key.Type() == cty.Number:
			if !cfg.HasIndex(step.Key).True() || !liveOK || !live.HasIndex(step.Key).True() {
				return cfg
			}
			elems := cfg.AsValueSlice()
			i, _ := step.Key.AsBigFloat().Int64()
			elems[i] = ignorePath(elems[i], live.Index(step.Key), path[1:])
			if ty.IsTupleType() {
				return cty.TupleVal(elems)
			}
			return cty.ListVal(elems)
		}
	}
	return cfg
}

// ignoreMapKey is ignorePath for one key of a map.
func ignoreMapKey(cfg, live cty.Value, liveOK bool, key cty.Value, rest cty.Path) cty.Value {
	vals := map[string]cty.Value{}
	if cfg.LengthInt() > 0 {
		vals = cfg.AsValueMap()
	}
	k := key.AsString()
	liveHas := liveOK && live.Type().IsMapType() && live.HasIndex(key).True()
	switch {
	case len(rest) == 0 && liveHas:
		vals[k] = live.Index(key)
	case len(rest) == 0:
		delete(vals, k)
	case liveHas && vals[k] != cty.NilVal:
		vals[k] = ignorePath(vals[k], live.Index(key), rest)
	}
	if len(vals) == 0 {
		return cty.MapValEmpty(cfg.Type().ElementType())
	}
	return cty.MapVal(vals)
}
