package aws

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/dns"
)

// How the records attribute is kept in state.
//
// State holds records as they were configured (zonefile()'s output, apex
// SOA and NS included), not as Route 53 returns them, so that planning an
// unchanged zone is one comparison of cty values and no normalising. Read
// compares the live sets with the normalised form of that list and, when
// they agree, returns the list untouched; when they do not, it returns the
// configured elements that still hold, Route 53's version of those that
// changed, and the sets added outside plumb, so the next plan shows the
// drift set by set.

// zoneRecords is a records list decoded.
type zoneRecords struct {
	// elems holds each list element normalised, in list order.
	elems []dns.Record
	// ignored marks the elements plumb does not send to Route 53: the apex
	// SOA always, the apex NS unless it is managed.
	ignored []bool
	// managed are the other elements, in dns.Sort order.
	managed []dns.Record
	// apexNS is the list's apex NS set, managed or not; nil when it has
	// none.
	apexNS *dns.Record
	// apexManaged says the apex NS is managed: manage_apex_ns is true and
	// the list has an apex NS set.
	apexManaged bool
	// notes say what normalising changed (punycode, split TXT strings).
	notes []dns.Note
}

// decodeRecords reads a known records list for the zone origin
// (normalised). Each set must lie in the zone; a name must not hold one
// set twice, nor a CNAME beside other sets, nor a CNAME at the apex. A
// null list gives an empty zoneRecords.
func decodeRecords(v cty.Value, origin string, manageApexNS bool) (zoneRecords, error) {
	var zr zoneRecords
	if v.IsNull() {
		return zr, nil
	}
	if !v.IsWhollyKnown() {
		return zr, fmt.Errorf("records are not known yet")
	}
	n := v.LengthInt()
	zr.elems, zr.ignored = make([]dns.Record, 0, n), make([]bool, 0, n)
	zr.managed = make([]dns.Record, 0, n)
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		rec, notes, err := dns.FromValueWithNotes(e)
		if err != nil {
			return zoneRecords{}, fmt.Errorf("record %d: %w", i, err)
		}
		zr.notes = append(zr.notes, notes...)
		if !inZone(rec.Name, origin) {
			return zoneRecords{}, fmt.Errorf("record %d, %s %s, is outside the zone %s; write names fully qualified, such as \"www.%s\"",
				i, rec.Name, rec.Type, origin, origin)
		}
		if !Route53Types[rec.Type] {
			return zoneRecords{}, fmt.Errorf("record %d, %s %s: Route 53 does not support %s records; remove it from records (Route 53 serves %s)",
				i, rec.Name, rec.Type, rec.Type, strings.Join(route53TypeList, ", "))
		}
		ignored := false
		if rec.Name == origin {
			switch rec.Type {
			case "SOA":
				ignored = true
			case "NS":
				ns := rec
				zr.apexNS = &ns
				ignored = !manageApexNS
			case "CNAME":
				return zoneRecords{}, fmt.Errorf("record %d is a CNAME at the apex %s, which DNS does not allow; use an A or AAAA set there", i, origin)
			}
		}
		zr.elems, zr.ignored = append(zr.elems, rec), append(zr.ignored, ignored)
		if !ignored {
			zr.managed = append(zr.managed, rec)
		}
	}
	zr.apexManaged = manageApexNS && zr.apexNS != nil
	dns.Sort(zr.managed)
	for j := 1; j < len(zr.managed); j++ {
		a, b := zr.managed[j-1], zr.managed[j]
		switch {
		case a.Name != b.Name:
		case a.Type == b.Type:
			return zoneRecords{}, fmt.Errorf("records list %s %s twice; give all values of one name and type in one record", a.Name, a.Type)
		case a.Type == "CNAME" || b.Type == "CNAME":
			return zoneRecords{}, fmt.Errorf("%s has a CNAME beside other record sets (%s and %s), which DNS does not allow", a.Name, a.Type, b.Type)
		}
	}
	return zr, nil
}

// inZone reports whether the normalised name is origin or below it.
func inZone(name, origin string) bool {
	return name == origin || strings.HasSuffix(name, "."+origin)
}

// reconcile returns the records list to put in state for the live sets:
// list itself when they agree with its managed sets, else a list built as
// the comment at the top of the file says.
func (zr zoneRecords) reconcile(list cty.Value, live []dns.Record) cty.Value {
	if dns.Diff(zr.managed, live).Empty() {
		return list
	}
	byKey := make(map[string]dns.Record, len(live))
	for _, l := range live {
		byKey[l.Key()] = l
	}
	out := make([]cty.Value, 0, len(live)+2)
	used := make(map[string]bool, len(live))
	i := 0
	for it := list.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if zr.ignored[i] {
			out = append(out, e)
			continue
		}
		rec := zr.elems[i]
		l, ok := byKey[rec.Key()]
		if !ok || used[rec.Key()] {
			continue
		}
		used[rec.Key()] = true
		if l.Equal(rec) {
			out = append(out, e)
		} else {
			out = append(out, l.Value())
		}
	}
	for _, l := range live {
		if !used[l.Key()] {
			out = append(out, l.Value())
		}
	}
	if len(out) == 0 {
		return cty.ListValEmpty(dns.RecordType)
	}
	return cty.ListVal(out)
}

// ignoredRecords returns the elements plumb does not send to Route 53.
func (zr zoneRecords) ignoredRecords() []dns.Record {
	var out []dns.Record
	for i, r := range zr.elems {
		if zr.ignored[i] {
			out = append(out, r)
		}
	}
	return out
}

// partialRecords is the records list for state after only some changes
// were made: existing with done applied, and desired's ignored sets.
func partialRecords(desired zoneRecords, existing []dns.Record, done []recordChange) cty.Value {
	result := applyChanges(existing, done)
	have := make(map[string]bool, len(result))
	for _, r := range result {
		have[r.Key()] = true
	}
	for _, r := range desired.ignoredRecords() {
		if !have[r.Key()] {
			result = append(result, r)
		}
	}
	return dns.ListValue(result)
}

// zoneDiff is the diff between the managed sets of a zone as they are and
// as they should be, adjusted for the apex NS, which always exists: a new
// apex NS set is an update (an UPSERT), and one no longer managed is left
// as it is rather than deleted.
func zoneDiff(existing, desired []dns.Record, origin string) dns.Changes {
	d := dns.Diff(existing, desired)
	isApexNS := func(r dns.Record) bool { return r.Name == origin && r.Type == "NS" }
	for i, r := range d.Delete {
		if isApexNS(r) {
			d.Delete = append(d.Delete[:i:i], d.Delete[i+1:]...)
			break
		}
	}
	for i, r := range d.Create {
		if isApexNS(r) {
			d.Create = append(d.Create[:i:i], d.Create[i+1:]...)
			d.Update = append(d.Update, r)
			d.UpdateFrom = append(d.UpdateFrom, dns.Record{})
			break
		}
	}
	return d
}

// Fast comparisons. cty's RawEquals compares numbers by converting them to
// integers and walks every value generically, which costs tens of
// microseconds for a zone; these compare a records list element by element
// as strings, which is what a no-change plan of thousands of zones needs.

// sameRecords reports whether two records lists are identical: the same
// elements in the same order. Lists holding unknown or marked values are
// compared with RawEquals.
func sameRecords(a, b cty.Value) bool {
	if a.IsNull() || b.IsNull() || !a.IsKnown() || !b.IsKnown() || a.IsMarked() || b.IsMarked() || !a.Type().Equals(b.Type()) {
		return a.RawEquals(b)
	}
	if a.LengthInt() != b.LengthInt() {
		return false
	}
	ia, ib := a.ElementIterator(), b.ElementIterator()
	for ia.Next() && ib.Next() {
		_, x := ia.Element()
		_, y := ib.Element()
		same, ok := sameRecord(x, y)
		if !ok {
			return a.RawEquals(b)
		}
		if !same {
			return false
		}
	}
	return true
}

// sameRecord compares two record objects; ok is false when one holds
// something the fast comparison does not handle (unknown, null or marked
// values), and the caller must compare another way.
func sameRecord(x, y cty.Value) (same, ok bool) {
	if !plainCty(x) || !plainCty(y) {
		return false, false
	}
	for _, attr := range [...]string{"name", "type"} {
		a, b := x.GetAttr(attr), y.GetAttr(attr)
		if !plainCty(a) || !plainCty(b) {
			return false, false
		}
		if a.AsString() != b.AsString() {
			return false, true
		}
	}
	ta, tb := x.GetAttr("ttl"), y.GetAttr("ttl")
	if !plainCty(ta) || !plainCty(tb) {
		return false, false
	}
	if ta.AsBigFloat().Cmp(tb.AsBigFloat()) != 0 {
		return false, true
	}
	va, vb := x.GetAttr("values"), y.GetAttr("values")
	if !plainCty(va) || !plainCty(vb) {
		return false, false
	}
	if va.LengthInt() != vb.LengthInt() {
		return false, true
	}
	ia, ib := va.ElementIterator(), vb.ElementIterator()
	for ia.Next() && ib.Next() {
		_, a := ia.Element()
		_, b := ib.Element()
		if !plainCty(a) || !plainCty(b) {
			return false, false
		}
		if a.AsString() != b.AsString() {
			return false, true
		}
	}
	return true, true
}

// plainCty reports whether v is known, not null and not marked.
func plainCty(v cty.Value) bool { return v.IsKnown() && !v.IsNull() && !v.IsMarked() }

// liveMatches reports whether Route 53's record sets are exactly the
// managed elements of the records list, written the same way: what Read
// finds for a zone plumb wrote and nobody changed, checked without
// normalising anything. False means "look closer" (decodeRecords and
// reconcile), not necessarily drift.
func liveMatches(list cty.Value, sets []types.ResourceRecordSet, origin string, manageApexNS bool) bool {
	if list.IsNull() || !list.IsKnown() || list.IsMarked() {
		return false
	}
	type entry struct {
		ttl    cty.Value
		values cty.Value
	}
	want := make(map[string]entry, list.LengthInt())
	var apexNS *entry
	for it := list.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !plainCty(e) {
			return false
		}
		name, typ, ttl, values := e.GetAttr("name"), e.GetAttr("type"), e.GetAttr("ttl"), e.GetAttr("values")
		if !plainCty(name) || !plainCty(typ) || !plainCty(ttl) || !plainCty(values) {
			return false
		}
		n, t := name.AsString(), typ.AsString()
		if n == origin && t == "SOA" {
			continue
		}
		if n == origin && t == "NS" {
			apexNS = &entry{ttl, values}
			if !manageApexNS {
				continue
			}
		}
		key := n + " " + t
		if _, dup := want[key]; dup {
			return false
		}
		want[key] = entry{ttl, values}
	}
	nsManaged := manageApexNS && apexNS != nil
	matched := 0
	for _, rs := range sets {
		if rs.AliasTarget != nil || rs.SetIdentifier != nil {
			continue // left alone either way
		}
		name, typ := fromRoute53Text(aws.ToString(rs.Name)), string(rs.Type)
		if name == origin && (typ == "SOA" || typ == "NS" && !nsManaged) {
			continue
		}
		e, ok := want[name+" "+typ]
		if !ok || rs.TTL == nil || len(rs.ResourceRecords) != e.values.LengthInt() {
			return false
		}
		if ttl, acc := e.ttl.AsBigFloat().Int64(); acc != big.Exact || ttl != *rs.TTL {
			return false
		}
		i := 0
		for it := e.values.ElementIterator(); it.Next(); i++ {
			_, v := it.Element()
			if !plainCty(v) || v.AsString() != fromRoute53Text(aws.ToString(rs.ResourceRecords[i].Value)) {
				return false
			}
		}
		matched++
	}
	return matched == len(want)
}
