package apache

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata and the example's plan")

// editCase is one testdata/edit file: a description, operations, the file
// before and the file after.
type editCase struct {
	head, ops, in, out string
}

func readEditCase(t *testing.T, name string) editCase {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var c editCase
	var ok1, ok2, ok3 bool
	rest := string(b)
	c.head, rest, ok1 = strings.Cut(rest, "-- op --\n")
	c.ops, rest, ok2 = strings.Cut(rest, "-- in --\n")
	c.in, c.out, ok3 = strings.Cut(rest, "-- out --\n")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("%s: want sections -- op --, -- in -- and -- out --", name)
	}
	return c
}

// splitList reads a comma-separated list; "-" is empty.
func splitList(s string) []string {
	if s == "-" {
		return nil
	}
	return strings.Split(s, ",")
}

// TestEditGolden applies each testdata/edit case's operations
// ("set MARKER SYNTAX ALLOW DENY" or "remove MARKER") to its input and
// compares the file with the expected output.
func TestEditGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/edit/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			c := readEditCase(t, name)
			f, err := parseFile([]byte(c.in))
			if err != nil {
				t.Fatalf("parsing the input: %v", err)
			}
			for _, op := range strings.Split(strings.TrimSpace(c.ops), "\n") {
				w := strings.Fields(op)
				switch {
				case len(w) == 5 && w[0] == "set":
					a := access{syntax: w[2], allow: splitList(w[3]), deny: splitList(w[4])}
					f.set(w[1], a.lines())
					back, err := parseBody(f.body(f.find(w[1])))
					if err != nil {
						t.Fatalf("%s: the block plumb wrote does not parse back: %v", op, err)
					}
					if a.syntax != back.syntax || strings.Join(a.allow, ",") != strings.Join(back.allow, ",") || strings.Join(a.deny, ",") != strings.Join(back.deny, ",") {
						t.Errorf("%s: the block reads back as %+v, want %+v", op, back, a)
					}
				case len(w) == 2 && w[0] == "remove":
					if !f.remove(w[1]) {
						t.Fatalf("%s: no such block", op)
					}
				default:
					t.Fatalf("bad operation %q", op)
				}
			}
			got := string(f.bytes())
			if *update {
				if err := os.WriteFile(name, []byte(c.head+"-- op --\n"+c.ops+"-- in --\n"+c.in+"-- out --\n"+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(c.out, got); diff != "" {
				t.Errorf("file after the operations (-want +got):\n%s", diff)
			}
			if _, err := parseFile([]byte(got)); err != nil {
				t.Errorf("the result does not parse: %v", err)
			}
		})
	}
}

func TestEditKeepsLineEnds(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no final line end", "Options -Indexes", "Options -Indexes\n# BEGIN plumb m\nRequire all denied\n# END plumb m\n"},
		{"CRLF", "Options -Indexes\r\nHeader set A b\r\n", "Options -Indexes\r\nHeader set A b\r\n# BEGIN plumb m\r\nRequire all denied\r\n# END plumb m\r\n"},
		{"CRLF replace", "# BEGIN plumb m\r\nRequire ip 192.0.2.1\r\n# END plumb m\r\nX y\r\n", "# BEGIN plumb m\r\nRequire all denied\r\n# END plumb m\r\nX y\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFile([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			f.set("m", access{syntax: Syntax24}.lines())
			if got := string(f.bytes()); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if body := f.body(f.find("m")); len(body) != 1 || body[0] != "Require all denied" {
				t.Errorf("body read back %q: want the line without its \\r", body)
			}
			f.remove("m")
			if strings.Contains(string(f.bytes()), "plumb") {
				t.Errorf("after remove: %q", f.bytes())
			}
		})
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"begin without end", "a\n# BEGIN plumb x\nRequire ip 192.0.2.1\n", 2, `"# BEGIN plumb x" has no "# END plumb x" after it`},
		{"end without begin", "a\n# END plumb x\n", 2, `"# END plumb x" has no "# BEGIN plumb x" above it`},
		{"nested", "# BEGIN plumb x\n# BEGIN plumb y\n# END plumb y\n# END plumb x\n", 2, "inside the block of x begun at line 1"},
		{"mismatched end", "# BEGIN plumb x\n# END plumb y\n", 2, "the open block begun at line 1 is x"},
		{"duplicate", "# BEGIN plumb x\n# END plumb x\n# BEGIN plumb x\n# END plumb x\n", 3, "a second block for x (the first begins at line 1)"},
		{"nameless", "# BEGIN plumb \n", 1, "names no resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFile([]byte(tt.in))
			var fe *markerError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *markerError", err)
			}
			if fe.Line != tt.line || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("got line %d %q, want line %d containing %q", fe.Line, fe.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    access
		errLine int // -1: no error
		errHas  string
	}{
		{"apache24 spacing and case are free", "<requireany>\n\tREQUIRE IP 192.0.2.1   192.0.2.2\n\n</RequireAny>",
			access{syntax: Syntax24, allow: []string{"192.0.2.1", "192.0.2.2"}}, -1, ""},
		{"apache24 deny", "<RequireAll>\n<RequireAny>\nRequire ip 10.0.0.0/8\n</RequireAny>\nRequire not ip 10.0.0.66\n</RequireAll>",
			access{syntax: Syntax24, allow: []string{"10.0.0.0/8"}, deny: []string{"10.0.0.66"}}, -1, ""},
		{"apache22 as cron scripts write it", "order deny,allow\nallow from 192.0.2.1\nallow from 192.0.2.2\ndeny from all",
			access{syntax: Syntax22, allow: []string{"192.0.2.1", "192.0.2.2"}}, -1, ""},
		{"empty", "", access{}, -1, ""},
		{"hand-written comment", "<RequireAny>\n# office\nRequire ip 192.0.2.1\n</RequireAny>", access{}, 1, "is not a line plumb writes"},
		{"other directive", "Require valid-user", access{}, 0, "is not a line plumb writes"},
		{"mixed syntaxes", "Require ip 192.0.2.1\nAllow from 192.0.2.2", access{}, 1, "mixes apache22 directives into an apache24 block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []string
			if tt.body != "" {
				body = strings.Split(tt.body, "\n")
			}
			got, err := parseBody(body)
			if tt.errLine >= 0 {
				var be *bodyError
				if !errors.As(err, &be) {
					t.Fatalf("error %v, want a *bodyError", err)
				}
				if be.line != tt.errLine || !strings.Contains(be.Error(), tt.errHas) {
					t.Errorf("got line %d %q, want line %d containing %q", be.line, be.Error(), tt.errLine, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(access{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" accepts
	}{
		{"203.0.113.7", ""},
		{"2001:db8::7", ""},
		{"198.51.100.0/24", ""},
		{"2001:db8::/32", ""},
		{"0.0.0.0/0", ""},
		{"", "it is empty"},
		{"203.0.113.300", "not an IP address or CIDR block"},
		{"office.example.org", "not an IP address or CIDR block"},
		{"10.1", "not an IP address or CIDR block"},
		{"198.51.100.7/24", "did you mean 198.51.100.0/24?"},
		{"10.0.0.0/255.0.0.0", "not a CIDR block"},
		{"fe80::1%eth0", "leave the zone out"},
		{"0.0.0.0", "the unspecified address"},
		{"192.0.2.1 192.0.2.2", "white space"},
	}
	for _, tt := range tests {
		err := checkAddress(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkAddress(%q) = %v, want it accepted", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("checkAddress(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}
