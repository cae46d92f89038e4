package lang

import (
	"errors"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/reconcile/config"
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
		Type: templateResultType,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			expr, err := s.template(p)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			return renderTemplate(expr, args[1], funcs)
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
		expr, diags := parseTemplate(src, p)
		if diags.HasErrors() {
			return nil, diags
		}
		return expr, nil
	})
}

// templateResultType is the Type of both template functions: vars must
// be a map or object, and the result's type depends on the template (most
// give a string).
func templateResultType(args []cty.Value) (cty.Type, error) {
	if ty := args[1].Type(); !ty.IsMapType() && !ty.IsObjectType() {
		return cty.NilType, function.NewArgErrorf(1, "template variables must be a map or object, not %s", ty.FriendlyName())
	}
	return cty.DynamicPseudoType, nil
}

// parseTemplate parses src, named name in diagnostics, as a template,
// refusing one that calls a template function itself. It returns only
// errors: a function call has no way to report warnings.
func parseTemplate(src, name string) (hclsyntax.Expression, hcl.Diagnostics) {
	if d := config.CheckTemplateNesting([]byte(src), name); d.HasErrors() {
		return nil, d
	}
	expr, diags := hclsyntax.ParseTemplate([]byte(src), name, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, onlyErrors(diags)
	}
	return expr, nil
}

// renderTemplate evaluates a parsed template with the vars argument of a
// template function as its only variables and funcs as its functions.
func renderTemplate(expr hclsyntax.Expression, varsArg cty.Value, funcs map[string]function.Function) (cty.Value, error) {
	vars, err := templateVars(varsArg)
	if err != nil {
		return cty.NilVal, err
	}
	val, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: funcs})
	if diags.HasErrors() {
		return cty.NilVal, onlyErrors(diags)
	}
	return val, nil
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
var errNestedTemplate = errors.New("templatefile and templatestring cannot be called from inside a template; render the inner template in the configuration and pass the result in as a variable")

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

// templateStringFunc is templatestring(template, vars): a string (usually
// read from somewhere, such as a data source or a file) rendered as an HCL
// template with vars as its only variables. Unlike Terraform, the template
// may be any string expression, not only a reference; a literal template
// is interpolated once by the configuration itself before templatestring
// sees it, so write its ${...} as $${...}.
func templateStringFunc(funcs map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders the string as a template with the given variables.",
		Params: []function.Parameter{
			{Name: "template", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: templateResultType,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			expr, diags := parseTemplate(args[0].AsString(), "<templatestring>")
			if diags.HasErrors() {
				return cty.NilVal, function.NewArgError(0, diags)
			}
			return renderTemplate(expr, args[1], funcs)
		},
	})
}

// templateVars turns the vars argument of a template function into
// variables, checking that each name is one a template can refer to.
func templateVars(v cty.Value) (map[string]cty.Value, error) {
	vars := make(map[string]cty.Value, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		name := k.AsString()
		if !hclsyntax.ValidIdentifier(name) {
			return nil, function.NewArgErrorf(1, "template variable %q is not a valid name: use letters, digits, underscores and dashes, starting with a letter", name)
		}
		vars[name] = ev
	}
	return vars, nil
}
