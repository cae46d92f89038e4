package lang

import (
	"errors"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// templateFileFunc is templatefile(path, vars): the file at path rendered
// as an HCL template, with vars (a map or object) as its only variables and
// funcs as its functions.
//
// A template that fails to parse or evaluate returns its hcl.Diagnostics as
// the error, so the message names the template file, line and column, and a
// caller can recover them with errors.As from the function call's
// diagnostic (hclsyntax.FunctionCallDiagExtra).
func (s *fileScope) templateFileFunc(funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders the template file at the given path with the given variables.",
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: func(args []cty.Value) (cty.Type, error) {
			if ty := args[1].Type(); !ty.IsMapType() && !ty.IsObjectType() {
				return cty.NilType, function.NewArgErrorf(1, "template variables must be a map or object, not %s", ty.FriendlyName())
			}
			// The result's type depends on the template; most give a string.
			return cty.DynamicPseudoType, nil
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			expr, err := s.template(p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			vars := make(map[string]cty.Value, args[1].LengthInt())
			for it := args[1].ElementIterator(); it.Next(); {
				k, v := it.Element()
				name := k.AsString()
				if !hclsyntax.ValidIdentifier(name) {
					return cty.NilVal, function.NewArgErrorf(1, "template variable %q is not a valid name: use letters, digits, underscores and dashes, starting with a letter", name)
				}
				vars[name] = v
			}
			val, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: funcs})
			if diags.HasErrors() {
				return cty.NilVal, onlyErrors(diags)
			}
			return val, nil
		},
	})
}

// template returns the parsed template at p, parsing it on first use.
func (s *fileScope) template(p string) (hclsyntax.Expression, error) {
	return s.templates.get(p, func() (hclsyntax.Expression, error) {
		src, err := s.readText(p)
		if err != nil {
			return nil, err
		}
		expr, diags := hclsyntax.ParseTemplate([]byte(src), p, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, onlyErrors(diags)
		}
		return expr, nil
	})
}

// onlyErrors drops warnings, which a function call has no way to report.
func onlyErrors(diags hcl.Diagnostics) hcl.Diagnostics {
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// errNestedTemplate explains why templates cannot render other templates.
var errNestedTemplate = errors.New("templatefile cannot be called from inside a template; render the inner template in the configuration and pass the result in as a variable")

// nestedTemplateFunc stands in for templatefile inside templates, so a
// template calling it gets a reason instead of "no such function".
var nestedTemplateFunc = function.New(&function.Spec{
	Description: "Not available inside templates.",
	Params: []function.Parameter{
		{Name: "path", Type: cty.String, AllowDynamicType: true},
		{Name: "vars", Type: cty.DynamicPseudoType, AllowDynamicType: true},
	},
	Type: func([]cty.Value) (cty.Type, error) { return cty.NilType, errNestedTemplate },
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) { return cty.NilVal, errNestedTemplate },
})
