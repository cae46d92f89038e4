package config

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// MaxNesting is the deepest nesting plumb parses: brackets, braces,
// parentheses, strings and template interpolations inside one another.
// HCL's parser recurses once or more per level, so a file nested 200,000
// deep exhausts the stack, a crash no program can recover from; real
// configurations stay within a few dozen levels.
const MaxNesting = 256

// CheckNesting reports an error at the first place where src nests
// deeper than MaxNesting, before anything parses it. It follows only the
// structure (comments, quoted strings with their interpolations, and
// heredocs are read as HCL reads them), so it is fast and never recurses;
// what is not valid HCL is left for the parser to report.
func CheckNesting(src []byte, filename string) hcl.Diagnostics {
	return checkNesting(src, filename, nil)
}

// CheckTemplateNesting is CheckNesting for a template (templatefile):
// the file is text, with code only inside ${ } and %{ }.
func CheckTemplateNesting(src []byte, filename string) hcl.Diagnostics {
	return checkNesting(src, filename, []nestLevel{{kind: 'h'}})
}

func checkNesting(src []byte, filename string, start []nestLevel) hcl.Diagnostics {
	s := nestScanner{src: src, pos: hcl.InitialPos, stack: start}
	if at, ok := s.deepest(); !ok {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration nested too deeply",
			Detail: fmt.Sprintf("Here the brackets, braces, parentheses and templates are nested more than %d deep, which plumb does not parse (a file nested that deep is not hand-written: it would crash the parser). Flatten the expression, or split it into locals.",
				MaxNesting),
			Subject: &hcl.Range{Filename: filename, Start: at, End: at},
		}}
	}
	return nil
}

// nestScanner walks a file keeping a stack of what it is inside.
type nestScanner struct {
	src   []byte
	i     int
	pos   hcl.Pos
	stack []nestLevel
}

// nestLevel is one open construct.
type nestLevel struct {
	kind   byte   // 'c' code (closed by any closing bracket), 's' quoted string, 'h' heredoc or template
	marker []byte // for a heredoc: the line that ends it; nil for a whole template
}

// advance moves past n bytes, keeping the position.
func (s *nestScanner) advance(n int) {
	for ; n > 0 && s.i < len(s.src); n-- {
		if s.src[s.i] == '\n' {
			s.pos.Line++
			s.pos.Column = 1
		} else {
			s.pos.Column++
		}
		s.i++
		s.pos.Byte = s.i
	}
}

func (s *nestScanner) has(prefix string) bool {
	return bytes.HasPrefix(s.src[s.i:], []byte(prefix))
}

// push opens a level; false when that is one too many.
func (s *nestScanner) push(l nestLevel) bool {
	s.stack = append(s.stack, l)
	return len(s.stack) <= MaxNesting
}

func (s *nestScanner) top() *nestLevel {
	if len(s.stack) == 0 {
		return nil
	}
	return &s.stack[len(s.stack)-1]
}

// deepest scans the whole file; at is where the nesting first went too
// deep, when ok is false.
func (s *nestScanner) deepest() (at hcl.Pos, ok bool) {
	for s.i < len(s.src) {
		start := s.pos
		var fine bool
		switch t := s.top(); {
		case t == nil || t.kind == 'c':
			fine = s.code()
		case t.kind == 's':
			fine = s.str()
		default:
			fine = s.heredoc()
		}
		if !fine {
			return start, false
		}
	}
	return hcl.Pos{}, true
}

// code reads one token of code.
func (s *nestScanner) code() bool {
	c := s.src[s.i]
	switch {
	case c == '#' || s.has("//"):
		for s.i < len(s.src) && s.src[s.i] != '\n' {
			s.advance(1)
		}
		return true
	case s.has("/*"):
		s.advance(2)
		for s.i < len(s.src) && !s.has("*/") {
			s.advance(1)
		}
		s.advance(2)
		return true
	case c == '"':
		s.advance(1)
		return s.push(nestLevel{kind: 's'})
	case c == '{' || c == '[' || c == '(':
		s.advance(1)
		return s.push(nestLevel{kind: 'c'})
	case c == '}' || c == ']' || c == ')':
		s.advance(1)
		if t := s.top(); t != nil && t.kind == 'c' {
			s.stack = s.stack[:len(s.stack)-1]
		}
		return true
	case s.has("<<"):
		return s.heredocStart()
	}
	s.advance(1)
	return true
}

// str reads one piece of a quoted string.
func (s *nestScanner) str() bool {
	switch c := s.src[s.i]; {
	case c == '\\':
		s.advance(2)
	case c == '"' || c == '\n':
		// A newline ends a quoted string too: HCL reports it, and the
		// scan stays in step with the lines that follow.
		s.advance(1)
		s.stack = s.stack[:len(s.stack)-1]
	default:
		return s.templateText()
	}
	return true
}

// heredocStart reads "<<EOF" or "<<-EOF" and the rest of its line.
func (s *nestScanner) heredocStart() bool {
	j := s.i + 2
	if j < len(s.src) && s.src[j] == '-' {
		j++
	}
	k := j
	for k < len(s.src) && (s.src[k] == '_' || s.src[k] >= 'A' && s.src[k] <= 'Z' || s.src[k] >= 'a' && s.src[k] <= 'z' || s.src[k] >= '0' && s.src[k] <= '9') {
		k++
	}
	if k == j || k >= len(s.src) || (s.src[k] != '\n' && s.src[k] != '\r') {
		s.advance(2) // not a heredoc: "<<" of something else
		return true
	}
	marker := s.src[j:k]
	s.advance(k - s.i + 1)
	return s.push(nestLevel{kind: 'h', marker: marker})
}

// heredoc reads one piece of a heredoc's body.
func (s *nestScanner) heredoc() bool {
	t := s.top()
	if t.marker != nil && (s.i == 0 || s.src[s.i-1] == '\n') {
		end := bytes.IndexByte(s.src[s.i:], '\n')
		line := s.src[s.i:]
		if end >= 0 {
			line = line[:end]
		}
		if bytes.Equal(bytes.TrimSpace(line), t.marker) {
			s.advance(len(line))
			s.stack = s.stack[:len(s.stack)-1]
			return true
		}
	}
	return s.templateText()
}

// templateText reads one piece of template text, in a quoted string or a
// heredoc: an escaped "$${" or "%%{", the start of an interpolation or
// directive (which it enters), or one byte.
func (s *nestScanner) templateText() bool {
	switch {
	case s.has("$${") || s.has("%%{"):
		s.advance(3)
	case s.has("${") || s.has("%{"):
		s.advance(2)
		return s.push(nestLevel{kind: 'c'})
	default:
		s.advance(1)
	}
	return true
}
