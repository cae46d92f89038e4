package lang

import (
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/crypto/bcrypt"
)

// TestTerraformFunctions covers the functions added so that Terraform
// configurations run unchanged; the expected values are Terraform's
// answers for the same calls.
func TestTerraformFunctions(t *testing.T) {
	runCases(t, "testdata", []exprCase{
		// Encodings and digests.
		{expr: `base64sha256("hello world")`, want: cty.StringVal("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")},
		{expr: `base64sha512("hello world")`, want: cty.StringVal("MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==")},
		{expr: `base64gunzip("H4sIAAAAAAAA/ypJLS4BAAAA//8BAAD//wx+f9gEAAAA")`, want: cty.StringVal("test")},
		{expr: `base64gunzip(base64gzip("zone data\n"))`, want: cty.StringVal("zone data\n")},
		{expr: `base64gunzip("aGVsbG8=")`, wantErr: "not a gzip stream"},
		{expr: `base64gunzip("!!")`, wantErr: "not valid base64"},
		{expr: `urlencode("Hello World!")`, want: cty.StringVal("Hello%20World%21")},
		{expr: `urlencode("foo:bar@localhost?foo=bar&bar=baz")`, want: cty.StringVal("foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz")},
		{expr: `urlencode("☃")`, want: cty.StringVal("%E2%98%83")},
		{expr: `urldecode("Hello%20World%21+x")`, want: cty.StringVal("Hello World! x")},
		{expr: `urldecode("%zz")`, wantErr: "not URL-encoded"},
		{expr: `textencodebase64("Hello World", "UTF-16LE")`, want: cty.StringVal("SABlAGwAbABvACAAVwBvAHIAbABkAA==")},
		{expr: `textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")`, want: cty.StringVal("Hello World")},
		{expr: `textencodebase64("é", "windows-1252")`, want: cty.StringVal("6Q==")},
		{expr: `textencodebase64("x", "klingon")`, wantErr: `"klingon" is not a character encoding`},
		{expr: `yamlencode({a = "b", c = ["d", 1]})`, want: cty.StringVal("\"a\": \"b\"\n\"c\":\n- \"d\"\n- 1\n")},
		{expr: `yamldecode("hello: world\ncount: 2")`, want: cty.ObjectVal(map[string]cty.Value{"hello": cty.StringVal("world"), "count": num(2)})},
		{expr: `yamldecode("n: 1")`, want: cty.ObjectVal(map[string]cty.Value{"false": num(1)})}, // YAML 1.1, as Terraform reads it
		{expr: `uuidv5("dns", "www.terraform.io")`, want: cty.StringVal("a5008fae-b28c-5ba5-96cd-82b4c53552d6")},
		{expr: `uuidv5("url", "https://www.terraform.io/")`, want: cty.StringVal("9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5")},
		{expr: `uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x")`, want: cty.StringVal("05b16a01-46c6-56dd-bd6e-c6dfb4a1427a")},
		{expr: `uuidv5("bogus", "x")`, wantErr: "neither dns, url, oid, x500 nor a UUID"},

		// Files: digests of the bytes of testdata/hello.txt ("hello\n").
		{expr: `filemd5("hello.txt")`, want: cty.StringVal("b1946ac92492d2347c6235b4d2611184")},
		{expr: `filesha1("hello.txt")`, want: cty.StringVal("f572d396fae9206628714fb2ce00f72e94f2258f")},
		{expr: `filesha256("hello.txt")`, want: cty.StringVal("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")},
		{expr: `filesha512("hello.txt")`, want: cty.StringVal("e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629")},
		{expr: `filebase64sha256("hello.txt")`, want: cty.StringVal("WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=")},
		{expr: `filebase64sha512("hello.txt")`, want: cty.StringVal("58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==")},
		{expr: `filemd5("missing.txt")`, wantErr: "no file exists"},
		{expr: `fileset("nowhere", "**")`, want: strSet()},

		// Collections.
		{expr: `lookup({a = "x"}, "a")`, want: cty.StringVal("x")},
		{expr: `lookup({a = "x"}, "b")`, wantErr: `no attribute "b"`},
		{expr: `lookup(tomap({a = "x"}), "b")`, wantErr: `the map has no key "b"`},
		{expr: `lookup({a = "x"}, "b", null)`, want: cty.NullVal(cty.DynamicPseudoType)},
		{expr: `lookup(tomap({a = "x"}), "b", null)`, want: cty.NullVal(cty.String)},
		{expr: `lookup(tomap({a = 1}), "b", 2)`, want: num(2)},
		{expr: `lookup(var.map, "a", "z")`, want: cty.UnknownVal(cty.String)},
		{expr: `matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])`, want: strs("i-abc", "i-def")},
		{expr: `matchkeys(["a"], ["x"], ["y"])`, want: cty.ListValEmpty(cty.String)},
		{expr: `matchkeys(["a", "b"], ["x"], ["x"])`, wantErr: "keys has 1 elements but values has 2"},
		{expr: `transpose({a = ["1", "2"], b = ["2", "3"]})`, want: cty.MapVal(map[string]cty.Value{"1": strs("a"), "2": strs("a", "b"), "3": strs("b")})},

		// Networks.
		{expr: `cidrhost("010.001.2.0/24", 1)`, want: cty.StringVal("10.1.2.1")},
		{expr: `cidrsubnet("010.001.0.0/16", 8, 2)`, want: cty.StringVal("10.1.2.0/24")},
		{expr: `cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, want: strs("10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20")},
		{expr: `cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)`, want: strs("fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88")},
		{expr: `cidrsubnets("10.0.0.0/8")`, want: cty.ListValEmpty(cty.String)},
		{expr: `cidrsubnets("10.0.0.0/30", 1, 1, 1)`, wantErr: "no room left"},
		{expr: `cidrsubnets("10.0.0.0/30", 3)`, wantErr: "cannot extend 10.0.0.0/30 by 3 bits"},

		// Time.
		{expr: `timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")`, want: num(0)},
		{expr: `timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")`, want: num(-1)},
		{expr: `timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")`, want: num(0)},
		{expr: `timecmp("2017-11-23T00:00:00Z", "2017-11-22T00:00:00Z")`, want: num(1)},
		{expr: `timecmp("yesterday", "2017-11-22T00:00:00Z")`, wantErr: "not an RFC 3339 timestamp"},
		{expr: `plantimestamp()`, want: cty.UnknownVal(cty.String)},

		// Templates.
		{expr: `templatestring("Hello, $${name}!", {name = "World"})`, want: cty.StringVal("Hello, World!")},
		{expr: `templatestring("%%{ for x in xs }$${x};%%{ endfor }", {xs = ["a", "b"]})`, want: cty.StringVal("a;b;")},
		{expr: `templatestring("$${upper(name)}", {name = "x"})`, want: cty.StringVal("X")},
		{expr: `templatestring("$${nope}", {})`, wantErr: "Unknown variable"},
		{expr: `templatestring("x", "y")`, wantErr: "template variables must be a map or object"},

		// The core:: namespace names the same functions.
		{expr: `core::upper("x")`, want: cty.StringVal("X")},
		{expr: `core::lookup({a = 1}, "a")`, want: num(1)},
		{expr: `core::cidrhost("10.0.0.0/8", 5)`, want: cty.StringVal("10.0.0.5")},
	})
}

func TestPlanTimestamp(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	funcs := FunctionsAt("testdata", at)
	for range 2 {
		got, diags := evalExpr(t, funcs, `plantimestamp()`)
		if diags.HasErrors() || got != cty.StringVal("2024-05-01T10:30:00Z") {
			t.Fatalf("plantimestamp() = %#v, %s; want the plan's time in UTC every call", got, diags.Error())
		}
	}
}

func TestBcrypt(t *testing.T) {
	funcs := Functions("testdata")
	for _, tc := range []struct {
		expr, prefix string
	}{
		{`bcrypt("hunter2")`, "$2a$10$"},
		{`bcrypt("hunter2", 4)`, "$2a$04$"},
	} {
		got, diags := evalExpr(t, funcs, tc.expr)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.expr, diags.Error())
		}
		h := got.AsString()
		if !strings.HasPrefix(h, tc.prefix) {
			t.Errorf("%s = %q, want the prefix %q", tc.expr, h, tc.prefix)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(h), []byte("hunter2")); err != nil {
			t.Errorf("%s = %q does not verify: %v", tc.expr, h, err)
		}
	}
	if _, diags := evalExpr(t, funcs, `bcrypt("x", 99)`); !diags.HasErrors() || !strings.Contains(diags.Error(), "cost must be between") {
		t.Errorf("bcrypt with cost 99: %v, want a refusal", diags)
	}
	long := strings.Repeat("p", 80)
	_, diags := evalExpr(t, funcs, `bcrypt("`+long+`", 4)`)
	if !diags.HasErrors() || strings.Contains(diags.Error(), long) {
		t.Errorf("bcrypt of 80 bytes: %v; want an error that does not repeat the password", diags)
	}
}

func TestSensitiveFunctions(t *testing.T) {
	funcs := Functions("testdata")
	for _, tc := range []struct {
		expr      string
		want      cty.Value
		sensitive bool
	}{
		{`issensitive(sensitive("x"))`, cty.True, false},
		{`issensitive("x")`, cty.False, false},
		{`issensitive(var.secret)`, cty.True, false},
		{`issensitive(var.str)`, cty.False, false},
		{`issensitive(nonsensitive(var.secret))`, cty.False, false},
		{`nonsensitive(var.secret)`, cty.StringVal("hunter2"), false},
		{`nonsensitive("plain")`, cty.StringVal("plain"), false},
		{`nonsensitive({a = var.secret, b = "x"})`, cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("hunter2"), "b": cty.StringVal("x")}), false},
		{`sensitive(1)`, num(1), true},
		{`upper(sensitive("x"))`, cty.StringVal("X"), true},
	} {
		got, diags := evalExpr(t, funcs, tc.expr)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.expr, diags.Error())
		}
		if got.HasMark(SensitiveMark) != tc.sensitive || (!tc.sensitive && got.ContainsMarked()) {
			t.Errorf("%s = %#v: sensitive %t, want %t", tc.expr, got, got.HasMark(SensitiveMark), tc.sensitive)
		}
		if plain, _ := got.UnmarkDeep(); !plain.RawEquals(tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.expr, plain, tc.want)
		}
	}
}
