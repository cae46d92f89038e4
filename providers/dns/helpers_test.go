package dns

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// mustParse reads a zone file that must have no errors.
func mustParse(t *testing.T, path, origin string, opts ParseOptions) ParseResult {
	t.Helper()
	res, err := ParseZoneFile(path, origin, opts)
	if err != nil {
		t.Fatalf("ParseZoneFile(%s): %v", path, err)
	}
	return res
}

// dump renders records one value a line, "name type ttl value", for golden
// files and readable failures.
func dump(rs []Record) string {
	var b strings.Builder
	for _, r := range rs {
		for _, v := range r.Values {
			b.WriteString(r.Name + " " + r.Type + " " + strconv.FormatUint(uint64(r.TTL), 10) + " " + v + "\n")
		}
	}
	return b.String()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from what was read:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// writeFile writes content to dir/name, making parent directories.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// find returns the record set with the key, or fails.
func find(t *testing.T, rs []Record, name, typ string) Record {
	t.Helper()
	for _, r := range rs {
		if r.Name == name && r.Type == typ {
			return r
		}
	}
	t.Fatalf("no %s %s among:\n%s", name, typ, dump(rs))
	return Record{}
}
