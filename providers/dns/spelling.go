package dns

import "github.com/zclconf/go-cty/cty"

// KeepSpelling returns the records list a provider plans for the
// configured list when state holds prior, so that a plan shows only the
// records that really change. A configured record that means the same as
// one in prior, written another way (another case, a final dot or not,
// values in another order or spelling), keeps prior's spelling; a record
// that changes keeps prior's name and type as written, so the plan pairs
// it with its old self, and takes its TTL and values normalised; a new
// record stays as configured. When either list is not a known list of
// readable records, config is returned as it is, for the provider to
// report.
func KeepSpelling(prior, config cty.Value) cty.Value {
	if !readable(prior) || !readable(config) {
		return config
	}
	type entry struct {
		raw cty.Value
		rec Record
	}
	byKey := make(map[string]entry, prior.LengthInt())
	for it := prior.ElementIterator(); it.Next(); {
		_, e := it.Element()
		r, err := fromObject(e)
		if err != nil {
			return config
		}
		if _, dup := byKey[r.Key()]; !dup {
			byKey[r.Key()] = entry{e, r}
		}
	}
	if config.LengthInt() == 0 {
		return config
	}
	out := make([]cty.Value, 0, config.LengthInt())
	for it := config.ElementIterator(); it.Next(); {
		_, e := it.Element()
		r, err := fromObject(e)
		if err != nil {
			return config
		}
		p, ok := byKey[r.Key()]
		switch {
		case !ok:
			out = append(out, e)
		case p.rec.Equal(r):
			out = append(out, p.raw)
		default:
			v := r.Value().AsValueMap()
			v["name"], v["type"] = p.raw.GetAttr("name"), p.raw.GetAttr("type")
			out = append(out, cty.ObjectVal(v))
		}
	}
	if !sameElementType(out) {
		return config
	}
	return cty.ListVal(out)
}

// readable reports whether v is a known, non-null, unmarked list of
// records.
func readable(v cty.Value) bool {
	return !v.IsNull() && v.IsWhollyKnown() && !v.ContainsMarked() && v.Type().IsListType() &&
		v.Type().ElementType().Equals(RecordType)
}

// sameElementType reports whether the values can make one list.
func sameElementType(vs []cty.Value) bool {
	for _, v := range vs {
		if !v.Type().Equals(RecordType) {
			return false
		}
	}
	return true
}
