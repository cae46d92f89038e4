package bind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/host"
)

// header opens every zone file bind_zone writes.
const header = "; Managed by plumb (bind_zone): a change made here shows in the next plan, which puts it back.\n"

// zone is a bind_zone's content as written to its file.
type zone struct {
	origin  string
	path    string
	ttl     uint32
	soa     soaFields
	serial  uint32
	records []dns.Record
	// spare, when set, is records with one free slot before it, for the
	// SOA (see storedZone).
	spare []dns.Record
}

// render returns the zone file's bytes: the header, then dns.WriteZone of
// the SOA and the records. The records must be in zone.
func (z zone) render() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(header) + 64*(len(z.records)+1))
	if err := z.write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// write writes the zone file to w.
func (z zone) write(w io.Writer) error {
	rs := z.records
	if len(z.spare) == 1 {
		// z.records was made with a free slot before it: no copy of a
		// large zone's records just to put the SOA first.
		rs = z.spare[:len(z.records)+1]
	} else {
		rs = make([]dns.Record, 1, len(z.records)+1)
		rs = append(rs, z.records...)
	}
	rs[0] = dns.Record{Name: z.origin, Type: "SOA", TTL: z.ttl, Values: []string{z.soa.value(z.serial)}}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	return dns.WriteZone(w, z.origin, rs)
}

// matches reports whether data is exactly the file write would write,
// comparing as it goes instead of building the file in memory.
func (z zone) matches(data []byte) bool {
	c := &compareWriter{data: data}
	return z.write(c) == nil && !c.differ && c.pos == len(data)
}

// compareWriter compares what is written to it with data.
type compareWriter struct {
	data   []byte
	pos    int
	differ bool
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if c.differ || c.pos+len(p) > len(c.data) || !bytes.Equal(p, c.data[c.pos:c.pos+len(p)]) {
		c.differ = true
		return 0, errDiffers
	}
	c.pos += len(p)
	return len(p), nil
}

// errDiffers stops writing once the output differs from what it is
// compared with.
var errDiffers = errors.New("the zone file differs")

// zoneOf decodes a wholly known planned state (but for the serial) into the
// zone to write, normalising its records.
func zoneOf(v cty.Value) (zone, error) {
	var z zone
	var err error
	if z.origin, err = dns.NormalizeName(v.GetAttr("name").AsString()); err != nil {
		return z, fmt.Errorf("name: %w", err)
	}
	z.path = v.GetAttr("path").AsString()
	var ok bool
	if z.ttl, ok = ttlOf(v.GetAttr("ttl")); !ok {
		return z, errors.New("ttl is not a valid TTL")
	}
	if z.soa, ok = soaOf(v.GetAttr("soa")); !ok {
		return z, errors.New("the soa block has an invalid field")
	}
	if z.records, err = dns.FromListValue(v.GetAttr("records")); err != nil {
		return z, fmt.Errorf("records: %w", err)
	}
	return z, nil
}

// Apply writes the zone file atomically (creating its directory), or
// removes it for a delete. When the content changed (the planned serial is
// unknown) the serial is bumped: today's date (UTC) times 100, or one more
// than the previous serial (the prior state's, or that of a file already
// at the path) when that is not greater. A file that already holds
// exactly the zone is not rewritten. On failure the state returned is the
// prior one: an atomic write either happened or did not.
func (r *zoneResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		return r.delete(ctx, req.Prior)
	}
	planned := req.Planned
	if len(unknownAttrs(planned, "serial")) > 0 && !req.Config.IsNull() {
		// Configuration values unknown at plan time are known now. The
		// engine has already let any mass change through.
		resp := r.plan(ctx, req.Prior, req.Config, false)
		if resp.Diagnostics.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: resp.Diagnostics}
		}
		planned = resp.Planned
	}
	if paths := unknownAttrs(planned, "serial"); len(paths) > 0 {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"bind_zone is not known at apply time",
			"%s must be computable once the resources they refer to exist.", strings.Join(paths, ", "))}
	}
	z, err := zoneOf(planned)
	if err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Invalid bind_zone", "%v; run plumb plan to see what is wrong.", err)}
	}
	h := r.host.Get()
	old, _, err := host.ReadFile(ctx, h, z.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot read bind_zone file", "%v. Check that plumb may read the file and its directory.", err)}
	}
	if s := planned.GetAttr("serial"); s.IsKnown() {
		z.serial, _ = uint32Of(s)
	} else if z.serial, err = r.newSerial(req.Prior, old, z, sourceSerial(req.Config, z.origin)); err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot bump the bind_zone serial", "%v.", err)}
	}
	data, err := z.render()
	if err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot write bind_zone", "%v.", err)}
	}
	m := planned.AsValueMap()
	m["serial"] = cty.NumberUIntVal(uint64(z.serial))
	resp := providers.ApplyResponse{State: cty.ObjectVal(m)}
	if bytes.Equal(data, old) {
		return resp
	}
	if v := planned.GetAttr("validate"); !v.IsNull() && v.True() {
		if err := checkWithBIND(ctx, h, z, data); err != nil {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.AttributeErrorf("validate",
				"BIND rejects the zone file", "%v. The file was not changed.", err)}
		}
	}
	if err := host.WriteFile(ctx, h, z.path, data, host.WriteOptions{Perm: zoneFileMode, DirPerm: zoneDirMode}); err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot write bind_zone file", "%v. Check that the directory exists or can be created and that plumb may write to it; the file was not changed.", err)}
	}
	return resp
}

// newSerial returns the serial for a changed zone: above the prior
// state's, above that of the file already at the path (old), if any, and
// above that of the SOA the records give (source), so that secondaries of
// a zone moved to bind_zone see the change.
func (r *zoneResource) newSerial(prior cty.Value, old []byte, z zone, source *uint32) (uint32, error) {
	var prev uint32
	has := false
	if !prior.IsNull() {
		prev, has = uint32Of(prior.GetAttr("serial"))
	}
	if source != nil && (!has || *source > prev) {
		prev, has = *source, true
	}
	if old != nil {
		if res, err := dns.ParseZone(bytes.NewReader(old), z.path, z.origin, dns.ParseOptions{}); err == nil {
			if soa, _ := dns.Apex(res.Records, z.origin); soa != nil {
				if s, ok := soaSerial(soa.Values[0]); ok && (!has || s > prev) {
					prev, has = s, true
				}
			}
		}
	}
	return nextSerial(prev, has, r.now())
}

// nextSerial returns the YYYYMMDDnn serial for a change made at now: the
// date (UTC) times 100, or prev+1 when that is not greater than prev.
func nextSerial(prev uint32, hasPrev bool, now time.Time) (uint32, error) {
	y, m, d := now.UTC().Date()
	day := uint64(y)*10000 + uint64(m)*100 + uint64(d)
	next := day * 100
	if hasPrev && uint64(prev) >= next {
		if prev == math.MaxUint32 {
			return 0, fmt.Errorf("the serial %d is the largest there is; see RFC 1982 for how to wrap it round, then set it in the file by hand", prev)
		}
		return prev + 1, nil
	}
	if next > math.MaxUint32 {
		return 0, fmt.Errorf("the date %d does not fit a 32-bit serial", day)
	}
	return uint32(next), nil
}

// delete removes the zone file; one already gone is fine.
func (r *zoneResource) delete(ctx context.Context, prior cty.Value) providers.ApplyResponse {
	path := prior.GetAttr("path").AsString()
	if err := r.host.Get().Remove(ctx, path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return providers.ApplyResponse{State: prior, Diagnostics: providers.Errorf(
			"Cannot delete bind_zone file", "Removing %s: %v. Check the permissions of its directory, or remove the file by hand and run plumb again.", path, err)}
	}
	return providers.ApplyResponse{State: r.null}
}

// unknownAttrs names the top-level attributes of v, other than except,
// that are not wholly known, sorted.
func unknownAttrs(v cty.Value, except string) []string {
	var out []string
	for name := range v.Type().AttributeTypes() {
		if name != except && !ctyconv.IsWhollyKnown(v.GetAttr(name)) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// sourceSerial returns the serial of the apex SOA among the configured
// records (a zone file's own), or nil.
func sourceSerial(config cty.Value, origin string) *uint32 {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	recs := config.GetAttr("records")
	if !ctyconv.IsWhollyKnown(recs) || recs.IsNull() {
		return nil
	}
	for it := recs.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if isApexSOA(e, origin) {
			if soa := soaOfElement(e); soa != nil {
				return &soa.serial
			}
			return nil
		}
	}
	return nil
}
