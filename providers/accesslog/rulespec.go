package accesslog

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// RuleBlock is the schema of a rule block: inside data
// "access_log_offenders", and in the file plumb detect -rules reads.
//
//	rule {
//	  name     = "wp_login"
//	  method   = ["POST"]
//	  uri      = "^/wp-login\\.php"
//	  requests = 5
//	  within   = "1m"
//	  ban      = "1h"
//	}
var RuleBlock = &providers.Block{
	Nesting: providers.NestingList,
	Key:     []string{"name"},
	Schema: providers.Schema{
		Description: "An attack rule: the requests it matches, and how many of them within how long make a client an offender.",
		Attributes: map[string]*providers.Attribute{
			"name": {Type: cty.String, Required: true,
				Description: "The rule's name, shown in evidence and plans."},
			"method": {Type: cty.List(cty.String), Optional: true,
				Description: "Methods to match, such as [\"POST\"] (any case)."},
			"uri": {Type: cty.String, Optional: true,
				Description: "A regular expression (RE2) the request's target (path and query) must match, such as \"^/wp-login\\\\.php\"."},
			"status": {Type: cty.List(cty.String), Optional: true,
				Description: "Statuses to match: codes such as \"404\" or classes such as \"4xx\"."},
			"agent": {Type: cty.String, Optional: true,
				Description: "A regular expression (RE2) the user agent must match, such as \"(?i)sqlmap|nikto\"."},
			"requests": {Type: cty.Number, Required: true,
				Description: "This many matching requests within the window catch a client."},
			"within": {Type: cty.String, Required: true,
				Description: "The window, such as \"1m\": it slides over the log's timestamps, so any stretch this long counts."},
			"ban": {Type: cty.String, Optional: true,
				Description: "How long nftables_blocklist blocks a client this rule caught (exported in bans), such as \"1h\"; without it the block list's timeout."},
		},
	},
}

// RuleError is a mistake in one rule: which rule (its place among the
// rule blocks, from 0; -1 when not known) and which of its attributes (""
// for the rule as a whole), so a configuration error points at the line.
type RuleError struct {
	Index int
	Attr  string
	Msg   string
}

func (e *RuleError) Error() string { return e.Msg }

// Path is the error's attribute path in a data source's configuration,
// such as "rule[2].within".
func (e *RuleError) Path() string {
	p := fmt.Sprintf("rule[%d]", max(e.Index, 0))
	if e.Attr != "" {
		p += "." + e.Attr
	}
	return p
}

func ruleErrorf(attr, format string, args ...any) error {
	return &RuleError{Index: -1, Attr: attr, Msg: fmt.Sprintf(format, args...)}
}

// DecodeRule reads one rule block's value into a checked Rule.
func DecodeRule(v cty.Value) (Rule, error) {
	var r Rule
	r.Name = v.GetAttr("name").AsString()
	r.Methods = providers.Strings(v.GetAttr("method"))
	r.Statuses = providers.Strings(v.GetAttr("status"))
	for _, re := range []struct {
		attr string
		dst  **regexp.Regexp
	}{{"uri", &r.URI}, {"agent", &r.Agent}} {
		a := v.GetAttr(re.attr)
		if a.IsNull() {
			continue
		}
		rx, err := regexp.Compile(a.AsString())
		if err != nil {
			return r, ruleErrorf(re.attr, "rule %q: %s = %q is not a regular expression (RE2 syntax; escape a dot as \\\\.): %v", r.Name, re.attr, a.AsString(), err)
		}
		*re.dst = rx
	}
	n, acc := v.GetAttr("requests").AsBigFloat().Int64()
	if acc != big.Exact {
		return r, ruleErrorf("requests", "rule %q: requests must be a whole number", r.Name)
	}
	r.Requests = n
	for _, d := range []struct {
		attr string
		dst  *time.Duration
	}{{"within", &r.Within}, {"ban", &r.Ban}} {
		a := v.GetAttr(d.attr)
		if a.IsNull() {
			continue
		}
		dur, err := providers.ParseDuration(a.AsString())
		if err != nil {
			return r, ruleErrorf(d.attr, "rule %q: %s = %v", r.Name, d.attr, err)
		}
		*d.dst = dur
	}
	return r, CheckRule(&r)
}

// DecodeRules reads the rule blocks of a configuration value (a list),
// refusing two rules of one name.
func DecodeRules(list cty.Value) ([]Rule, error) {
	if list.IsNull() {
		return nil, nil
	}
	var out []Rule
	seen := map[string]bool{}
	for i := 0; ; i++ {
		if i >= list.LengthInt() {
			break
		}
		v := list.Index(cty.NumberIntVal(int64(i)))
		r, err := DecodeRule(v)
		var re *RuleError
		if errors.As(err, &re) {
			re.Index = i
		}
		if err != nil {
			return nil, err
		}
		if seen[r.Name] {
			return nil, &RuleError{Index: i, Attr: "name", Msg: fmt.Sprintf("two rules are named %q; give each its own name", r.Name)}
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	return out, nil
}

// ParseRulesFile reads the rule blocks of an HCL file (what plumb detect
// -rules takes): rule blocks at the top, or, in a configuration, the rule
// blocks of its data "access_log_offenders" blocks, so a configuration's
// rules can be tried on a log as they are. Each problem is reported at
// its file and line.
func ParseRulesFile(name string, src []byte) ([]Rule, hcl.Diagnostics) {
	f, diags := hclparse.NewParser().ParseHCL(src, name)
	if diags.HasErrors() {
		return nil, diags
	}
	content, _, d := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "rule"}, {Type: "data", LabelNames: []string{"type", "name"}}}})
	if diags = append(diags, d...); diags.HasErrors() {
		return nil, diags
	}
	var blocks []*hcl.Block
	for _, b := range content.Blocks {
		if b.Type == "rule" {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) == 0 {
		for _, b := range content.Blocks {
			if b.Type != "data" || b.Labels[0] != "access_log_offenders" {
				continue
			}
			inner, _, d := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "rule"}}})
			diags = append(diags, d...)
			blocks = append(blocks, inner.Blocks...)
		}
	}
	if len(blocks) == 0 {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No rules",
			Detail: fmt.Sprintf("%s holds no rule blocks, at the top or in a data \"access_log_offenders\" block; write rule { name = ... requests = ... within = ... } blocks (examples/dos-triage/main.hcl has some).", name)}}
	}
	spec := RuleBlock.Schema.DecoderSpec()
	var out []Rule
	seen := map[string]bool{}
	for _, b := range blocks {
		v, d := hcldec.Decode(b.Body, spec, nil)
		if diags = append(diags, d...); d.HasErrors() {
			continue
		}
		r, err := DecodeRule(v)
		if err == nil && seen[r.Name] {
			err = fmt.Errorf("two rules are named %q; give each its own name", r.Name)
		}
		if err != nil {
			rng := b.DefRange
			var re *RuleError
			if errors.As(err, &re) && re.Attr != "" {
				if attrs, _ := b.Body.JustAttributes(); attrs[re.Attr] != nil {
					rng = attrs[re.Attr].Expr.Range()
				}
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid rule", Detail: err.Error(), Subject: &rng})
			continue
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	return out, diags
}
