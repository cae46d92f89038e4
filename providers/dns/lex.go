package dns

import (
	"fmt"
	"strings"
	"unsafe"
)

// The zone-file lexer, as BIND's reads master files: tokens are separated
// by spaces and tabs; ';' starts a comment that runs to the end of the
// line; '(' and ')' are swallowed and make line ends inside them count as
// spaces; '"' quotes a string that must close on its line; a backslash
// escapes the next byte, which stays in the token's text (names and data
// read their escapes themselves). '(', ')' and '"' end an unquoted token.

// tokKind is what a token is.
type tokKind uint8

const (
	tokWord   tokKind = iota // unquoted text, escapes kept
	tokQuoted                // the text between double quotes, escapes kept
	tokEOL                   // the end of a line outside parentheses
	tokEOF                   // the end of the file
)

// token is one token and where it starts.
type token struct {
	text      string
	line, col int // 1-based; col counts bytes
	kind      tokKind
}

// lexError is a problem the lexer found: unbalanced quotes or
// parentheses.
type lexError struct {
	line, col int
	msg       string
}

// lexer reads tokens from one file's bytes.
type lexer struct {
	src       string // the file's bytes, never changed
	pos       int
	line      int
	lineStart int // offset of the current line's first byte
	parens    int
	parenLine int // line of the outermost open parenthesis
	parenCol  int
	back      []token // tokens pushed back, last first
	err       *lexError
}

// newLexer returns a lexer over data, which must not change afterwards:
// token texts share its memory.
func newLexer(data []byte) *lexer {
	return &lexer{src: unsafe.String(unsafe.SliceData(data), len(data)), line: 1}
}

// atLineStart reports whether the next token starts a line (outside
// parentheses), and if so whether the line begins with a space or tab: a
// record whose owner is left blank. Blank and comment-only lines are
// skipped.
func (l *lexer) atLineStart() (blankOwner bool) {
	if len(l.back) > 0 || l.parens > 0 || l.pos != l.lineStart {
		return false
	}
	for l.pos < len(l.src) {
		i := l.pos
		for i < len(l.src) && isBlank(l.src[i]) {
			i++
		}
		if i < len(l.src) && l.src[i] != '\n' && l.src[i] != ';' {
			blank := i > l.pos
			l.pos = i
			return blank
		}
		// An empty or comment-only line: skip it.
		for i < len(l.src) && l.src[i] != '\n' {
			i++
		}
		if i >= len(l.src) {
			l.pos = i
			return false
		}
		l.pos = i + 1
		l.line++
		l.lineStart = l.pos
	}
	return false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// unread pushes a token back; the next call to next returns it.
func (l *lexer) unread(t token) { l.back = append(l.back, t) }

// next returns the next token. After a lexing error it returns tokEOF and
// l.err says what went wrong.
func (l *lexer) next() token {
	if n := len(l.back); n > 0 {
		t := l.back[n-1]
		l.back = l.back[:n-1]
		return t
	}
	for {
		if l.pos >= len(l.src) {
			if l.parens > 0 && l.err == nil {
				l.err = &lexError{line: l.line, col: l.pos - l.lineStart + 1, msg: fmt.Sprintf("unbalanced parentheses: the '(' at line %d, column %d, is never closed", l.parenLine, l.parenCol)}
			}
			return token{kind: tokEOF, line: l.line, col: l.pos - l.lineStart + 1}
		}
		c := l.src[l.pos]
		switch {
		case isBlank(c):
			l.pos++
		case c == ';':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '\n':
			t := token{kind: tokEOL, line: l.line, col: l.pos - l.lineStart + 1}
			l.pos++
			l.line++
			l.lineStart = l.pos
			if l.parens == 0 {
				return t
			}
		case c == '(':
			if l.parens == 0 {
				l.parenLine, l.parenCol = l.line, l.pos-l.lineStart+1
			}
			l.parens++
			l.pos++
		case c == ')':
			if l.parens == 0 {
				l.fail(l.line, l.pos-l.lineStart+1, "unbalanced parentheses: this ')' closes nothing")
				return token{kind: tokEOF, line: l.line, col: l.pos - l.lineStart + 1}
			}
			l.parens--
			l.pos++
		case c == '"':
			return l.quoted()
		default:
			return l.word()
		}
	}
}

func (l *lexer) fail(line, col int, msg string) {
	if l.err == nil {
		l.err = &lexError{line: line, col: col, msg: msg}
	}
	l.pos = len(l.src)
	l.parens = 0
}

// word reads an unquoted token.
func (l *lexer) word() token {
	start := l.pos
	t := token{kind: tokWord, line: l.line, col: start - l.lineStart + 1}
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' {
			l.pos += 2
			if l.pos > len(l.src) {
				l.pos = len(l.src)
			}
			continue
		}
		if isBlank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"' {
			break
		}
		l.pos++
	}
	t.text = l.src[start:l.pos]
	return t
}

// quoted reads a quoted string; the opening quote is at l.pos.
func (l *lexer) quoted() token {
	t := token{kind: tokQuoted, line: l.line, col: l.pos - l.lineStart + 1}
	l.pos++
	start := l.pos
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\\':
			l.pos += 2
			continue
		case '"':
			t.text = l.src[start:l.pos]
			l.pos++
			return t
		case '\n':
			l.fail(t.line, t.col, "unbalanced quotes: this string is not closed on its line; close it with a double quote")
			return token{kind: tokEOF, line: t.line, col: t.col}
		}
		l.pos++
	}
	l.fail(t.line, t.col, "unbalanced quotes: this string is not closed; close it with a double quote")
	return token{kind: tokEOF, line: t.line, col: t.col}
}

// restOfLine returns the tokens up to the end of the line, appended to
// buf, and the token that ends it (an end of file is left to be read
// again).
func (l *lexer) restOfLine(buf []token) ([]token, token) {
	for {
		t := l.next()
		if t.kind == tokEOL || t.kind == tokEOF {
			if t.kind == tokEOF {
				l.unread(t)
			}
			return buf, t
		}
		buf = append(buf, t)
	}
}

// skipLine discards tokens up to and including the end of the line.
func (l *lexer) skipLine() {
	for {
		t := l.next()
		if t.kind == tokEOL {
			return
		}
		if t.kind == tokEOF {
			l.unread(t)
			return
		}
	}
}

// lineText returns line n (1-based) of the source, without its newline.
func (l *lexer) lineText(n int) string {
	s := l.src
	for ; n > 1; n-- {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 0 && s[len(s)-1] == '\r' {
		s = s[:len(s)-1]
	}
	return s
}
