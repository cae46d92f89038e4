package awstest

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// zoneState is a zone's record sets while a change batch is checked.
type zoneState struct {
	zone   string
	sets   map[recordKey]rrset
	byName map[string]map[string]int // name → type → number of sets
}

func newZoneState(zone string, recs []rrset) *zoneState {
	st := &zoneState{zone: zone, sets: make(map[recordKey]rrset, len(recs)), byName: map[string]map[string]int{}}
	for _, rs := range recs {
		rs.Name = canonicalName(rs.Name)
		st.put(rs)
	}
	return st
}

func keyOf(rs rrset) recordKey { return recordKey{rs.Name, rs.Type, rs.SetIdentifier} }

func (st *zoneState) put(rs rrset) {
	k := keyOf(rs)
	if _, ok := st.sets[k]; !ok {
		if st.byName[rs.Name] == nil {
			st.byName[rs.Name] = map[string]int{}
		}
		st.byName[rs.Name][rs.Type]++
	}
	st.sets[k] = rs
}

func (st *zoneState) remove(rs rrset) {
	k := keyOf(rs)
	if _, ok := st.sets[k]; !ok {
		return
	}
	delete(st.sets, k)
	if st.byName[rs.Name][rs.Type]--; st.byName[rs.Name][rs.Type] == 0 {
		delete(st.byName[rs.Name], rs.Type)
	}
}

// cnameConflict names the type that stops rs from joining the zone: a
// CNAME may not share its name with any other type, nor sit at the apex.
func (st *zoneState) cnameConflict(rs rrset) string {
	if rs.Type == "CNAME" && rs.Name == st.zone {
		return fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", rs.Name, st.zone)
	}
	for typ := range st.byName[rs.Name] {
		if typ != rs.Type && (typ == "CNAME" || rs.Type == "CNAME") {
			return fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type %s with the same DNS name already exists in zone %s",
				rs.Type, rs.Name, typ, st.zone)
		}
	}
	return ""
}

// describe names a record set the way Route 53's messages do.
func describe(rs rrset) string {
	if rs.SetIdentifier != "" {
		return fmt.Sprintf("[name='%s', type='%s', set-identifier='%s']", rs.Name, rs.Type, rs.SetIdentifier)
	}
	return fmt.Sprintf("[name='%s', type='%s']", rs.Name, rs.Type)
}

// checkBatch applies changes, in order, to a copy of the zone's record sets
// and returns Route 53's message for every change that cannot apply; none
// means the batch is valid. It rewrites each change's names into the form
// Route 53 stores.
func checkBatch(zone string, recs []rrset, changes []change) []string {
	st := newZoneState(zone, recs)
	var msgs []string
	records, chars := 0, 0
	for i := range changes {
		c := &changes[i]
		rs := &c.ResourceRecordSet
		rs.Name = canonicalName(rs.Name)
		if rs.AliasTarget != nil {
			rs.AliasTarget.DNSName = canonicalName(rs.AliasTarget.DNSName)
		}
		weight := 1
		if c.Action == "UPSERT" {
			weight = 2
		}
		records += weight * len(rs.Records)
		for _, v := range rs.Records {
			chars += weight * len(v.Value)
		}
		if !inZone(rs.Name, zone) {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", rs.Name, zone))
			continue
		}
		if m := checkValues(*rs); m != "" {
			msgs = append(msgs, m)
			continue
		}
		if m := st.apply(c.Action, *rs); m != "" {
			msgs = append(msgs, m)
		}
	}
	if records > maxBatchRecords {
		msgs = append(msgs, fmt.Sprintf("Number of records limit of %d exceeded.", maxBatchRecords))
	}
	if chars > maxBatchChars {
		msgs = append(msgs, fmt.Sprintf("Number of characters limit of %d exceeded.", maxBatchChars))
	}
	return msgs
}

// apply makes one change to the state, or returns why it cannot.
func (st *zoneState) apply(action string, rs rrset) string {
	cur, exists := st.sets[keyOf(rs)]
	switch action {
	case "CREATE":
		if exists {
			return fmt.Sprintf("Tried to create resource record set %s but it already exists", describe(rs))
		}
		if m := st.cnameConflict(rs); m != "" {
			return m
		}
		st.put(rs)
	case "UPSERT":
		if m := st.cnameConflict(rs); m != "" {
			return m
		}
		st.put(rs)
	case "DELETE":
		switch {
		case !exists:
			return fmt.Sprintf("Tried to delete resource record set %s but it was not found", describe(rs))
		case !sameSet(cur, rs):
			return fmt.Sprintf("Tried to delete resource record set %s but the values provided do not match the current values", describe(rs))
		case rs.Name == st.zone && rs.Type == "SOA":
			return "A HostedZone must contain exactly one SOA record."
		case rs.Name == st.zone && rs.Type == "NS":
			return "A HostedZone must contain at least one NS record for the zone itself."
		}
		st.remove(rs)
	default:
		return fmt.Sprintf("Invalid action %q for resource record set %s: use CREATE, DELETE or UPSERT", action, describe(rs))
	}
	return ""
}

// sameSet reports whether a DELETE's record set matches the one in the
// zone: same TTL, same values in any order, same alias target.
func sameSet(cur, del rrset) bool {
	if (cur.TTL == nil) != (del.TTL == nil) || cur.TTL != nil && *cur.TTL != *del.TTL {
		return false
	}
	if (cur.AliasTarget == nil) != (del.AliasTarget == nil) {
		return false
	}
	if cur.AliasTarget != nil {
		a, b := *cur.AliasTarget, *del.AliasTarget
		if a.HostedZoneID != b.HostedZoneID || canonicalName(a.DNSName) != canonicalName(b.DNSName) || a.EvaluateTargetHealth != b.EvaluateTargetHealth {
			return false
		}
	}
	return slices.Equal(sortedValues(cur), sortedValues(del))
}

func sortedValues(rs rrset) []string {
	out := make([]string, len(rs.Records))
	for i, v := range rs.Records {
		out[i] = v.Value
	}
	slices.Sort(out)
	return out
}

// checkValues rejects A and AAAA values that are not addresses of their
// family, as Route 53 does.
func checkValues(rs rrset) string {
	for _, v := range rs.Records {
		addr, err := netip.ParseAddr(strings.TrimSpace(v.Value))
		switch {
		case rs.Type == "A" && (err != nil || !addr.Is4()):
			return fmt.Sprintf("ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '%s'", v.Value)
		case rs.Type == "AAAA" && (err != nil || !addr.Is6()):
			return fmt.Sprintf("AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '%s'", v.Value)
		}
	}
	return ""
}
