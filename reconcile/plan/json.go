package plan

import (
	"bufio"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/config"
)

// JSONFormatVersion is the version of Terraform's plan representation
// that RenderJSON follows, so tools written for Terraform's plans
// (terraform-json, OPA and conftest policies, cost estimators) read
// plumb's. It is also the document's format_version.
const JSONFormatVersion = "1.2"

// PlumbJSONVersion is the version of the "plumb" extension object, where
// plumb puts what Terraform's representation has no place for. The major
// number changes when a field is removed or changes meaning, the minor
// number when fields are added.
const PlumbJSONVersion = "2.0"

// stateFormatVersion is the format_version of prior_state, Terraform's
// state representation.
const stateFormatVersion = "1.0"

// RenderJSON writes the plan as one JSON document in Terraform's plan
// representation, with plumb's own data (record-level diffs, reasons in
// words, warnings, request counts) under the "plumb" member, as
// docs/json-format.md describes. Sensitive values are written as
// "(sensitive)", never as themselves.
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

// maybeFlush writes the buffer out once it is large.
func (j *jsonWriter) maybeFlush() {
	if len(j.b) > 32<<10 {
		j.flush()
	}
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
	j.b = appendStrings(j.b, vs)
}

func appendStrings(b []byte, vs []string) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	return append(b, ']')
}

// located is a change with its address taken apart.
type located struct {
	c      *Change
	module config.ModuleInstance
	key    cty.Value
}

// locate takes the change's address apart; an address that does not
// parse (a state edited by hand) is kept whole, in the root module.
func locate(c *Change) located {
	l := located{c: c}
	if !strings.HasPrefix(c.Addr, "module.") {
		if !strings.HasSuffix(c.Addr, "]") {
			return l
		}
		if k, ok := simpleKey(c.Addr); ok {
			l.key = k
			return l
		}
	}
	if a, err := config.ParseAddr(c.Addr); err == nil {
		l.module, l.key = a.Module, a.Key
	}
	return l
}

// simpleKey reads the instance key of a root-module address whose key is
// a whole number or a string with nothing escaped: [3] or ["a.example"],
// the common cases, without the HCL parser. Anything else is not ok.
func simpleKey(addr string) (cty.Value, bool) {
	open := strings.IndexByte(addr, '[')
	if open < 0 || open+2 > len(addr)-1 {
		return cty.NilVal, false
	}
	inner := addr[open+1 : len(addr)-1]
	if inner[0] == '"' {
		if len(inner) < 2 || inner[len(inner)-1] != '"' {
			return cty.NilVal, false
		}
		str := inner[1 : len(inner)-1]
		if strings.ContainsAny(str, "\\\"$%[]") {
			return cty.NilVal, false
		}
		return cty.StringVal(str), true
	}
	n, err := strconv.ParseInt(inner, 10, 64)
	if err != nil || n < 0 {
		return cty.NilVal, false
	}
	return cty.NumberIntVal(n), true
}

func (j *jsonWriter) plan(p *Plan) {
	changes := make([]located, len(p.Changes))
	for i, c := range p.Changes {
		changes[i] = locate(c)
	}
	j.b = append(j.b, '{')
	j.field("format_version", true)
	j.b = appendJSONString(j.b, JSONFormatVersion)
	if !p.Created.IsZero() {
		j.str("timestamp", p.Created.UTC().Format(time.RFC3339))
	}
	j.boolean("applyable", p.HasChanges())
	j.boolean("complete", len(p.Targets) == 0 && len(p.Excludes) == 0)
	j.boolean("errored", false)
	j.variables(p)
	j.field("planned_values", false)
	j.values(p, changes, true)
	j.resourceChanges(changes, p.RefreshOnly)
	j.outputChanges(p)
	j.field("prior_state", false)
	j.b = append(j.b, '{')
	j.field("format_version", true)
	j.b = appendJSONString(j.b, stateFormatVersion)
	j.field("values", false)
	j.values(p, changes, false)
	j.b = append(j.b, '}')
	j.checks(p)
	j.plumb(p)
	j.b = append(j.b, "}\n"...)
	j.flush()
}

// variables writes the root variables; sensitive ones are "(sensitive)".
func (j *jsonWriter) variables(p *Plan) {
	j.field("variables", false)
	j.b = append(j.b, '{')
	names := make([]string, 0, len(p.Variables))
	for name := range p.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		j.field(name, i == 0)
		j.b = append(j.b, '{')
		j.field("value", true)
		v := p.Variables[name]
		if slices.Contains(p.SensitiveVariables, name) && !v.IsNull() {
			j.b = appendJSONString(j.b, SensitiveValue)
		} else {
			j.b = appendTFValue(j.b, v)
		}
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, '}')
}

// resourceChanges writes every resource instance the plan covers, no-ops
// included, and the data sources read during apply.
// A refresh-only plan changes nothing: what it found changed outside
// plumb is resource_drift, as Terraform writes it, and resource_changes
// is empty, so a policy about changes does not mistake drift for one.
func (j *jsonWriter) resourceChanges(changes []located, refreshOnly bool) {
	if refreshOnly {
		j.field("resource_drift", false)
		j.changeList(changes, func(c *Change) bool { return c.Mode != Data && c.Action != NoOp })
		j.field("resource_changes", false)
		j.b = append(j.b, "[]"...)
		return
	}
	j.field("resource_changes", false)
	j.changeList(changes, func(c *Change) bool {
		return c.Mode != Data || c.Action == Read // read during plan: it is in prior_state
	})
}

// changeList writes the changes keep selects as an array.
func (j *jsonWriter) changeList(changes []located, keep func(*Change) bool) {
	j.b = append(j.b, '[')
	first := true
	for _, l := range changes {
		if !keep(l.c) {
			continue
		}
		if !first {
			j.b = append(j.b, ',')
		}
		first = false
		j.resourceChange(l)
		j.maybeFlush()
	}
	j.b = append(j.b, ']')
}

func (j *jsonWriter) resourceHead(l located) {
	c := l.c
	mode := c.Mode
	if mode == "" {
		mode = Managed
	}
	j.field("address", true)
	j.b = appendJSONString(j.b, c.Addr)
	if !l.module.IsRoot() {
		j.str("module_address", l.module.String())
	}
	j.str("mode", string(mode))
	j.str("type", c.Type)
	j.str("name", c.Name)
	if l.key != cty.NilVal {
		j.field("index", false)
		j.b = appendTFValue(j.b, l.key)
	}
	j.str("provider_name", c.Provider)
}

func (j *jsonWriter) resourceChange(l located) {
	c := l.c
	j.b = append(j.b, '{')
	j.resourceHead(l)
	if c.PrevAddr != "" {
		j.str("previous_address", c.PrevAddr)
	}
	j.field("change", false)
	j.b = append(j.b, '{')
	j.field("actions", true)
	j.b = appendActions(j.b, c.Action)
	sensitive := sortedCopy(c.Sensitive)
	before, after := norm(c.Before), norm(c.After)
	j.field("before", false)
	j.b = appendTFObject(j.b, before, sensitive, false)
	j.field("after", false)
	j.b = appendTFObject(j.b, after, sensitive, false)
	j.field("after_unknown", false)
	j.b = appendTopMask(j.b, after, sensitive)
	j.field("before_sensitive", false)
	j.b = appendSensitiveMask(j.b, before, sensitive)
	j.field("after_sensitive", false)
	j.b = appendSensitiveMask(j.b, after, sensitive)
	if len(c.RequiresReplace) > 0 {
		j.field("replace_paths", false)
		j.b = append(j.b, '[')
		for i, name := range sortedCopy(c.RequiresReplace) {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.b = append(j.b, '[')
			j.b = appendJSONString(j.b, name)
			j.b = append(j.b, ']')
		}
		j.b = append(j.b, ']')
	}
	if c.ImportID != "" {
		j.field("importing", false)
		j.b = append(j.b, '{')
		j.field("id", true)
		j.b = appendJSONString(j.b, c.ImportID)
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, '}')
	if c.ActionReason != "" {
		j.str("action_reason", c.ActionReason)
	}
	j.b = append(j.b, '}')
}

// appendActions appends Terraform's array form of an action: a
// replacement is a delete and a create, in the order they happen.
func appendActions(b []byte, a Action) []byte {
	switch a {
	case DeleteThenCreate:
		return append(b, `["delete","create"]`...)
	case CreateThenDelete:
		return append(b, `["create","delete"]`...)
	}
	b = append(b, '[')
	b = appendJSONString(b, a.String())
	return append(b, ']')
}

// outputChanges writes every root output, unchanged ones as no-op.
func (j *jsonWriter) outputChanges(p *Plan) {
	j.field("output_changes", false)
	j.b = append(j.b, '{')
	for i, o := range p.Outputs {
		j.field(o.Name, i == 0)
		before, after := norm(o.Before), norm(o.After)
		j.b = append(j.b, '{')
		j.field("actions", true)
		j.b = appendActions(j.b, o.Action)
		j.field("before", false)
		j.b = appendTFOutput(j.b, before, o.Sensitive)
		j.field("after", false)
		j.b = appendTFOutput(j.b, after, o.Sensitive)
		j.field("after_unknown", false)
		switch {
		case o.Sensitive:
			j.b = strconv.AppendBool(j.b, !after.IsKnown())
		default:
			j.b = appendMask(j.b, after)
		}
		j.boolean("before_sensitive", o.Sensitive)
		j.boolean("after_sensitive", o.Sensitive)
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, '}')
}

// values writes a state representation: the values after the plan
// (planned_values) or before it (the values of prior_state).
func (j *jsonWriter) values(p *Plan, changes []located, planned bool) {
	j.b = append(j.b, '{')
	j.field("outputs", true)
	j.b = append(j.b, '{')
	first := true
	for _, o := range p.Outputs {
		v := norm(o.Before)
		if planned {
			if o.Action == Delete {
				continue
			}
			v = norm(o.After)
		} else if v.IsNull() || o.Action == Create {
			continue
		}
		j.field(o.Name, first)
		first = false
		j.b = append(j.b, '{')
		j.field("sensitive", true)
		j.b = strconv.AppendBool(j.b, o.Sensitive)
		if v.IsKnown() {
			j.field("value", false)
			j.b = appendTFOutput(j.b, v, o.Sensitive)
		}
		j.b = append(j.b, '}')
	}
	j.b = append(j.b, '}')

	// Resources, grouped by module instance.
	byModule := map[string][]located{}
	mods := map[string]config.ModuleInstance{"": nil}
	for _, l := range changes {
		if !inValues(l.c, planned) {
			continue
		}
		m := l.module.String()
		byModule[m] = append(byModule[m], l)
		for i := 1; i <= len(l.module); i++ {
			mods[l.module[:i].String()] = l.module[:i]
		}
	}
	children := map[string][]string{}
	for addr, m := range mods {
		if addr != "" {
			parent := m[:len(m)-1].String()
			children[parent] = append(children[parent], addr)
		}
	}
	j.field("root_module", false)
	j.module("", byModule, children, planned)
	j.b = append(j.b, '}')
}

// inValues reports whether a change has an object in planned_values
// (planned) or in prior_state (!planned).
func inValues(c *Change, planned bool) bool {
	if c.Mode == Data {
		return planned || c.Action == NoOp
	}
	if planned {
		return c.Action != Delete && c.Action != Forget
	}
	return c.ImportID == "" && !norm(c.Before).IsNull()
}

func (j *jsonWriter) module(addr string, byModule map[string][]located, children map[string][]string, planned bool) {
	j.b = append(j.b, '{')
	first := true
	if addr != "" {
		j.field("address", true)
		j.b = appendJSONString(j.b, addr)
		first = false
	}
	if rs := byModule[addr]; len(rs) > 0 {
		j.field("resources", first)
		first = false
		j.b = append(j.b, '[')
		for i, l := range rs {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.stateResource(l, planned)
			j.maybeFlush()
		}
		j.b = append(j.b, ']')
	}
	if kids := children[addr]; len(kids) > 0 {
		sort.Strings(kids)
		j.field("child_modules", first)
		j.b = append(j.b, '[')
		for i, k := range kids {
			if i > 0 {
				j.b = append(j.b, ',')
			}
			j.module(k, byModule, children, planned)
		}
		j.b = append(j.b, ']')
	}
	j.b = append(j.b, '}')
}

func (j *jsonWriter) stateResource(l located, planned bool) {
	c := l.c
	v := norm(c.Before)
	if planned || c.Mode == Data {
		v = norm(c.After)
	}
	sensitive := sortedCopy(c.Sensitive)
	j.b = append(j.b, '{')
	j.resourceHead(l)
	j.num("schema_version", 0)
	j.field("values", false)
	if v.IsKnown() && !v.IsNull() {
		j.b = appendTFObject(j.b, v, sensitive, true)
	} else {
		j.b = append(j.b, "{}"...)
	}
	j.field("sensitive_values", false)
	if v.IsNull() {
		j.b = append(j.b, "{}"...)
	} else {
		j.b = appendSensitiveMask(j.b, v, sensitive)
	}
	j.b = append(j.b, '}')
}

// checks writes the condition results, grouped by configuration address
// as Terraform does.
func (j *jsonWriter) checks(p *Plan) {
	if len(p.Checks) == 0 {
		return
	}
	var order []string
	groups := map[string][]*Check{}
	for _, c := range p.Checks {
		if _, ok := groups[c.Config]; !ok {
			order = append(order, c.Config)
		}
		groups[c.Config] = append(groups[c.Config], c)
	}
	sort.Strings(order)
	j.field("checks", false)
	j.b = append(j.b, '[')
	for i, cfg := range order {
		if i > 0 {
			j.b = append(j.b, ',')
		}
		group := groups[cfg]
		j.b = append(j.b, '{')
		j.field("address", true)
		j.b = append(j.b, '{')
		j.field("to_display", true)
		j.b = appendJSONString(j.b, cfg)
		j.str("kind", string(group[0].Kind))
		if a, err := config.ParseAddr(cfg); err == nil {
			if !a.Module.IsRoot() {
				j.str("module", a.Module.String())
			}
			if group[0].Kind == CheckResource {
				j.str("mode", string(a.Mode))
				j.str("type", a.Type)
			}
			j.str("name", a.Name)
		}
		j.b = append(j.b, '}')
		j.str("status", string(overallStatus(group)))
		j.field("instances", false)
		j.b = append(j.b, '[')
		for k, c := range group {
			if k > 0 {
				j.b = append(j.b, ',')
			}
			j.b = append(j.b, '{')
			j.field("address", true)
			j.b = append(j.b, '{')
			j.field("to_display", true)
			j.b = appendJSONString(j.b, c.Addr)
			if a, err := config.ParseAddr(c.Addr); err == nil {
				if !a.Module.IsRoot() {
					j.str("module", a.Module.String())
				}
				if a.Key != cty.NilVal {
					j.field("instance_key", false)
					j.b = appendTFValue(j.b, a.Key)
				}
			}
			j.b = append(j.b, '}')
			j.str("status", string(c.Status))
			if len(c.Problems) > 0 {
				j.field("problems", false)
				j.b = append(j.b, '[')
				for n, msg := range c.Problems {
					if n > 0 {
						j.b = append(j.b, ',')
					}
					j.b = append(j.b, `{"message":`...)
					j.b = appendJSONString(j.b, msg)
					j.b = append(j.b, '}')
				}
				j.b = append(j.b, ']')
			}
			j.b = append(j.b, '}')
		}
		j.b = append(j.b, "]}"...)
	}
	j.b = append(j.b, ']')
}

// overallStatus is the status of a group of checks: the worst of them.
func overallStatus(group []*Check) CheckStatus {
	rank := map[CheckStatus]int{CheckPass: 0, CheckUnknown: 1, CheckError: 2, CheckFail: 3}
	worst := CheckPass
	for _, c := range group {
		if rank[c.Status] > rank[worst] {
			worst = c.Status
		}
	}
	return worst
}

func sortedCopy(s []string) []string {
	if slices.IsSorted(s) {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// appendTFObject appends a resource object as Terraform's representation
// has it: sensitive top-level attributes replaced by "(sensitive)", and
// unknown values written as null, or, with omitUnknown (planned_values),
// left out.
func appendTFObject(b []byte, v cty.Value, sensitive []string, omitUnknown bool) []byte {
	if v.IsMarked() {
		v, _ = v.Unmark()
	}
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return appendTFValue(b, v)
	}
	b = append(b, '{')
	first := true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsMarked() {
			e, _ = e.Unmark()
		}
		if omitUnknown && !e.IsKnown() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		name := k.AsString()
		b = appendJSONString(b, name)
		b = append(b, ':')
		switch {
		case !e.IsNull() && e.IsKnown() && slices.Contains(sensitive, name):
			b = appendJSONString(b, SensitiveValue)
		case omitUnknown:
			b = appendJSON(b, e)
		default:
			b = appendTFValue(b, e)
		}
	}
	return append(b, '}')
}

// appendTFOutput appends an output's value, "(sensitive)" when it is.
func appendTFOutput(b []byte, v cty.Value, sensitive bool) []byte {
	if sensitive && !v.IsNull() && v.IsKnown() {
		return appendJSONString(b, SensitiveValue)
	}
	return appendTFValue(b, v)
}

// appendSensitiveMask appends Terraform's sensitivity mask of a resource
// object: false for null, otherwise an object naming the sensitive
// top-level attributes with true.
func appendSensitiveMask(b []byte, v cty.Value, sensitive []string) []byte {
	if v.IsNull() {
		return append(b, "false"...)
	}
	b = append(b, '{')
	first := true
	for _, name := range sensitive {
		if v.Type().IsObjectType() && !v.Type().HasAttribute(name) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, name)
		b = append(b, ":true"...)
	}
	return append(b, '}')
}

// appendTFValue appends v as JSON with every member kept: unknown values,
// at any depth, are written as null (their unknown mask says which).
func appendTFValue(b []byte, v cty.Value) []byte { return appendJSONValue(b, v, true) }

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
func appendJSON(b []byte, v cty.Value) []byte { return appendJSONValue(b, v, false) }

// appendJSONValue appends v as JSON, an unknown value at any depth as null.
// keepUnknown says what becomes of the unknown members of objects and
// maps: written as null (Terraform's form, which an unknown mask
// accompanies) or left out (plumb's own form).
func appendJSONValue(b []byte, v cty.Value, keepUnknown bool) []byte {
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
			b = appendJSONValue(b, e, keepUnknown)
		}
		return append(b, ']')
	case ty.IsMapType() || ty.IsObjectType():
		b = append(b, '{')
		first := true
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if !keepUnknown && !e.IsKnown() {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k.AsString())
			b = append(b, ':')
			b = appendJSONValue(b, e, keepUnknown)
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
