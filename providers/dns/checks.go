package dns

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// finish sorts the sets, checks the rules BIND applies to whole sets and
// names when it loads a zone, and returns the result.
func (l *loader) finish() (ParseResult, error) {
	sets := l.mergeChunks()
	for _, s := range sets {
		n := len(s.rec.Values)
		s.rec.Values = sortValues(s.rec.Values)
		if d := n - len(s.rec.Values); d > 0 {
			c := &l.chunks[s.first]
			l.warns = append(l.warns, &ZoneError{File: c.file, Line: int(c.line), Column: int(c.col),
				Msg: fmt.Sprintf("%s %s lists the same data more than once; the %d repeated values are ignored, as BIND ignores them", s.rec.Name, s.rec.Type, d)})
		}
	}
	for i := 0; i < len(sets); {
		j := i + 1
		for j < len(sets) && sets[j].rec.Name == sets[i].rec.Name {
			j++
		}
		l.checkName(sets[i:j])
		i = j
	}
	l.checkApex(sets)
	recs := make([]Record, len(sets))
	for i, s := range sets {
		recs[i] = s.rec
	}
	l.chunks = nil
	res := ParseResult{Records: recs, Warnings: sortErrors(l.warns)}
	if len(l.errs) > 0 {
		return res, ZoneErrors(sortErrors(l.errs))
	}
	return res, nil
}

// checkApex refuses a zone without SOA or NS records at its apex, as BIND
// does (unless reading stopped early for another error).
func (l *loader) checkApex(sets []*set) {
	if len(l.errs) > 0 || l.stop {
		return
	}
	soa, ns := false, false
	for _, s := range sets {
		if s.rec.Name != l.zone {
			break // the apex sorts first
		}
		soa = soa || s.code == 6
		ns = ns || s.code == 2
	}
	if soa && ns {
		return
	}
	missing := "SOA and NS records"
	switch {
	case soa:
		missing = "NS records"
	case ns:
		missing = "SOA record"
	}
	main := l.mainFile
	msg := fmt.Sprintf("the zone %s has no %s at its apex; BIND does not load a zone without its SOA and NS records: add them", l.zone, missing)
	if l.outsideCount > 0 {
		msg += fmt.Sprintf(", or check the zone's origin (%d records of the file are outside %s)", l.outsideCount, l.zone)
	}
	l.errs = append(l.errs, &ZoneError{File: main, Msg: msg})
}

func (l *loader) setError(s *set, format string, args ...any) {
	c := &l.chunks[s.first]
	l.errs = append(l.errs, &ZoneError{File: c.file, Line: int(c.line), Column: int(c.col), Msg: fmt.Sprintf(format, args...)})
}

// lastError records an error at the last record of the set, where BIND
// reports a set with too many records.
func (l *loader) lastError(s *set, format string, args ...any) {
	c := &l.chunks[s.last]
	l.errs = append(l.errs, &ZoneError{File: c.file, Line: int(c.lastLine), Column: int(c.lastCol), Msg: fmt.Sprintf(format, args...)})
}

// laterSet returns whichever of two sets BIND read last.
func (l *loader) laterSet(a, b *set) *set {
	ca, cb := &l.chunks[a.first], &l.chunks[b.first]
	if cb.file == ca.file && (cb.line > ca.line || cb.line == ca.line && cb.col > ca.col) {
		return b
	}
	return a
}

func (l *loader) setWarning(s *set, format string, args ...any) {
	c := &l.chunks[s.first]
	l.warns = append(l.warns, &ZoneError{File: c.file, Line: int(c.line), Column: int(c.col), Msg: fmt.Sprintf(format, args...)})
}

// cnameCompanions are the types a name with a CNAME may also hold.
var cnameCompanions = map[uint16]bool{46: true, 47: true, 25: true} // RRSIG, NSEC, KEY

// checkName checks the sets of one name.
func (l *loader) checkName(sets []*set) {
	for _, s := range sets {
		r := s.rec
		switch s.code {
		case 5: // CNAME
			switch {
			case r.Name == l.zone:
				l.setError(s, "%s", msgCNAMEApex(r.Name))
			case hasOthers(sets, 5):
				at := s
				for _, o := range sets {
					if o.code != 5 && !cnameCompanions[o.code] {
						at = l.laterSet(at, o)
					}
				}
				l.setError(at, "%s", msgCNAMEOther(r.Name, otherTypes(sets, 5)))
			}
			if len(r.Values) > 1 {
				l.lastError(s, "%s", msgSingleton(r.Name, "CNAME", len(r.Values)))
			}
		case 39: // DNAME
			if len(r.Values) > 1 {
				l.lastError(s, "%s", msgSingleton(r.Name, "DNAME", len(r.Values)))
			}
		case 6: // SOA
			if len(r.Values) > 1 {
				l.lastError(s, "the zone has %d SOA records; keep one", len(r.Values))
			}
		case 43: // DS
			if r.Name == l.zone {
				l.setError(s, "%s", msgDSApex(r.Name))
			}
		case 50: // NSEC3
			if !nsec3Owner(r.Name) {
				l.setError(s, "%s", msgNSEC3Owner(r.Name))
			}
		case 2: // NS
			if _, wild := nameLabels(r.Name); wild {
				l.setError(s, "%s", msgWildNS(r.Name))
			}
		}
		if msg := checkNames(r.Name, s.code, r.Values); msg != "" {
			l.setWarning(s, "%s: use a host name, or set check-names to warn in named.conf", msg)
		}
	}
}

// The rules BIND applies to a zone's sets when it loads it, in words.

func msgCNAMEApex(name string) string {
	return fmt.Sprintf("CNAME at the zone apex %s is not allowed: the apex holds the SOA and NS records; use A or AAAA records there", name)
}

func msgCNAMEOther(name, others string) string {
	return fmt.Sprintf("%s has a CNAME and other records (%s); a name with a CNAME can hold nothing else: remove the CNAME or the others", name, others)
}

func msgSingleton(name, typ string, n int) string {
	return fmt.Sprintf("%s has %d %s records; a name can have only one %s target: keep one", name, n, typ, typ)
}

func msgDSApex(name string) string {
	return fmt.Sprintf("DS record at the zone apex %s: a DS record belongs in the parent zone, and BIND refuses it here; remove it", name)
}

func msgWildNS(name string) string {
	return fmt.Sprintf("NS records at the wildcard %s: a wildcard cannot be delegated, and BIND refuses it; remove them or name the delegation", name)
}

func msgNSEC3Owner(name string) string {
	return fmt.Sprintf("NSEC3 records at %s: the first label of an NSEC3 owner is a hash in base32hex, and BIND refuses this one; check the owner", name)
}

// nsec3Owner reports whether name's first label is base32hex, as an NSEC3
// owner's must be.
func nsec3Owner(name string) bool {
	label, _, _ := strings.Cut(name, ".")
	_, err := base32hexEncoding.DecodeString(strings.ToUpper(label))
	return err == nil && label != ""
}

// CheckZone returns, one sentence each, the rules of BIND's loader that
// the record sets of the zone origin break, so that a provider writing a
// zone file never writes one BIND refuses: a set outside the zone, an SOA
// below the apex or more than one, a CNAME at the apex, beside other data
// or more than one, more than one DNAME, a DS at the apex, NS records at a
// wildcard, an NSEC3 owner that is no hash. rs must be normalised and in
// Sort order; origin is a canonical name.
func CheckZone(rs []Record, origin string) []string {
	var out []string
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j].Name == rs[i].Name {
			j++
		}
		sets := rs[i:j]
		for _, r := range sets {
			if !inZone(r.Name, origin) {
				out = append(out, fmt.Sprintf("%s is outside the zone %s; remove it, or manage it in its own zone", r.Key(), origin))
				continue
			}
			switch r.Type {
			case "CNAME":
				if r.Name == origin {
					out = append(out, msgCNAMEApex(r.Name))
				} else if others := otherRecordTypes(sets, "CNAME"); others != "" {
					out = append(out, msgCNAMEOther(r.Name, others))
				}
				if len(r.Values) > 1 {
					out = append(out, msgSingleton(r.Name, "CNAME", len(r.Values)))
				}
			case "DNAME":
				if len(r.Values) > 1 {
					out = append(out, msgSingleton(r.Name, "DNAME", len(r.Values)))
				}
			case "SOA":
				if r.Name != origin {
					out = append(out, fmt.Sprintf("SOA record at %s is not at the zone apex %s; remove it", r.Name, origin))
				} else if len(r.Values) > 1 {
					out = append(out, fmt.Sprintf("the zone has %d SOA records; keep one", len(r.Values)))
				}
			case "DS":
				if r.Name == origin {
					out = append(out, msgDSApex(r.Name))
				}
			case "NSEC3":
				if !nsec3Owner(r.Name) {
					out = append(out, msgNSEC3Owner(r.Name))
				}
			case "NS":
				if _, wild := nameLabels(r.Name); wild {
					out = append(out, msgWildNS(r.Name))
				}
			}
		}
		i = j
	}
	return out
}

// CheckNames returns, one sentence each, what BIND's default check-names
// (fail, in a primary zone) refuses in the record sets: owners of A, AAAA
// and MX records, and targets of NS, MX and SRV records and the SOA's
// primary server, that are not host names.
func CheckNames(rs []Record) []string {
	var out []string
	for _, r := range rs {
		code, _, _ := lookupType(r.Type)
		if msg := checkNames(r.Name, code, r.Values); msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// otherRecordTypes lists the types among sets, other than except and the
// DNSSEC types a CNAME may stand beside.
func otherRecordTypes(sets []Record, except string) string {
	var ts []string
	for _, r := range sets {
		if code, _, _ := lookupType(r.Type); r.Type != except && !cnameCompanions[code] {
			ts = append(ts, r.Type)
		}
	}
	return strings.Join(ts, ", ")
}

// checkNames returns what BIND's default check-names (fail, for a primary
// zone) refuses in a set, or "".
func checkNames(owner string, code uint16, values []string) string {
	switch code {
	case 1, 28, 15: // A, AAAA, MX: the owner is a host name
		if !isHostname(owner, true) {
			return fmt.Sprintf("%s is not a host name (letters, digits and hyphens), so BIND's default check-names refuses its %s records", owner, typeString(code))
		}
	}
	target := func(v string) string {
		switch code {
		case 2: // NS
			return v
		case 15: // MX
			return v[strings.IndexByte(v, ' ')+1:]
		case 33: // SRV
			return v[strings.LastIndexByte(v, ' ')+1:]
		case 6: // SOA mname
			return v[:strings.IndexByte(v, ' ')]
		}
		return ""
	}
	for _, v := range values {
		if t := target(v); t != "" && t != "." && !isHostname(t, false) {
			return fmt.Sprintf("%s %s points to %s, which is not a host name (letters, digits and hyphens), so BIND's default check-names refuses it", owner, typeString(code), t)
		}
	}
	return ""
}

func hasOthers(sets []*set, except uint16) bool {
	for _, s := range sets {
		if s.code != except && !cnameCompanions[s.code] {
			return true
		}
	}
	return false
}

// otherTypes lists the types of sets other than except, comma-separated.
func otherTypes(sets []*set, except uint16) string {
	var ts []string
	for _, s := range sets {
		if s.code != except && !cnameCompanions[s.code] {
			ts = append(ts, s.rec.Type)
		}
	}
	return strings.Join(ts, ", ")
}

// sortErrors orders errors by file, line and column, and drops repeats.
func sortErrors(es []*ZoneError) []*ZoneError {
	slices.SortStableFunc(es, func(a, b *ZoneError) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return slices.CompactFunc(es, func(a, b *ZoneError) bool { return *a == *b })
}

// mergeChunks sorts the committed chunks in Sort order and merges the
// chunks of each set, in commit order: the set takes the last chunk's TTL
// (as BIND's database does), and values listed again are dropped with a
// warning. Comparing names label by label for every pair costs seconds
// for a million sets, so each name is turned once into a key that
// compares as bytes in the same order: its labels from the root down,
// separated by a zero byte, which sorts before every byte of a canonical
// label.
func (l *loader) mergeChunks() []*set {
	type keyed struct {
		key  string
		rank int
		i    int32 // index in l.chunks, which keeps commit order
	}
	ks := make([]keyed, len(l.chunks))
	var buf []byte
	var last, lastKey string
	for i := range l.chunks {
		c := &l.chunks[i]
		if c.owner != last { // records of one owner come together
			buf = nameKey(buf[:0], c.owner)
			last, lastKey = c.owner, string(buf)
		}
		ks[i] = keyed{key: lastKey, rank: typeRank(typeString(c.typ)), i: int32(i)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := strings.Compare(typeString(l.chunks[a.i].typ), typeString(l.chunks[b.i].typ)); c != 0 {
			return c
		}
		return int(a.i - b.i)
	})
	store := make([]set, 0, len(ks))
	for _, k := range ks {
		c := &l.chunks[k.i]
		if n := len(store); n > 0 && store[n-1].code == c.typ && store[n-1].rec.Name == c.owner {
			l.mergeInto(&store[n-1], c, k.i)
			continue
		}
		store = append(store, set{
			rec:  Record{Name: c.owner, Type: typeString(c.typ), TTL: c.ttl, Values: c.values},
			code: c.typ, first: k.i, last: k.i,
		})
		c.values = nil
	}
	sets := make([]*set, len(store))
	for i := range store {
		sets[i] = &store[i]
	}
	return sets
}

// mergeInto adds a later chunk of a set to it.
func (l *loader) mergeInto(s *set, c *chunk, i int32) {
	if s.rec.TTL != c.ttl {
		l.warns = append(l.warns, &ZoneError{File: c.file, Line: int(c.line), Column: int(c.col),
			Msg: fmt.Sprintf("%s %s is given in more than one place with different TTLs (%d, then %d); BIND uses the TTL of the last place, %d, for all: give them one TTL", s.rec.Name, s.rec.Type, s.rec.TTL, c.ttl, c.ttl)})
		s.rec.TTL = c.ttl
	}
	for _, v := range c.values {
		if len(s.rec.Values) <= dupScan && slices.Contains(s.rec.Values, v) {
			l.warns = append(l.warns, &ZoneError{File: c.file, Line: int(c.line), Column: int(c.col),
				Msg: fmt.Sprintf("%s %s %s is listed already; the duplicate is ignored, as BIND ignores it", s.rec.Name, s.rec.Type, v)})
			continue
		}
		s.rec.Values = append(s.rec.Values, v)
	}
	c.values = nil
	s.last = i
}

// nameKey appends the sort key of a canonical name (see mergeChunks).
func nameKey(b []byte, name string) []byte {
	end := len(name)
	if end > 0 && name[end-1] == '.' {
		end--
	}
	for end > 0 {
		start := labelStart(name, end)
		if len(b) > 0 {
			b = append(b, 0)
		}
		b = append(b, name[start:end]...)
		end = start - 1
	}
	return b
}
