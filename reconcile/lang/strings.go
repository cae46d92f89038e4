package lang

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// replaceFunc is replace(str, search, replacement) with Terraform's rule:
// a search string written between slashes, like "/[0-9]+/", is a regular
// expression, and the replacement may then refer to its groups as $1 or
// ${name}. Unlike Terraform, "//" is the literal two slashes, not an empty
// expression that matches between every character.
var replaceFunc = function.New(&function.Spec{
	Description: `Replaces every occurrence of a substring, or of a regular expression written as "/re/", with the replacement.`,
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "search", Type: cty.String},
		{Name: "replacement", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		str, search, repl := args[0].AsString(), args[1].AsString(), args[2].AsString()
		if len(search) > 2 && strings.HasPrefix(search, "/") && strings.HasSuffix(search, "/") {
			re, err := regexp.Compile(search[1 : len(search)-1])
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(1, "invalid regular expression %s: %w", search, err)
			}
			return cty.StringVal(re.ReplaceAllString(str, repl)), nil
		}
		return cty.StringVal(strings.ReplaceAll(str, search, repl)), nil
	},
})

// stringTest builds a function of two strings that returns a bool.
func stringTest(desc, second string, test func(s, t string) bool) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Params: []function.Parameter{
			{Name: "str", Type: cty.String},
			{Name: second, Type: cty.String},
		},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

var (
	// startsWithFunc is startswith(str, prefix).
	startsWithFunc = stringTest("Reports whether the string begins with the prefix.", "prefix", strings.HasPrefix)
	// endsWithFunc is endswith(str, suffix).
	endsWithFunc = stringTest("Reports whether the string ends with the suffix.", "suffix", strings.HasSuffix)
	// strContainsFunc is strcontains(str, substr).
	strContainsFunc = stringTest("Reports whether the string contains the substring.", "substr", strings.Contains)
)

// stringFunc builds a function from one string to another.
func stringFunc(desc string, impl func(s string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Description:  desc,
		Params:       []function.Parameter{{Name: "str", Type: cty.String}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			out, err := impl(args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return cty.StringVal(out), nil
		},
	})
}

// hashFunc builds a function returning the lowercase hex digest of a
// string's UTF-8 bytes.
func hashFunc(name string, newHash func() hash.Hash) function.Function {
	return stringFunc("Returns the hexadecimal "+name+" digest of the string's UTF-8 bytes.", func(s string) (string, error) {
		h := newHash()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil)), nil
	})
}

var (
	md5Func    = hashFunc("MD5", md5.New)
	sha1Func   = hashFunc("SHA-1", sha1.New)
	sha256Func = hashFunc("SHA-256", sha256.New)
	sha512Func = hashFunc("SHA-512", sha512.New)

	// base64EncodeFunc encodes a string's UTF-8 bytes in standard base64.
	base64EncodeFunc = stringFunc("Encodes the string's UTF-8 bytes as standard base64.", func(s string) (string, error) {
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	})

	// base64DecodeFunc decodes standard base64 into UTF-8 text. The input is
	// left out of errors, since it may be a secret.
	base64DecodeFunc = stringFunc("Decodes standard base64 holding UTF-8 text.", func(s string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("the string is not valid base64: %w", err)
		}
		if !utf8.Valid(b) {
			return "", errors.New("the decoded bytes are not UTF-8 text; base64decode returns only text")
		}
		return string(b), nil
	})
)
