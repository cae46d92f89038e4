package awstest

import (
	"cmp"
	"net/http"
	"slices"
)

// Route 53's limits on one ChangeResourceRecordSets request. An UPSERT
// counts twice against both.
const (
	maxBatchRecords = 1000
	maxBatchChars   = 32000
)

// recordKey identifies a record set within a zone.
type recordKey struct{ name, typ, id string }

// keyed is a record set with its sort key computed once.
type keyed struct {
	sort string
	rs   rrset
}

func compareKeyed(a, b keyed) int {
	return cmp.Or(cmp.Compare(a.sort, b.sort), cmp.Compare(a.rs.Type, b.rs.Type), cmp.Compare(a.rs.SetIdentifier, b.rs.SetIdentifier))
}

// fetchRecords returns every record set of a zone, as kumo holds them.
func (s *Route53Shim) fetchRecords(r *http.Request, id string) ([]rrset, upstreamReply, error) {
	var out listRecordsResponse
	rep, err := s.call(r.Context(), http.MethodGet, "/2013-04-01/hostedzone/"+bareZoneID(id)+"/rrset", nil, &out)
	return out.ResourceRecordSets, rep, err
}

// listRecords answers one page of a zone's record sets in Route 53's order.
func (s *Route53Shim) listRecords(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.owned(id) == nil {
		noSuchZone(w, id)
		return
	}
	limit, ok := maxItems(w, r, 300, 300)
	if !ok {
		return
	}
	q := r.URL.Query()
	name, typ, ident := q.Get("name"), q.Get("type"), q.Get("identifier")
	if typ != "" && name == "" {
		writeError(w, http.StatusBadRequest, "InvalidInput", "The type parameter is allowed only together with the name parameter.")
		return
	}
	if ident != "" && typ == "" {
		writeError(w, http.StatusBadRequest, "InvalidInput", "The identifier parameter is allowed only together with the name and type parameters.")
		return
	}
	recs, rep, err := s.fetchRecords(r, id)
	if err != nil {
		internalError(w, err)
		return
	}
	if !rep.ok() {
		rep.relay(w)
		return
	}
	all := make([]keyed, len(recs))
	for i, rs := range recs {
		rs.Name = canonicalName(rs.Name)
		all[i] = keyed{sortKey(rs.Name), rs}
	}
	slices.SortFunc(all, compareKeyed)
	start := 0
	if name != "" {
		from := keyed{sort: sortKey(canonicalName(name)), rs: rrset{Type: typ, SetIdentifier: ident}}
		start, _ = slices.BinarySearchFunc(all, from, compareKeyed)
	}
	end := min(start+limit, len(all))
	resp := listRecordsResponse{XMLNS: route53NS, MaxItems: limit, ResourceRecordSets: make([]rrset, 0, end-start)}
	for _, k := range all[start:end] {
		resp.ResourceRecordSets = append(resp.ResourceRecordSets, k.rs)
	}
	if end < len(all) {
		next := all[end].rs
		resp.IsTruncated = true
		resp.NextRecordName, resp.NextRecordType, resp.NextRecordIdentifier = next.Name, next.Type, next.SetIdentifier
	}
	writeXML(w, http.StatusOK, resp)
}

// changeRecords checks a change batch against the zone as it is and
// forwards it to kumo only when every change would apply, so a batch
// applies whole or not at all.
func (s *Route53Shim) changeRecords(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	z := s.owned(id)
	if z == nil {
		noSuchZone(w, id)
		return
	}
	var req changeRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if len(req.ChangeBatch.Changes) == 0 {
		writeError(w, http.StatusBadRequest, "InvalidInput", "A change batch must contain at least one change.")
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
	if msgs := checkBatch(z.name, recs, req.ChangeBatch.Changes); len(msgs) > 0 {
		writeInvalidChangeBatch(w, msgs)
		return
	}
	req.XMLNS = route53NS
	rep, err = s.call(r.Context(), http.MethodPost, "/2013-04-01/hostedzone/"+bareZoneID(id)+"/rrset", req, nil)
	if err != nil {
		internalError(w, err)
		return
	}
	rep.relay(w)
}
