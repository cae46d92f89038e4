package plan

import (
	"strings"
	"unicode/utf8"
)

// appendMDComment appends text inside a fenced code block. Values are
// already one line with their quotes escaped; only a stray line break
// (from an address or a reason) is flattened so a line cannot start with
// a fence. Text longer than mdMaxValue is cut, and the cut says how much
// is left out.
func appendMDComment(b []byte, s string) []byte {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	if len(s) <= mdMaxValue {
		return append(b, s...)
	}
	cut := mdMaxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	b = append(b, s[:cut]...)
	b = append(b, "… ("...)
	b = appendCount(b, len(s)-cut)
	return append(b, " bytes hidden)"...)
}

// appendMDCode appends s as an inline code span: delimited by one more
// backtick than the longest run of backticks in s, padded with spaces
// when s starts or ends with a backtick or space. In a table cell, pipes
// are escaped too.
func appendMDCode(b []byte, s string, inTable bool) []byte {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := s != "" && (s[0] == '`' || s[0] == ' ' || s[len(s)-1] == '`' || s[len(s)-1] == ' ')
	b = append(b, fence...)
	if pad {
		b = append(b, ' ')
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	b = append(b, s...)
	if pad {
		b = append(b, ' ')
	}
	return append(b, fence...)
}

// appendMDText appends prose with the characters Markdown or HTML would
// read as markup escaped by a backslash, and line breaks flattened.
func appendMDText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '&', '~', '!', '#':
			b = append(b, '\\', c)
		case '\n', '\r':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendHTMLText appends s escaped for HTML text.
func appendHTMLText(b []byte, s string) []byte {
	return appendHTMLEscaped(b, s, false)
}

// appendHTMLAttr appends s escaped for a double-quoted HTML attribute.
func appendHTMLAttr(b []byte, s string) []byte {
	return appendHTMLEscaped(b, s, true)
}

func appendHTMLEscaped(b []byte, s string, attr bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&#34;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}
