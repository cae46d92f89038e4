package zonesimport

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// generate writes the configuration for the good zone files.
func generate(good []zoneFile, exclude []string, problems []Problem, o Options) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	header(body, len(good), problems, o)
	if o.Mode == ModeBlocks {
		blocks(body, good, o)
	} else {
		forEach(body, good, exclude, o)
	}
	return hclwrite.Format(f.Bytes())
}

// header writes the comment that opens the configuration: where it came
// from, and the files left out with their problems.
func header(body *hclwrite.Body, n int, problems []Problem, o Options) {
	lines := []string{fmt.Sprintf("Written by `plumb zones import`: %d zone(s) from %s/.", n, o.Path)}
	if o.Type == TypeBind {
		lines = append(lines, "bind_zone writes each zone's SOA itself: the fields of the file's SOA are its defaults, and its serial counts on from the file's.")
	}
	if len(problems) > 0 {
		lines = append(lines, fmt.Sprintf("%d file(s) left out because of the problems below; fix them and import again:", len(problems)))
		for _, p := range problems {
			for _, l := range problemLines(p) {
				lines = append(lines, "  "+l)
			}
		}
	}
	comment(body, lines...)
	body.AppendNewline()
}

// commentWidth is the width comment lines are wrapped to.
const commentWidth = 80

// comment appends the lines as "#" comments, each wrapped at spaces to
// commentWidth; an indented line's continuations are indented two more.
func comment(body *hclwrite.Body, lines ...string) {
	var toks hclwrite.Tokens
	add := func(l string) {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(strings.TrimRight("# "+l, " ") + "\n")})
	}
	for _, l := range lines {
		l = commentText(l)
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		words := strings.Fields(l)
		line := indent
		for _, w := range words {
			if len(line) > len(indent) && 2+len(line)+1+len(w) > commentWidth {
				add(line)
				line = indent
				if indent != "" {
					line += "  "
				}
			}
			if strings.TrimSpace(line) != "" {
				line += " "
			}
			line += w
		}
		add(line)
	}
	body.AppendUnstructuredTokens(toks)
}

// commentText makes text safe inside a "#" comment: control characters
// and Unicode line and paragraph separators (which could end the comment
// and start configuration, from a hostile file name) are written as Go
// escapes, and invalid UTF-8 as \x escapes.
func commentText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// forEach writes a locals block holding the map of domain to zone file,
// built with fileset for files named after their domain, and one resource
// block with for_each over it.
func forEach(body *hclwrite.Body, good []zoneFile, exclude []string, o Options) {
	var patterns []string
	var explicit []zoneFile
	for _, f := range good {
		switch {
		case f.pattern == "":
			explicit = append(explicit, f)
		case !slices.Contains(patterns, f.pattern):
			patterns = append(patterns, f.pattern)
		}
	}
	slices.SortFunc(patterns, func(a, b string) int { return suffixRank(a) - suffixRank(b) })

	locals := body.AppendNewBlock("locals", nil).Body()
	filter := ""
	if len(exclude) > 0 && len(patterns) > 0 {
		comment(locals, fmt.Sprintf("Files in %s/ that the patterns below must leave out: they do not", o.Path),
			"parse, are listed below by domain, or are not zone files.")
		elems := make([]hclwrite.Tokens, len(exclude))
		for i, e := range exclude {
			elems[i] = hclwrite.TokensForValue(cty.StringVal(e))
		}
		locals.SetAttributeRaw("zone_files_excluded", hclwrite.TokensForTuple(elems))
		locals.AppendNewline()
		filter = " if !contains(local.zone_files_excluded, f)"
	}
	var parts []string
	for _, p := range patterns {
		suffix := strings.TrimPrefix(p, "*")
		parts = append(parts, fmt.Sprintf("{ for f in fileset(%s, %s) : trimsuffix(f, %s) => f%s }",
			lit(o.Path), lit(p), lit(suffix), filter))
	}
	if len(explicit) > 0 {
		var b strings.Builder
		b.WriteString("{\n")
		for _, f := range explicit {
			fmt.Fprintf(&b, "%s = %s\n", lit(f.origin), lit(f.name))
		}
		b.WriteString("}")
		parts = append(parts, b.String())
	}
	var what []string
	if len(patterns) > 0 {
		what = append(what, fmt.Sprintf("every file named after its domain (%s; a new one is picked up on the next plan)", strings.Join(patterns, ", ")))
	}
	if len(explicit) > 0 {
		what = append(what, "the files whose name does not give their domain")
	}
	comment(locals, "The zone files of "+o.Path+"/ by domain: "+strings.Join(what, ", and ")+".")
	value := parts[0]
	if len(parts) > 1 {
		value = "merge(\n" + strings.Join(parts, ",\n") + ",\n)"
	}
	locals.SetAttributeRaw("zones", rawExpr(value))

	body.AppendNewline()
	res := body.AppendNewBlock("resource", []string{o.Type, o.Name}).Body()
	res.SetAttributeRaw("for_each", rawExpr("local.zones"))
	res.AppendNewline()
	file := "\"" + templateEscape(o.Path+"/") + "${each.value}\""
	zoneAttrs(res, rawExpr("each.key"), rawExpr(recordsExpr(file, "each.key", o)), o)
}

// blocks writes one resource block per zone.
func blocks(body *hclwrite.Body, good []zoneFile, o Options) {
	used := map[string]bool{}
	records := newExprTemplate(recordsExpr(`"@@FILE@@"`, `"@@ORIGIN@@"`, o))
	for i, f := range good {
		if i > 0 {
			body.AppendNewline()
		}
		name := resourceName(f.origin, used)
		res := body.AppendNewBlock("resource", []string{o.Type, name}).Body()
		recs := records.with(map[string]string{"@@FILE@@": path.Join(o.Path, f.name), "@@ORIGIN@@": f.origin})
		zoneAttrs(res, hclwrite.TokensForValue(cty.StringVal(f.origin)), recs, o)
	}
}

// recordsExpr returns the source of a zone's records expression,
// zonefile(file, origin): the same for both resource types, which take
// the file's SOA as it is.
func recordsExpr(file, origin string, _ Options) string {
	return fmt.Sprintf("zonefile(%s, %s)", file, origin)
}

// zoneAttrs sets a zone resource's attributes: name, the directory for
// bind_zone, and records.
func zoneAttrs(res *hclwrite.Body, name, records hclwrite.Tokens, o Options) {
	res.SetAttributeRaw("name", name)
	if o.Type == TypeBind {
		res.SetAttributeValue("directory", cty.StringVal(filepath.ToSlash(o.Directory)))
	}
	res.SetAttributeRaw("records", records)
}

// exprTemplate is an expression parsed once whose quoted-string
// placeholders are filled in for each use: parsing an expression per
// zone costs more than everything else the blocks layout does.
type exprTemplate hclwrite.Tokens

func newExprTemplate(src string) exprTemplate { return exprTemplate(rawExpr(src)) }

// with returns a copy of the tokens with each placeholder string's text
// replaced by its value, escaped.
func (t exprTemplate) with(vals map[string]string) hclwrite.Tokens {
	out := make(hclwrite.Tokens, len(t))
	for i, tok := range t {
		c := *tok
		if v, ok := vals[string(c.Bytes)]; ok && c.Type == hclsyntax.TokenQuotedLit {
			c.Bytes = []byte(templateEscape(v))
		}
		out[i] = &c
	}
	return out
}

// excluded lists the files of the directory that a fileset pattern in the
// configuration would pick up but must not: every file matching a pattern
// that a good file is found by, except the good files found by it.
func excluded(good []zoneFile, names []string) []string {
	patterns := map[string]bool{}
	named := map[string]bool{}
	for _, f := range good {
		if f.pattern != "" {
			patterns[f.pattern] = true
			named[f.name] = true
		}
	}
	var out []string
	for _, n := range names {
		if named[n] {
			continue
		}
		for p := range patterns {
			if ok, _ := path.Match(p, n); ok {
				out = append(out, n)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// suffixRank orders patterns as suffixes lists their endings.
func suffixRank(pattern string) int {
	return slices.Index(suffixes, strings.TrimPrefix(pattern, "*"))
}

// lit returns s as an HCL quoted string literal.
func lit(s string) string {
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// templateEscape returns s escaped for the inside of an HCL quoted
// template: quotes, backslashes and control characters escaped, and "${"
// and "%{" doubled so they stay literal.
func templateEscape(s string) string {
	q := lit(s)
	return q[1 : len(q)-1]
}

// rawExpr returns the tokens of an HCL expression given as source, which
// this package builds and so must be valid.
func rawExpr(src string) hclwrite.Tokens {
	f, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "generated.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("zonesimport: generated an invalid expression %q: %s", src, diags.Error()))
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

// resourceName derives a resource name from a zone's origin: letters and
// digits kept, everything else an underscore ("example.org" becomes
// "example_org"), "zone_" in front of a leading digit, and "_2", "_3", …
// after a name already used.
func resourceName(origin string, used map[string]bool) string {
	var b strings.Builder
	for _, c := range strings.ToLower(origin) {
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' || name[0] == '_' {
		name = "zone_" + name
	}
	base := name
	for i := 2; used[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	used[name] = true
	return name
}

// isIdentifier reports whether s is a valid HCL identifier for a block
// label that plumb addresses: a letter, then letters, digits, _ and -.
func isIdentifier(s string) bool {
	if s == "" || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
