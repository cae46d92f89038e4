package bind

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

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

// checkRecords decodes and normalises the configured records of the zone
// origin and checks them as BIND would: every set inside the zone, no SOA
// (it is generated), NS records at the apex with addresses for in-zone
// name servers, and no CNAME at the apex or beside other data.
func checkRecords(records cty.Value, origin string) ([]dns.Record, hcl.Diagnostics) {
	want, err := dns.FromListValue(records)
	if err != nil {
		return nil, providers.AttributeErrorf("records", "Invalid bind_zone records", "%v.", err)
	}
	var diags hcl.Diagnostics
	fail := func(format string, args ...any) {
		diags = diags.Extend(providers.AttributeErrorf("records", "Invalid bind_zone records", format, args...))
	}
	addresses := make(map[string]bool, len(want))
	var apexNS *dns.Record
	for i, rec := range want {
		switch {
		case !inZone(rec.Name, origin):
			fail("The record set %s is outside the zone %s. Remove it, or manage it in its own zone.", rec.Key(), origin)
		case rec.Type == "SOA" && rec.Name == origin:
			fail("records lists the SOA of %s, which bind_zone generates from the soa block (its serial too). Leave it out: with zonefile(), write records = [for r in zonefile(PATH, %q) : r if r.type != \"SOA\"].", origin, origin)
		case rec.Type == "SOA":
			fail("The SOA record at %s is not at the zone's apex %s; remove it.", rec.Name, origin)
		case rec.Type == "CNAME" && rec.Name == origin:
			fail("A CNAME at the zone's apex %s is not allowed: the apex holds the SOA and NS records. Use A or AAAA records there.", origin)
		case rec.Type == "NS" && rec.Name == origin:
			apexNS = &want[i]
		case rec.Type == "A" || rec.Type == "AAAA":
			addresses[rec.Name] = true
		}
	}
	// The sets of one name are next to each other in Sort order.
	for i := 0; i < len(want); {
		j := i + 1
		for j < len(want) && want[j].Name == want[i].Name {
			j++
		}
		if j-i > 1 {
			var ts []string
			hasCNAME := false
			for _, rec := range want[i:j] {
				ts = append(ts, rec.Type)
				hasCNAME = hasCNAME || rec.Type == "CNAME"
			}
			if hasCNAME {
				fail("%s has a CNAME and other records (%s); a name with a CNAME can hold nothing else. Remove the CNAME or the others.", want[i].Name, strings.Join(ts, ", "))
			}
		}
		i = j
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
		return nil, diags
	}
	return want, nil
}
