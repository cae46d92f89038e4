package plan

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
)

// Placeholders printed instead of values.
const (
	// KnownAfterApply stands for a value that is unknown until the change
	// is applied.
	KnownAfterApply = "(known after apply)"
	// SensitiveValue stands for a value that must not be shown.
	SensitiveValue = "(sensitive)"
)

// FormatValue renders v as a one-line HCL-like literal: strings quoted
// with HCL escapes (a newline is \n, "${" is "$${"), numbers in decimal,
// true, false, null, lists, sets and tuples as ["a", "b"], maps and
// objects as { a = 1, "b c" = 2 } with keys sorted. An unknown value, or
// an unknown part of one, is (known after apply). A marked value, or a
// marked part of one (sensitive, as the engine marks it), prints as
// SensitiveValue; plans hold unmarked values, and their renderers print
// SensitiveValue for sensitive attributes themselves.
func FormatValue(v cty.Value) string {
	return string(appendValue(nil, v))
}

// appendValue appends FormatValue(v) to b.
func appendValue(b []byte, v cty.Value) []byte {
	if v.IsMarked() {
		return append(b, SensitiveValue...)
	}
	ty := v.Type()
	switch {
	case ty == cty.NilType || v.IsNull():
		return append(b, "null"...)
	case !v.IsKnown():
		return append(b, KnownAfterApply...)
	case ty == cty.String:
		return appendQuoted(b, v.AsString())
	case ty == cty.Number:
		return appendNumber(b, v)
	case ty == cty.Bool:
		return strconv.AppendBool(b, v.True())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		b = append(b, '[')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				b = append(b, ", "...)
			}
			_, e := it.Element()
			b = appendValue(b, e)
		}
		return append(b, ']')
	case ty.IsMapType() || ty.IsObjectType():
		if v.LengthInt() == 0 {
			return append(b, "{}"...)
		}
		b = append(b, "{ "...)
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				b = append(b, ", "...)
			}
			k, e := it.Element()
			b = appendKey(b, k.AsString())
			b = append(b, " = "...)
			b = appendValue(b, e)
		}
		return append(b, " }"...)
	}
	return append(b, "("+ty.FriendlyName()+")"...)
}

// appendNumber appends a number in plain decimal notation.
func appendNumber(b []byte, v cty.Value) []byte {
	f := v.AsBigFloat()
	if f.IsInt() {
		if i, acc := f.Int64(); acc == 0 {
			return strconv.AppendInt(b, i, 10)
		}
	}
	return f.Append(b, 'f', -1)
}

// appendKey appends an object attribute name or map key: bare when it is
// an identifier, quoted otherwise.
func appendKey(b []byte, k string) []byte {
	if isIdentifier(k) {
		return append(b, k...)
	}
	return appendQuoted(b, k)
}

// isIdentifier reports whether s can be written unquoted as an HCL
// attribute name.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}

// quote returns s as an HCL quoted string.
func quote(s string) string {
	return string(appendQuoted(make([]byte, 0, len(s)+2), s))
}

// appendQuoted appends s as an HCL quoted string literal.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError && unicode.IsPrint(r) {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = appendEscapedRune(b, r)
			}
			i += size
			start = i
			continue
		}
		var esc string
		switch {
		case c == '"':
			esc = `\"`
		case c == '\\':
			esc = `\\`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == '\t':
			esc = `\t`
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			esc = string([]byte{c, c})
		case c < 0x20 || c == 0x7f:
			b = append(b, s[start:i]...)
			b = appendEscapedRune(b, rune(c))
			i++
			start = i
			continue
		default:
			i++
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendEscapedRune(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	if r > 0xffff {
		b = append(b, `\U`...)
		for shift := 28; shift >= 0; shift -= 4 {
			b = append(b, hex[(r>>shift)&0xf])
		}
		return b
	}
	b = append(b, `\u`...)
	for shift := 12; shift >= 0; shift -= 4 {
		b = append(b, hex[(r>>shift)&0xf])
	}
	return b
}
