package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The state file is read and written on every run, and with 10,000
// instances encoding/json's reflection and its scanner (which reads every
// byte twice on the way in) cost tens of milliseconds. This file holds a
// fast path for the layout MarshalJSON writes: one compact instance per
// line. Anything else, such as a file edited by hand into another layout,
// or one that is not valid JSON, goes to encoding/json, which also gives
// the error messages. FuzzDecodeFast checks that both agree.

// maxDepth bounds the nesting of a value the fast path validates, as
// encoding/json does.
const maxDepth = 10000

// resourcesMarker precedes the instance lines in the file's layout.
const resourcesMarker = "\n  \"resources\": ["

// decodeFast decodes a state file in the layout MarshalJSON writes; ok is
// false for anything else, valid or not.
func decodeFast(data []byte) (f *stateFile, ok bool) {
	idx := bytes.Index(data, []byte(resourcesMarker))
	if idx < 0 {
		return nil, false
	}
	// The header, closed without the resources, must decode on its own:
	// that also proves the marker is at the top level.
	head := bytes.TrimRight(data[:idx], " \t\r\n")
	if !bytes.HasSuffix(head, []byte{','}) {
		return nil, false
	}
	hdr := make([]byte, 0, len(head)+len(`"resources":[]}`))
	hdr = append(append(hdr, head...), `"resources":[]}`...)
	f = new(stateFile)
	if json.Unmarshal(hdr, f) != nil {
		return nil, false
	}

	rest := data[idx+len(resourcesMarker):]
	if r, found := bytes.CutPrefix(rest, []byte{']'}); found {
		rest = r
	} else {
		n := bytes.Count(rest, []byte{'\n'})
		f.Resources = make([]*Instance, 0, n)
		in := interner{}
		for {
			r, found := bytes.CutPrefix(rest, []byte("\n    "))
			if !found {
				return nil, false
			}
			end := bytes.IndexByte(r, '\n')
			if end < 0 {
				return nil, false
			}
			line, more := bytes.CutSuffix(r[:end], []byte{','})
			inst, ok := decodeInstance(line, in)
			if !ok {
				return nil, false
			}
			f.Resources = append(f.Resources, inst)
			rest = r[end:]
			if !more {
				break
			}
		}
		r, found := bytes.CutPrefix(rest, []byte("\n  ]"))
		if !found {
			return nil, false
		}
		rest = r
	}
	if !bytes.Equal(bytes.TrimSpace(rest), []byte{'}'}) {
		return nil, false
	}
	return f, true
}

// interner shares the strings that repeat from instance to instance (mode,
// type, name, provider).
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// decodeInstance decodes one compact instance object, as appendInstance
// writes it. Unknown or repeated keys, whitespace, and keys that are not
// plain ASCII are left to encoding/json (ok is false).
func decodeInstance(b []byte, in interner) (inst *Instance, ok bool) {
	if len(b) < 2 || b[0] != '{' {
		return nil, false
	}
	inst = new(Instance)
	var seen uint16
	i := 1
	if b[i] == '}' {
		return inst, len(b) == 2
	}
	for {
		key, next, ok := plainString(b, i)
		if !ok || next >= len(b) || b[next] != ':' {
			return nil, false
		}
		i = next + 1
		var bit uint16
		switch string(key) {
		case "address":
			bit = 1
			inst.Addr, i, ok = decodeString(b, i, nil)
		case "mode":
			bit = 2
			inst.Mode, i, ok = decodeString(b, i, in)
		case "type":
			bit = 4
			inst.Type, i, ok = decodeString(b, i, in)
		case "name":
			bit = 8
			inst.Name, i, ok = decodeString(b, i, in)
		case "provider":
			bit = 16
			inst.Provider, i, ok = decodeString(b, i, in)
		case "attributes":
			bit = 32
			end := scanValue(b, i, 1)
			if ok = end > i; ok {
				inst.Attributes = json.RawMessage(b[i:end:end])
				i = end
			}
		case "dependencies":
			bit = 64
			inst.Dependencies, i, ok = decodeStrings(b, i, in)
		case "tainted":
			bit = 128
			switch {
			case bytes.HasPrefix(b[i:], []byte("true")):
				inst.Tainted, i = true, i+4
			case bytes.HasPrefix(b[i:], []byte("false")):
				inst.Tainted, i = false, i+5
			default:
				ok = false
			}
		case "sensitive_attributes":
			bit = 256
			end := scanValue(b, i, 1)
			if ok = end > i && inst.Sensitive.UnmarshalJSON(b[i:end]) == nil; ok {
				i = end
			}
		default:
			return nil, false
		}
		if !ok || seen&bit != 0 || i >= len(b) {
			return nil, false
		}
		seen |= bit
		switch b[i] {
		case ',':
			i++
		case '}':
			return inst, i+1 == len(b)
		default:
			return nil, false
		}
	}
}

// plainString returns the contents of the string at b[i] if it has no
// escapes and only printable ASCII.
func plainString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// decodeString decodes the string at b[i], interned when in is not nil.
func decodeString(b []byte, i int, in interner) (s string, next int, ok bool) {
	if raw, next, ok := plainString(b, i); ok {
		if in != nil {
			return in.get(raw), next, true
		}
		return string(raw), next, true
	}
	// Escapes or non-ASCII: let encoding/json decode this one string.
	end := scanString(b, i)
	if end < 0 || json.Unmarshal(b[i:end], &s) != nil {
		return "", 0, false
	}
	return s, end, true
}

// decodeStrings decodes a non-empty array of strings at b[i].
func decodeStrings(b []byte, i int, in interner) (ss []string, next int, ok bool) {
	if i >= len(b) || b[i] != '[' {
		return nil, 0, false
	}
	i++
	for {
		var s string
		if s, i, ok = decodeString(b, i, in); !ok || i >= len(b) {
			return nil, 0, false
		}
		ss = append(ss, s)
		switch b[i] {
		case ',':
			i++
		case ']':
			return ss, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

// scanValue returns the end of the compact JSON value that starts at b[i],
// or -1 if there is none: it validates as encoding/json does, but allows no
// whitespace.
func scanValue(b []byte, i, depth int) int {
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '{', c == '[':
		if depth >= maxDepth {
			return -1
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i++
		if i < len(b) && b[i] == closer {
			return i + 1
		}
		for {
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return -1
				}
				if i = scanString(b, i); i < 0 || i >= len(b) || b[i] != ':' {
					return -1
				}
				i++
			}
			if i = scanValue(b, i, depth+1); i < 0 || i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i++
			case closer:
				return i + 1
			default:
				return -1
			}
		}
	case c == '"':
		return scanString(b, i)
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-', '0' <= c && c <= '9':
		return scanNumber(b, i)
	}
	return -1
}

func scanLiteral(b []byte, i int, lit string) int {
	if !bytes.HasPrefix(b[i:], []byte(lit)) {
		return -1
	}
	return i + len(lit)
}

// scanString returns the end of the string that starts at b[i] (a quote),
// or -1.
func scanString(b []byte, i int) int {
	for i++; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if i+1 >= len(b) {
				return -1
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return -1
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return -1
					}
				}
				i += 6
			default:
				return -1
			}
		default:
			i++
		}
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanNumber returns the end of the number that starts at b[i], or -1.
func scanNumber(b []byte, i int) int {
	digits := func(i int) int {
		j := i
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		return j
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// appendInstance appends inst as one compact JSON object, as json.Encoder
// (with HTML escaping off) would, but without reflection and validating
// the attributes with scanValue instead of compacting them.
func appendInstance(b []byte, inst *Instance) ([]byte, error) {
	b = append(b, `{"address":`...)
	b = appendString(b, inst.Addr)
	b = append(b, `,"mode":`...)
	b = appendString(b, inst.Mode)
	b = append(b, `,"type":`...)
	b = appendString(b, inst.Type)
	b = append(b, `,"name":`...)
	b = appendString(b, inst.Name)
	b = append(b, `,"provider":`...)
	b = appendString(b, inst.Provider)
	b = append(b, `,"attributes":`...)
	switch attrs := inst.Attributes; {
	case len(attrs) == 0:
		b = append(b, "null"...)
	case scanValue(attrs, 0, 1) == len(attrs):
		b = append(b, attrs...)
	default:
		var buf bytes.Buffer
		if err := json.Compact(&buf, attrs); err != nil {
			return nil, fmt.Errorf("attributes are not valid JSON: %w", err)
		}
		b = append(b, buf.Bytes()...)
	}
	if len(inst.Dependencies) > 0 {
		b = append(b, `,"dependencies":[`...)
		for i, d := range inst.Dependencies {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d)
		}
		b = append(b, ']')
	}
	if inst.Tainted {
		b = append(b, `,"tainted":true`...)
	}
	if len(inst.Sensitive) > 0 {
		paths, err := inst.Sensitive.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b = append(b, `,"sensitive_attributes":`...)
		b = append(b, paths...)
	}
	return append(b, '}'), nil
}

// appendString appends s as a JSON string, escaped as json.Encoder does
// with HTML escaping off.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
