package lang

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
)

// base64HashFunc builds a function returning the standard base64 of the
// raw digest of a string's UTF-8 bytes (not of its hex form).
func base64HashFunc(name string, newHash func() hash.Hash) function.Function {
	return stringFunc("Returns the base64 of the raw "+name+" digest of the string's UTF-8 bytes.", func(s string) (string, error) {
		h := newHash()
		h.Write([]byte(s))
		return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
	})
}

var (
	base64SHA256Func = base64HashFunc("SHA-256", sha256.New)
	base64SHA512Func = base64HashFunc("SHA-512", sha512.New)

	// base64GzipFunc compresses a string with gzip and encodes the result
	// in standard base64, as cloud-init and S3 objects want it.
	base64GzipFunc = stringFunc("Compresses the string with gzip and encodes the result as standard base64.", func(s string) (string, error) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(s)); err != nil {
			return "", fmt.Errorf("compressing: %w", err)
		}
		if err := zw.Close(); err != nil {
			return "", fmt.Errorf("compressing: %w", err)
		}
		return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
	})

	// base64GunzipFunc is base64gzip backwards. The input is left out of
	// errors, since it may be a secret.
	base64GunzipFunc = stringFunc("Decodes standard base64, decompresses the gzip stream inside and returns it as UTF-8 text.", func(s string) (string, error) {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("the string is not valid base64: %w", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", fmt.Errorf("the decoded bytes are not a gzip stream: %w", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			return "", fmt.Errorf("decompressing: %w", err)
		}
		if !utf8.Valid(out) {
			return "", errors.New("the decompressed bytes are not UTF-8 text")
		}
		return string(out), nil
	})

	// urlEncodeFunc escapes a string for a URL query, with spaces as %20
	// rather than +, as Terraform does, so it also suits path segments.
	urlEncodeFunc = stringFunc("Escapes the string for use in a URL, spaces as %20.", func(s string) (string, error) {
		return strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), nil
	})

	// urlDecodeFunc undoes urlencode: %XX escapes, and + as a space.
	urlDecodeFunc = stringFunc("Decodes %XX escapes (and + as a space) in a URL-encoded string.", func(s string) (string, error) {
		out, err := url.QueryUnescape(s)
		if err != nil {
			return "", fmt.Errorf("the string is not URL-encoded: %w", err)
		}
		return out, nil
	})

	// yamlEncodeFunc and yamlDecodeFunc use go-cty-yaml, the YAML mapping
	// Terraform uses, so documents round-trip between the two tools.
	yamlEncodeFunc = yaml.YAMLEncodeFunc
	yamlDecodeFunc = yaml.YAMLDecodeFunc
)

// textEncodeBase64Func is textencodebase64(string, encoding_name): the
// string in a named character encoding (an IANA name such as UTF-16LE or
// windows-1252), as base64.
var textEncodeBase64Func = function.New(&function.Spec{
	Description: "Encodes the string in the named character encoding and returns the bytes as standard base64.",
	Params: []function.Parameter{
		{Name: "string", Type: cty.String},
		{Name: "encoding_name", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, err := textEncoding(1, args[1].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		out, err := enc.NewEncoder().String(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "the string has characters %s cannot represent", args[1].AsString())
		}
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(out))), nil
	},
})

// textDecodeBase64Func is textdecodebase64(source, encoding_name): base64
// bytes in a named character encoding, as a string.
var textDecodeBase64Func = function.New(&function.Spec{
	Description: "Decodes standard base64 and reads the bytes as text in the named character encoding.",
	Params: []function.Parameter{
		{Name: "source", Type: cty.String},
		{Name: "encoding_name", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		enc, err := textEncoding(1, args[1].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		raw, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "the string is not valid base64: %w", err)
		}
		out, err := enc.NewDecoder().Bytes(raw)
		if err != nil || !utf8.Valid(out) {
			return cty.NilVal, function.NewArgErrorf(0, "the bytes are not valid %s text", args[1].AsString())
		}
		return cty.StringVal(string(out)), nil
	},
})

// textEncoding finds a character encoding by its IANA name.
func textEncoding(arg int, name string) (encoding.Encoding, error) {
	enc, err := ianaindex.IANA.Encoding(name)
	if err != nil || enc == nil {
		return nil, function.NewArgErrorf(arg, "%q is not a character encoding plumb knows; use an IANA name such as UTF-8, UTF-16LE or windows-1252", name)
	}
	return enc, nil
}
