package plan

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// JSONFormatVersion is the version of the schema RenderJSON writes,
// documented in docs/json-format.md. The major number changes when a
// field is removed or changes meaning, the minor number when fields are
// added.
const JSONFormatVersion = "1.0"

// RenderJSON writes the plan as one JSON document in the schema described
// in docs/json-format.md, for machines: CI checks, review bots. Sensitive
// values are written as "(sensitive)", never as themselves; unknown values
// are left out of "after" and flagged in "after_unknown". No-op changes
// are left out of resource_changes and output_changes but counted in the
// summary.
func RenderJSON(w io.Writer, p *Plan) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	j := &jsonWriter{w: bw}
	j.plan(p)
	if j.err != nil {
		return j.err
	}
	return bw.Flush()
}

// jsonWriter builds the document in a buffer it flushes between changes.
type jsonWriter struct {
	w   *bufio.Writer
	b   []byte
	err error
}

func (j *jsonWriter) flush() {
	if _, err := j.w.Write(j.b); err != nil && j.err == nil {
		j.err = err
	}
	j.b = j.b[:0]
}

// field appends ,"name": (without the comma for the first field).
func (j *jsonWriter) field(name string, first bool) {
	if !first {
		j.b = append(j.b, ',')
	}
	j.b = appendJSONString(j.b, name)
	j.b = append(j.b, ':')
}

func (j *jsonWriter) str(name, v string) {
	j.field(name, false)
	j.b = appendJSONString(j.b, v)
}

func (j *jsonWriter) num(name string, n int) {
	j.field(name, false)
	j.b = strconv.AppendInt(j.b, int64(n), 10)
}

func (j *jsonWriter) boolean(name string, v bool) {
	j.field(name, false)
	j.b = strconv.AppendBool(j.b, v)
}

func (j *jsonWriter) strings(name string, vs []string) {
	j.field(name, false)
	j.b = append(j.b, '[')
	for i, v := range vs {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		j.b = appendJSONString(j.b, v)
	}
	j.b = append(j.b, ']')
}

func (j *jsonWriter) plan(p *Plan) {
	j.b = append(j.b, '{')
	j.field("format_version", true)
	j.b = appendJSONString(j.b, JSONFormatVersion)
	j.str("plumb_version", p.PlumbVersion)
	j.str("lineage", p.Lineage)
	j.field("serial", false)
	j.b = strconv.AppendUint(j.b, p.Serial, 10)
	j.boolean("destroy", p.Destroy)
	j.strings("targets", p.Targets)
	if len(p.Excludes) > 0 {
		j.strings("excludes", p.Excludes)
	}

	n := p.Count()
	j.field("summary", false)
	j.b = append(j.b, '{')
	j.field("add", true)
	j.b = strconv.AppendInt(j.b, int64(n.Add), 10)
	j.num("change", n.Change)
	j.num("destroy", n.Destroy)
	j.num("replace", n.Replace)
	j.num("read", n.Read)
	j.num("no_op", n.NoOp)
	j.num("import", n.Import)
	j.b = append(j.b, '}')

	j.field("resource_changes", false)
	j.b = append(j.b, '[')
	first := true
	for _, c := range p.Changes {
		if c.Action == NoOp && c.ImportID == "" {
			continue
		}
		if !first {
			j.b = append(j.b, ',')
		}
		first = false
		j.change(c)
		if len(j.b) > 32<<10 {
			j.flush()
		}
	}
	j.b = append(j.b, ']')

	j.field("output_changes", false)
	j.b = append(j.b, '{')
	first = true
	for _, o := range p.Outputs {
		if o.Action == NoOp {
			continue
		}
		j.field(o.Name, first)
		first = false
		j.output(o)
	}
	j.b = append(j.b, '}')

	j.strings("warnings", p.Warnings)
	j.b = append(j.b, "}\n"...)
	j.flush()
}

func (j *jsonWriter) change(c *Change) {
	mode := c.Mode
	if mode == "" {
		mode = Managed
	}
	j.b = append(j.b, '{')
	j.field("address", true)
	j.b = appendJSONString(j.b, c.Addr)
	j.str("mode", string(mode))
	j.str("type", c.Type)
	j.str("name", c.Name)
	if c.Module != "" {
		j.str("module_address", c.Module)
	}
	j.str("provider", c.Provider)
	if c.ProviderConfig != "" {
		j.str("provider_config", c.ProviderConfig)
	}
	j.str("action", c.Action.String())
	j.str("action_symbol", c.Action.Symbol())
	j.str("reason", c.Reason)
	if c.ImportID != "" {
		j.str("import_id", c.ImportID)
	}
	if c.Gone {
		j.boolean("gone", true)
	}
	j.strings("requires_replace", sortedCopy(c.RequiresReplace))
	sensitive := sortedCopy(c.Sensitive)
	before, after := norm(c.Before), norm(c.After)
	j.field("before", false)
	j.b = appendRedacted(j.b, before, sensitive)
	j.field("after", false)
	j.b = appendRedacted(j.b, after, sensitive)
	j.field("after_unknown", false)
	j.b = appendTopMask(j.b, after, sensitive)
	j.strings("sensitive_attributes", sensitive)

	j.field("attribute_changes", false)
	j.b = append(j.b, '[')
	for i, d := range Diff(c) {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		j.b = append(j.b, '{')
		j.field("path", true)
		j.b = appendJSONString(j.b, d.Path)
		j.str("action", d.Action.String())
		j.value("before", d.Before, d.Sensitive)
		j.value("after", d.After, d.Sensitive)
		if d.Sensitive {
			j.boolean("sensitive", true)
		}
		j.boolean("forces_replacement", d.ForcesReplace)
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, "]}"...)
}

// value appends "name": v, redacted when sensitive, followed by
// "name_unknown" when v is or holds unknown values.
func (j *jsonWriter) value(name string, v cty.Value, sensitive bool) {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	j.field(name, false)
	switch {
	case sensitive && !v.IsNull() && v.IsKnown():
		j.b = appendJSONString(j.b, SensitiveValue)
	default:
		j.b = appendJSON(j.b, v)
	}
	if v.IsWhollyKnown() || (sensitive && v.IsKnown()) {
		return
	}
	j.field(name+"_unknown", false)
	j.b = appendMask(j.b, v)
}

func (j *jsonWriter) output(o *OutputChange) {
	j.b = append(j.b, '{')
	j.field("action", true)
	j.b = appendJSONString(j.b, o.Action.String())
	j.value("before", norm(o.Before), o.Sensitive)
	j.value("after", norm(o.After), o.Sensitive)
	j.boolean("sensitive", o.Sensitive)
	j.b = append(j.b, '}')
}

func sortedCopy(s []string) []string {
	if slices.IsSorted(s) {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// appendRedacted appends a resource object with its sensitive top-level
// attributes replaced by "(sensitive)" and unknown attributes left out.
func appendRedacted(b []byte, v cty.Value, sensitive []string) []byte {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return appendJSON(b, v)
	}
	b = append(b, '{')
	first := true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsMarked() {
			e, _ = e.Unmark()
		}
		if !e.IsKnown() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		name := k.AsString()
		b = appendJSONString(b, name)
		b = append(b, ':')
		if !e.IsNull() && slices.Contains(sensitive, name) {
			b = appendJSONString(b, SensitiveValue)
		} else {
			b = appendJSON(b, e)
		}
	}
	return append(b, '}')
}

// appendTopMask appends the after_unknown of a resource: true when the
// whole value is unknown, false when it is null, otherwise an object
// naming the unknown parts.
func appendTopMask(b []byte, v cty.Value, sensitive []string) []byte {
	switch {
	case !v.IsKnown():
		return append(b, "true"...)
	case v.IsNull():
		return append(b, "false"...)
	case !v.Type().IsObjectType():
		if v.IsWhollyKnown() {
			return append(b, "false"...)
		}
		return appendMask(b, v)
	}
	b = append(b, '{')
	first := true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsMarked() {
			e, _ = e.Unmark()
		}
		name := k.AsString()
		if e.IsWhollyKnown() || (e.IsKnown() && slices.Contains(sensitive, name)) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = appendMask(b, e)
	}
	return append(b, '}')
}

// appendMask appends the unknown-mask of a value that is or holds
// unknowns: true for an unknown value; for an object or map, the members
// that are or hold unknowns; for a list, set or tuple, one entry per
// element, false for a wholly known one.
func appendMask(b []byte, v cty.Value) []byte {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if !v.IsKnown() {
		return append(b, "true"...)
	}
	if v.IsNull() || v.IsWhollyKnown() {
		return append(b, "false"...)
	}
	ty := v.Type()
	keyed := ty.IsObjectType() || ty.IsMapType()
	if keyed {
		b = append(b, '{')
	} else {
		b = append(b, '[')
	}
	first := true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if keyed && e.IsWhollyKnown() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if keyed {
			b = appendJSONString(b, k.AsString())
			b = append(b, ':')
		}
		b = appendMask(b, e)
	}
	if keyed {
		return append(b, '}')
	}
	return append(b, ']')
}

// appendJSON appends v as JSON: objects and maps as objects without their
// unknown members, lists, sets and tuples as arrays with null for unknown
// elements, a wholly unknown value as null.
func appendJSON(b []byte, v cty.Value) []byte {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	ty := v.Type()
	switch {
	case ty == cty.NilType || v.IsNull() || !v.IsKnown():
		return append(b, "null"...)
	case ty == cty.String:
		return appendJSONString(b, v.AsString())
	case ty == cty.Number:
		if v.AsBigFloat().IsInf() {
			return appendJSONString(b, v.AsBigFloat().String())
		}
		return appendNumber(b, v)
	case ty == cty.Bool:
		return strconv.AppendBool(b, v.True())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		b = append(b, '[')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			_, e := it.Element()
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case ty.IsMapType() || ty.IsObjectType():
		b = append(b, '{')
		first := true
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if !e.IsKnown() {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k.AsString())
			b = append(b, ':')
			b = appendJSON(b, e)
		}
		return append(b, '}')
	}
	return appendJSONString(b, "("+ty.FriendlyName()+")")
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it
// leaves <, > and & alone, so addresses and values stay readable.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
