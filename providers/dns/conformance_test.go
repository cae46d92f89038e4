package dns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The conformance folder, testdata/conformance, holds one directory per
// case: zone.db (the zone example.org, with any files it includes) and
// bind.expected, what BIND's named-compilezone makes of it. For a zone
// BIND loads, plumb must read the same record sets (BIND's canonical
// output, read back, is the reference) and warn at every line BIND warns
// at; for a zone BIND refuses, plumb must refuse it too, at every line
// BIND names. When named-compilezone is installed (make test installs
// it), every expectation is checked against it, so the folder cannot
// drift from BIND; go test -update rewrites the expectations from it.
//
// named-compilezone runs with -k warn (BIND's check-names reported, not
// enforced, as plumb's reader reports it) and -i none (the integrity
// checks on name server and mail exchanger addresses are bind_zone's, not
// the reader's).

// conformanceOrigin is the zone every case is read as.
const conformanceOrigin = "example.org"

// bindResult is what named-compilezone made of a case.
type bindResult struct {
	exit           int
	stdout, stderr string
}

// compileArgs are named-compilezone's arguments for a case.
var compileArgs = []string{"-k", "warn", "-i", "none", "-o", "-", conformanceOrigin, "zone.db"}

func (b bindResult) String() string {
	return bufferAddr.ReplaceAllString(fmt.Sprintf("# named-compilezone %s\nexit: %d\n--- stdout\n%s--- stderr\n%s", strings.Join(compileArgs, " "), b.exit, b.stdout, b.stderr), "buffer")
}

// bufferAddr is the address BIND names an in-memory buffer by, which
// changes from run to run.
var bufferAddr = regexp.MustCompile(`buffer-0x[0-9a-f]+`)

// parseBindResult reads a bind.expected file.
func parseBindResult(s string) (bindResult, error) {
	var b bindResult
	_, rest, ok := strings.Cut(s, "\nexit: ")
	if !ok {
		return b, errors.New("no exit line")
	}
	code, rest, _ := strings.Cut(rest, "\n--- stdout\n")
	n, err := strconv.Atoi(code)
	if err != nil {
		return b, fmt.Errorf("exit line: %w", err)
	}
	b.exit = n
	b.stdout, b.stderr, ok = strings.Cut(rest, "--- stderr\n")
	if !ok {
		return b, errors.New("no stderr section")
	}
	return b, nil
}

// runBIND runs named-compilezone on a case directory.
func runBIND(t *testing.T, compile, dir string) bindResult {
	t.Helper()
	cmd := exec.Command(compile, compileArgs...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("named-compilezone: %v", err)
	}
	return bindResult{exit: code, stdout: out.String(), stderr: errb.String()}
}

// bindLines returns the files and lines BIND's messages name, as
// "file:line", leaving out messages plumb does not repeat.
func bindLines(b bindResult) []string {
	re := regexp.MustCompile(`([A-Za-z0-9_./ -]+\.(?:db|inc)):(\d+):`)
	var out []string
	for _, line := range strings.Split(b.stdout+b.stderr, "\n") {
		if strings.Contains(line, "file does not end with newline") {
			continue // plumb reads such a file without a word
		}
		for _, m := range re.FindAllStringSubmatch(line, -1) {
			k := filepath.Base(strings.TrimSpace(m[1])) + ":" + m[2]
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// zoneLines returns "file:line" for each problem.
func zoneLines(es []*ZoneError) []string {
	var out []string
	for _, e := range es {
		out = append(out, filepath.Base(e.File)+":"+strconv.Itoa(e.Line))
	}
	return out
}

func TestConformance(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "conformance", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no conformance cases: %v", err)
	}
	compile, err := exec.LookPath("named-compilezone")
	if err != nil {
		t.Log("named-compilezone is not installed (Debian bind9-utils; make test installs it): the cases are compared with their stored expectations only")
		compile = ""
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := expectation(t, compile, dir)
			res, err := ParseZoneFile(filepath.Join(dir, "zone.db"), conformanceOrigin, ParseOptions{Root: dir})
			var zes ZoneErrors
			if err != nil && !errors.As(err, &zes) {
				t.Fatalf("plumb: %v", err)
			}
			if want.exit != 0 {
				if err == nil {
					t.Fatalf("BIND refuses the zone, plumb reads it:\n%s", want)
				}
				got := append(zoneLines(zes), zoneLines(res.Warnings)...)
				for _, l := range bindLines(want) {
					if !slices.Contains(got, l) {
						t.Errorf("BIND reports a problem at %s; plumb does not:\nplumb: %v\n%s", l, err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("BIND loads the zone, plumb refuses it: %v\n%s", err, want)
			}
			bind, err := ParseZone(strings.NewReader(want.stdout), "named-compilezone output", conformanceOrigin, ParseOptions{})
			if err != nil {
				t.Fatalf("reading BIND's output: %v", err)
			}
			if diff := cmp.Diff(dump(bind.Records), dump(res.Records)); diff != "" {
				t.Errorf("records differ (-BIND +plumb):\n%s", diff)
			}
			warned := zoneLines(res.Warnings)
			for _, l := range bindLines(want) {
				if !slices.Contains(warned, l) {
					t.Errorf("BIND warns at %s; plumb does not. plumb's warnings:\n%s\n%s", l, ZoneErrors(res.Warnings), want)
				}
			}
		})
	}
}

// expectation returns BIND's result for a case: the stored one, checked
// against named-compilezone when it is installed (and rewritten from it
// with -update).
func expectation(t *testing.T, compile, dir string) bindResult {
	t.Helper()
	path := filepath.Join(dir, "bind.expected")
	if compile != "" {
		live := runBIND(t, compile, dir)
		if *update {
			if err := os.WriteFile(path, []byte(live.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return live
		}
		stored, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s (run go test -update to write it from named-compilezone): %v", path, err)
		}
		if string(stored) != live.String() {
			t.Fatalf("%s is not what named-compilezone says today; check the difference and run go test -update:\n--- stored\n%s--- named-compilezone\n%s", path, stored, live)
		}
		return live
	}
	stored, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	b, err := parseBindResult(string(stored))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}
