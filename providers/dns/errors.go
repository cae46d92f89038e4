package dns

import (
	"strconv"
	"strings"
)

// ZoneError is a problem in a zone file, at a position a person can go to,
// with a sentence that says what to do. Warnings use the same type.
type ZoneError struct {
	// File is the zone file's path as the caller gave it; for a file read
	// through $INCLUDE, the path of that file under the zone root.
	File string
	// Line and Column are 1-based; 0 means unknown. Column counts bytes.
	Line, Column int
	// Msg says what is wrong and what to do about it.
	Msg string
}

// Error returns "file:line:column: message", leaving out what is unknown.
func (e *ZoneError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ZoneErrors is every problem found in a zone, in file and line order. The
// zone-file reader returns its errors as ZoneErrors; errors.As finds the
// first *ZoneError in it.
type ZoneErrors []*ZoneError

// Error returns the errors one per line.
func (es ZoneErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (es ZoneErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
