package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

var checkSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "assert"},
	},
}

// addCheck reads a check "NAME" { data ...; assert { ... } } block. Its
// data source, if any, joins the module's resources marked with the
// check's name.
func (c *Config) addCheck(b *hcl.Block) hcl.Diagnostics {
	name := b.Labels[0]
	diags := checkName("check", name, b.LabelRanges[0])
	if prev, ok := c.Checks[name]; ok {
		return append(diags, duplicate("check", name, prev.DeclRange, b))
	}
	content, cdiags := b.Body.Content(checkSchema)
	diags = append(diags, cdiags...)
	ch := &Check{Name: name, DeclRange: b.DefRange}
	for _, bb := range content.Blocks {
		switch bb.Type {
		case "data":
			if ch.Data != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "More than one data source in a check",
					Detail:   fmt.Sprintf("check %q already declares %s; a check block holds at most one data source. Declare the others outside the check.", name, ch.Data.Addr()),
					Subject:  bb.DefRange.Ptr(),
				})
				continue
			}
			d := c.addResource(bb, Data)
			diags = append(diags, d...)
			if r := c.Resources["data."+bb.Labels[0]+"."+bb.Labels[1]]; r != nil && r.DeclRange == bb.DefRange {
				r.Check = name
				ch.Data = r
				if r.Count != nil || r.ForEach != nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "count or for_each in a check's data source",
						Detail:   "The data source of a check block reads one object. Move the repetition to the check's assertions, such as alltrue([for x in ... : ...]).",
						Subject:  bb.DefRange.Ptr(),
					})
				}
			}
		case "assert":
			cond, d := decodeCondition(bb)
			diags = append(diags, d...)
			if cond != nil {
				ch.Asserts = append(ch.Asserts, cond)
			}
		}
	}
	if len(ch.Asserts) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Check without assertions",
			Detail:   fmt.Sprintf("check %q has no assert block, so it checks nothing. Add assert { condition = ..., error_message = \"...\" }.", name),
			Subject:  b.DefRange.Ptr(),
		})
	}
	c.Checks[name] = ch
	return diags
}
