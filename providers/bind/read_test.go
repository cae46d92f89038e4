package bind

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/dns"
	"github.com/plumbhq/plumb/providers/host"
)

func TestImport(t *testing.T) {
	for _, tc := range []struct {
		id, wantName, wantPath string
		wantSerial             uint32
		wantTTL                int64
		wantSOA                string // "mname rname refresh retry expire minimum"
		wantRecords            int
	}{
		{"testdata/import/example.com.db", "example.com.", "testdata/import/example.com.db", 2024031502, 3600,
			"ns1.example.net. hostmaster.example.com. 10800 900 1209600 3600", 5},
		{"testdata/import/zone1", "example.net.", "testdata/import/zone1", 7, 7200,
			"ns1.example.org. dns.example.net. 3600 600 86400 300", 2},
		{"corp.example.:testdata/import/db.internal", "corp.example.", "testdata/import/db.internal", 1, 600,
			"ns.corp.example. admin.corp.example. 3600 600 86400 300", 3},
		{"testdata/import/example.info.zone", "example.info.", "testdata/import/example.info.zone", 2026010100, 3600,
			"ns1.example.net. hostmaster.example.info. 7200 3600 1209600 3600", 1},
		// A dynamic zone as named dumps it: "$ORIGIN ." and owners relative
		// to the root.
		{"testdata/import/dumped.db", "example.dyn.", "testdata/import/dumped.db", 42, 300,
			"ns1.example.net. hostmaster.example.dyn. 7200 3600 1209600 300", 3},
	} {
		t.Run(tc.id, func(t *testing.T) {
			r := testResource()
			resp := r.Import(context.Background(), providers.ImportRequest{ID: tc.id})
			if resp.Diagnostics.HasErrors() {
				t.Fatal(resp.Diagnostics.Error())
			}
			s := resp.State
			if errs := s.Type().TestConformance(r.ty); len(errs) > 0 {
				t.Fatalf("imported state does not conform: %v", errs)
			}
			if got := s.GetAttr("name").AsString(); got != tc.wantName {
				t.Errorf("name %q, want %q", got, tc.wantName)
			}
			if got := s.GetAttr("path").AsString(); got != tc.wantPath || s.GetAttr("id").AsString() != tc.wantPath {
				t.Errorf("path %q, want %q", got, tc.wantPath)
			}
			if got := filepath.Join(s.GetAttr("directory").AsString(), s.GetAttr("filename").AsString()); got != tc.wantPath {
				t.Errorf("directory and filename give %q, want %q", got, tc.wantPath)
			}
			if got := serialOf(t, s); got != tc.wantSerial {
				t.Errorf("serial %d, want %d", got, tc.wantSerial)
			}
			if !s.GetAttr("ttl").RawEquals(cty.NumberIntVal(tc.wantTTL)) {
				t.Errorf("ttl %#v, want %d", s.GetAttr("ttl"), tc.wantTTL)
			}
			f, ok := soaOf(s.GetAttr("soa"))
			if got := strings.Replace(f.value(0), " 0 ", " ", 1); !ok || got != tc.wantSOA {
				t.Errorf("soa %q, want %q", got, tc.wantSOA)
			}
			recs, err := dns.FromListValue(s.GetAttr("records"))
			if err != nil || len(recs) != tc.wantRecords {
				t.Errorf("records %v (%v), want %d sets", recs, err, tc.wantRecords)
			}
			if soa, _ := dns.Apex(recs, tc.wantName); soa != nil {
				t.Errorf("the imported records hold the SOA, which is generated")
			}

			// The imported zone reads back as it is, and a configuration
			// that says the same plans no change.
			read := r.Read(context.Background(), providers.ReadRequest{Prior: s})
			if read.Diagnostics.HasErrors() || !read.State.RawEquals(s) {
				t.Errorf("Read of the imported zone differs: %s", read.Diagnostics.Error())
			}
			cfg := zoneCfg(tc.wantName, s.GetAttr("directory").AsString(), recs, map[string]cty.Value{
				"filename": s.GetAttr("filename"), "ttl": s.GetAttr("ttl"), "soa": s.GetAttr("soa"),
			})
			if p := plan(r, s, cfg); p.Diagnostics.HasErrors() || !p.Planned.RawEquals(s) {
				t.Errorf("the configuration of the imported zone does not plan clean: %s", p.Diagnostics.Error())
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	for _, tc := range []struct{ id, want string }{
		{"testdata/import/missing.zone", "no such file"},
		{"testdata/import/example.biz.zone", "the zone example.biz. has no SOA record at its apex"},
		{"testdata/import/broken.zone", "testdata/import/broken.zone:4:13: unknown record type"},
		{"other.example.:testdata/import/example.com.db", "check the zone's origin (7 records of the file are outside other.example.)"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			r := testResource()
			resp := r.Import(context.Background(), providers.ImportRequest{ID: tc.id})
			if !resp.Diagnostics.HasErrors() {
				t.Fatalf("imported; want an error saying %q", tc.want)
			}
			if !strings.Contains(resp.Diagnostics.Error(), tc.want) {
				t.Errorf("error %q does not say %q", resp.Diagnostics.Error(), tc.want)
			}
			if !resp.State.IsNull() {
				t.Errorf("a failed import returned a state")
			}
		})
	}
}

func TestSniffOrigin(t *testing.T) {
	for _, tc := range []struct{ name, file, text, want string }{
		{"$ORIGIN first", "x.zone", "; hi\n$TTL 60\n$ORIGIN example.org.\n@ IN SOA a. b. 1 2 3 4 5\n", "example.org."},
		{"lower-case directive", "x.zone", "$origin example.org.\n", "example.org."},
		{"absolute SOA owner", "x", "example.net. 60 IN SOA a. b. 1 2 3 4 5\n", "example.net."},
		{"relative SOA owner", "example.com.zone", "@ IN SOA a. b. 1 2 3 4 5\n", "example.com."},
		{"$ORIGIN after the first record", "example.com.db", "@ IN SOA a. b. 1 2 3 4 5\n$ORIGIN sub.example.com.\n", "example.com."},
		{"db. prefix", "db.example.org", "@ IN SOA a. b. 1 2 3 4 5\n", "example.org."},
		// named dumps a dynamic zone with "$ORIGIN ." and relative owners.
		{"$ORIGIN . as named dumps", "x.db", "$ORIGIN .\n$TTL 300\nexample.org IN SOA a. b. 1 2 3 4 5\n$ORIGIN example.org.\nwww A 192.0.2.1\n", "example.org."},
		{"$ORIGIN @", "example.net.zone", "$ORIGIN @\n$TTL 300\n@ IN SOA a. b. 1 2 3 4 5\n", "example.net."},
		{"$ORIGIN spelled like a type", "x.zone", "$ORIGIN mx.example.org.\n$TTL 300\n@ IN SOA a. b. 1 2 3 4 5\n", "mx.example.org."},
		{"txt suffix", "site.example.txt", "", "site.example"},
		{"bare domain", "example.org", "", "example.org"},
		{"comment holding $ORIGIN", "example.org.zone", "; $ORIGIN wrong.example.\n@ IN SOA a. b. 1 2 3 4 5\n", "example.org."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sniffOrigin([]byte(tc.text), filepath.Join("dir", tc.file)); got != tc.want {
				t.Errorf("sniffOrigin = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitImportID(t *testing.T) {
	dir := t.TempDir()
	colon := writeZone(t, dir, "odd:name.zone", "")
	for _, tc := range []struct{ id, origin, path string }{
		{"zones/example.org.zone", "", "zones/example.org.zone"},
		{"example.org.:zones/db.example", "example.org.", "zones/db.example"},
		{"example.org:/etc/bind/db.example", "example.org", "/etc/bind/db.example"},
		{colon, "", colon},
		{"zones/a:b.zone", "", "zones/a:b.zone"},
		{"example.org.:", "", "example.org.:"},
	} {
		if o, p := splitImportID(context.Background(), host.Local(), tc.id); o != tc.origin || p != tc.path {
			t.Errorf("splitImportID(%q) = %q, %q; want %q, %q", tc.id, o, p, tc.origin, tc.path)
		}
	}
}

func TestNextSerial(t *testing.T) {
	day := time.Date(2026, 11, 25, 23, 59, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		prev    uint32
		hasPrev bool
		now     time.Time
		want    uint32
	}{
		{"first", 0, false, day, 2026112500},
		{"an older day", 2026112399, true, day, 2026112500},
		{"small serial", 7, true, day, 2026112500},
		{"second change of the day", 2026112500, true, day, 2026112501},
		{"tenth change of the day", 2026112509, true, day, 2026112510},
		{"past nn 99", 2026112599, true, day, 2026112600},
		{"serial from the future", 2030010100, true, day, 2030010101},
		{"date in another zone is UTC", 0, false, time.Date(2026, 11, 26, 1, 0, 0, 0, time.FixedZone("CET", 3600)), 2026112600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := nextSerial(tc.prev, tc.hasPrev, tc.now)
			if err != nil || got != tc.want {
				t.Errorf("nextSerial(%d, %v, %s) = %d, %v; want %d", tc.prev, tc.hasPrev, tc.now, got, err, tc.want)
			}
		})
	}
	if _, err := nextSerial(4294967295, true, day); err == nil || !strings.Contains(err.Error(), "RFC 1982") {
		t.Errorf("the largest serial was bumped without an error: %v", err)
	}
}

// TestCreateOverExistingFile creates a zone where a file with a higher
// serial already is: the new serial is above it.
func TestCreateOverExistingFile(t *testing.T) {
	dir := t.TempDir()
	writeZone(t, dir, "example.org.zone", "$ORIGIN example.org.\n@ 60 IN SOA a.example.net. b.example.net. 2031010105 1 1 1 1\n@ 60 IN NS a.example.net.\n")
	r := testResource()
	s := applied(t, r, zoneCfg("example.org.", dir, siteRecords("example.org."), nil))
	if got := serialOf(t, s); got != 2031010106 {
		t.Errorf("serial %d, want 2031010106: above the file's", got)
	}
}

// TestReadDrift edits a zone whose records were written loosely: Read
// keeps the spelling of the sets that did not change.
func TestReadDrift(t *testing.T) {
	dir := t.TempDir()
	r := testResource()
	loose := cty.ListVal([]cty.Value{
		looseRecord("example.org", "NS", 3600, "ns1.example.com"),
		looseRecord("WWW.example.org", "A", 300, "192.0.2.2", "192.0.2.1"),
		looseRecord("mail.example.org.", "a", 300, "192.0.2.25"),
	})
	s := applied(t, r, zoneCfg("example.org.", dir, nil, map[string]cty.Value{"records": loose}))
	path := s.GetAttr("path").AsString()
	if read := r.Read(context.Background(), providers.ReadRequest{Prior: s}); !read.State.RawEquals(s) {
		t.Fatalf("Read of an untouched zone differs from its state")
	}
	text := replaceLine(t, readFile(t, path), "mail 300 IN A 192.0.2.25", "mail 300 IN A 192.0.2.26")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	read := r.Read(context.Background(), providers.ReadRequest{Prior: s})
	if read.Diagnostics.HasErrors() {
		t.Fatal(read.Diagnostics.Error())
	}
	want := cty.ListVal([]cty.Value{loose.Index(cty.NumberIntVal(0)), rec("mail.example.org.", "A", 300, "192.0.2.26").Value(), loose.Index(cty.NumberIntVal(1))})
	if got := read.State.GetAttr("records"); !got.RawEquals(want) {
		t.Errorf("records read %#v\nwant %#v", got, want)
	}
	resp := plan(r, read.State, zoneCfg("example.org.", dir, nil, map[string]cty.Value{"records": loose}))
	if resp.Diagnostics.HasErrors() || resp.Planned.GetAttr("serial").IsKnown() {
		t.Errorf("the drift does not plan as a change: %s", resp.Diagnostics.Error())
	}
}

func TestReadBrokenFile(t *testing.T) {
	dir := t.TempDir()
	r := testResource()
	s := applied(t, r, zoneCfg("example.org.", dir, siteRecords("example.org."), nil))
	path := s.GetAttr("path").AsString()
	if err := os.WriteFile(path, []byte(readFile(t, path)+"www IN AAAA not-an-address\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	read := r.Read(context.Background(), providers.ReadRequest{Prior: s})
	if !read.Diagnostics.HasErrors() {
		t.Fatal("Read accepted a broken zone file")
	}
	if msg := read.Diagnostics.Error(); !strings.Contains(msg, path+":13:") || !strings.Contains(msg, "delete it and plumb will write it afresh") {
		t.Errorf("error %q does not locate the problem and say what to do", msg)
	}
}
