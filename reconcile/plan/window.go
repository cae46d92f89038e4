package plan

import (
	"unicode/utf8"
)

// This file shows long one-line values around where they differ. A DKIM
// key whose last bytes change must not print as two identical lines both
// cut at the same length: each side shows the same stretch of text around
// the first difference, and says at both ends how much it leaves out.

// Sizes of a value's window, in bytes of formatted text.
const (
	// windowBefore is how much of the common head shows before the first
	// difference.
	windowBefore = 120
	// windowChanged is the most of the differing middle shown.
	windowChanged = 480
	// windowAfter is how much of the common tail shows after the
	// difference.
	windowAfter = 80
)

// windowPair returns the windows of two formatted values that differ,
// each at most windowBefore+windowChanged+windowAfter bytes of the value
// plus its elision marks. Both start at the same offset, before the first
// byte where they differ, so the two windows always differ.
func windowPair(a, b string) (string, string) {
	p := commonPrefix(a, b)
	s := commonSuffix(a[p:], b[p:])
	start := tokenStart(a, max(0, p-windowBefore))
	return window(a, start, p, len(a)-s), window(b, start, p, len(b)-s)
}

// window cuts the formatted value v to start…, showing the common head
// v[start:p], up to windowChanged bytes of the changed middle v[p:q] and
// up to windowAfter bytes of the common tail, with "(N bytes hidden) …"
// and "… (N bytes hidden)" where it cuts.
func window(v string, start, p, q int) string {
	end := q
	if q-p > windowChanged {
		end = tokenStart(v, p+windowChanged)
		if end <= p {
			// One token longer than the window: show it whole.
			end = tokenEnd(v, p)
		}
	} else {
		end = tokenStart(v, min(len(v), q+windowAfter))
		if end < q {
			end = q
		}
	}
	b := make([]byte, 0, end-start+48)
	if start > 0 {
		b = append(b, '(')
		b = appendCount(b, start)
		b = append(b, " bytes hidden) …"...)
	}
	b = append(b, v[start:end]...)
	if end < len(v) {
		b = append(b, "… ("...)
		b = appendCount(b, len(v)-end)
		b = append(b, " bytes hidden)"...)
	}
	return string(b)
}

// commonPrefix returns the length of the longest common prefix of a and
// b, backed off to the start of the token it ends in.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return tokenStart(a, i)
}

// commonSuffix returns the length of the longest common suffix of a and
// b, shortened so that it starts at a token of both.
func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	s := 0
	for s < n && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	for s > 0 && (tokenStart(a, len(a)-s) != len(a)-s || tokenStart(b, len(b)-s) != len(b)-s) {
		s--
	}
	return s
}

// tokenStart returns the start of the token of the formatted value v that
// holds byte i: a UTF-8 sequence, or an escape such as \" or \u00e9 or
// $${, which must not be cut in two. i == len(v) is a token start.
func tokenStart(v string, i int) int {
	if i >= len(v) {
		return len(v)
	}
	for i > 0 && !utf8.RuneStart(v[i]) {
		i--
	}
	// An escape is at most 10 bytes (\UXXXXXXXX); look back that far for a
	// backslash that starts one covering i. Runs of backslashes pair up.
	for j := i - 1; j >= 0 && j >= i-9; j-- {
		if v[j] != '\\' {
			continue
		}
		run := 0
		for k := j; k >= 0 && v[k] == '\\'; k-- {
			run++
		}
		if run%2 == 0 {
			break // \\ is a complete escape; nothing before it covers i
		}
		if j+escapeLen(v, j) > i {
			return j
		}
		break
	}
	if i > 0 && (v[i] == '{' && (v[i-1] == '$' || v[i-1] == '%')) && i > 1 && v[i-2] == v[i-1] {
		return i - 2
	}
	if i > 0 && (v[i] == '$' || v[i] == '%') && v[i-1] == v[i] && i+1 < len(v) && v[i+1] == '{' {
		return i - 1
	}
	return i
}

// tokenEnd returns the end of the token starting at i.
func tokenEnd(v string, i int) int {
	if i >= len(v) {
		return len(v)
	}
	if v[i] == '\\' {
		return min(len(v), i+escapeLen(v, i))
	}
	_, size := utf8.DecodeRuneInString(v[i:])
	return i + size
}

// escapeLen returns the length of the escape starting with the backslash
// at v[j].
func escapeLen(v string, j int) int {
	if j+1 >= len(v) {
		return 1
	}
	switch v[j+1] {
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}
