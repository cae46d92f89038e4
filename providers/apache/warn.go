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
// which Apache advises against mixing. A line there that grants everyone
// (Require all granted, Allow from all) is an error, since it makes the
// allow list moot, unless acceptGrants says it is meant.
func outsideWarnings(path string, f *htFile, marker, syntax string, acceptGrants bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, b := range f.blocks {
		if b.marker == marker {
			continue
		}
		if a, err := parseBody(f.body(i)); err == nil && a.syntax != "" && a.syntax != syntax {
			diags = diags.Extend(providers.Warnf("Access syntaxes mixed in one file",
				"%s: the block of %s (line %d) is written in %s, and this one in %s. Apache 2.4 combines Require with Order, Allow and Deny in ways that surprise; use one syntax for every block of a file.",
				path, b.marker, b.begin+1, a.syntax, syntax))
		}
	}
	found, grants := scanOutside(f)
	if len(grants) > 0 {
		if acceptGrants {
			diags = diags.Extend(providers.Warnf("Everyone is let in outside plumb's block",
				"%s lines %s let every client in whatever the allow list says; accept_outside_grants = true says that is meant.", path, listed(grants)))
		} else {
			diags = diags.Extend(providers.AttributeErrorf("path", "Everyone is let in outside plumb's block",
				"%s lines %s let every client in: Apache takes that line as an alternative to plumb's block, so the allow list keeps nobody out. Remove the line, move it into the <Files> or <Location> section it is meant for, or set accept_outside_grants = true if letting everyone in is meant. The file was not changed.",
				path, listed(grants)))
		}
	}
	if len(found) > 0 {
		diags = diags.Extend(providers.Warnf("Access directives outside plumb's blocks",
			"%s lines %s decide who gets in as well. Apache combines them with plumb's block: a Require line outside it is an alternative to the block (a client it accepts gets in whatever the allow list says), and an Order line changes how every Allow and Deny combine. Check they mean what you want, or move them inside the <Files> sections they are for.",
			path, listed(found)))
	}
	return diags
}

// listed joins line descriptions, at most maxListed of them.
func listed(lines []string) string {
	more := ""
	if len(lines) > maxListed {
		more = fmt.Sprintf(" and %d more", len(lines)-maxListed)
		lines = lines[:maxListed]
	}
	return strings.Join(lines, ", ") + more
}

// scanOutside finds the hand-written lines outside plumb's blocks that
// decide who gets in at the file's top level (found), and among them,
// or in a top-level <RequireAny>, those that let everyone in (grants).
// Sections that do not scope (<IfModule> and the like) are looked into.
func scanOutside(f *htFile) (found, grants []string) {
	inBlock := make([]bool, len(f.lines))
	for _, b := range f.blocks {
		for j := b.begin; j <= b.end; j++ {
			inBlock[j] = true
		}
	}
	var open []string // the scoping sections open, outermost first
	for i, line := range f.lines {
		if inBlock[i] {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		first := strings.ToLower(fields[0])
		where := fmt.Sprintf("%d (%s)", i+1, strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(first, "</"):
			if !transparent[strings.Trim(first[2:], ">")] && len(open) > 0 {
				open = open[:len(open)-1]
			}
		case strings.HasPrefix(first, "<"):
			name := strings.Trim(first[1:], ">")
			if transparent[name] {
				continue
			}
			if len(open) == 0 && strings.HasPrefix(name, "require") {
				found = append(found, where)
			}
			open = append(open, name)
		default:
			if len(open) == 0 && accessWords[first] {
				found = append(found, where)
			}
			if (len(open) == 0 || len(open) == 1 && open[0] == "requireany") && grantsAll(fields) {
				grants = append(grants, where)
			}
		}
	}
	return found, grants
}

// grantsAll reports whether a directive lets every client in.
func grantsAll(fields []string) bool {
	if len(fields) != 3 {
		return false
	}
	words := strings.ToLower(strings.Join(fields, " "))
	return words == "require all granted" || words == "allow from all"
}
