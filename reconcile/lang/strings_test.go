package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestPlumbStringFunctions(t *testing.T) {
	runCases(t, ".", []exprCase{
		{expr: `replace("a.b.c", ".", "-")`, want: cty.StringVal("a-b-c")},
		{expr: `replace("host-12-34", "/[0-9]+/", "N")`, want: cty.StringVal("host-N-N")},
		{expr: `replace("www.example.org", "/^(\\w+)\\.(.*)$/", "$2 ($1)")`, want: cty.StringVal("example.org (www)")},
		{expr: `replace("a/b", "/", "_")`, want: cty.StringVal("a_b")},
		{expr: `replace("a//b", "//", "_")`, want: cty.StringVal("a_b")},
		{expr: `replace(var.str, "a", "b")`, want: cty.UnknownVal(cty.String)},
		{expr: `replace("a", "/(/", "b")`, wantErr: "invalid regular expression /(/"},

		{expr: `startswith("www.example.org", "www.")`, want: cty.True},
		{expr: `startswith("example.org", "www.")`, want: cty.False},
		{expr: `endswith("example.org.", ".")`, want: cty.True},
		{expr: `endswith("example.org", ".")`, want: cty.False},
		{expr: `strcontains("example.org", "ample")`, want: cty.True},
		{expr: `strcontains("example.org", "xyz")`, want: cty.False},
		{expr: `startswith(var.str, "a")`, want: cty.UnknownVal(cty.Bool)},

		{expr: `base64encode("hello")`, want: cty.StringVal("aGVsbG8=")},
		{expr: `base64decode("aGVsbG8=")`, want: cty.StringVal("hello")},
		{expr: `base64decode("not base64!")`, wantErr: "not valid base64"},
		{expr: `base64decode("//79")`, wantErr: "not UTF-8 text"},
		{expr: `md5("hello")`, want: cty.StringVal("5d41402abc4b2a76b9719d911017c592")},
		{expr: `sha1("hello")`, want: cty.StringVal("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")},
		{expr: `sha256("hello")`, want: cty.StringVal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")},
		{expr: `sha512("hello")`, want: cty.StringVal("9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043")},
		{expr: `sha256(var.str)`, want: cty.UnknownVal(cty.String)},
	})
}

// TestSensitiveStaysMarked checks that a marked argument marks the result,
// so a secret hashed or encoded is still printed as (sensitive).
func TestSensitiveStaysMarked(t *testing.T) {
	funcs := Functions(".")
	for _, src := range []string{
		`sha256(var.secret)`,
		`base64encode(var.secret)`,
		`replace(var.secret, "/h/", "H")`,
		`startswith(var.secret, "h")`,
		`length(var.secret)`,
		`coalesce("", var.secret)`,
	} {
		t.Run(src, func(t *testing.T) {
			got, diags := evalExpr(t, funcs, src)
			if diags.HasErrors() {
				t.Fatalf("%s: %s", src, diags.Error())
			}
			if !got.HasMark("sensitive") {
				t.Errorf("%s = %#v, want it marked sensitive", src, got)
			}
		})
	}
}
