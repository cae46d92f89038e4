package svn

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// hookMarker marks a hook plumb wrote; a hook without it is hand-written.
const hookMarker = "# plumb-managed: svn_pre_commit_hook"

// hookMode is the permission of the hook plumb writes, as state spells it.
const hookMode = "0755"

// renderHook returns the pre-commit hook that calls plumb. Subversion runs
// hooks with an empty environment, so it sets PATH for the linters and a
// UTF-8 locale for svnlook. The policy file is found beside the hook.
func renderHook(plumbPath string, chain bool) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString(hookMarker + "\n")
	b.WriteString("# Written by plumb. Do not edit: plumb apply rewrites this file and plumb plan\n")
	b.WriteString("# shows edits as drift. The commit policy is in " + PolicyFileName + " beside it;\n")
	b.WriteString("# change the policy in plumb's configuration.\n")
	b.WriteString("REPOS=\"$1\"\nTXN=\"$2\"\n")
	b.WriteString("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")
	b.WriteString("LC_ALL=C.UTF-8\nexport PATH LC_ALL\n")
	b.WriteString(shellQuoteAlways(plumbPath) + " svn check-commit \"$REPOS\" \"$TXN\" </dev/null || exit 1\n")
	if chain {
		b.WriteString("# The hand-written hook found when plumb was installed runs after plumb's checks.\n")
		b.WriteString("if [ -e \"$REPOS/hooks/" + ChainedHookFile + "\" ]; then\n")
		b.WriteString("  exec \"$REPOS/hooks/" + ChainedHookFile + "\" \"$REPOS\" \"$TXN\"\n")
		b.WriteString("fi\n")
	}
	b.WriteString("exit 0\n")
	return []byte(b.String())
}

// isPlumbHook reports whether a hook's content was written by plumb.
func isPlumbHook(b []byte) bool { return bytes.Contains(b, []byte(hookMarker)) }

func shellQuoteAlways(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hookSettings is what the hook resource writes, decoded from a wholly
// known planned or prior value.
type hookSettings struct {
	repos string
	file  PolicyFile
}

// decodeHook reads the settings from a value of the resource's type whose
// defaults are filled in.
func decodeHook(v cty.Value) hookSettings {
	s := hookSettings{repos: v.GetAttr("repository").AsString()}
	p := &s.file.Policy
	p.MinMessageLength = intAttr(v, "min_message_length")
	if a := v.GetAttr("message_pattern"); !a.IsNull() {
		p.MessagePattern = a.AsString()
	}
	p.MaxFileSize = int64(intAttr(v, "max_file_size"))
	p.ForbidPaths = providers.Strings(v.GetAttr("forbid_paths"))
	if l := v.GetAttr("lint"); !l.IsNull() {
		for it := l.ElementIterator(); it.Next(); {
			_, e := it.Element()
			rule := LintRule{Pattern: e.GetAttr("pattern").AsString(), Command: providers.Strings(e.GetAttr("command"))}
			if t := e.GetAttr("timeout"); !t.IsNull() {
				rule.Timeout = t.AsString()
			}
			p.Lint = append(p.Lint, rule)
		}
	}
	if c := v.GetAttr("chain_existing"); !c.IsNull() {
		s.file.ChainExisting = c.True()
	}
	if pp := v.GetAttr("plumb_path"); !pp.IsNull() {
		s.file.PlumbPath = pp.AsString()
	}
	return s
}

// hookObject is the state of a hook resource installed from s, with the
// content hashes of what plumb writes.
func hookObject(s hookSettings) cty.Value {
	p := s.file.Policy
	lintTy := hookSchema().Blocks["lint"].Schema.ImpliedType()
	lints := make([]cty.Value, len(p.Lint))
	for i, l := range p.Lint {
		lints[i] = cty.ObjectVal(map[string]cty.Value{
			"pattern": cty.StringVal(l.Pattern),
			"command": providers.StringList(l.Command),
			"timeout": cty.StringVal(l.Timeout),
		})
	}
	lintVal := cty.ListValEmpty(lintTy)
	if len(lints) > 0 {
		lintVal = cty.ListVal(lints)
	}
	optStr := func(s string) cty.Value {
		if s == "" {
			return cty.NullVal(cty.String)
		}
		return cty.StringVal(s)
	}
	maxSize := cty.NullVal(cty.Number)
	if p.MaxFileSize > 0 {
		maxSize = cty.NumberIntVal(p.MaxFileSize)
	}
	forbid := cty.NullVal(cty.List(cty.String))
	if len(p.ForbidPaths) > 0 {
		forbid = providers.StringList(p.ForbidPaths)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id":                 cty.StringVal(s.repos),
		"repository":         cty.StringVal(s.repos),
		"min_message_length": cty.NumberIntVal(int64(p.MinMessageLength)),
		"message_pattern":    optStr(p.MessagePattern),
		"max_file_size":      maxSize,
		"forbid_paths":       forbid,
		"chain_existing":     cty.BoolVal(s.file.ChainExisting),
		"plumb_path":         cty.StringVal(s.file.PlumbPath),
		"lint":               lintVal,
		"hook_sha256":        cty.StringVal(sha256Hex(renderHook(s.file.PlumbPath, s.file.ChainExisting))),
		"policy_sha256":      cty.StringVal(sha256Hex(encodePolicyFile(s.file))),
		"hook_mode":          cty.StringVal(hookMode),
		"in_sync":            cty.True,
	})
}

// intAttr returns a whole-number attribute, 0 when null.
func intAttr(v cty.Value, name string) int {
	a := v.GetAttr(name)
	if a.IsNull() {
		return 0
	}
	n, _ := a.AsBigFloat().Int64()
	return int(n)
}

// wholeNumber returns n when a is a whole number within [lo, hi].
func wholeNumber(a cty.Value, lo, hi int64) (int64, bool) {
	bf := a.AsBigFloat()
	n, acc := bf.Int64()
	return n, bf.IsInt() && acc == big.Exact && n >= lo && n <= hi
}

// positiveDuration checks the duration attribute attr of obj, at path:
// a duration (providers.ParseDuration), and more than zero.
func positiveDuration(obj cty.Value, attr, path string) hcl.Diagnostics {
	d, diags := providers.DurationAttr(obj, attr, path)
	if v := obj.GetAttr(attr); !diags.HasErrors() && v.IsKnown() && !v.IsNull() && d <= 0 {
		diags = providers.AttributeErrorf(path, "Invalid "+attr, "%s = %q: it must be more than zero.", attr, v.AsString())
	}
	return diags
}

// sameString reports whether v is the known string s.
func sameString(v cty.Value, s string) bool {
	return v.IsKnown() && !v.IsNull() && v.Type() == cty.String && v.AsString() == s
}
