package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/plumbhq/plumb/reconcile/config"
)

// VarEnvPrefix starts the name of an environment variable that sets a
// root variable: PLUMB_VAR_region=eu-west-1.
const VarEnvPrefix = "PLUMB_VAR_"

// AutoVarFiles are the variable files plumb reads from the configuration
// folder without being told, in this order: the project's own file, then
// every *.auto.plumbvars and *.auto.plumbvars.json file in lexical order.
// Each has the HCL form (NAME = VALUE lines) or, ending in .json, the JSON
// form ({"NAME": VALUE}). They do not end in .hcl, so they are never read
// as configuration.
var AutoVarFiles = []string{"plumb.plumbvars", "plumb.plumbvars.json", "*.auto.plumbvars", "*.auto.plumbvars.json"}

// Inputs are the sources of root variable values, in increasing order of
// precedence, later winning: defaults, Env, the AutoVarFiles, VarFiles
// (in order), Vars (in order), then Args in the order given, as
// Terraform applies -var and -var-file.
type Inputs struct {
	// Vars are -var arguments, each NAME=VALUE.
	Vars []string
	// VarFiles are -var-file paths.
	VarFiles []string
	// Args are -var and -var-file arguments in command-line order.
	Args []VarArg
	// Values are given values that win over every other source, as the
	// variables of a plumb test run do; they are validated like the rest.
	Values map[string]cty.Value
	// Env is the process environment (os.Environ()); only PLUMB_VAR_*
	// entries are read.
	Env []string
	// Fixed, when set, are values from a saved plan; they take the place
	// of every other source.
	Fixed map[string]cty.Value
	// AllowMissing makes a required variable without a value unknown
	// instead of an error, for validate.
	AllowMissing bool
}

// VarArg is one -var NAME=VALUE (File false) or -var-file PATH (File
// true) argument.
type VarArg struct {
	File  bool
	Value string
}

// rawValue is one variable value before it is converted to its type.
type rawValue struct {
	text  string         // from -var or the environment
	expr  hcl.Expression // from a var file
	where string
}

// resolveVariables computes every root variable's value and checks the
// validation blocks.
func resolveVariables(cfg *config.Config, in Inputs, funcs evalFuncs) (map[string]cty.Value, hcl.Diagnostics) {
	if in.Fixed != nil {
		return in.Fixed, nil
	}
	var diags hcl.Diagnostics
	raw := map[string]rawValue{}
	for _, kv := range in.Env {
		name, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, VarEnvPrefix) {
			n := strings.TrimPrefix(name, VarEnvPrefix)
			if _, declared := cfg.Variables[n]; declared {
				raw[n] = rawValue{text: val, where: "environment variable " + name}
			}
		}
	}
	args := make([]VarArg, 0, len(in.VarFiles)+len(in.Vars)+len(in.Args))
	for _, path := range autoVarFiles(cfg.Dir) {
		args = append(args, VarArg{File: true, Value: path})
	}
	for _, path := range in.VarFiles {
		args = append(args, VarArg{File: true, Value: path})
	}
	for _, kv := range in.Vars {
		args = append(args, VarArg{Value: kv})
	}
	args = append(args, in.Args...)
	for _, arg := range args {
		if arg.File {
			diags = append(diags, readVarFile(cfg, arg.Value, raw)...)
			continue
		}
		kv := arg.Value
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -var option", Detail: fmt.Sprintf("%q must be NAME=VALUE, for example -var 'region=eu-west-1'.", kv)})
			continue
		}
		if _, declared := cfg.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable", Detail: fmt.Sprintf("-var sets %q, but no variable %q block declares it.", name, name)})
			continue
		}
		raw[name] = rawValue{text: val, where: "-var " + name}
	}
	for _, name := range keys(in.Values) {
		if _, declared := cfg.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable", Detail: fmt.Sprintf("The test sets %q, but no variable %q block declares it.", name, name)})
			continue
		}
		raw[name] = rawValue{expr: hcl.StaticExpr(in.Values[name], hcl.Range{}), where: "the test's variables"}
	}

	out := map[string]cty.Value{}
	names := keys(cfg.Variables)
	for _, name := range names {
		v := cfg.Variables[name]
		if _, ok := raw[name]; !ok && v.Default == cty.NilVal && in.AllowMissing {
			out[name] = cty.UnknownVal(v.Type)
			continue
		}
		val, vdiags := variableValue(v, raw[name], funcs)
		diags = append(diags, vdiags...)
		out[name] = val
	}
	if diags.HasErrors() {
		return out, diags
	}
	// Validation sees sensitive variables marked, so that neither a
	// failed function in a condition nor an error message repeats them.
	marked := make(map[string]cty.Value, len(out))
	for name, v := range out {
		if cfg.Variables[name].Sensitive {
			v = v.Mark(sensitiveMark)
		}
		marked[name] = v
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(marked)}, Functions: funcs}
	for _, name := range names {
		for _, val := range cfg.Variables[name].Validations {
			// One that refers to locals, data sources or resources is
			// checked in the walk, once they have values.
			if !validatesInWalk(val, name, true) {
				diags = append(diags, checkValidation(ctx, name, val)...)
			}
		}
	}
	return out, diags
}

// autoVarFiles lists the AutoVarFiles present in dir, in the order they
// are read.
func autoVarFiles(dir string) []string {
	var out []string
	for _, name := range AutoVarFiles[:2] {
		p := filepath.Join(dir, name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	var auto []string
	for _, pattern := range AutoVarFiles[2:] {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		auto = append(auto, matches...)
	}
	sort.Strings(auto)
	return append(out, auto...)
}

// readVarFile reads the values of a variables file into raw: HCL, or
// JSON when the name ends in .json. A value for a variable the
// configuration does not declare is a warning, as in Terraform, so one
// file can serve several configurations.
func readVarFile(cfg *config.Config, path string, raw map[string]rawValue) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: fmt.Sprintf("%v. Check the -var-file path.", err)}}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	// JSON's brackets and strings read the same to the nesting check.
	if d := config.CheckNesting(src, path); d.HasErrors() {
		return d
	}
	if strings.HasSuffix(path, ".json") {
		f, diags = hcljson.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	}
	if diags.HasErrors() {
		return diags
	}
	attrs, adiags := f.Body.JustAttributes()
	diags = append(diags, adiags...)
	for _, name := range keys(attrs) {
		a := attrs[name]
		if _, declared := cfg.Variables[name]; !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning, Summary: "Value for undeclared variable",
				Detail:  fmt.Sprintf("%s sets %q, but no variable %q block declares it, so the value is not used. Declare the variable or remove the line.", path, name, name),
				Subject: a.NameRange.Ptr(),
			})
			continue
		}
		expr := a.Expr
		if strings.HasSuffix(path, ".json") {
			// JSON strings are values, never templates: "${x}" stays as
			// written, as Terraform reads .tfvars.json.
			v, vdiags := expr.Value(nil)
			diags = append(diags, vdiags...)
			if vdiags.HasErrors() {
				continue
			}
			if !v.IsWhollyKnown() {
				// Only a file that failed to parse leaves unknown
				// placeholders; its parse error is reported already.
				continue
			}
			expr = hcl.StaticExpr(v, expr.Range())
		}
		raw[name] = rawValue{expr: expr, where: path}
	}
	return diags
}

// evalFuncs is the function table used to evaluate expressions.
type evalFuncs = map[string]function.Function

func variableValue(v *config.Variable, r rawValue, funcs evalFuncs) (cty.Value, hcl.Diagnostics) {
	var val cty.Value
	switch {
	case r.expr != nil:
		var diags hcl.Diagnostics
		val, diags = r.expr.Value(&hcl.EvalContext{Functions: funcs})
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
	case r.where != "":
		if v.Type.IsPrimitiveType() || v.Type == cty.DynamicPseudoType {
			val = cty.StringVal(r.text)
		} else {
			if d := config.CheckNesting([]byte(r.text), r.where); d.HasErrors() {
				return cty.DynamicVal, d
			}
			expr, diags := hclsyntax.ParseExpression([]byte(r.text), r.where, hcl.InitialPos)
			if diags.HasErrors() {
				return cty.DynamicVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid value for variable " + v.Name,
					Detail: fmt.Sprintf("The value from %s is not a valid HCL expression for type %s: %s.", r.where, typeexpr.TypeString(v.Type), diags[0].Detail)}}
			}
			var vdiags hcl.Diagnostics
			val, vdiags = expr.Value(&hcl.EvalContext{Functions: funcs})
			if vdiags.HasErrors() {
				return cty.DynamicVal, vdiags
			}
		}
	case v.Default != cty.NilVal:
		return v.Default, nil
	default:
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No value for required variable " + v.Name,
			Detail:   fmt.Sprintf("Variable %q has no default. Set it with -var '%s=...', a -var-file, or the environment variable %s%s.", v.Name, v.Name, VarEnvPrefix, v.Name),
			Subject:  v.DeclRange.Ptr(),
		}}
	}
	conv, err := v.Value(val)
	switch {
	case errors.Is(err, config.ErrNullNotAllowed):
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable " + v.Name,
			Detail:   fmt.Sprintf("%s gives null, but %s.", r.where, err),
			Subject:  v.DeclRange.Ptr(),
		}}
	case err != nil:
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable " + v.Name,
			Detail:   fmt.Sprintf("The value from %s does not fit type %s: %s.", r.where, typeexpr.TypeString(v.Type), err),
			Subject:  v.DeclRange.Ptr(),
		}}
	}
	return conv, nil
}

func checkValidation(ctx *hcl.EvalContext, name string, val *config.Validation) hcl.Diagnostics {
	cond, diags := val.Condition.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	cond, _ = cond.Unmark()
	if !cond.IsKnown() {
		return nil // depends on values known later: checked then
	}
	cond, err := convert.Convert(cond, cty.Bool)
	if err != nil || cond.IsNull() {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid validation condition", Detail: "The condition must be true or false.", Subject: val.Condition.Range().Ptr()}}
	}
	if cond.True() {
		return nil
	}
	msg, mdiags := val.ErrorMessage.Value(ctx)
	text := "The value is not valid."
	switch {
	case msg.ContainsMarked():
		text = "The value is not valid. (The error message refers to a sensitive value, so it is not shown.)"
	case !mdiags.HasErrors() && msg.Type() == cty.String && msg.IsKnown() && !msg.IsNull():
		text = msg.AsString()
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for variable " + name,
		Detail:   text,
		Subject:  val.DeclRange.Ptr(),
	}}
}
