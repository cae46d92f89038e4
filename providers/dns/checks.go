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
	sets := make([]*set, 0, len(l.sets))
	for _, s := range l.sets {
		n := len(s.rec.Values)
		s.rec.Values = sortValues(s.rec.Values)
		if d := n - len(s.rec.Values); d > 0 {
			l.warns = append(l.warns, &ZoneError{File: s.file, Line: s.line, Column: s.col,
				Msg: fmt.Sprintf("%s %s lists the same data more than once; the %d repeated values are ignored, as BIND ignores them", s.rec.Name, s.rec.Type, d)})
		}
		sets = append(sets, s)
	}
	slices.SortFunc(sets, func(a, c *set) int {
		if x := compareNames(a.rec.Name, c.rec.Name); x != 0 {
			return x
		}
		return compareTypes(a.rec.Type, c.rec.Type)
	})
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
	l.errs = append(l.errs, &ZoneError{File: s.file, Line: s.line, Column: s.col, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) setWarning(s *set, format string, args ...any) {
	l.warns = append(l.warns, &ZoneError{File: s.file, Line: s.line, Column: s.col, Msg: fmt.Sprintf(format, args...)})
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
				l.setError(s, "CNAME at the zone apex %s is not allowed: the apex holds the SOA and NS records; use A or AAAA records there", r.Name)
			case hasOthers(sets, 5):
				l.setError(s, "%s has a CNAME and other records (%s); a name with a CNAME can hold nothing else: remove the CNAME or the others", r.Name, otherTypes(sets, 5))
			}
			if len(r.Values) > 1 {
				l.setError(s, "%s has %d CNAME records; a name can have only one CNAME target: keep one", r.Name, len(r.Values))
			}
		case 39: // DNAME
			if len(r.Values) > 1 {
				l.setError(s, "%s has %d DNAME records; a name can have only one: keep one", r.Name, len(r.Values))
			}
		case 6: // SOA
			if len(r.Values) > 1 {
				l.setError(s, "the zone has %d SOA records; keep one", len(r.Values))
			}
		case 43: // DS
			if r.Name == l.zone {
				l.setError(s, "DS record at the zone apex %s: a DS record belongs in the parent zone, and BIND refuses it here; remove it", r.Name)
			}
		case 2: // NS
			if _, wild := nameLabels(r.Name); wild {
				l.setError(s, "NS records at the wildcard %s: a wildcard cannot be delegated, and BIND refuses it; remove them or name the delegation", r.Name)
			}
		}
		if msg := checkNames(r.Name, s.code, r.Values); msg != "" {
			l.setWarning(s, "%s", msg)
		}
	}
}

// checkNames returns what BIND's default check-names (fail, for a primary
// zone) refuses in a set, or "".
func checkNames(owner string, code uint16, values []string) string {
	switch code {
	case 1, 28, 15: // A, AAAA, MX: the owner is a host name
		if !isHostname(owner, true) {
			return fmt.Sprintf("%s is not a host name (letters, digits and hyphens), so BIND's default check-names refuses its %s records: rename it, or set check-names to warn in named.conf", owner, typeString(code))
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
			return fmt.Sprintf("%s %s points to %s, which is not a host name (letters, digits and hyphens), so BIND's default check-names refuses it: use a host name, or set check-names to warn in named.conf", owner, typeString(code), t)
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
