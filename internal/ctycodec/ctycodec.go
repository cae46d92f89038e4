// Package ctycodec encodes cty values as JSON and decodes them, byte for
// byte as go-cty's cty/json package does, in time linear in the size of
// the value. cty/json decodes through encoding/json's token reader, which
// takes about 25 µs per record of a DNS zone: a state holding a zone of a
// million records took over a minute to read. This codec reads the bytes
// directly. Parts of a type that are cty.DynamicPseudoType are handed to
// cty/json, which writes their type beside their value.
package ctycodec

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/internal/ctyconv"
)

// Marshal returns v, of type ty, as JSON: the bytes cty/json's Marshal
// returns.
func Marshal(v cty.Value, ty cty.Type) ([]byte, error) {
	if errs := v.Type().TestConformance(ty); len(errs) > 0 {
		// As cty/json does: a value of another type is converted.
		var err error
		if v, err = convert.Convert(v, ty); err != nil {
			return nil, err
		}
	}
	e := encoder{buf: make([]byte, 0, 256), dynamic: ty.HasDynamicTypes()}
	if err := e.value(v, ty, nil); err != nil {
		// Written again, tracking the path, to say where the error is.
		e = encoder{dynamic: e.dynamic, paths: true}
		if err := e.value(v, ty, nil); err != nil {
			return nil, err
		}
		return nil, errors.New("value cannot be serialized as JSON") // not reached
	}
	return e.buf, nil
}

// index returns path with the step to element i added when the encoder
// tracks paths, and path itself otherwise: building the path of each of
// a million elements (a number for each index) cost more than writing
// them.
func (e *encoder) index(path cty.Path, i int) cty.Path {
	if !e.paths {
		return path
	}
	return append(path.Copy(), cty.IndexStep{Key: cty.NumberIntVal(int64(i))})
}

// key is index for the element of a map (or set) whose key is k.
func (e *encoder) key(path cty.Path, k cty.Value) cty.Path {
	if !e.paths {
		return path
	}
	return append(path.Copy(), cty.IndexStep{Key: k})
}

// attr is index for the attribute name of an object.
func (e *encoder) attr(path cty.Path, name string) cty.Path {
	if !e.paths {
		return path
	}
	return append(path.Copy(), cty.GetAttrStep{Name: name})
}

type encoder struct {
	buf     []byte
	dynamic bool // the type has dynamic parts somewhere
	paths   bool // track the path of each value, for an error's message
	// lastType and lastNames remember the attribute names of the object
	// type written last, sorted: a list's objects share one type.
	lastType  cty.Type
	lastNames []string // nil until an object was written
}

// sortedNames returns the attribute names of an object type, sorted.
func (e *encoder) sortedNames(ty cty.Type) []string {
	if e.lastNames != nil && e.lastType.Equals(ty) {
		return e.lastNames
	}
	atys := ty.AttributeTypes()
	names := make([]string, 0, len(atys))
	for k := range atys {
		names = append(names, k)
	}
	sort.Strings(names)
	e.lastType, e.lastNames = ty, names
	return names
}

func (e *encoder) value(v cty.Value, ty cty.Type, path cty.Path) error {
	if v.IsMarked() {
		return path.NewErrorf("value has marks, so it cannot be serialized as JSON")
	}
	if !v.IsKnown() {
		return path.NewErrorf("value is not known")
	}
	if e.dynamic && ty.HasDynamicTypes() {
		// cty/json writes the type of a dynamic part beside its value.
		raw, err := ctyjson.Marshal(v, ty)
		if err != nil {
			return err
		}
		e.buf = append(e.buf, raw...)
		return nil
	}
	if v.IsNull() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	switch {
	case ty == cty.String:
		e.buf = appendString(e.buf, v.AsString())
	case ty == cty.Number:
		if v.RawEquals(cty.PositiveInfinity) || v.RawEquals(cty.NegativeInfinity) {
			return path.NewErrorf("cannot serialize infinity as JSON")
		}
		if i, ok := ctyconv.Int64Of(v); ok {
			e.buf = strconv.AppendInt(e.buf, i, 10)
		} else {
			e.buf = v.AsBigFloat().Append(e.buf, 'f', -1)
		}
	case ty == cty.Bool:
		if v.True() {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case ty.IsListType(), ty.IsSetType():
		e.buf = append(e.buf, '[')
		ety := ty.ElementType()
		for i, ev := range ctyconv.All(v) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			elemPath := e.index(path, i)
			if ty.IsSetType() {
				elemPath = e.key(path, ev) // a set's element is its own key
			}
			if err := e.value(ev, ety, elemPath); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case ty.IsMapType():
		e.buf = append(e.buf, '{')
		ety := ty.ElementType()
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			k, ev := it.Element()
			e.buf = appendString(e.buf, k.AsString())
			e.buf = append(e.buf, ':')
			if err := e.value(ev, ety, e.key(path, k)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case ty.IsTupleType():
		e.buf = append(e.buf, '[')
		etys := ty.TupleElementTypes()
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			_, ev := it.Element()
			if err := e.value(ev, etys[i], e.index(path, i)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case ty.IsObjectType():
		e.buf = append(e.buf, '{')
		atys := ty.AttributeTypes()
		names := e.sortedNames(ty)
		for i, k := range names {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ':')
			av, ok := ctyconv.Attr(v, k)
			if !ok {
				av = v.GetAttr(k)
			}
			if err := e.value(av, atys[k], e.attr(path, k)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	default:
		raw, err := ctyjson.Marshal(v, ty)
		if err != nil {
			return err
		}
		e.buf = append(e.buf, raw...)
	}
	return nil
}

// appendString appends s as encoding/json writes a string: HTML-safe,
// with invalid UTF-8 replaced and U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Unmarshal reads JSON as a value of type ty, as cty/json's Unmarshal
// does.
func Unmarshal(data []byte, ty cty.Type) (cty.Value, error) {
	d := decoder{data: data, dynamic: ty.HasDynamicTypes()}
	d.space()
	v, err := d.value(ty, nil)
	if err != nil {
		return cty.NilVal, err
	}
	d.space()
	if d.pos != len(d.data) {
		return cty.NilVal, d.errorf(nil, "extraneous data after value")
	}
	return v, nil
}

type decoder struct {
	data    []byte
	pos     int
	dynamic bool // the type has dynamic parts somewhere
}

func (d *decoder) errorf(path cty.Path, format string, args ...any) error {
	return path.NewErrorf("at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// expect consumes c after white space.
func (d *decoder) expect(c byte, path cty.Path) error {
	if d.peek() != c {
		return d.errorf(path, "expected %q", c)
	}
	d.pos++
	return nil
}

func (d *decoder) literal(word string) bool {
	if bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		d.pos += len(word)
		return true
	}
	return false
}

func (d *decoder) value(ty cty.Type, path cty.Path) (cty.Value, error) {
	c := d.peek()
	if d.dynamic && ty.HasDynamicTypes() {
		start := d.pos
		if err := d.skip(path); err != nil {
			return cty.NilVal, err
		}
		return ctyjson.Unmarshal(d.data[start:d.pos], ty)
	}
	if c == 'n' {
		if !d.literal("null") {
			return cty.NilVal, d.errorf(path, "invalid literal")
		}
		return cty.NullVal(ty), nil
	}
	// Primitives are read as leniently as cty/json reads them: a number
	// or bool where a string goes, a string where a number or bool goes.
	switch {
	case ty == cty.String:
		switch {
		case c == '"':
			s, err := d.string(path)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		case d.literal("true"):
			return cty.StringVal("true"), nil
		case d.literal("false"):
			return cty.StringVal("false"), nil
		case c == '-' || '0' <= c && c <= '9':
			start := d.pos
			if _, err := d.number(path); err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(d.data[start:d.pos])), nil
		}
		return cty.NilVal, d.errorf(path, "string is required")
	case ty == cty.Number:
		if c == '"' {
			s, err := d.string(path)
			if err != nil {
				return cty.NilVal, err
			}
			v, err := cty.ParseNumberVal(s)
			if err != nil {
				return cty.NilVal, path.NewError(err)
			}
			return v, nil
		}
		return d.number(path)
	case ty == cty.Bool:
		switch {
		case d.literal("true"):
			return cty.True, nil
		case d.literal("false"):
			return cty.False, nil
		case c == '"':
			s, err := d.string(path)
			if err != nil {
				return cty.NilVal, err
			}
			v, err := convert.Convert(cty.StringVal(s), cty.Bool)
			if err != nil {
				return cty.NilVal, path.NewError(err)
			}
			return v, nil
		}
		return cty.NilVal, d.errorf(path, "bool is required")
	case ty.IsListType(), ty.IsSetType():
		ety := ty.ElementType()
		if err := d.expect('[', path); err != nil {
			return cty.NilVal, err
		}
		var vals []cty.Value
		for i := 0; d.peek() != ']'; i++ {
			if i > 0 {
				if err := d.expect(',', path); err != nil {
					return cty.NilVal, err
				}
			}
			v, err := d.value(ety, append(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}))
			if err != nil {
				return cty.NilVal, err
			}
			vals = append(vals, v)
		}
		d.pos++
		switch {
		case ty.IsListType() && len(vals) == 0:
			return cty.ListValEmpty(ety), nil
		case ty.IsListType():
			return cty.ListVal(vals), nil
		case len(vals) == 0:
			return cty.SetValEmpty(ety), nil
		}
		return cty.SetVal(vals), nil
	case ty.IsMapType():
		ety := ty.ElementType()
		if err := d.expect('{', path); err != nil {
			return cty.NilVal, err
		}
		vals := map[string]cty.Value{}
		for i := 0; d.peek() != '}'; i++ {
			if i > 0 {
				if err := d.expect(',', path); err != nil {
					return cty.NilVal, err
				}
			}
			d.space()
			k, err := d.string(path)
			if err != nil {
				return cty.NilVal, err
			}
			if err := d.expect(':', path); err != nil {
				return cty.NilVal, err
			}
			v, err := d.value(ety, append(path, cty.IndexStep{Key: cty.StringVal(k)}))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		d.pos++
		if len(vals) == 0 {
			return cty.MapValEmpty(ety), nil
		}
		return cty.MapVal(vals), nil
	case ty.IsTupleType():
		etys := ty.TupleElementTypes()
		if err := d.expect('[', path); err != nil {
			return cty.NilVal, err
		}
		vals := make([]cty.Value, 0, len(etys))
		for i := 0; d.peek() != ']'; i++ {
			if i > 0 {
				if err := d.expect(',', path); err != nil {
					return cty.NilVal, err
				}
			}
			if i >= len(etys) {
				return cty.NilVal, d.errorf(path, "too many tuple elements (need %d)", len(etys))
			}
			v, err := d.value(etys[i], append(path, cty.IndexStep{Key: cty.NumberIntVal(int64(i))}))
			if err != nil {
				return cty.NilVal, err
			}
			vals = append(vals, v)
		}
		d.pos++
		if len(vals) != len(etys) {
			return cty.NilVal, d.errorf(path, "not enough tuple elements (need %d)", len(etys))
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(vals), nil
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		if err := d.expect('{', path); err != nil {
			return cty.NilVal, err
		}
		vals := make(map[string]cty.Value, len(atys))
		for i := 0; d.peek() != '}'; i++ {
			if i > 0 {
				if err := d.expect(',', path); err != nil {
					return cty.NilVal, err
				}
			}
			d.space()
			k, err := d.string(path)
			if err != nil {
				return cty.NilVal, err
			}
			aty, ok := atys[k]
			if !ok {
				return cty.NilVal, d.errorf(path, "unsupported attribute %q", k)
			}
			if err := d.expect(':', path); err != nil {
				return cty.NilVal, err
			}
			v, err := d.value(aty, append(path, cty.GetAttrStep{Name: k}))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		d.pos++
		for k, aty := range atys {
			if _, ok := vals[k]; !ok {
				vals[k] = cty.NullVal(aty)
			}
		}
		if len(vals) == 0 {
			return cty.EmptyObjectVal, nil
		}
		return cty.ObjectVal(vals), nil
	}
	start := d.pos
	if err := d.skip(path); err != nil {
		return cty.NilVal, err
	}
	return ctyjson.Unmarshal(d.data[start:d.pos], ty)
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number(path cty.Path) (cty.Value, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		return cty.NilVal, d.errorf(path, "number is required")
	}
	intOnly := true
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		intOnly = false
		if digits() == 0 {
			return cty.NilVal, d.errorf(path, "invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		intOnly = false
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return cty.NilVal, d.errorf(path, "invalid number")
		}
	}
	text := string(d.data[start:d.pos])
	if intOnly && len(text) <= 15 {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return cty.NumberIntVal(n), nil
		}
	}
	v, err := cty.ParseNumberVal(text)
	if err != nil {
		return cty.NilVal, d.errorf(path, "invalid number %q", text)
	}
	return v, nil
}

// string reads a JSON string, as encoding/json does: invalid UTF-8 and
// lone surrogates become U+FFFD.
func (d *decoder) string(path cty.Path) (string, error) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", d.errorf(path, "string is required")
	}
	d.pos++
	start := d.pos
	plain := true
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := d.data[start:d.pos]
			d.pos++
			if plain {
				return string(s), nil
			}
			return unquote(s)
		case c == '\\':
			plain = false
			d.pos += 2
			continue
		case c < 0x20:
			return "", d.errorf(path, "control character in string")
		case c >= utf8.RuneSelf:
			plain = false
		}
		d.pos++
	}
	return "", d.errorf(path, "unterminated string")
}

// plainString reads a string without escapes or non-ASCII bytes and
// returns its bytes, without copying them; ok is false (and nothing is
// read) for any other string.
func (d *decoder) plainString() ([]byte, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, false
	}
	for i := d.pos + 1; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			s := d.data[d.pos+1 : i]
			d.pos = i + 1
			return s, true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// unquote decodes the inside of a JSON string with escapes or non-ASCII
// bytes.
func unquote(s []byte) (string, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' {
			if i+1 >= len(s) {
				return "", errors.New("invalid escape at the end of a string")
			}
			switch s[i+1] {
			case '"', '\\', '/':
				b = append(b, s[i+1])
				i += 2
			case 'b':
				b, i = append(b, '\b'), i+2
			case 'f':
				b, i = append(b, '\f'), i+2
			case 'n':
				b, i = append(b, '\n'), i+2
			case 'r':
				b, i = append(b, '\r'), i+2
			case 't':
				b, i = append(b, '\t'), i+2
			case 'u':
				r, ok := hex4(s[i+2:])
				if !ok {
					return "", errors.New("invalid \\u escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2, ok = hex4(s[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
						i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", fmt.Errorf("invalid escape \\%c", s[i+1])
			}
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b), nil
}

func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skip moves past one JSON value.
func (d *decoder) skip(path cty.Path) error {
	switch c := d.peek(); c {
	case '"':
		_, err := d.string(path)
		return err
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.pos++
		for i := 0; d.peek() != end; i++ {
			if d.pos >= len(d.data) {
				return d.errorf(path, "unexpected end of JSON")
			}
			if i > 0 {
				if err := d.expect(',', path); err != nil {
					return err
				}
			}
			if c == '{' {
				d.space()
				if _, err := d.string(path); err != nil {
					return err
				}
				if err := d.expect(':', path); err != nil {
					return err
				}
			}
			if err := d.skip(path); err != nil {
				return err
			}
		}
		d.pos++
		return nil
	case 't':
		if d.literal("true") {
			return nil
		}
	case 'f':
		if d.literal("false") {
			return nil
		}
	case 'n':
		if d.literal("null") {
			return nil
		}
	default:
		if c == '-' || '0' <= c && c <= '9' {
			_, err := d.number(path)
			return err
		}
	}
	return d.errorf(path, "invalid JSON value")
}
