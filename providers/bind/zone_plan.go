package bind

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// Plan proposes the zone the configuration asks for. An unchanged zone is
// recognised by comparing values, without normalising its records, and
// plans as exactly its prior state. Otherwise the records are normalised
// and checked (see checkRecords) and compared by name and type with the
// prior ones: a change of the zone's content (records, ttl or SOA fields)
// makes the serial unknown until apply bumps it. A change of the zone's
// name (compared normalised), directory (compared cleaned) or file name
// replaces it. Changing or deleting more than 30% of the record sets of a
// zone of 10 or more is refused with providers.MassChangeError unless
// allow_mass_change is true.
//
// Configured values are kept as written ("example.org" stays without its
// dot); only the file, the SOA and the comparisons use normalised forms.
func (r *zoneResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	return r.plan(ctx, req.Prior, req.Config, true)
}

// plan is Plan; guard says whether to refuse mass changes (Apply, which
// runs a plan the engine has let through, does not).
func (r *zoneResource) plan(ctx context.Context, prior, config cty.Value, guard bool) providers.PlanResponse {
	if config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	if !prior.IsNull() && r.unchanged(prior, config) {
		return providers.PlanResponse{Planned: prior}
	}
	if diags := r.ValidateConfig(ctx, config); diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}

	vals := make(map[string]cty.Value, len(r.schema.Attributes)+len(r.schema.Blocks))
	name := config.GetAttr("name")
	origin := ""
	if name.IsKnown() {
		origin, _ = dns.NormalizeName(name.AsString()) // checked by ValidateConfig
	}
	dir := config.GetAttr("directory")
	filename := config.GetAttr("filename")
	if filename.IsNull() {
		filename = cty.UnknownVal(cty.String)
		if name.IsKnown() {
			filename = cty.StringVal(defaultFilename(origin))
		}
	}
	path := cty.UnknownVal(cty.String)
	if dir.IsKnown() && filename.IsKnown() {
		path = cty.StringVal(filepath.Join(dir.AsString(), filename.AsString()))
	}
	records := config.GetAttr("records")
	var want configRecords
	var diags hcl.Diagnostics
	wantKnown := name.IsKnown() && ctyconv.IsWhollyKnown(records)
	if wantKnown {
		if want, diags = checkRecords(records, origin, checkNamesOf(config)); diags.HasErrors() {
			return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
		}
		if want.soa != nil {
			records = withoutApexSOA(records, origin)
		}
	}
	ttl := config.GetAttr("ttl")
	switch {
	case !ttl.IsNull():
	case want.soa != nil:
		ttl = cty.NumberUIntVal(uint64(want.soa.ttl))
	case !wantKnown:
		ttl = cty.UnknownVal(cty.Number)
	default:
		ttl = cty.NumberIntVal(defaultTTL)
	}
	vals["name"], vals["directory"], vals["filename"] = name, dir, filename
	vals["path"], vals["id"] = path, path
	vals["ttl"], vals["records"] = ttl, records
	vals["allow_mass_change"] = config.GetAttr("allow_mass_change")
	vals["validate"] = config.GetAttr("validate")
	vals["check_names"] = config.GetAttr("check_names")
	vals["soa"] = r.planSOA(config.GetAttr("soa"), origin, name.IsKnown(), want, wantKnown)
	vals["serial"] = cty.UnknownVal(cty.Number)
	if d := checkPlannedSOA(vals["soa"]); d.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: d}
	}

	var replace []string
	if !prior.IsNull() {
		if !dir.IsKnown() || cleanDir(dir.AsString()) != cleanDir(prior.GetAttr("directory").AsString()) {
			replace = append(replace, "directory")
		}
		if !filename.IsKnown() || filename.AsString() != prior.GetAttr("filename").AsString() {
			replace = append(replace, "filename")
		}
		if pn, err := dns.NormalizeName(prior.GetAttr("name").AsString()); !name.IsKnown() || err != nil || pn != origin {
			replace = append(replace, "name")
		}
	}
	if prior.IsNull() || len(replace) > 0 {
		return providers.PlanResponse{Planned: cty.ObjectVal(vals), RequiresReplace: replace, Diagnostics: diags.Extend(notesWarning(want.notes))}
	}
	// The same zone, records and SOA names written another way (another
	// case, a final dot) keep the spelling state has, so a plan shows
	// only what changes.
	vals["name"] = prior.GetAttr("name")
	vals["records"] = dns.KeepSpelling(prior.GetAttr("records"), records)
	if f, ok := soaOf(vals["soa"]); ok {
		if pf, ok := soaOf(prior.GetAttr("soa")); ok && pf == f {
			vals["soa"] = prior.GetAttr("soa")
		}
	}

	changed, priorRecs := r.contentChanged(prior, vals, want.recs, wantKnown)
	if !changed {
		vals["serial"] = prior.GetAttr("serial")
	} else {
		diags = diags.Extend(notesWarning(want.notes))
	}
	if changed && guard && wantKnown && len(priorRecs) >= massChangeMinimum {
		c := dns.Diff(priorRecs, want.recs)
		if n := len(c.Update) + len(c.Delete); n*10 > len(priorRecs)*3 {
			if allowed(config) {
				diags = diags.Extend(providers.MassChangeAllowed("zone "+strings.TrimSuffix(origin, "."), n, len(priorRecs)))
			} else {
				diags = diags.Extend(providers.MassChangeError("zone "+strings.TrimSuffix(origin, "."), n, len(priorRecs)))
			}
		}
	}
	planned := cty.ObjectVal(vals)
	if planned.RawEquals(prior) {
		planned = prior
	}
	return providers.PlanResponse{Planned: planned, Diagnostics: diags}
}

// allowed reports whether the configuration allows a mass change.
func allowed(config cty.Value) bool {
	v := config.GetAttr("allow_mass_change")
	return v.IsKnown() && !v.IsNull() && v.True()
}

// planSOA returns the planned soa block: each field as configured, or its
// default (unknown while what it depends on is unknown).
func (r *zoneResource) planSOA(block cty.Value, origin string, originKnown bool, want configRecords, wantKnown bool) cty.Value {
	if !block.IsKnown() {
		return cty.UnknownVal(r.soaTy)
	}
	m := make(map[string]cty.Value, len(soaAttrs))
	for _, n := range soaAttrs {
		if block.IsNull() || block.GetAttr(n).IsNull() {
			m[n] = r.soaDefault(n, origin, originKnown, want, wantKnown)
		} else {
			m[n] = block.GetAttr(n)
		}
	}
	return cty.ObjectVal(m)
}

// soaDefault returns the default of one SOA field: the field of the SOA
// the records give, else bind_zone's own default.
func (r *zoneResource) soaDefault(field, origin string, originKnown bool, want configRecords, wantKnown bool) cty.Value {
	if !wantKnown && field != "rname" {
		return cty.UnknownVal(r.soaTy.AttributeType(field))
	}
	if want.soa != nil {
		return want.soa.fields.field(field)
	}
	if !wantKnown {
		return cty.UnknownVal(cty.String)
	}
	switch field {
	case "mname":
		if wantKnown {
			for _, rec := range want.recs {
				if rec.Name == origin && rec.Type == "NS" {
					return cty.StringVal(rec.Values[0])
				}
			}
		}
		return cty.UnknownVal(cty.String)
	case "rname":
		if originKnown {
			return cty.StringVal(defaultRname(origin))
		}
		return cty.UnknownVal(cty.String)
	}
	return cty.NumberIntVal(int64(timerDefault(field)))
}

// defaultRname is hostmaster.<origin>.
func defaultRname(origin string) string {
	if origin == "." {
		return defaultRnameLabel + "."
	}
	return defaultRnameLabel + "." + origin
}

// timerDefault returns the default of an SOA timer field.
func timerDefault(field string) uint32 {
	switch field {
	case "refresh":
		return defaultRefresh
	case "retry":
		return defaultRetry
	case "expire":
		return defaultExpire
	}
	return defaultMinimum
}

// contentChanged reports whether the planned zone's content (records, ttl,
// SOA fields) differs from the prior one's, compared normalised; unknown
// values count as changes. It returns the prior records, normalised, when
// it had to decode them (the records changed).
func (r *zoneResource) contentChanged(prior cty.Value, vals map[string]cty.Value, want []dns.Record, wantKnown bool) (bool, []dns.Record) {
	changed := false
	if t, ok := ttlOf(vals["ttl"]); !ok {
		changed = true
	} else if pt, ok := ttlOf(prior.GetAttr("ttl")); !ok || pt != t {
		changed = true
	}
	if f, ok := soaOf(vals["soa"]); !ok {
		changed = true
	} else if pf, ok := soaOf(prior.GetAttr("soa")); !ok || pf != f {
		changed = true
	}
	records := vals["records"]
	switch {
	case !wantKnown:
		return true, nil
	case records.RawEquals(prior.GetAttr("records")):
		return changed, nil
	}
	priorRecs, err := dns.FromListValue(prior.GetAttr("records"))
	if err != nil {
		return true, nil
	}
	if !dns.Diff(priorRecs, want).Empty() {
		changed = true
	}
	return changed, priorRecs
}

// soaOf decodes an soa block into normalised fields; ok is false when a
// field is unknown, null or invalid.
func soaOf(v cty.Value) (f soaFields, ok bool) {
	if !v.IsKnown() || v.IsNull() {
		return f, false
	}
	names := [2]*string{&f.mname, &f.rname}
	for i, n := range soaAttrs[:2] {
		s := v.GetAttr(n)
		if !s.IsKnown() || s.IsNull() {
			return f, false
		}
		var err error
		if *names[i], err = soaName(n, s.AsString()); err != nil {
			return f, false
		}
	}
	timers := [4]*uint32{&f.refresh, &f.retry, &f.expire, &f.minimum}
	for i, n := range soaAttrs[2:] {
		if *timers[i], ok = uint32Of(v.GetAttr(n)); !ok {
			return f, false
		}
	}
	return f, true
}

// unchanged reports, cheaply, whether config asks for exactly the zone
// prior describes, defaults applied: the common case in a large plan. It
// compares values as written (see compare.go), without normalising the
// records; false means "plan it properly", not "changed".
func (r *zoneResource) unchanged(prior, config cty.Value) bool {
	name := config.GetAttr("name")
	if !sameString(name, prior.GetAttr("name")) || name.IsNull() ||
		!sameString(config.GetAttr("directory"), prior.GetAttr("directory")) ||
		!sameBool(config.GetAttr("allow_mass_change"), prior.GetAttr("allow_mass_change")) ||
		!sameBool(config.GetAttr("validate"), prior.GetAttr("validate")) ||
		!sameString(config.GetAttr("check_names"), prior.GetAttr("check_names")) {
		return false
	}
	origin, err := dns.NormalizeName(name.AsString())
	if err != nil {
		return false
	}
	same, firstNS, soaElem := sameRecords(config.GetAttr("records"), prior.GetAttr("records"), origin)
	if !same {
		return false
	}
	var soa *soaRecord
	if soaElem != cty.NilVal {
		if soa = soaOfElement(soaElem); soa == nil {
			return false
		}
	}
	if f := config.GetAttr("filename"); f.IsNull() {
		if pf, ok := plainString(prior.GetAttr("filename")); !ok || pf != defaultFilename(origin) {
			return false
		}
	} else if !sameString(f, prior.GetAttr("filename")) {
		return false
	}
	if t := config.GetAttr("ttl"); t.IsNull() {
		want := uint32(defaultTTL)
		if soa != nil {
			want = soa.ttl
		}
		if pt, ok := ttlOf(prior.GetAttr("ttl")); !ok || pt != want {
			return false
		}
	} else if !sameUint32(t, prior.GetAttr("ttl")) {
		return false
	}
	block, ps := config.GetAttr("soa"), prior.GetAttr("soa")
	if !block.IsKnown() || block.IsMarked() || ps.IsNull() {
		return false
	}
	for _, n := range soaAttrs {
		pv := ps.GetAttr(n)
		if !block.IsNull() && !block.GetAttr(n).IsNull() {
			cv := block.GetAttr(n)
			if n == "mname" || n == "rname" {
				if !sameString(cv, pv) {
					return false
				}
			} else if !sameUint32(cv, pv) {
				return false
			}
			continue
		}
		if soa != nil {
			if !pv.RawEquals(soa.fields.field(n)) {
				return false
			}
			continue
		}
		switch n {
		case "mname":
			if s, ok := plainString(pv); !ok || firstNS == "" || s != firstNS {
				return false
			}
		case "rname":
			if s, ok := plainString(pv); !ok || s != defaultRname(origin) {
				return false
			}
		default:
			if t, ok := uint32Of(pv); !ok || t != timerDefault(n) {
				return false
			}
		}
	}
	return true
}
