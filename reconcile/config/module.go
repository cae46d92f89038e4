package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// ModuleCall is a module "NAME" { source = "./path" ... } block.
type ModuleCall struct {
	Name string
	// Source is the folder of the module, relative to the calling
	// module's folder: ./path or ../path.
	Source string
	// Inputs are the arguments that set the module's variables, keyed by
	// variable name.
	Inputs map[string]*hcl.Attribute
	// Count and ForEach are nil when absent.
	Count   hcl.Expression
	ForEach hcl.Expression
	// DependsOn are the depends_on references: everything in the module
	// waits for them.
	DependsOn []hcl.Traversal
	// Providers are the entries of the providers map: which of the
	// caller's provider configurations the module sees under which name.
	Providers []*ProviderPass
	// Child is the called module, once loaded; nil when it could not be.
	Child       *Config
	DeclRange   hcl.Range
	SourceRange hcl.Range
}

// Pass returns the providers map entry that gives the module the
// configuration it calls ref (aws, aws.eu), or nil.
func (m *ModuleCall) Pass(ref string) *ProviderPass {
	for _, p := range m.Providers {
		if p.In() == ref {
			return p
		}
	}
	return nil
}

// ProviderPass is one entry of a module call's providers map:
// aws.west = aws.eu gives the caller's provider.aws.eu to the module as
// aws.west. The caller's side may pick one instance of a configuration
// with for_each (aws = aws.by_region[each.key]); the key is then
// evaluated for each module instance.
type ProviderPass struct {
	// Name and Alias are how the module refers to the configuration.
	Name, Alias string
	// Parent is the caller's configuration.
	Parent *ProviderRef
	Range  hcl.Range
}

// In returns how the module refers to the passed configuration: aws or
// aws.west.
func (p *ProviderPass) In() string {
	return ProviderConfigRef(p.Name, p.Alias)
}

// Descendant returns the module at path below c (c itself for the empty
// path), or nil.
func (c *Config) Descendant(path ModulePath) *Config {
	for _, name := range path {
		call, ok := c.Modules[name]
		if !ok || call.Child == nil {
			return nil
		}
		c = call.Child
	}
	return c
}

// Walk calls fn for c and every module below it, callers before the
// modules they call, calls in name order.
func (c *Config) Walk(fn func(*Config)) {
	fn(c)
	for _, name := range sortedCalls(c.Modules) {
		if child := c.Modules[name].Child; child != nil {
			child.Walk(fn)
		}
	}
}

// Call returns the module call that made c; nil for the root module.
func (c *Config) Call() *ModuleCall {
	if c.Parent == nil {
		return nil
	}
	return c.Parent.Modules[c.Path[len(c.Path)-1]]
}

// Expanded reports whether c or a module above it is called with count
// or for_each, so c may have many instances.
func (c *Config) Expanded() bool {
	for m := c; m.Parent != nil; m = m.Parent {
		if call := m.Call(); call.Count != nil || call.ForEach != nil {
			return true
		}
	}
	return false
}

func sortedCalls(m map[string]*ModuleCall) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var moduleMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "source", Required: true}, {Name: "version"}, {Name: "count"}, {Name: "for_each"},
		{Name: "depends_on"}, {Name: "providers"},
	},
}

func (c *Config) addModule(b *hcl.Block) hcl.Diagnostics {
	m := &ModuleCall{Name: b.Labels[0], DeclRange: b.DefRange, Inputs: map[string]*hcl.Attribute{}}
	diags := checkName("module", m.Name, b.LabelRanges[0])
	if prev, ok := c.Modules[m.Name]; ok {
		return append(diags, duplicate("module", m.Name, prev.DeclRange, b))
	}
	content, remain, cdiags := b.Body.PartialContent(moduleMetaSchema)
	diags = append(diags, cdiags...)
	if cdiags.HasErrors() {
		return diags
	}
	src := content.Attributes["source"]
	m.SourceRange = src.Expr.Range()
	diags = append(diags, decodeString(src, &m.Source)...)
	if a, ok := content.Attributes["version"]; ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Module versions are not supported",
			Detail:   "plumb loads modules from local folders only, which have no versions. Remove version.",
			Subject:  a.NameRange.Ptr(),
		})
	}
	if a, ok := content.Attributes["count"]; ok {
		m.Count = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		m.ForEach = a.Expr
		if m.Count != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "count and for_each together",
				Detail:   "A module call may use count or for_each, not both. Keep the one that says how many instances you want.",
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		deps, ddiags := decodeTraversals(a.Expr)
		diags = append(diags, ddiags...)
		m.DependsOn = deps
	}
	if a, ok := content.Attributes["providers"]; ok {
		passes, pdiags := decodeProviderPasses(a.Expr)
		diags = append(diags, pdiags...)
		m.Providers = passes
	}
	attrs, adiags := remain.JustAttributes()
	diags = append(diags, adiags...)
	for name, a := range attrs {
		m.Inputs[name] = a
	}
	c.Modules[m.Name] = m
	return diags
}

// decodeProviderPasses reads providers = { aws = aws.eu, aws.west = ... }.
func decodeProviderPasses(expr hcl.Expression) ([]*ProviderPass, hcl.Diagnostics) {
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []*ProviderPass
	seen := map[string]bool{}
	for _, kv := range pairs {
		trav, tdiags := hcl.AbsTraversalForExpr(kv.Key)
		names, rest := readNames(trav)
		if tdiags.HasErrors() || len(rest) > 0 || len(names) < 1 || len(names) > 2 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid providers entry",
				Detail:   "A key of the providers map is how the module refers to a provider configuration: its name (aws) or name.alias (aws.west), not quoted.",
				Subject:  kv.Key.Range().Ptr(),
			})
			continue
		}
		pass := &ProviderPass{Name: names[0], Range: hcl.RangeBetween(kv.Key.Range(), kv.Value.Range())}
		if len(names) == 2 {
			pass.Alias = names[1]
		}
		ref, rdiags := decodeProviderRef(kv.Value)
		diags = append(diags, rdiags...)
		if rdiags.HasErrors() {
			continue
		}
		if ref.Name != pass.Name {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid providers entry",
				Detail:   fmt.Sprintf("%s is a configuration of provider %q, so it cannot be passed as %s. Pass a configuration of %q.", ref.Local(), ref.Name, pass.In(), pass.Name),
				Subject:  kv.Value.Range().Ptr(),
			})
			continue
		}
		if seen[pass.In()] {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate providers entry", Detail: fmt.Sprintf("%s is passed twice; keep one.", pass.In()), Subject: kv.Key.Range().Ptr()})
			continue
		}
		seen[pass.In()] = true
		pass.Parent = ref
		out = append(out, pass)
	}
	return out, diags
}

// loader reads a module tree: the files of each module's folder, parsed
// by one parser so diagnostics can show every file.
type loader struct {
	p    *hclparse.Parser
	fs   sourceFS
	root string
	// refused are files not parsed (nested too deep), kept to show in
	// diagnostics.
	refused map[string]*hcl.File
}

// parse parses the files of one module into cfg. Files of the root are
// named by their base name, those of other modules by their path
// relative to the root folder.
func (l *loader) parse(cfg *Config, names []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range names {
		src, err := l.fs.read(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()})
			continue
		}
		display := filepath.Base(name)
		if cfg.Parent != nil {
			if rel, err := filepath.Rel(l.root, name); err == nil {
				display = filepath.ToSlash(rel)
			}
		}
		if d := CheckNesting(src, display); d.HasErrors() {
			diags = append(diags, d...)
			if l.refused == nil {
				l.refused = map[string]*hcl.File{}
			}
			l.refused[display] = &hcl.File{Bytes: src}
			continue
		}
		f, fdiags := l.p.ParseHCL(src, display)
		diags = append(diags, fdiags...)
		if f == nil {
			continue
		}
		diags = append(diags, cfg.addFile(f)...)
	}
	return diags
}

// loadCalls loads the modules cfg calls, and theirs; ancestors are the
// absolute folders of the modules above, to refuse a module that calls
// itself.
func (l *loader) loadCalls(cfg *Config, ancestors []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedCalls(cfg.Modules) {
		call := cfg.Modules[name]
		if call.Source == "" {
			continue // already reported
		}
		if !strings.HasPrefix(call.Source, "./") && !strings.HasPrefix(call.Source, "../") {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported module source",
				Detail:   fmt.Sprintf("%q is not a local folder. plumb loads modules from local folders only (source = \"./modules/site\" or \"../shared\"); registry, Git and HTTP sources are not supported yet.", call.Source),
				Subject:  call.SourceRange.Ptr(),
			})
			continue
		}
		dir := filepath.Join(cfg.Dir, filepath.FromSlash(call.Source))
		abs := absPath(dir)
		for _, a := range ancestors {
			if a == abs {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Module calls itself",
					Detail:   fmt.Sprintf("module %q loads %s, which is already being loaded above it, so the modules would call each other without end. Remove the call.", name, call.Source),
					Subject:  call.SourceRange.Ptr(),
				})
				return diags
			}
		}
		names, err := l.fs.files(dir)
		if err != nil || len(names) == 0 {
			detail := fmt.Sprintf("The folder %s holds no *%s files. Check the source path; it is relative to the folder of the calling module.", dir, FileSuffix)
			if err != nil {
				detail = fmt.Sprintf("%v. Check the source path; it is relative to the folder of the calling module.", err)
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Module not found", Detail: detail, Subject: call.SourceRange.Ptr()})
			continue
		}
		child := newConfig(dir)
		child.Path, child.Parent = cfg.Path.Child(name), cfg
		diags = append(diags, l.parse(child, names)...)
		call.Child = child
		diags = append(diags, child.checkModule(call)...)
		diags = append(diags, l.loadCalls(child, append(ancestors, abs))...)
	}
	return diags
}

// checkModule reports what a called module may not hold, and inputs the
// module does not declare or lacks.
func (c *Config) checkModule(call *ModuleCall) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if c.Settings != nil && c.Settings.Backend != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Backend in a module",
			Detail:   "Only the root module's plumb block names where state is kept. Remove the backend block from the module.",
			Subject:  c.Settings.Backend.DeclRange.Ptr(),
		})
	}
	for _, im := range c.Imports {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Import block in a module",
			Detail:   "import blocks belong in the root module; there, to can name a resource inside a module, such as module.site.local_file.index.",
			Subject:  im.DeclRange.Ptr(),
		})
	}
	if c.Expanded() {
		for _, ref := range sortedProviders(c.Providers) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Provider configuration in a module with count or for_each",
				Detail:   fmt.Sprintf("%s has many instances (its call, or one above it, uses count or for_each), and a provider block there would have to be removed together with the resources it manages. Declare provider %q in the root module and pass it with providers = { %s = %s }.", c.Path, ref, ref, ref),
				Subject:  c.Providers[ref].DeclRange.Ptr(),
			})
		}
	}
	for _, name := range sortedAttrs(call.Inputs) {
		if _, ok := c.Variables[name]; ok {
			continue
		}
		a := call.Inputs[name]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported argument " + name,
			Detail:   fmt.Sprintf("%s declares no variable %q. Declare it in the module, or remove the argument.", c.Path, name),
			Subject:  a.NameRange.Ptr(),
		})
	}
	for _, name := range sortedVariables(c.Variables) {
		v := c.Variables[name]
		if _, given := call.Inputs[name]; !given && v.Default == cty.NilVal {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing required argument " + name,
				Detail:   fmt.Sprintf("%s needs a value for variable %q, which has no default: add %s = ... to the module block.", c.Path, name, name),
				Subject:  call.DeclRange.Ptr(),
			})
		}
	}
	return diags
}

func sortedProviders(m map[string]*Provider) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedAttrs(m map[string]*hcl.Attribute) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedVariables(m map[string]*Variable) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sourceFS is where configuration files come from: the disk, or memory.
type sourceFS interface {
	// files lists the configuration files of dir, sorted.
	files(dir string) ([]string, error)
	read(path string) ([]byte, error)
}

type diskFS struct{}

func (diskFS) files(dir string) ([]string, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	all, err := filepath.Glob(filepath.Join(dir, "*"+FileSuffix))
	var names []string
	for _, n := range all {
		if isConfigFile(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, err
}

// isConfigFile reports whether a *.hcl file name is configuration: every
// one is except the test files (*.plumbtest.hcl).
func isConfigFile(name string) bool {
	return strings.HasSuffix(name, FileSuffix) && !strings.HasSuffix(name, TestFileSuffix)
}

func (diskFS) read(path string) ([]byte, error) { return os.ReadFile(path) }

// memFS holds files by path relative to root.
type memFS struct {
	root string
	srcs map[string]string
}

func (m memFS) rel(path string) string {
	if rel, err := filepath.Rel(m.root, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

func (m memFS) filesIn(dir string) []string {
	want := m.rel(dir)
	var out []string
	for name := range m.srcs {
		if isConfigFile(name) && filepath.ToSlash(filepath.Dir(name)) == want {
			out = append(out, filepath.Join(m.root, name))
		}
	}
	sort.Strings(out)
	return out
}

func (m memFS) files(dir string) ([]string, error) { return m.filesIn(dir), nil }

func (m memFS) read(path string) ([]byte, error) {
	src, ok := m.srcs[m.rel(path)]
	if !ok {
		return nil, fmt.Errorf("%s: no such file", path)
	}
	return []byte(src), nil
}
