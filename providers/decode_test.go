package providers

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

var recordTy = cty.Object(map[string]cty.Type{"name": cty.String, "ttl": cty.Number})

var decodeSchema = Schema{Attributes: map[string]*Attribute{
	"name":    {Type: cty.String, Required: true},
	"records": {Type: cty.List(recordTy), Optional: true},
	"tags":    {Type: cty.Map(cty.String), Optional: true},
}}

// The BodyDecoder gives what hcldec gives with DecoderSpec: the same value
// for a good body, an error at the same place for a bad one.
func TestBodyDecoderAgreesWithHCLDec(t *testing.T) {
	for _, src := range []string{
		`name = "a"`,
		`name = "a"
records = [for i in range(3) : { name = "h${i}", ttl = i * 60 }]
tags = { a = "x", b = 2 }`,
		`name = "a"
records = []`,
		`name = "a"
records = [{ name = "x", ttl = "300" }]`,
		`name = "a"
records = [{ name = "x", ttl = "soon" }]`,
		`name = "a"
records = "not a list"`,
		`records = []`,
	} {
		t.Run(strings.ReplaceAll(src, "\n", " "), func(t *testing.T) {
			f, diags := hclsyntax.ParseConfig([]byte(src), "main.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ctx := &hcl.EvalContext{Functions: map[string]function.Function{"range": stdlib.RangeFunc}}
			want, wantDiags := hcldec.Decode(f.Body, decodeSchema.DecoderSpec(), ctx)
			got, gotDiags := decodeSchema.Decoder().Decode(f.Body, ctx)
			if wantDiags.HasErrors() != gotDiags.HasErrors() {
				t.Fatalf("hcldec: %v\nBodyDecoder: %v", wantDiags, gotDiags)
			}
			if wantDiags.HasErrors() {
				w, g := wantDiags[0], gotDiags[0]
				if w.Summary != g.Summary || w.Subject == nil || g.Subject == nil || w.Subject.Start.Line != g.Subject.Start.Line {
					t.Errorf("hcldec: %v at %v\nBodyDecoder: %v at %v", w.Summary, w.Subject, g.Summary, g.Subject)
				}
				return
			}
			if !got.RawEquals(want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}
