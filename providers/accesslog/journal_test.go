package accesslog

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// exportEntry writes one journal entry in the export format, the message
// as a text field or, when binary is set, as a binary one.
func exportEntry(b *bytes.Buffer, i int, message string, binaryField bool) {
	fmt.Fprintf(b, "__CURSOR=s=0123;i=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_SYSTEMD_UNIT=nginx.service\nSYSLOG_IDENTIFIER=nginx\n",
		i, 1732399200000000+int64(i)*1000000, 1000000+i)
	if binaryField {
		b.WriteString("MESSAGE\n")
		binary.Write(b, binary.LittleEndian, uint64(len(message)))
		b.WriteString(message + "\n")
	} else {
		b.WriteString("MESSAGE=" + message + "\n")
	}
	b.WriteString("\n")
}

func accessLine(ip string, sec int, uri string) string {
	return fmt.Sprintf(`%s - - [23/Nov/2024:22:%02d:%02d +0000] "GET %s HTTP/1.1" 200 5 "-" "curl/8.5.0"`, ip, sec/60, sec%60, uri)
}

func TestExportReader(t *testing.T) {
	var b bytes.Buffer
	exportEntry(&b, 1, accessLine("203.0.113.7", 1, "/a"), false)
	exportEntry(&b, 2, accessLine("203.0.113.8", 2, "/b")+"\nsecond line", true) // binary, with a newline
	b.WriteString("__CURSOR=s=0123;i=3\n_SYSTEMD_UNIT=nginx.service\n\n")        // no MESSAGE
	exportEntry(&b, 4, accessLine("2001:db8::1", 3, "/c"), false)
	got, err := io.ReadAll(newExportReader(&b))
	if err != nil {
		t.Fatal(err)
	}
	want := accessLine("203.0.113.7", 1, "/a") + "\n" + accessLine("203.0.113.8", 2, "/b") + " second line\n" + accessLine("2001:db8::1", 3, "/c") + "\n"
	if string(got) != want {
		t.Errorf("decoded:\n%q\nwant\n%q", got, want)
	}
	for _, bad := range []string{
		"__CURSOR=x\nMESSAGE\n\x05\x00\x00\x00\x00\x00\x00\x00abc",              // cut short
		"__CURSOR=x\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\x7fabc\n",            // absurd length
		"__CURSOR=x\nMESSAGE\n\x03\x00\x00\x00\x00\x00\x00\x00abcX__CURSOR=y\n", // no newline after the value
		"__CURSOR=x\nMESSAGE=no newline at the end",
	} {
		if _, err := io.ReadAll(newExportReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q decoded without an error", bad)
		}
	}
}

// TestScanJournalForms reads the same entries as a file in the export
// format (also gzip-compressed), as `journalctl -o cat` output and as a
// stream, and counts the same.
func TestScanJournalForms(t *testing.T) {
	var export, cat bytes.Buffer
	for i := 0; i < 300; i++ {
		line := accessLine("203.0.113.7", i, "/wp-login.php")
		if i%3 == 0 {
			line = accessLine(fmt.Sprintf("198.51.100.%d", i%7+1), i, "/")
		}
		exportEntry(&export, i, line, i%5 == 0)
		cat.WriteString(line + "\n")
	}
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(export.Bytes())
	zw.Close()
	os.WriteFile(filepath.Join(dir, "nginx.export"), export.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "nginx.export.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "nginx.cat"), cat.Bytes(), 0o644)
	o := newOracle(cat.Bytes(), nil)
	for _, name := range []string{"nginx.export", "nginx.export.gz", "nginx.cat"} {
		r := scanFiles(t, Options{Top: 100}, filepath.Join(dir, name))
		checkExact(t, r, o, 100, 0)
		if w := scanFiles(t, Options{Top: 100, Window: 2 * 60e9}, filepath.Join(dir, name)); w.Requests != 120 {
			t.Errorf("%s with a 2m window: %d requests, want 120", name, w.Requests)
		}
	}
	r, err := Scan(context.Background(), []Source{StreamSource("-", bytes.NewReader(export.Bytes()))}, Options{Top: 100})
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, r, o, 100, 0)
}

// TestScanJournal reads entries from a real journal: the test writes them
// into journal files with systemd-journal-remote, and JournalSource reads
// them back with journalctl, by unit.
func TestScanJournal(t *testing.T) {
	remote := "/lib/systemd/systemd-journal-remote"
	if _, err := os.Stat(remote); err != nil {
		t.Fatalf("%s is missing: install the Debian package systemd-journal-remote (scripts/deps.sh does)", remote)
	}
	if _, err := exec.LookPath("journalctl"); err != nil {
		t.Fatalf("journalctl is missing: install the Debian package systemd")
	}
	var export, cat bytes.Buffer
	for i := 0; i < 200; i++ {
		line := accessLine("203.0.113.9", i, "/xmlrpc.php")
		if i%4 == 0 {
			line = accessLine("2001:db8::7", i, "/")
		}
		exportEntry(&export, i, line, false)
		cat.WriteString(line + "\n")
	}
	dir := t.TempDir()
	cmd := exec.Command(remote, "--output="+filepath.Join(dir, "remote.journal"), "-")
	cmd.Stdin = bytes.NewReader(export.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
	r, err := Scan(context.Background(), []Source{JournalSource(Journal{Units: []string{"nginx.service"}, Directory: dir})}, Options{Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	checkExact(t, r, newOracle(cat.Bytes(), nil), 10, 0)
	if r.Requests != 200 || r.Clients[0] != (Count{"203.0.113.9", 150}) {
		t.Errorf("%d requests, top client %v; want 200 and 203.0.113.9 with 150", r.Requests, r.Clients[0])
	}
	// Another unit has no entries; a missing directory is an error.
	r, err = Scan(context.Background(), []Source{JournalSource(Journal{Units: []string{"apache2.service"}, Directory: dir})}, Options{})
	if err != nil || r.Requests != 0 {
		t.Errorf("another unit: %v, %+v", err, r)
	}
	if _, err := Scan(context.Background(), []Source{JournalSource(Journal{Units: []string{"nginx.service"}, Directory: filepath.Join(dir, "missing")})}, Options{}); err == nil {
		t.Error("a missing journal directory gave no error")
	}
}

// FuzzExportReader feeds arbitrary bytes to the journal export decoder:
// it must end (with or without an error), never panic, and give lines
// that hold no newline of a message.
func FuzzExportReader(f *testing.F) {
	var b bytes.Buffer
	exportEntry(&b, 1, accessLine("203.0.113.7", 1, "/a"), false)
	exportEntry(&b, 2, accessLine("203.0.113.8", 2, "/b")+"\nx", true)
	f.Add(b.Bytes())
	f.Add([]byte("__CURSOR=x\nMESSAGE\n\x05\x00\x00\x00\x00\x00\x00\x00abc"))
	f.Add([]byte("__CURSOR=\n\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _ := io.ReadAll(io.LimitReader(newExportReader(bytes.NewReader(in)), 4<<20))
		if len(out) > len(in)+1 && bytes.Count(out, []byte("\n")) > bytes.Count(in, []byte("\n"))+1 {
			t.Fatalf("%d bytes in, %d lines out", len(in), bytes.Count(out, []byte("\n")))
		}
	})
}

// TestOffendersFromJournal: access_log_offenders reads a unit's entries
// from a journal directory.
func TestOffendersFromJournal(t *testing.T) {
	remote := "/lib/systemd/systemd-journal-remote"
	if _, err := os.Stat(remote); err != nil {
		t.Fatalf("%s is missing: install the Debian package systemd-journal-remote (scripts/deps.sh does)", remote)
	}
	var export bytes.Buffer
	for i := 0; i < 120; i++ {
		ip := "203.0.113.9"
		if i%6 == 0 {
			ip = "198.51.100.1"
		}
		exportEntry(&export, i, accessLine(ip, i, "/xmlrpc.php"), false)
	}
	dir := t.TempDir()
	cmd := exec.Command(remote, "--output="+filepath.Join(dir, "remote.journal"), "-")
	cmd.Stdin = &export
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
	ds, cfg := offendersCfg(map[string]cty.Value{
		"journal_units":     cty.ListVal([]cty.Value{cty.StringVal("nginx.service")}),
		"journal_directory": cty.StringVal(dir),
		"threshold":         cty.NumberIntVal(50),
	})
	resp := ds.Read(context.Background(), providers.DataReadRequest{Config: cfg})
	if resp.Diagnostics.HasErrors() {
		t.Fatal(resp.Diagnostics)
	}
	if got := resp.State.GetAttr("addresses"); !got.RawEquals(cty.ListVal([]cty.Value{cty.StringVal("203.0.113.9")})) {
		t.Errorf("addresses = %#v", got)
	}
	if ev := resp.State.GetAttr("evidence").Index(cty.StringVal("203.0.113.9")).AsString(); !strings.Contains(ev, "100 requests") || !strings.Contains(ev, "journal of nginx.service") {
		t.Errorf("evidence %q", ev)
	}
	_, cfg = offendersCfg(map[string]cty.Value{"threshold": cty.NumberIntVal(5)})
	if d := ds.(providers.ConfigValidator).ValidateConfig(context.Background(), cfg); !d.HasErrors() || !strings.Contains(d.Error(), "journal_units") {
		t.Errorf("neither paths nor journal_units: %v", d)
	}
}
