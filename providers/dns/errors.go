package dns

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"
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

// errOutsideRoot marks an $INCLUDE that would read outside the zone root.
var errOutsideRoot = errors.New("outside the zone root")

// parseError is a miekg/dns parse error taken apart.
type parseError struct {
	file         string
	msg, token   string
	line, column int
}

// splitParseError takes apart a *dns.ParseError, whose fields miekg/dns
// keeps unexported, from its text: "FILE: dns: MSG: "TOKEN" at line: L:C".
func splitParseError(err error) (parseError, bool) {
	var pe *mdns.ParseError
	if !errors.As(err, &pe) {
		return parseError{}, false
	}
	s := pe.Error()
	at := strings.LastIndex(s, " at line: ")
	if at < 0 {
		return parseError{}, false
	}
	var p parseError
	pos := s[at+len(" at line: "):]
	l, c, _ := strings.Cut(pos, ":")
	p.line, _ = strconv.Atoi(l)
	p.column, _ = strconv.Atoi(c)
	head := s[:at]
	if q := strings.LastIndex(head, `: "`); q >= 0 {
		if tok, err := strconv.Unquote(head[q+2:]); err == nil {
			p.token = tok
			head = head[:q]
		}
	}
	if f, m, ok := strings.Cut(head, "dns: "); ok {
		p.file = strings.TrimSuffix(f, ": ")
		p.msg = m
	} else {
		p.msg = head
	}
	return p, true
}

// explain turns a miekg/dns parse error into a sentence that says what is
// wrong and what to do. wrapped is the error the parse error wraps, if any
// (a failed $INCLUDE).
func explain(p parseError, wrapped error) string {
	msg, tok := p.msg, p.token
	switch {
	case wrapped != nil && errors.Is(wrapped, errOutsideRoot):
		return fmt.Sprintf("$INCLUDE %q is outside the zone root; keep included files under the root directory", tok)
	case wrapped != nil && errors.Is(wrapped, fs.ErrNotExist):
		return fmt.Sprintf("$INCLUDE file %q not found beside the including file nor in the zone root; check the path", tok)
	case wrapped != nil:
		return fmt.Sprintf("cannot read $INCLUDE file %q: %v; check the file's permissions", tok, errors.Unwrap(wrapped))
	case strings.HasPrefix(msg, "not a TTL"), strings.HasPrefix(msg, "expecting RR type"):
		if looksLikeWord(tok) {
			if _, ok := mdns.StringToClass[strings.ToUpper(tok)]; ok {
				return fmt.Sprintf("class %q is not supported here; use IN", tok)
			}
			return fmt.Sprintf("unknown RR type %q; check the record type", tok)
		}
		return fmt.Sprintf("invalid TTL %q; write a TTL in seconds (3600) or with units (1h)", tok)
	case strings.HasPrefix(msg, "expecting $TTL"):
		return fmt.Sprintf("invalid $TTL value %q; write a TTL in seconds (3600) or with units (1h)", tok)
	case strings.Contains(msg, "$ORIGIN"), msg == "bad origin name":
		return fmt.Sprintf("invalid $ORIGIN %q; give a domain name such as example.org.", tok)
	case strings.Contains(msg, "$GENERATE"):
		return fmt.Sprintf("invalid $GENERATE directive (%s at %q); write it as $GENERATE START-STOP[/STEP] OWNER TYPE DATA", msg, tok)
	case strings.Contains(msg, "$INCLUDE"):
		return fmt.Sprintf("invalid $INCLUDE directive (%s); nest includes at most 7 deep and write $INCLUDE FILE [ORIGIN]", msg)
	case msg == "bad owner name":
		return fmt.Sprintf("invalid owner name %q; labels are at most 63 bytes and the name at most 255", tok)
	case strings.Contains(msg, "brace"):
		return "unbalanced parentheses; check that every ( has a matching )"
	case strings.HasPrefix(msg, "garbage after"):
		return fmt.Sprintf("unexpected %q after the record's data; check for a missing ')' or a value with spaces that needs quotes", tok)
	case strings.HasPrefix(msg, "bad TXT"), strings.HasPrefix(msg, "bad SPF"):
		typ, _, _ := strings.Cut(strings.TrimPrefix(msg, "bad "), " ")
		return fmt.Sprintf("invalid %s record data near %q; write it as quoted strings, each closed with a double quote on the record's line", typ, tok)
	case strings.HasPrefix(msg, "bad "):
		typ, field, _ := strings.Cut(strings.TrimPrefix(msg, "bad "), " ")
		if field != "" && !strings.EqualFold(field, typ) {
			field = " (" + strings.ToLower(field) + ")"
		} else {
			field = ""
		}
		return fmt.Sprintf("invalid %s record data %q%s; write it as %s", typ, tok, field, typeFormat(typ))
	}
	return fmt.Sprintf("%s at %q; check the zone file syntax", strings.TrimSuffix(msg, ", not this..."), tok)
}

// looksLikeWord reports whether s starts with a letter, as a type or class
// mnemonic does and a TTL does not.
func looksLikeWord(s string) bool {
	return s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}
