package providers

import (
	"fmt"
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
		// For-expressions that internal/forexpr evaluates, and ones it
		// leaves to HCL.
		`name = "a"
records = [for r in var.recs : r if r.name != "skip"]`,
		`name = "a"
records = [for i, r in var.recs : r if i == 1 || r.ttl == 60]`,
		`name = "a"
records = [for r in var.recs : r if r.ttl == "60"]`,
		`name = "a"
records = [for r in var.recs : r if r.name != var.secret]`,
		`name = "a"
records = [for r in var.unknown : r if r.name != "skip"]`,
		`name = "a"
records = [for r in var.recs : r.name if r.name != "skip"]`,
		`name = "a"
records = [for r in var.recs : r if r.missing != "skip"]`,
		`name = "a"
records = [for r in var.recs : r if length(r.name) > 1]`,
	} {
		t.Run(strings.ReplaceAll(src, "\n", " "), func(t *testing.T) {
			f, diags := hclsyntax.ParseConfig([]byte(src), "main.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ctx := &hcl.EvalContext{
				Functions: map[string]function.Function{"range": stdlib.RangeFunc, "length": stdlib.LengthFunc},
				Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
					"recs":    recordList(3, "skip"),
					"secret":  cty.StringVal("skip").Mark("sensitive"),
					"unknown": cty.UnknownVal(cty.List(recordTy)),
				})},
			}
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

// recordList returns n records h0, h1, …, and one more named extra.
func recordList(n int, extra string) cty.Value {
	vals := make([]cty.Value, 0, n+1)
	for i := range n {
		vals = append(vals, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(fmt.Sprint("h", i)), "ttl": cty.NumberIntVal(int64(60 * (i % 3)))}))
	}
	vals = append(vals, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(extra), "ttl": cty.NumberIntVal(60)}))
	return cty.ListVal(vals)
}

// BenchmarkForExpressionDecode decodes records = [for r in … : r if …]
// over lists of two sizes through the BodyDecoder, as the engine decodes
// a bind_zone's records: a condition internal/forexpr evaluates
// ("compiled") and one HCL evaluates element by element ("hcl"). The
// for-expression must cost O(n): the time per element (ns/elem) stays
// the same from 100,000 to 1,000,000 elements.
func BenchmarkForExpressionDecode(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		list := recordList(n, "skip")
		ctx := &hcl.EvalContext{
			Functions: map[string]function.Function{"lower": stdlib.LowerFunc},
			Variables: map[string]cty.Value{"recs": list},
		}
		for _, c := range []struct{ name, expr string }{
			{"compiled", `[for r in recs : r if r.name != "skip"]`},
			{"hcl", `[for r in recs : r if lower(r.name) != "skip"]`},
		} {
			f, diags := hclsyntax.ParseConfig([]byte("name = \"a\"\nrecords = "+c.expr+"\n"), "main.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			d := decodeSchema.Decoder()
			b.Run(fmt.Sprintf("%s/n=%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					v, diags := d.Decode(f.Body, ctx)
					if diags.HasErrors() {
						b.Fatal(diags)
					}
					if got := v.GetAttr("records").LengthInt(); got != n {
						b.Fatalf("%d records, want %d", got, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
	}
}
