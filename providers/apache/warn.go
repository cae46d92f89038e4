package apache

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/providers"
)

// transparent sections do not scope what they hold: their directives
// apply as if written outside them.
var transparent = map[string]bool{
	"ifmodule": true, "ifversion": true, "ifdefine": true, "iffile": true,
	"ifdirective": true, "ifsection": true, "if": true, "elseif": true, "else": true,
}

// accessWords are the directives that decide who gets in.
var accessWords = map[string]bool{"require": true, "order": true, "allow": true, "deny": true, "satisfy": true}

// maxListed is how many line numbers a warning lists.
const maxListed = 5

// outsideWarnings returns warnings about the rest of a file that changes
// what the block of marker means: access directives written by hand at
// the top level (outside <Files> and similar sections), which Apache
// combines with the block, and other plumb blocks in the other syntax,
// which Apache advises against mixing.
func outsideWarnings(path string, f *htFile, marker, syntax string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	inBlock := make([]bool, len(f.lines))
	for i, b := range f.blocks {
		for j := b.begin; j <= b.end; j++ {
			inBlock[j] = true
		}
		if b.marker == marker {
			continue
		}
		if a, err := parseBody(f.body(i)); err == nil && a.syntax != "" && a.syntax != syntax {
			diags = diags.Extend(providers.Warnf("Access syntaxes mixed in one file",
				"%s: the block of %s (line %d) is written in %s, and this one in %s. Apache 2.4 combines Require with Order, Allow and Deny in ways that surprise; use one syntax for every block of a file.",
				path, b.marker, b.begin+1, a.syntax, syntax))
		}
	}
	var found []string
	depth := 0
	for i, line := range f.lines {
		if inBlock[i] {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		first := strings.ToLower(fields[0])
		switch {
		case strings.HasPrefix(first, "</"):
			if !transparent[strings.Trim(first[2:], ">")] && depth > 0 {
				depth--
			}
		case strings.HasPrefix(first, "<"):
			name := strings.Trim(first[1:], ">")
			if transparent[name] {
				continue
			}
			if depth == 0 && strings.HasPrefix(name, "require") {
				found = append(found, fmt.Sprintf("%d (%s)", i+1, strings.TrimSpace(line)))
			}
			depth++
		case depth == 0 && accessWords[first]:
			found = append(found, fmt.Sprintf("%d (%s)", i+1, strings.TrimSpace(line)))
		}
	}
	if len(found) > 0 {
		more := ""
		if len(found) > maxListed {
			more = fmt.Sprintf(" and %d more", len(found)-maxListed)
			found = found[:maxListed]
		}
		diags = diags.Extend(providers.Warnf("Access directives outside plumb's blocks",
			"%s lines %s%s decide who gets in as well. Apache combines them with plumb's block: a Require line outside it is an alternative to the block (a client it accepts gets in whatever the allow list says), and an Order line changes how every Allow and Deny combine. Check they mean what you want, or move them inside the <Files> sections they are for.",
			path, strings.Join(found, ", "), more))
	}
	return diags
}
