package bind

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
)

// soaFields are the SOA record's fields other than the serial, with names
// normalised.
type soaFields struct {
	mname, rname                    string
	refresh, retry, expire, minimum uint32
}

// value returns the SOA record's data for serial in presentation form.
func (f soaFields) value(serial uint32) string {
	return fmt.Sprintf("%s %s %d %d %d %d %d", f.mname, f.rname, serial, f.refresh, f.retry, f.expire, f.minimum)
}

// ValidateConfig checks what can be checked cheaply before planning: the
// zone name, directory and file name, the TTL and the SOA fields. Unknown
// values are not checked. The records are checked by Plan, which reads
// them only when they changed.
func (r *zoneResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	for _, name := range []string{"name", "directory"} {
		if config.GetAttr(name).IsNull() {
			diags = diags.Extend(providers.AttributeErrorf(name, "Missing bind_zone "+name, "Set %s: bind_zone needs the zone's name and the directory to write its file to.", name))
		}
	}
	if diags.HasErrors() {
		return diags
	}
	if v := config.GetAttr("name"); v.IsKnown() && !v.IsNull() {
		if _, err := dns.NormalizeName(v.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf("name", "Invalid bind_zone name",
				"%v. Give the zone's domain, such as \"example.org.\".", err))
		}
	}
	if v := config.GetAttr("directory"); v.IsKnown() && !v.IsNull() && v.AsString() == "" {
		diags = diags.Extend(providers.AttributeErrorf("directory", "Empty bind_zone directory",
			"directory is the empty string; give the directory to write the zone file to, such as \"build/zones\"."))
	}
	if v := config.GetAttr("filename"); v.IsKnown() && !v.IsNull() {
		if f := v.AsString(); f == "" || f == "." || f == ".." || strings.ContainsAny(f, `/\`) {
			diags = diags.Extend(providers.AttributeErrorf("filename", "Invalid bind_zone filename",
				"filename = %q: give a plain file name such as \"example.org.zone\"; the directory goes in directory.", f))
		}
	}
	if v := config.GetAttr("check_names"); v.IsKnown() && !v.IsNull() {
		if c := v.AsString(); c != "fail" && c != "warn" && c != "ignore" {
			diags = diags.Extend(providers.AttributeErrorf("check_names", "Invalid bind_zone check_names",
				"check_names = %q: use \"fail\", \"warn\" or \"ignore\", as named.conf's check-names.", c))
		}
	}
	if v := config.GetAttr("ttl"); v.IsKnown() && !v.IsNull() {
		if _, ok := ttlOf(v); !ok {
			diags = diags.Extend(providers.AttributeErrorf("ttl", "Invalid bind_zone ttl",
				"ttl = %s: give a whole number of seconds from 0 to %d.", v.AsBigFloat().Text('f', -1), maxTTL))
		}
	}
	if soa := config.GetAttr("soa"); soa.IsKnown() && !soa.IsNull() {
		for _, name := range []string{"mname", "rname"} {
			v := soa.GetAttr(name)
			if !v.IsKnown() || v.IsNull() {
				continue
			}
			if _, err := soaName(name, v.AsString()); err != nil {
				diags = diags.Extend(providers.AttributeErrorf("soa."+name, "Invalid bind_zone soa."+name, "%v.", err))
			}
		}
		for _, name := range soaAttrs[2:] {
			v := soa.GetAttr(name)
			if !v.IsKnown() || v.IsNull() {
				continue
			}
			if _, ok := uint32Of(v); !ok {
				diags = diags.Extend(providers.AttributeErrorf("soa."+name, "Invalid bind_zone soa."+name,
					"soa.%s = %s: give a whole number of seconds from 0 to 4294967295.", name, v.AsBigFloat().Text('f', -1)))
			}
		}
	}
	return diags
}

// maxTTL is the largest TTL RFC 2181 allows.
const maxTTL = 1<<31 - 1

// ttlOf returns a TTL value in seconds.
func ttlOf(v cty.Value) (uint32, bool) {
	n, ok := uint32Of(v)
	return n, ok && n <= maxTTL
}

// uint32Of returns a known number that is a whole number from 0 to 2³²-1.
func uint32Of(v cty.Value) (uint32, bool) {
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, false
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() || bf.Sign() < 0 {
		return 0, false
	}
	n, acc := bf.Uint64()
	if acc != big.Exact || n > 1<<32-1 {
		return 0, false
	}
	return uint32(n), true
}

// soaName normalises the SOA's mname or rname. An rname may be written as
// a mail address: "hostmaster@example.org" is "hostmaster.example.org.",
// with dots in the mailbox escaped.
func soaName(field, s string) (string, error) {
	if field == "rname" {
		if local, domain, ok := strings.Cut(s, "@"); ok {
			if local == "" || domain == "" {
				return "", fmt.Errorf("soa.rname = %q is not a mail address; write it as \"hostmaster@example.org\" or \"hostmaster.example.org.\"", s)
			}
			s = strings.ReplaceAll(local, ".", `\.`) + "." + domain
		}
	}
	n, err := dns.NormalizeName(s)
	if err != nil {
		return "", fmt.Errorf("soa.%s: %w", field, err)
	}
	return n, nil
}

// cleanDir returns a directory path in the form compared to decide on
// replacement: "./zones/" and "zones" are the same directory.
func cleanDir(dir string) string { return filepath.Clean(dir) }

// inZone reports whether the normalised name is origin or below it.
func inZone(name, origin string) bool {
	if origin == "." || name == origin {
		return true
	}
	return len(name) > len(origin) && strings.HasSuffix(name, origin) && name[len(name)-len(origin)-1] == '.'
}

// configRecords are a bind_zone's configured records, checked.
type configRecords struct {
	// recs are the record sets, normalised, without the apex SOA.
	recs []dns.Record
	// soa is the apex SOA the records hold (a zone file's own, read with
	// zonefile()), or nil: its fields are the soa block's defaults, its
	// TTL the ttl's.
	soa *soaRecord
	// notes say what normalising changed (punycode, split TXT strings).
	notes []dns.Note
}

// soaRecord is an SOA set given among the records.
type soaRecord struct {
	ttl    uint32
	fields soaFields
	serial uint32
}

// checkRecords decodes and normalises the configured records of the zone
// origin and checks them as BIND would load them, so that bind_zone never
// writes a zone BIND refuses: every set inside the zone, at most one SOA
// and only at the apex (taken out: bind_zone writes its own, see
// configRecords.soa), NS records at the apex with addresses for in-zone name
// servers, no CNAME at the apex or beside other data, none of the other
// sets BIND's loader refuses (dns.CheckZone), and host names where BIND's
// check-names wants them unless checkNames is "warn" or "ignore".
func checkRecords(records cty.Value, origin, checkNames string) (configRecords, hcl.Diagnostics) {
	all, notes, err := dns.FromListValueWithNotes(records)
	if err != nil {
		return configRecords{}, providers.AttributeErrorf("records", "Invalid bind_zone records", "%s", sentence(err.Error()))
	}
	var diags hcl.Diagnostics
	fail := func(format string, args ...any) {
		diags = diags.Extend(providers.AttributeErrorf("records", "Invalid bind_zone records", format, args...))
	}
	w := configRecords{recs: all, notes: notes}
	for _, msg := range dns.CheckZone(all, origin) {
		fail("%s", sentence(msg))
	}
	switch checkNames {
	case "ignore":
	case "warn":
		for _, msg := range dns.CheckNames(all) {
			diags = diags.Extend(attributeWarnf("records", "bind_zone records BIND's check-names refuses by default", "%s; bind_zone writes them because check_names = \"warn\".", msg))
		}
	default:
		for _, msg := range dns.CheckNames(all) {
			fail("%s. Use a host name, or, if named.conf sets check-names to warn or ignore for this zone, set check_names the same on the resource.", msg)
		}
	}
	if diags.HasErrors() {
		return configRecords{}, diags
	}
	addresses := make(map[string]bool, len(all))
	var apexNS *dns.Record
	for i, rec := range all {
		switch {
		case rec.Type == "SOA" && rec.Name == origin:
			soa, err := parseSOA(rec)
			if err != nil {
				fail("The SOA record of %s is not one bind_zone can write: %v.", origin, err)
				continue
			}
			w.soa = &soa
			w.recs = append(all[:i:i], all[i+1:]...)
		case rec.Type == "NS" && rec.Name == origin:
			apexNS = &all[i]
		case rec.Type == "A" || rec.Type == "AAAA":
			addresses[rec.Name] = true
		}
	}
	if apexNS == nil {
		fail("The zone %s has no NS records at its apex; BIND does not load a zone without them. Add one, such as {name = %q, type = \"NS\", ttl = 3600, values = [\"ns1.example.net.\"]}.", origin, origin)
	} else {
		for _, ns := range apexNS.Values {
			if inZone(ns, origin) && !addresses[ns] {
				fail("The name server %s is inside the zone %s but has no A or AAAA record in it; BIND does not load the zone without one. Add its address.", ns, origin)
			}
		}
	}
	if diags.HasErrors() {
		return configRecords{}, diags
	}
	return w, diags
}

// parseSOA reads the fields of an SOA set given among the records.
func parseSOA(rec dns.Record) (soaRecord, error) {
	f := strings.Fields(rec.Values[0])
	if len(f) != 7 {
		return soaRecord{}, fmt.Errorf("want 7 fields, got %q", rec.Values[0])
	}
	var n [5]uint32
	for i := range n {
		v, err := strconv.ParseUint(f[2+i], 10, 32)
		if err != nil {
			return soaRecord{}, fmt.Errorf("field %d, %q, is not a number", 3+i, f[2+i])
		}
		n[i] = uint32(v)
	}
	return soaRecord{
		ttl:    rec.TTL,
		serial: n[0],
		fields: soaFields{mname: f[0], rname: f[1], refresh: n[1], retry: n[2], expire: n[3], minimum: n[4]},
	}, nil
}

// sentence returns s ending with a period: once, even when s ends with a
// domain name's dot.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// attributeWarnf returns diagnostics holding one warning about the named
// top-level attribute.
func attributeWarnf(attr, summary, format string, args ...any) hcl.Diagnostics {
	d := providers.Warnf(summary, format, args...)
	d[0].Extra = providers.AttributePath(attr)
	return d
}

// field returns one field of the SOA as the soa block holds it.
func (f soaFields) field(name string) cty.Value {
	switch name {
	case "mname":
		return cty.StringVal(f.mname)
	case "rname":
		return cty.StringVal(f.rname)
	case "refresh":
		return cty.NumberUIntVal(uint64(f.refresh))
	case "retry":
		return cty.NumberUIntVal(uint64(f.retry))
	case "expire":
		return cty.NumberUIntVal(uint64(f.expire))
	}
	return cty.NumberUIntVal(uint64(f.minimum))
}

// checkNamesOf returns the configured check_names, "fail" by default.
func checkNamesOf(config cty.Value) string {
	if v := config.GetAttr("check_names"); v.IsKnown() && !v.IsNull() {
		return v.AsString()
	}
	return "fail"
}

// isApexSOA reports whether a record set object is the SOA of origin, as
// written or normalised.
func isApexSOA(e cty.Value, origin string) bool {
	t, ok := plainString(e.GetAttr("type"))
	if !ok || !strings.EqualFold(t, "SOA") {
		return false
	}
	name, ok := plainString(e.GetAttr("name"))
	if !ok {
		return false
	}
	if name == origin {
		return true
	}
	n, err := dns.NormalizeName(name)
	return err == nil && n == origin
}

// withoutApexSOA returns the records list without the apex SOA set: the
// zone file's own SOA, which bind_zone replaces with the one it writes.
func withoutApexSOA(records cty.Value, origin string) cty.Value {
	out := make([]cty.Value, 0, records.LengthInt())
	for _, e := range ctyconv.All(records) {
		if !isApexSOA(e, origin) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return cty.ListValEmpty(records.Type().ElementType())
	}
	return ctyconv.ListVal(out)
}

// soaOfElement reads the SOA a records element holds, or nil when it
// cannot.
func soaOfElement(e cty.Value) *soaRecord {
	rec, err := dns.FromValue(e)
	if err != nil || len(rec.Values) != 1 {
		return nil
	}
	soa, err := parseSOA(rec)
	if err != nil {
		return nil
	}
	return &soa
}

// checkPlannedSOA refuses at plan an SOA that apply could not write, such
// as a default mailbox too long for a long zone name.
func checkPlannedSOA(v cty.Value) hcl.Diagnostics {
	if !v.IsWhollyKnown() || v.IsNull() {
		return nil
	}
	var diags hcl.Diagnostics
	for _, n := range soaAttrs[:2] {
		s := v.GetAttr(n)
		if _, err := soaName(n, s.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf("soa", "Invalid bind_zone soa."+n,
				"The SOA's %s would be %q, which cannot be written: %s Set soa.%s to a shorter name.", n, s.AsString(), sentence(err.Error()), n))
		}
	}
	return diags
}

// notesWarning tells the reviewer what normalising the records changed:
// names written in punycode, TXT strings split at 255 bytes, once per
// record set.
func notesWarning(notes []dns.Note) hcl.Diagnostics {
	if len(notes) == 0 {
		return nil
	}
	return attributeWarnf("records", "bind_zone writes some records differently from how they are given",
		"These record sets are written in the form DNS carries them:\n%s", dns.NotesText(notes))
}
