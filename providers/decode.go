package providers

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
	"github.com/plumbhq/plumb/internal/forexpr"
)

// BodyDecoder decodes configuration bodies of one schema. It decodes as
// DecoderSpec does, except that top-level attributes of a collection type
// are read as written and then converted to their type by ctyconv, in
// time linear in their size: hcldec's conversion (cty's) turns a tuple,
// which every for-expression makes, into a list in quadratic time, so
// records = [for r in zonefile(...) : r] over a large zone took minutes.
type BodyDecoder struct {
	spec hcldec.ObjectSpec
	// lazy are the attributes converted after decoding, with their types.
	lazy map[string]cty.Type
}

// Decoder returns the BodyDecoder of the schema. Make it once per schema.
func (s Schema) Decoder() *BodyDecoder {
	d := &BodyDecoder{spec: s.DecoderSpec().(hcldec.ObjectSpec), lazy: map[string]cty.Type{}}
	for name, a := range s.Attributes {
		spec, ok := d.spec[name].(*hcldec.AttrSpec)
		if !ok || !(a.Type.IsCollectionType()) || a.Type.HasDynamicTypes() {
			continue
		}
		d.spec[name] = &hcldec.AttrSpec{Name: name, Type: cty.DynamicPseudoType, Required: spec.Required}
		d.lazy[name] = a.Type
	}
	return d
}

// Spec is the hcldec specification the decoder reads bodies with: its
// attribute names are DecoderSpec's, for hcldec.Variables and the like.
func (d *BodyDecoder) Spec() hcldec.Spec { return d.spec }

// Decode evaluates body as hcldec.Decode does with DecoderSpec, with the
// same diagnostics for a value of the wrong type.
func (d *BodyDecoder) Decode(body hcl.Body, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := hcldec.Decode(fastBody{body}, d.spec, ctx)
	if diags.HasErrors() || len(d.lazy) == 0 || !v.IsKnown() || v.IsNull() {
		return v, diags
	}
	vals := v.AsValueMap()
	for name, ty := range d.lazy {
		raw, ok := vals[name]
		if !ok {
			continue
		}
		c, err := ctyconv.Convert(raw, ty)
		if err != nil {
			diag := &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Incorrect attribute value type",
				Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err),
			}
			r := hcldec.SourceRange(body, &hcldec.AttrSpec{Name: name, Type: cty.DynamicPseudoType})
			diag.Subject = &r
			diags = append(diags, diag)
			continue
		}
		vals[name] = c
	}
	if diags.HasErrors() {
		return cty.UnknownVal(cty.DynamicPseudoType), diags
	}
	return cty.ObjectVal(vals), diags
}

// fastBody is a body whose top-level attributes' for-expressions are
// evaluated by forexpr, which gives HCL's results in a fraction of the
// time for the simple ones over long lists (a zone's records filtered by
// type). Nested blocks' bodies are left as they are, with whatever marks
// they give hcldec (hcldec.MarkedBody: only a block's body marks its value).
type fastBody struct{ hcl.Body }

func (b fastBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, diags := b.Body.Content(schema)
	return fastContent(c), diags
}

func (b fastBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	c, rest, diags := b.Body.PartialContent(schema)
	return fastContent(c), rest, diags
}

// fastContent is c with its attributes' expressions wrapped by forexpr;
// c itself is left as it is.
func fastContent(c *hcl.BodyContent) *hcl.BodyContent {
	if c == nil {
		return nil
	}
	out := *c
	out.Attributes = make(hcl.Attributes, len(c.Attributes))
	for name, a := range c.Attributes {
		if w, ok := forexpr.Wrap(a.Expr); ok {
			copied := *a
			copied.Expr = w
			a = &copied
		}
		out.Attributes[name] = a
	}
	return &out
}
