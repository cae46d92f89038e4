package config

import (
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// FileSuffix is the file name ending of configuration files.
const FileSuffix = ".hcl"

// TestFileSuffix ends the names of plumb test files, which are HCL but
// not configuration.
const TestFileSuffix = ".plumbtest.hcl"

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "plumb"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "import"},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "moved"},
		{Type: "removed"},
	},
}

// Load reads every *.hcl file in dir, in name order, into a Config, and
// the modules it calls (local sources only), each from its own folder.
// The diagnostics list every problem found, not only the first; the
// Config is returned even with errors so callers can print what was
// understood.
func Load(dir string) (*Config, hcl.Diagnostics) {
	return load(dir, diskFS{})
}

// LoadSource parses configuration from in-memory files, keyed by path
// relative to dir (main.hcl, modules/site/main.hcl); it serves tests and
// tools that hold configuration as text.
func LoadSource(dir string, files map[string]string) (*Config, hcl.Diagnostics) {
	return load(dir, memFS{root: dir, srcs: files})
}

func load(dir string, fsys sourceFS) (*Config, hcl.Diagnostics) {
	names, err := fsys.files(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot list configuration files", Detail: err.Error()}}
	}
	if len(names) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("The folder %s holds no *%s files. Run plumb in the folder of your configuration, or name it with -chdir=DIR.", absPath(dir), FileSuffix),
		}}
	}
	l := &loader{p: hclparse.NewParser(), fs: fsys, root: dir}
	cfg := newConfig(dir)
	diags := l.parse(cfg, names)
	diags = append(diags, l.loadCalls(cfg, []string{absPath(dir)})...)
	cfg.Files = l.p.Files()
	for name, f := range l.refused {
		cfg.Files[name] = f
	}
	diags = append(diags, cfg.checkImports()...)
	return cfg, diags
}

func newConfig(dir string) *Config {
	return &Config{
		Dir:       dir,
		Providers: map[string]*Provider{},
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
		Resources: map[string]*Resource{},
		Checks:    map[string]*Check{},
		Outputs:   map[string]*Output{},
		Modules:   map[string]*ModuleCall{},
	}
}

func (c *Config) addFile(f *hcl.File) hcl.Diagnostics {
	content, diags := f.Body.Content(fileSchema)
	for _, b := range content.Blocks {
		switch b.Type {
		case "plumb":
			diags = append(diags, c.addSettings(b)...)
		case "provider":
			diags = append(diags, c.addProvider(b)...)
		case "variable":
			diags = append(diags, c.addVariable(b)...)
		case "locals":
			diags = append(diags, c.addLocals(b)...)
		case "resource":
			diags = append(diags, c.addResource(b, Managed)...)
		case "data":
			diags = append(diags, c.addResource(b, Data)...)
		case "output":
			diags = append(diags, c.addOutput(b)...)
		case "import":
			diags = append(diags, c.addImport(b)...)
		case "check":
			diags = append(diags, c.addCheck(b)...)
		case "module":
			diags = append(diags, c.addModule(b)...)
		case "moved":
			diags = append(diags, c.addMoved(b)...)
		case "removed":
			diags = append(diags, c.addRemoved(b)...)
		}
	}
	return diags
}

func duplicate(kind, name string, first hcl.Range, b *hcl.Block) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Duplicate %s %s", kind, name),
		Detail:   fmt.Sprintf("%s %s was already declared at %s. Each must have a unique name: rename or remove one of them.", kind, name, first),
		Subject:  b.DefRange.Ptr(),
	}
}

func checkName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if hclsyntax.ValidIdentifier(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   fmt.Sprintf("%q is not a valid name: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes.", name),
		Subject:  rng.Ptr(),
	}}
}

var settingsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "required_version"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
}

func (c *Config) addSettings(b *hcl.Block) hcl.Diagnostics {
	if c.Settings != nil {
		return hcl.Diagnostics{duplicate("settings block", "plumb", c.Settings.DeclRange, b)}
	}
	content, diags := b.Body.Content(settingsSchema)
	s := &Settings{DeclRange: b.DefRange}
	if a, ok := content.Attributes["required_version"]; ok {
		diags = append(diags, decodeString(a, &s.RequiredVersion)...)
		s.RequiredVersionRange = a.Expr.Range()
	}
	for _, bb := range content.Blocks {
		if s.Backend != nil {
			diags = append(diags, duplicate("backend", bb.Labels[0], s.Backend.DeclRange, bb))
			continue
		}
		s.Backend = &Backend{Type: bb.Labels[0], Config: bb.Body, DeclRange: bb.DefRange}
	}
	c.Settings = s
	return diags
}

var providerMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "alias"}, {Name: "for_each"}},
}

func (c *Config) addProvider(b *hcl.Block) hcl.Diagnostics {
	p := &Provider{Name: b.Labels[0], DeclRange: b.DefRange}
	content, remain, diags := b.Body.PartialContent(providerMetaSchema)
	p.Config = remain
	if a, ok := content.Attributes["alias"]; ok {
		adiags := decodeString(a, &p.Alias)
		if !adiags.HasErrors() {
			adiags = checkName("provider alias", p.Alias, a.Expr.Range())
		}
		diags = append(diags, adiags...)
	}
	if a, ok := content.Attributes["for_each"]; ok {
		p.ForEach = a.Expr
		if p.Alias == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "for_each without alias",
				Detail:   fmt.Sprintf("A provider block with for_each needs an alias, so resources can pick an instance: add alias = \"by_name\" and write provider = %s.by_name[each.key] on the resources.", p.Name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if prev, ok := c.Providers[p.Ref()]; ok {
		return append(diags, duplicate("provider configuration", p.Ref(), prev.DeclRange, b))
	}
	c.Providers[p.Ref()] = p
	return diags
}

// decodeProviderRef reads the value of a provider argument: aws, aws.eu,
// or apache.web[KEY] with KEY any expression.
func decodeProviderRef(expr hcl.Expression) (*ProviderRef, hcl.Diagnostics) {
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid provider reference",
		Detail:   "A provider reference is the provider's name (aws), name.alias (aws.eu), or name.alias[KEY] for one instance of a provider with for_each (apache.web[each.key]). It is not quoted.",
		Subject:  expr.Range().Ptr(),
	}}
	ref := &ProviderRef{Range: expr.Range()}
	var trav hcl.Traversal
	if ix, ok := expr.(*hclsyntax.IndexExpr); ok {
		t, diags := hcl.AbsTraversalForExpr(ix.Collection)
		if diags.HasErrors() {
			return nil, bad
		}
		trav, ref.Key = t, ix.Key
	} else {
		t, diags := hcl.AbsTraversalForExpr(expr)
		if diags.HasErrors() {
			return nil, bad
		}
		if n := len(t); n > 1 {
			if idx, ok := t[n-1].(hcl.TraverseIndex); ok {
				ref.Key = hcl.StaticExpr(idx.Key, idx.SrcRange)
				t = t[:n-1]
			}
		}
		trav = t
	}
	names, rest := readNames(trav)
	if len(rest) > 0 || len(names) < 1 || len(names) > 2 {
		return nil, bad
	}
	ref.Name = names[0]
	if len(names) == 2 {
		ref.Alias = names[1]
	}
	return ref, nil
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"}, {Name: "type"}, {Name: "default"}, {Name: "sensitive"}, {Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

func (c *Config) addVariable(b *hcl.Block) hcl.Diagnostics {
	name := b.Labels[0]
	diags := checkName("variable", name, b.LabelRanges[0])
	if prev, ok := c.Variables[name]; ok {
		return append(diags, duplicate("variable", name, prev.DeclRange, b))
	}
	content, cdiags := b.Body.Content(variableSchema)
	diags = append(diags, cdiags...)
	v := &Variable{Name: name, Type: cty.DynamicPseudoType, Nullable: true, DeclRange: b.DefRange}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, decodeString(a, &v.Description)...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, decodeBool(a, &v.Sensitive)...)
	}
	if a, ok := content.Attributes["nullable"]; ok {
		diags = append(diags, decodeBool(a, &v.Nullable)...)
	}
	if a, ok := content.Attributes["type"]; ok {
		ty, defaults, tdiags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		diags = append(diags, tdiags...)
		if !tdiags.HasErrors() {
			v.Type, v.TypeDefaults = ty, defaults
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		val, vdiags := constantValue(a)
		diags = append(diags, vdiags...)
		if !vdiags.HasErrors() {
			switch conv, err := v.Convert(val); {
			case val.IsNull() && !v.Nullable:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("Variable %q has nullable = false, so its default cannot be null. Give a default that is not null, or remove the default to make the variable required.", name),
					Subject:  a.Expr.Range().Ptr(),
				})
			case err != nil:
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("The default of variable %q does not fit its type %s: %s.", name, typeexpr.TypeString(v.Type), err),
					Subject:  a.Expr.Range().Ptr(),
				})
			default:
				v.Default = conv
			}
		}
	}
	for _, vb := range content.Blocks {
		vc, vdiags := vb.Body.Content(validationSchema)
		diags = append(diags, vdiags...)
		if vdiags.HasErrors() {
			continue
		}
		v.Validations = append(v.Validations, &Validation{
			Condition:    vc.Attributes["condition"].Expr,
			ErrorMessage: vc.Attributes["error_message"].Expr,
			DeclRange:    vb.DefRange,
		})
	}
	c.Variables[name] = v
	return diags
}

func (c *Config) addLocals(b *hcl.Block) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		diags = append(diags, checkName("local value", name, a.NameRange)...)
		if prev, ok := c.Locals[name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value " + name,
				Detail:   fmt.Sprintf("local.%s was already declared at %s. Rename or remove one of them.", name, prev.DeclRange),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		c.Locals[name] = &Local{Name: name, Expr: a.Expr, DeclRange: a.Range}
	}
	return diags
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"}, {Name: "depends_on"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}},
}

func (c *Config) addOutput(b *hcl.Block) hcl.Diagnostics {
	name := b.Labels[0]
	diags := checkName("output", name, b.LabelRanges[0])
	if prev, ok := c.Outputs[name]; ok {
		return append(diags, duplicate("output", name, prev.DeclRange, b))
	}
	content, cdiags := b.Body.Content(outputSchema)
	diags = append(diags, cdiags...)
	if cdiags.HasErrors() {
		return diags
	}
	o := &Output{Name: name, Expr: content.Attributes["value"].Expr, DeclRange: b.DefRange}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, decodeString(a, &o.Description)...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		diags = append(diags, decodeBool(a, &o.Sensitive)...)
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		deps, ddiags := decodeTraversals(a.Expr)
		diags = append(diags, ddiags...)
		o.DependsOn = deps
	}
	for _, pb := range content.Blocks {
		cond, cdiags := decodeCondition(pb)
		diags = append(diags, cdiags...)
		if cond != nil {
			o.Preconditions = append(o.Preconditions, cond)
		}
	}
	c.Outputs[name] = o
	return diags
}

var importSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "to", Required: true}, {Name: "id", Required: true}, {Name: "provider"}, {Name: "for_each"}},
}

func (c *Config) addImport(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(importSchema)
	if diags.HasErrors() {
		return diags
	}
	toAttr := content.Attributes["to"]
	var forEach hcl.Expression
	if a, ok := content.Attributes["for_each"]; ok {
		forEach = a.Expr
	}
	var trav hcl.Traversal
	var tdiags hcl.Diagnostics
	if forEach != nil {
		// The keys may be each.key or each.value: the address known
		// before the walk is the resource's, without them.
		trav, tdiags = ResolveTraversal(toAttr.Expr, nil)
	} else {
		trav, tdiags = hcl.AbsTraversalForExpr(toAttr.Expr)
	}
	if tdiags.HasErrors() {
		return append(diags, tdiags...)
	}
	to, err := AddrFromTraversal(trav)
	if forEach != nil && err == nil {
		to.Key = cty.NilVal
	}
	if err != nil || to.IsModule() || to.Mode != Managed {
		msg := "import can only adopt a managed resource"
		if err != nil {
			msg = err.Error()
		}
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid import address",
			Detail:   fmt.Sprintf("The to argument must name a resource instance, such as local_file.site or local_file.site[\"key\"]: %s.", msg),
			Subject:  toAttr.Expr.Range().Ptr(),
		})
	}
	im := &Import{To: to, ID: content.Attributes["id"].Expr, ForEach: forEach, DeclRange: b.DefRange}
	if forEach != nil {
		im.ToExpr = toAttr.Expr
	}
	if a, ok := content.Attributes["provider"]; ok {
		ref, pdiags := decodeProviderRef(a.Expr)
		diags = append(diags, pdiags...)
		im.Provider = ref
	}
	c.Imports = append(c.Imports, im)
	return diags
}

// UndeclaredImport marks (as hcl.Diagnostic.Extra) the error of an import
// block whose resource is not declared: plan -generate-config-out writes
// the block instead.
type UndeclaredImport struct{}

// checkImports reports import blocks aimed at resources that are not
// declared, and two imports into one address.
func (c *Config) checkImports() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*Import{}
	for _, im := range c.Imports {
		mod := c.Descendant(im.To.Module.Path())
		var declared bool
		if mod != nil {
			_, declared = mod.Resources[im.To.local()]
		}
		if !declared {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Import into an undeclared resource",
				Detail:   fmt.Sprintf("The import block names %s, but no resource block declares %s. Add the resource block the object should belong to, or have plumb write it: plumb plan -generate-config-out=generated.hcl.", im.To, im.To.ConfigResource()),
				Subject:  im.DeclRange.Ptr(),
				Extra:    UndeclaredImport{},
			})
		}
		if im.ForEach != nil {
			continue // its addresses are known in the walk, checked there
		}
		if prev, ok := seen[im.To.String()]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate import",
				Detail:   fmt.Sprintf("%s is already imported by the block at %s.", im.To, prev.DeclRange),
				Subject:  im.DeclRange.Ptr(),
			})
		}
		seen[im.To.String()] = im
	}
	return diags
}

// constantValue is the value of an attribute that must be a constant,
// evaluated without variables or functions. A file that failed to parse
// leaves placeholders whose value is unknown; those, and anything else
// not wholly known, are a diagnostic rather than a value.
func constantValue(a *hcl.Attribute) (cty.Value, hcl.Diagnostics) {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return v, diags
	}
	if !v.IsWhollyKnown() {
		return v, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Expected a constant", Detail: fmt.Sprintf("%s must be a constant value written in the file.", a.Name), Subject: a.Expr.Range().Ptr()}}
	}
	return v, nil
}

func decodeString(a *hcl.Attribute, out *string) hcl.Diagnostics {
	v, diags := constantValue(a)
	if diags.HasErrors() {
		return diags
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil || v.IsNull() {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Expected a string", Detail: fmt.Sprintf("%s must be a literal string.", a.Name), Subject: a.Expr.Range().Ptr()}}
	}
	*out = v.AsString()
	return nil
}

func decodeBool(a *hcl.Attribute, out *bool) hcl.Diagnostics {
	v, diags := constantValue(a)
	if diags.HasErrors() {
		return diags
	}
	v, err := convert.Convert(v, cty.Bool)
	if err != nil || v.IsNull() {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Expected true or false", Detail: fmt.Sprintf("%s must be the literal true or false.", a.Name), Subject: a.Expr.Range().Ptr()}}
	}
	*out = v.True()
	return nil
}

// decodeTraversals reads a list of references or attribute paths
// (depends_on = [aws_ebs_volume.data], ignore_changes = [content,
// tags["owner"]]) as traversals, reporting each element that is not one.
func decodeTraversals(expr hcl.Expression) ([]hcl.Traversal, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(expr)
	var out []hcl.Traversal
	for _, e := range exprs {
		t, tdiags := hcl.AbsTraversalForExpr(e)
		diags = append(diags, tdiags...)
		if !tdiags.HasErrors() {
			out = append(out, t)
		}
	}
	return out, diags
}

// absPath is dir as an absolute path, for messages; dir itself if that
// fails.
func absPath(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
