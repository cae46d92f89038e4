package awstest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
)

// Route 53's TTLs and SOA timers for the records it creates with a zone.
const (
	apexNSTTL  = 172800
	apexSOATTL = 900
	soaTimers  = "1 7200 900 1209600 86400"
)

// createZone creates the zone in kumo, refusing a caller reference used
// before, and adds the apex SOA and NS records Route 53 creates.
func (s *Route53Shim) createZone(w http.ResponseWriter, r *http.Request) {
	var req createZoneRequest
	if !decodeBody(w, r, &req) {
		return
	}
	ref := req.CallerReference
	if ref != "" {
		s.mu.Lock()
		used := s.refs[ref]
		s.refs[ref] = true
		s.mu.Unlock()
		if used {
			writeError(w, http.StatusConflict, "HostedZoneAlreadyExists",
				fmt.Sprintf("A hosted zone has already been created with the specified caller reference %q.", ref))
			return
		}
	}
	release := func() {
		s.mu.Lock()
		delete(s.refs, ref)
		s.mu.Unlock()
	}
	if req.Name != "" {
		req.Name = canonicalName(req.Name)
	}
	req.XMLNS = route53NS
	var out createZoneResponse
	rep, err := s.call(r.Context(), http.MethodPost, "/2013-04-01/hostedzone", req, &out)
	if err != nil {
		release()
		internalError(w, err)
		return
	}
	if !rep.ok() {
		release()
		rep.relay(w)
		return
	}
	if err := s.createApex(r, out.HostedZone, out.DelegationSet.NameServers); err != nil {
		internalError(w, err)
		return
	}
	out.XMLNS = route53NS
	out.HostedZone.ResourceRecordSetCount = 2
	s.own(out.HostedZone.ID, out.HostedZone.Name)
	w.Header().Set("Location", "https://route53.amazonaws.com/2013-04-01"+out.HostedZone.ID)
	writeXML(w, http.StatusCreated, out)
}

// createApex adds the zone's SOA record and its NS record holding the
// delegation set's name servers, as Route 53 does on CreateHostedZone.
func (s *Route53Shim) createApex(r *http.Request, z hostedZone, nameServers []string) error {
	if len(nameServers) == 0 {
		return fmt.Errorf("kumo gave zone %s no name servers", z.ID)
	}
	ns := rrset{Name: z.Name, Type: "NS", TTL: ptr(int64(apexNSTTL))}
	for _, n := range nameServers {
		ns.Records = append(ns.Records, rrValue{Value: canonicalName(n)})
	}
	soa := rrset{Name: z.Name, Type: "SOA", TTL: ptr(int64(apexSOATTL)), Records: []rrValue{{
		Value: canonicalName(nameServers[0]) + " awsdns-hostmaster.amazon.com. " + soaTimers,
	}}}
	req := changeRequest{XMLNS: route53NS, ChangeBatch: changeBatch{Changes: []change{
		{Action: "CREATE", ResourceRecordSet: soa},
		{Action: "CREATE", ResourceRecordSet: ns},
	}}}
	rep, err := s.call(r.Context(), http.MethodPost, "/2013-04-01/hostedzone/"+bareZoneID(z.ID)+"/rrset", req, nil)
	if err != nil {
		return fmt.Errorf("create apex records of %s: %w", z.Name, err)
	}
	if !rep.ok() {
		return fmt.Errorf("create apex records of %s: kumo answered %d: %s", z.Name, rep.status, rep.body)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// deleteZone refuses to delete a zone that holds more than its apex SOA and
// NS records, and otherwise deletes it in kumo.
func (s *Route53Shim) deleteZone(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	z := s.owned(id)
	if z == nil {
		noSuchZone(w, id)
		return
	}
	z.lock.Lock()
	defer z.lock.Unlock()
	recs, rep, err := s.fetchRecords(r, id)
	if err != nil {
		internalError(w, err)
		return
	}
	if !rep.ok() {
		rep.relay(w)
		return
	}
	for _, rs := range recs {
		if canonicalName(rs.Name) != z.name || rs.Type != "SOA" && rs.Type != "NS" {
			writeError(w, http.StatusBadRequest, "HostedZoneNotEmpty",
				"The hosted zone contains resource records that are not SOA or NS records.")
			return
		}
	}
	rep, err = s.call(r.Context(), http.MethodDelete, "/2013-04-01/hostedzone/"+bareZoneID(id), nil, nil)
	if err != nil {
		internalError(w, err)
		return
	}
	if rep.ok() {
		s.disown(fullZoneID(id))
	}
	rep.relay(w)
}

// getZone fetches one zone from kumo; ok is false when kumo no longer has it.
func (s *Route53Shim) getZone(r *http.Request, id string) (hostedZone, bool, error) {
	var out getZoneResponse
	rep, err := s.call(r.Context(), http.MethodGet, "/2013-04-01/hostedzone/"+bareZoneID(id), nil, &out)
	if err != nil {
		return hostedZone{}, false, err
	}
	if rep.status == http.StatusNotFound {
		return hostedZone{}, false, nil
	}
	if !rep.ok() {
		return hostedZone{}, false, fmt.Errorf("get zone %s: kumo answered %d: %s", id, rep.status, rep.body)
	}
	return out.HostedZone, true, nil
}

// maxItems reads the maxitems query parameter: def when absent, at most
// limit, and ok false (after answering InvalidInput) when it is not a
// positive integer.
func maxItems(w http.ResponseWriter, r *http.Request, def, limit int) (int, bool) {
	v := r.URL.Query().Get("maxitems")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, "InvalidInput", fmt.Sprintf("maxitems %q is not a positive integer.", v))
		return 0, false
	}
	return min(n, limit), true
}

// zonesPage fetches the zones with the given IDs from kumo, in order,
// leaving out any deleted meanwhile.
func (s *Route53Shim) zonesPage(r *http.Request, ids []string) ([]hostedZone, error) {
	out := make([]hostedZone, 0, len(ids))
	for _, id := range ids {
		z, ok, err := s.getZone(r, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, z)
		}
	}
	return out, nil
}

// listZones pages through this Emulator's zones in ID order. Marker is
// the ID of the first zone to return, as NextMarker gave it.
func (s *Route53Shim) listZones(w http.ResponseWriter, r *http.Request) {
	limit, ok := maxItems(w, r, 100, 100)
	if !ok {
		return
	}
	marker := r.URL.Query().Get("marker")
	s.mu.Lock()
	start := 0
	if marker != "" {
		start = sort.SearchStrings(s.ids, fullZoneID(marker))
	}
	end := min(start+limit, len(s.ids))
	ids := slices.Clone(s.ids[start:end])
	next := ""
	if end < len(s.ids) {
		next = bareZoneID(s.ids[end])
	}
	s.mu.Unlock()
	zones, err := s.zonesPage(r, ids)
	if err != nil {
		internalError(w, err)
		return
	}
	writeXML(w, http.StatusOK, listZonesResponse{
		XMLNS: route53NS, HostedZones: zones, Marker: marker,
		IsTruncated: next != "", NextMarker: next, MaxItems: limit,
	})
}

// listZonesByName pages through this Emulator's zones sorted by name with
// the labels reversed, then by ID, starting at DNSName and HostedZoneId.
func (s *Route53Shim) listZonesByName(w http.ResponseWriter, r *http.Request) {
	limit, ok := maxItems(w, r, 100, 100)
	if !ok {
		return
	}
	q := r.URL.Query()
	dnsName, startID := q.Get("dnsname"), q.Get("hostedzoneid")
	if startID != "" && dnsName == "" {
		writeError(w, http.StatusBadRequest, "InvalidInput", "hostedzoneid is allowed only together with dnsname.")
		return
	}
	type entry struct{ key, id, name string }
	s.mu.Lock()
	all := make([]entry, 0, len(s.zones))
	for id, z := range s.zones {
		all = append(all, entry{sortKey(z.name), id, z.name})
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b entry) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	start := 0
	if dnsName != "" {
		key, id := sortKey(canonicalName(dnsName)), ""
		if startID != "" {
			id = fullZoneID(startID)
		}
		start, _ = slices.BinarySearchFunc(all, entry{key: key, id: id}, func(a, b entry) int {
			return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
		})
	}
	end := min(start+limit, len(all))
	ids := make([]string, 0, end-start)
	for _, e := range all[start:end] {
		ids = append(ids, e.id)
	}
	zones, err := s.zonesPage(r, ids)
	if err != nil {
		internalError(w, err)
		return
	}
	resp := listZonesByNameResponse{XMLNS: route53NS, HostedZones: zones, MaxItems: limit}
	if dnsName != "" {
		resp.DNSName = canonicalName(dnsName)
	}
	resp.HostedZoneID = startID
	if end < len(all) {
		resp.IsTruncated = true
		resp.NextDNSName = all[end].name
		resp.NextHostedZoneID = bareZoneID(all[end].id)
	}
	writeXML(w, http.StatusOK, resp)
}

// zoneCount answers GetHostedZoneCount, which kumo does not serve.
func (s *Route53Shim) zoneCount(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	n := len(s.zones)
	s.mu.Unlock()
	writeXML(w, http.StatusOK, zoneCountResponse{XMLNS: route53NS, HostedZoneCount: n})
}
