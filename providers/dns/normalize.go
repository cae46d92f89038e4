package dns

import (
	"fmt"
	"slices"
	"strings"
)

// NormalizeType returns the canonical name of a record type given as a
// mnemonic in any case or as TYPEnnn ("TYPE1" is "A"), or an error for a
// word that names no type.
func NormalizeType(t string) (string, error) {
	if u, ok := typeStrings[t]; ok {
		return u, nil
	}
	code, name, known := lookupType(t)
	switch {
	case !known:
		return "", fmt.Errorf("%q is not a record type; check the spelling, or write an unknown type as TYPEnnn", t)
	case obsoleteTypes[code], metaTypes[code]:
		return "", fmt.Errorf("%s records cannot be in a zone", name)
	}
	return name, nil
}

// typeStrings maps the mnemonic of each type plumb reads itself to itself,
// so that most records share one copy of each type string.
var typeStrings = func() map[string]string {
	m := make(map[string]string, len(typeTable))
	for _, t := range typeTable {
		m[t.name] = t.name
	}
	return m
}()

// Note says how a value was changed while it was normalised, for a plan
// to show: a name converted to punycode, a long TXT string split.
type Note struct {
	// Key is the record set's key (Record.Key).
	Key string
	// Msg says what was changed, showing both forms.
	Msg string
}

// NotesText lists notes one a line ("KEY: what changed"), the first 20
// of them and how many more, for a plan's warning.
func NotesText(notes []Note) string {
	const shown = 20
	lines := make([]string, 0, min(len(notes), shown+1))
	for i, n := range notes {
		if i == shown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(notes)-shown))
			break
		}
		lines = append(lines, n.Key+": "+n.Msg)
	}
	return strings.Join(lines, "\n")
}

// Normalize returns r in normalised form, or an error saying what is wrong
// with it. Names inside values (MX, CNAME, SRV targets, …) are taken as
// fully qualified: "mail" means "mail.". A TXT or SPF value that does not
// start with a double quote is taken as one string, and split into 255-byte
// strings when longer. Values are sorted and de-duplicated.
func Normalize(r Record) (Record, error) {
	out, _, err := NormalizeWithNotes(r)
	return out, err
}

// NormalizeWithNotes is Normalize that also says what it changed that a
// reader of the plan should know: names of UTF-8 text converted to
// punycode, and TXT strings split at 255 bytes (once per record).
func NormalizeWithNotes(r Record) (Record, []Note, error) {
	name, idn, err := parseName(r.Name, ".")
	if r.Name == "" {
		err = errEmptyName
	}
	if err != nil {
		return Record{}, nil, fmt.Errorf("record name: %w", err)
	}
	typ, err := NormalizeType(r.Type)
	if err != nil {
		return Record{}, nil, fmt.Errorf("record %s: %w", name, err)
	}
	out := Record{Name: name, Type: typ, TTL: r.TTL}
	var notes []Note
	if idn {
		notes = append(notes, Note{Key: out.Key(), Msg: fmt.Sprintf("the name %s is written in punycode as %s, the name resolvers look up", strings.TrimSuffix(r.Name, "."), name)})
	}
	if r.TTL > maxTTL {
		return Record{}, nil, fmt.Errorf("record %s %s: TTL %d is too large; use at most %d seconds", name, typ, r.TTL, maxTTL)
	}
	if len(r.Values) == 0 {
		return Record{}, nil, fmt.Errorf("record %s %s has no values; give at least one", name, typ)
	}
	out.Values = make([]string, 0, len(r.Values))
	split, vidn := false, false
	for _, v := range r.Values {
		nv, s, i, err := normalizeValue(typ, v)
		if err != nil {
			return Record{}, nil, fmt.Errorf("record %s %s: %w", name, typ, err)
		}
		split, vidn = split || s, vidn || i
		out.Values = append(out.Values, nv)
	}
	if split {
		notes = append(notes, Note{Key: out.Key(), Msg: "a string of this record is longer than 255 bytes, the most one TXT string holds; it is split into strings of 255 bytes, which resolvers join again"})
	}
	if vidn {
		notes = append(notes, Note{Key: out.Key(), Msg: "a name in the values is written in punycode, the form resolvers look up"})
	}
	out.Values = sortValues(out.Values)
	if typ == "CNAME" && len(out.Values) > 1 {
		return Record{}, nil, fmt.Errorf("record %s CNAME has %d values; a name can have only one CNAME target", name, len(out.Values))
	}
	return out, notes, nil
}

// sortValues sorts vs and drops duplicates, in place.
func sortValues(vs []string) []string {
	if len(vs) > 1 {
		slices.Sort(vs)
		vs = slices.Compact(vs)
	}
	return vs
}

// NormalizeValue returns one value of a record of type typ (a canonical
// type name) in canonical presentation form, as the zone-file reader
// produces it. Names in it are taken as fully qualified.
func NormalizeValue(typ, value string) (string, error) {
	v, _, _, err := normalizeValue(typ, value)
	return v, err
}

// normalizeValue is NormalizeValue that reports whether a TXT string was
// split and whether a name was converted to punycode.
func normalizeValue(typ, value string) (v string, split, idn bool, err error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", false, false, fmt.Errorf("empty %s value: the record has no data; write it as %s", typ, typeFormat(typ))
	}
	if strings.ContainsAny(value, "\n\r") {
		return "", false, false, fmt.Errorf("%s value %q spans lines; give each record as its own value", typ, value)
	}
	code, _, known := lookupType(typ)
	if !known {
		return "", false, false, fmt.Errorf("%q is not a record type", typ)
	}
	if (typ == "TXT" || typ == "SPF") && !strings.HasPrefix(value, `"`) {
		value, split = quoteText(value)
	}
	if typ == "A" && isDottedQuad(value) {
		return value, split, false, nil
	}
	v, idn, derr := readRdataText(code, value, ".")
	if derr != nil {
		return "", false, false, fmt.Errorf("invalid %s value %q: %s", typ, value, derr.msg)
	}
	return v, split, idn, nil
}

// quoteText quotes s as TXT data: one string, split into quoted strings of
// at most 255 bytes; split reports whether it was longer.
func quoteText(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s) + 4)
	split := false
	for {
		chunk := s
		if len(chunk) > 255 {
			chunk, split = s[:255], true
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for i := 0; i < len(chunk); i++ {
			if chunk[i] == '"' || chunk[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(chunk[i])
		}
		b.WriteByte('"')
		s = s[len(chunk):]
		if s == "" {
			return b.String(), split
		}
	}
}
