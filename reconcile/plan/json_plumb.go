package plan

import (
	"sort"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// plumb writes the "plumb" member: what plumb knows beyond Terraform's
// representation. Tools written for Terraform ignore it.
func (j *jsonWriter) plumb(p *Plan) {
	j.field("plumb", false)
	j.b = append(j.b, '{')
	j.field("format_version", true)
	j.b = appendJSONString(j.b, PlumbJSONVersion)
	j.str("plumb_version", p.PlumbVersion)
	j.str("lineage", p.Lineage)
	j.field("serial", false)
	j.b = strconv.AppendUint(j.b, p.Serial, 10)
	j.boolean("destroy", p.Destroy)
	j.strings("targets", p.Targets)
	j.strings("excludes", p.Excludes)
	j.boolean("refresh_only", p.RefreshOnly)
	if p.AllowMassChange {
		j.boolean("allow_mass_change", true)
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
	j.num("move", n.Move)
	j.num("forget", n.Forget)
	j.num("checks_failed", len(p.FailedChecks()))
	j.b = append(j.b, '}')

	j.field("resource_changes", false)
	j.b = append(j.b, '[')
	first := true
	for _, c := range p.Changes {
		if !reviewed(c) {
			continue
		}
		if !first {
			j.b = append(j.b, ',')
		}
		first = false
		j.plumbChange(c)
		j.maybeFlush()
	}
	j.b = append(j.b, ']')

	j.strings("warnings", Warnings(p))
	j.field("request_counts", false)
	j.b = append(j.b, '{')
	ops := make([]string, 0, len(p.RequestCounts))
	for op := range p.RequestCounts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for i, op := range ops {
		j.field(op, i == 0)
		j.b = strconv.AppendInt(j.b, int64(p.RequestCounts[op]), 10)
	}
	j.b = append(j.b, "}}"...)
}

// Warnings lists what the plan warns its reviewer of: that the plan is
// partial (-target, -exclude), the mass changes something let through,
// then the plan's own warnings (failed checks among them).
func Warnings(p *Plan) []string {
	var out []string
	if banner := partialBanner(p); banner != nil {
		out = append(out, bannerText(banner))
	}
	for _, c := range p.Changes {
		if c.MassChange != nil {
			out = append(out, massChangeText(c))
		}
	}
	return append(out, p.Warnings...)
}

// massChangeText says in one sentence what a mass change let through
// does: "Mass change allowed by -allow-mass-change in
// aws_route53_zone.big: 8 of the 20 records of zone big.example change or
// go (40%)."
func massChangeText(c *Change) string {
	return "Mass change allowed by " + c.MassChange.AllowedBy + " in " + c.Addr + ": " + c.MassChange.Text() + "."
}

// plumbChange writes plumb's view of one change: the action as plumb
// names it, the reason in words and the change attribute by attribute.
func (j *jsonWriter) plumbChange(c *Change) {
	j.b = append(j.b, '{')
	j.field("address", true)
	j.b = appendJSONString(j.b, c.Addr)
	if c.PrevAddr != "" {
		j.str("previous_address", c.PrevAddr)
	}
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
	if m := c.MassChange; m != nil {
		j.field("mass_change", false)
		j.b = append(j.b, '{')
		j.field("changed", true)
		j.b = strconv.AppendInt(j.b, int64(m.Changed), 10)
		j.num("total", m.Total)
		j.str("of", m.Of)
		j.str("verb", m.Verb)
		j.str("allowed_by", m.AllowedBy)
		j.b = append(j.b, '}')
	}
	j.strings("requires_replace", sortedCopy(c.RequiresReplace))
	j.strings("sensitive_attributes", sortedCopy(c.Sensitive))
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
