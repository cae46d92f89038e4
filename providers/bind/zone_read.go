package bind

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/host"
)

// Read returns the zone as its file holds it: null when the file is gone.
// A file that holds exactly what plumb wrote for the prior state is
// recognised by its bytes, without parsing. Otherwise the file is parsed:
// its SOA gives the serial, the ttl and the soa fields, the other record
// sets the records. What equals the prior state, compared normalised,
// keeps the prior state's spelling, so a hand edit shows in the next plan
// as just the record sets that differ.
func (r *zoneResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	prior := req.Prior
	path := prior.GetAttr("path").AsString()
	data, _, err := host.ReadFile(ctx, r.host.Get(), path)
	if errors.Is(err, fs.ErrNotExist) {
		return providers.ReadResponse{State: r.null}
	}
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: providers.Errorf(
			"Cannot read bind_zone file", "%v. Check that plumb may read the file.", err)}
	}
	if z, ok := storedZone(prior); ok {
		if z.matches(data) {
			return providers.ReadResponse{State: prior}
		}
	}
	origin, err := dns.NormalizeName(prior.GetAttr("name").AsString())
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: providers.Errorf(
			"Invalid bind_zone name in state", "%v.", err)}
	}
	res, err := dns.ParseZone(bytes.NewReader(data), path, origin, dns.ParseOptions{MaxRecords: readLimit(prior)})
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: providers.Errorf(
			"bind_zone file does not parse",
			"Someone has edited %s and it no longer reads as a zone:\n%v\nFix the file, or delete it and plumb will write it afresh.", path, err)}
	}
	state := r.fromFile(res.Records, origin, prior)
	if state.RawEquals(prior) {
		state = prior
	}
	return providers.ReadResponse{State: state}
}

// readLimit is how many records bind_zone reads from its own file: the
// reader's default, or twice what the prior state holds when that is more.
func readLimit(prior cty.Value) int {
	n := dns.DefaultMaxRecords
	if recs := prior.GetAttr("records"); recs.IsKnown() && !recs.IsNull() {
		n = max(n, 2*recs.LengthInt())
	}
	return n
}

// fromFile builds the state of a zone from the record sets of its file.
// base holds the attributes the file cannot tell (name, directory,
// filename, path, id, allow_mass_change) and, for Read, the prior state
// whose spelling is kept where the file agrees with it.
func (r *zoneResource) fromFile(recs []dns.Record, origin string, base cty.Value) cty.Value {
	m := base.AsValueMap()
	soa, _ := dns.Apex(recs, origin)
	rest := recs
	if soa != nil {
		rest = make([]dns.Record, 0, len(recs)-1)
		for _, rec := range recs {
			if rec.Name != origin || rec.Type != "SOA" {
				rest = append(rest, rec)
			}
		}
	}
	m["records"] = mergeRecords(rest, base.GetAttr("records"))

	priorSOA := base.GetAttr("soa")
	fields := make(map[string]cty.Value, len(soaAttrs))
	for _, n := range soaAttrs {
		fields[n] = cty.NullVal(r.soaTy.AttributeType(n))
	}
	m["serial"] = cty.NumberIntVal(0)
	if soa != nil {
		m["ttl"] = cty.NumberUIntVal(uint64(soa.TTL))
		if f := strings.Fields(soa.Values[0]); len(f) == 7 {
			m["serial"] = numberField(f[2])
			fields["mname"], fields["rname"] = cty.StringVal(f[0]), cty.StringVal(f[1])
			for i, n := range soaAttrs[2:] {
				fields[n] = numberField(f[3+i])
			}
		}
	} else if m["ttl"].IsNull() {
		m["ttl"] = cty.NumberIntVal(defaultTTL)
	}
	if !priorSOA.IsNull() {
		for _, n := range soaAttrs {
			if sameSOAField(n, priorSOA.GetAttr(n), fields[n]) {
				fields[n] = priorSOA.GetAttr(n)
			}
		}
	}
	m["soa"] = cty.ObjectVal(fields)
	if pt, ok := ttlOf(base.GetAttr("ttl")); ok && m["ttl"].Equals(cty.NumberUIntVal(uint64(pt))).True() {
		m["ttl"] = base.GetAttr("ttl")
	}
	return cty.ObjectVal(m)
}

// numberField returns an SOA number field as a cty number (null when it
// does not parse, which the zone reader does not let through).
func numberField(s string) cty.Value {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return cty.NullVal(cty.Number)
	}
	return cty.NumberUIntVal(n)
}

// soaSerial returns the serial of an SOA record's data.
func soaSerial(value string) (uint32, bool) {
	f := strings.Fields(value)
	if len(f) != 7 {
		return 0, false
	}
	n, err := strconv.ParseUint(f[2], 10, 32)
	return uint32(n), err == nil
}

// sameSOAField reports whether a prior soa field and the file's mean the
// same (names compared normalised).
func sameSOAField(field string, prior, file cty.Value) bool {
	if prior.IsNull() || file.IsNull() || !prior.IsKnown() {
		return prior.IsNull() && file.IsNull()
	}
	if prior.Type() == cty.String {
		n, err := soaName(field, prior.AsString())
		return err == nil && n == file.AsString()
	}
	return prior.Equals(file).True()
}

// mergeRecords returns the record sets read from a file as a cty list. A
// set equal to one of prior, compared normalised, keeps prior's element;
// when every set does, prior itself is returned (its order and spelling).
func mergeRecords(file []dns.Record, prior cty.Value) cty.Value {
	if recordsMatch(file, prior) {
		return prior
	}
	type priorSet struct {
		rec  dns.Record
		elem cty.Value
	}
	byKey := map[string]priorSet{}
	n := 0
	if !prior.IsNull() && ctyconv.IsWhollyKnown(prior) {
		for it := prior.ElementIterator(); it.Next(); n++ {
			_, e := it.Element()
			if rec, err := dns.FromValue(e); err == nil {
				byKey[rec.Key()] = priorSet{rec, e}
			}
		}
	}
	same := len(file) == n && len(byKey) == n
	out := make([]cty.Value, len(file))
	for i, rec := range file {
		if p, ok := byKey[rec.Key()]; ok && p.rec.Equal(rec) {
			out[i] = p.elem
		} else {
			out[i] = rec.Value()
			same = false
		}
	}
	switch {
	case same:
		return prior
	case len(out) == 0:
		return cty.ListValEmpty(dns.RecordType)
	}
	return cty.ListVal(out)
}

// recordsMatch reports, without building cty values, whether v holds
// exactly the normalised record sets rs in the same order and spelling.
func recordsMatch(rs []dns.Record, v cty.Value) bool {
	if v.IsNull() || !v.IsKnown() {
		return false
	}
	if v.LengthInt() != len(rs) {
		return false
	}
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if !recordMatches(rs[i], e) {
			return false
		}
	}
	return true
}

// recordMatches reports whether the cty record e spells exactly r.
func recordMatches(r dns.Record, e cty.Value) bool {
	if e.IsNull() || !e.IsWhollyKnown() {
		return false
	}
	if !isString(e.GetAttr("name"), r.Name) || !isString(e.GetAttr("type"), r.Type) {
		return false
	}
	if ttl, ok := uint32Of(e.GetAttr("ttl")); !ok || ttl != r.TTL {
		return false
	}
	vals := e.GetAttr("values")
	if vals.IsNull() || vals.LengthInt() != len(r.Values) {
		return false
	}
	i := 0
	for it := vals.ElementIterator(); it.Next(); i++ {
		_, v := it.Element()
		if !isString(v, r.Values[i]) {
			return false
		}
	}
	return true
}

func isString(v cty.Value, s string) bool {
	return !v.IsNull() && v.AsString() == s
}

// storedZone decodes a state as it is, without normalising the records,
// to render the file plumb would have written for it. ok is false when the
// state cannot be rendered (its serial or a field is missing).
func storedZone(v cty.Value) (zone, bool) {
	var z zone
	var err error
	var ok bool
	if z.origin, err = dns.NormalizeName(v.GetAttr("name").AsString()); err != nil {
		return z, false
	}
	z.path = v.GetAttr("path").AsString()
	if z.ttl, ok = ttlOf(v.GetAttr("ttl")); !ok {
		return z, false
	}
	if z.serial, ok = uint32Of(v.GetAttr("serial")); !ok {
		return z, false
	}
	if z.soa, ok = soaOf(v.GetAttr("soa")); !ok {
		return z, false
	}
	recs := v.GetAttr("records")
	if recs.IsNull() {
		return z, true
	}
	z.spare = make([]dns.Record, 1, recs.LengthInt()+1)
	z.records = z.spare[1:]
	for _, e := range ctyconv.All(recs) {
		if e.IsNull() {
			return z, false
		}
		rec := dns.Record{Name: ctyconv.GetAttr(e, "name").AsString(), Type: ctyconv.GetAttr(e, "type").AsString()}
		if rec.TTL, ok = uint32Of(ctyconv.GetAttr(e, "ttl")); !ok {
			return z, false
		}
		vals := ctyconv.GetAttr(e, "values")
		rec.Values = make([]string, 0, vals.LengthInt())
		for _, s := range ctyconv.All(vals) {
			rec.Values = append(rec.Values, s.AsString())
		}
		z.records = append(z.records, rec)
	}
	return z, true
}

// Import adopts a zone file. The ID is the file's path, or ORIGIN:PATH
// ("example.org.:/etc/bind/db.example") to give the zone's origin. Without
// an origin it is the file's first $ORIGIN (before any record), else the
// owner of its SOA when written in full, else the file's name without a
// .zone, .db or .txt suffix or a db. prefix. The file must have an SOA at
// that origin. The imported name is normalised ("example.org."); the
// directory is the path's directory, the filename its last element.
func (r *zoneResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	fail := func(format string, args ...any) providers.ImportResponse {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Cannot import bind_zone", format, args...)}
	}
	h := r.host.Get()
	origin, path := splitImportID(ctx, h, req.ID)
	data, _, err := host.ReadFile(ctx, h, path)
	if err != nil {
		return fail("%v. The import ID is the zone file's path, or ORIGIN:PATH such as \"example.org.:zones/example.org.zone\"; a relative path is relative to the directory plumb runs in.", err)
	}
	if origin == "" {
		origin = sniffOrigin(data, path)
	}
	norigin, err := dns.NormalizeName(origin)
	if err != nil {
		return fail("cannot tell the origin of %s (%v); import it as ORIGIN:PATH, such as \"example.org.:%s\".", path, err, path)
	}
	res, err := dns.ParseZone(bytes.NewReader(data), path, norigin, dns.ParseOptions{})
	if err != nil {
		return fail("%s does not read as the zone %s:\n%v\nFix the file, or import it as ORIGIN:PATH if %s is not the zone's origin.", path, norigin, err, norigin)
	}
	if soa, _ := dns.Apex(res.Records, norigin); soa == nil {
		return fail("%s has no SOA record at %s, so it is not that zone's file. Give the zone's origin as ORIGIN:PATH, such as \"example.org.:%s\".", path, norigin, path)
	}
	dir, file := filepath.Dir(path), filepath.Base(path)
	p := cty.StringVal(filepath.Join(dir, file))
	base := map[string]cty.Value{
		"name":              cty.StringVal(norigin),
		"directory":         cty.StringVal(dir),
		"filename":          cty.StringVal(file),
		"path":              p,
		"id":                p,
		"allow_mass_change": cty.NullVal(cty.Bool),
		"validate":          cty.NullVal(cty.Bool),
	}
	for name, a := range r.schema.Attributes {
		if _, ok := base[name]; !ok {
			base[name] = cty.NullVal(a.Type)
		}
	}
	base["soa"] = cty.NullVal(r.soaTy)
	return providers.ImportResponse{State: r.fromFile(res.Records, norigin, cty.ObjectVal(base))}
}

// splitImportID returns the origin and path an import ID names: ID is a
// path, or ORIGIN:PATH when no file is at ID and what comes before the
// first colon is a domain name.
func splitImportID(ctx context.Context, h host.Host, id string) (origin, path string) {
	if _, err := h.Stat(ctx, id); err == nil {
		return "", id
	}
	o, p, ok := strings.Cut(id, ":")
	if !ok || p == "" || strings.ContainsAny(o, `/\`) {
		return "", id
	}
	if _, err := dns.NormalizeName(o); err != nil {
		return "", id
	}
	return o, p
}

// sniffOrigin guesses a zone file's origin: the owner of its SOA record,
// read as BIND reads the file with the origin its name gives (so that
// "$ORIGIN ." in a file named dumps, or "$ORIGIN @", mean what they mean
// to BIND); without an SOA, its first $ORIGIN before any record, else its
// name with a .zone, .db or .txt suffix or a db. prefix taken off.
func sniffOrigin(data []byte, path string) string {
	fromName := originFromName(path)
	if soa := dns.SOAOwner(data, fromName, filepath.Dir(path)); soa != "" {
		return soa
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 && !bytes.ContainsRune(line[:i], '"') {
			line = line[:i]
		}
		f := strings.Fields(string(line))
		if len(f) == 0 {
			continue
		}
		if strings.EqualFold(f[0], "$ORIGIN") && len(f) > 1 && f[1] != "." && f[1] != "@" {
			return f[1]
		}
		if strings.HasPrefix(f[0], "$") {
			continue
		}
		break
	}
	return fromName
}

// originFromName returns the origin a zone file's name suggests: the name
// with a .zone, .db or .txt suffix or a db. prefix taken off.
func originFromName(path string) string {
	name := filepath.Base(path)
	for _, suffix := range []string{".zone", ".db", ".txt"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	if s, ok := strings.CutPrefix(name, "db."); ok {
		return s
	}
	return name
}
