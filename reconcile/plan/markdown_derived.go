package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// replaceWarning says which attributes force a replacement.
func replaceWarning(c *Change, index int, diffs []AttrDiff) reviewWarning {
	w := reviewWarning{kind: warnReplace, addr: c.Addr, index: index}
	var forcing []string
	for i := range diffs {
		if !diffs[i].ForcesReplace {
			continue
		}
		name := topLevel(diffs[i].Path)
		if !slices.Contains(forcing, name) {
			forcing = append(forcing, name)
		}
	}
	switch len(forcing) {
	case 0:
		reason := c.Reason
		if reason == "" {
			reason = "replacement requested"
		}
		w.parts = []textPart{{text: "(" + reason + ")"}}
	default:
		w.parts = append(w.parts, textPart{text: ": "})
		for i, f := range forcing {
			if i > 0 {
				w.parts = append(w.parts, textPart{text: ", "})
			}
			w.parts = append(w.parts, textPart{text: f, code: true})
		}
		if len(forcing) == 1 {
			w.parts = append(w.parts, textPart{text: " forces replacement"})
		} else {
			w.parts = append(w.parts, textPart{text: " force replacement"})
		}
	}
	return w
}

// topLevel returns the top-level attribute a diff path starts with.
func topLevel(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// keyedCollection is what derivedWarnings learns of one keyed list or
// set: how many of its existing elements change or go (the providers'
// rule for a mass change, which does not count additions), and whether
// an apex NS record is among the changed ones.
type keyedCollection struct {
	path    string
	last    string // the last element seen, as its diffs come together
	changed int
	apexNS  string // the first apex NS element path, if any
}

// derivedWarnings finds mass changes and apex NS changes among the diffs
// of an update or replacement, from the paths Diff gives elements paired
// by key attributes (records[name="www",type="A"]).
func derivedWarnings(c *Change, index int, diffs []AttrDiff) []reviewWarning {
	if len(c.Keys) == 0 {
		return nil
	}
	var colls []*keyedCollection
	zone := zoneNames(c)
	for i := range diffs {
		coll, elem, key, ok := keyedElement(diffs[i].Path, c.Keys)
		if !ok {
			continue
		}
		var kc *keyedCollection
		for _, x := range colls {
			if x.path == coll {
				kc = x
				break
			}
		}
		if kc == nil {
			kc = &keyedCollection{path: coll}
			colls = append(colls, kc)
		}
		if elem != kc.last {
			kc.last = elem
			if diffs[i].Path != elem || diffs[i].Action != Create {
				kc.changed++
			}
			if kc.apexNS == "" && isApexNS(key, zone) {
				kc.apexNS = elem
			}
		}
	}
	var out []reviewWarning
	for _, kc := range colls {
		if kc.apexNS != "" {
			out = append(out, reviewWarning{kind: warnApexNS, addr: c.Addr, index: index, parts: []textPart{
				{text: ": "}, {text: kc.apexNS, code: true},
				{text: " changes; the zone's delegation depends on it"},
			}})
		}
		total := collectionLen(c.Before, kc.path)
		if c.MassChange != nil {
			continue // the provider's own numbers say it, in massWarning
		}
		if total >= massChangeMinElements && kc.changed*100 > total*massChangePercent {
			out = append(out, reviewWarning{kind: warnMass, addr: c.Addr, index: index, parts: []textPart{
				{text: ": " + formatCount(kc.changed) + " of the " + formatCount(total) + " elements of "},
				{text: kc.path, code: true},
				{text: " change or go (" + strconv.Itoa(kc.changed*100/total) + "%)"},
			}})
		}
	}
	return out
}

// keyedElement splits a diff path at its first element paired by key
// attributes: records[name="www",type="A"].ttl gives the collection
// "records", the element records[name="www",type="A"] and the key
// name="www",type="A".
func keyedElement(path string, keys map[string][]string) (coll, elem, key string, ok bool) {
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '"':
			i = skipQuoted(path, i)
		case '[':
			end := closingBracket(path, i)
			if end < 0 {
				return "", "", "", false
			}
			name := path[strings.LastIndexAny(path[:i], ".]")+1 : i]
			inner := path[i+1 : end]
			if name != "" && len(keys[name]) > 0 && len(inner) > 0 && isIdentStart(inner[0]) {
				return path[:i], path[:end+1], inner, true
			}
			i = end
		}
	}
	return "", "", "", false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// skipQuoted returns the index of the quote closing the string that
// starts at s[i].
func skipQuoted(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(s)
}

// closingBracket returns the index of the ']' matching s[i], or -1.
func closingBracket(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '"':
			j = skipQuoted(s, j)
		case ']':
			return j
		}
	}
	return -1
}

// keyField returns the formatted value of one key attribute in a key
// such as name="www",type="A".
func keyField(key, attr string) (string, bool) {
	for i := 0; i < len(key); {
		eq := strings.IndexByte(key[i:], '=')
		if eq < 0 {
			return "", false
		}
		name := key[i : i+eq]
		start := i + eq + 1
		end := start
		if end < len(key) && key[end] == '"' {
			end = skipQuoted(key, end) + 1
		} else if comma := strings.IndexByte(key[start:], ','); comma >= 0 {
			end = start + comma
		} else {
			end = len(key)
		}
		end = min(end, len(key))
		if name == attr {
			return key[start:end], true
		}
		i = end + 1
	}
	return "", false
}

// zoneNames returns the quoted names an apex record may have in c: "@",
// "" and the zone's own name, with and without its final dot, taken from
// its name or zone attribute.
func zoneNames(c *Change) []string {
	names := []string{`"@"`, `""`}
	for _, v := range []cty.Value{norm(c.After), norm(c.Before)} {
		for _, attr := range []string{"name", "zone"} {
			a := attrOf(v, attr)
			if a.Type() != cty.String || a.IsNull() || !a.IsKnown() {
				continue
			}
			s := strings.TrimSuffix(a.AsString(), ".")
			if s != "" {
				names = append(names, quote(s), quote(s+"."))
			}
		}
	}
	return names
}

// isApexNS reports whether an element key names an NS record at the zone
// apex.
func isApexNS(key string, zone []string) bool {
	typ, ok := keyField(key, "type")
	if !ok || !strings.EqualFold(typ, `"NS"`) {
		return false
	}
	name, ok := keyField(key, "name")
	if !ok {
		return false
	}
	for _, z := range zone {
		if strings.EqualFold(name, z) {
			return true
		}
	}
	return false
}

// collectionLen returns the number of elements of the collection at a
// dotted attribute path in v, or 0 when there is none.
func collectionLen(v cty.Value, path string) int {
	v = norm(v)
	for _, name := range strings.Split(path, ".") {
		if v.IsNull() || !v.IsKnown() {
			return 0
		}
		v = attrOf(v, name)
		if v.IsMarked() {
			v, _ = v.Unmark()
		}
	}
	ty := v.Type()
	if v.IsNull() || !v.IsKnown() || !(ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) {
		return 0
	}
	return v.LengthInt()
}
