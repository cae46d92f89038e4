package dns

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteZoneGolden(t *testing.T) {
	res := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	var b bytes.Buffer
	if err := WriteZone(&b, "example.org", res.Records); err != nil {
		t.Fatal(err)
	}
	golden(t, "example.org.written", b.String())
	if !strings.HasPrefix(b.String(), "$ORIGIN example.org.\n$TTL 3600\n@ ") || !strings.Contains(strings.SplitN(b.String(), "\n", 4)[2], "SOA") {
		t.Errorf("zone does not start with $ORIGIN, $TTL and the SOA:\n%s", b.String())
	}
}

// Reading a written zone gives the records that were written.
func TestWriteZoneRoundTrip(t *testing.T) {
	for _, tt := range []struct{ file, origin string }{
		{"testdata/zones/example.org.zone", "example.org"},
		{"testdata/zones/idn.zone", "bücher.example"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			res := mustParse(t, tt.file, tt.origin, ParseOptions{})
			var b bytes.Buffer
			if err := WriteZone(&b, tt.origin, res.Records); err != nil {
				t.Fatal(err)
			}
			again, err := ParseZone(&b, "written.zone", tt.origin, ParseOptions{})
			if err != nil {
				t.Fatalf("reading the written zone: %v", err)
			}
			if diff := cmp.Diff(res.Records, again.Records); diff != "" {
				t.Errorf("(-written +read back):\n%s", diff)
			}
			if len(again.Warnings) != 0 {
				t.Errorf("warnings reading the written zone: %v", again.Warnings)
			}
		})
	}
}

func TestWriteZoneOutsideOrigin(t *testing.T) {
	rs := []Record{{Name: "www.example.net.", Type: "A", TTL: 60, Values: []string{"192.0.2.1"}}}
	var b bytes.Buffer
	if err := WriteZone(&b, "example.org", rs); err == nil || !strings.Contains(err.Error(), "outside the zone") {
		t.Errorf("got %v, want an error naming the record outside the zone", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q despite the error", b.String())
	}
}

// BIND's own checker accepts what WriteZone writes.
func TestWriteZoneNamedCheckzone(t *testing.T) {
	checker := namedCheckzone(t)
	res := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	path := filepath.Join(t.TempDir(), "example.org.zone")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteZone(f, "example.org", res.Records); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(checker, "-k", "fail", "-n", "fail", "-m", "fail", "-M", "fail", "-S", "fail", "example.org", path).CombinedOutput()
	if err != nil {
		t.Fatalf("named-checkzone rejects the written zone: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "OK") {
		t.Errorf("named-checkzone did not say OK:\n%s", out)
	}
	// And it is a real check: a zone it must reject is rejected.
	bad := filepath.Join(t.TempDir(), "bad.zone")
	if err := os.WriteFile(bad, []byte("$ORIGIN example.org.\n$TTL 60\n@ IN NS ns1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(checker, "example.org", bad).CombinedOutput(); err == nil {
		t.Errorf("named-checkzone accepted a zone without SOA:\n%s", out)
	}
}

// namedCheckzone returns the path of BIND's zone checker, or fails the
// test saying how to install it.
func namedCheckzone(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("named-checkzone")
	if err != nil {
		t.Fatalf("named-checkzone not found: install Debian bind9-utils (make test does)")
	}
	return p
}

// The reader understands a zone as BIND does: BIND's canonical dump of the
// zone, read back, gives the same record sets.
func TestReaderAgreesWithBIND(t *testing.T) {
	cmd := exec.Command(namedCheckzone(t), "-D", "-o", "-", "example.org", "example.org.zone")
	cmd.Dir = filepath.Join("testdata", "zones")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("named-checkzone -D: %v", err)
	}
	bind, err := ParseZone(bytes.NewReader(out), "named-checkzone output", "example.org", ParseOptions{})
	if err != nil {
		t.Fatalf("reading BIND's dump: %v", err)
	}
	ours := mustParse(t, "testdata/zones/example.org.zone", "example.org", ParseOptions{})
	if diff := cmp.Diff(bind.Records, ours.Records); diff != "" {
		t.Errorf("(-BIND +plumb):\n%s", diff)
	}
}
