// Package config reads plumb's HCL files into a Config: the blocks a
// configuration declares, with their expressions still unevaluated, and
// diagnostics that name file, line and column for every mistake found.
package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

// Config is one module of a configuration: every *.hcl file of one
// folder. The root module is the folder plumb runs in.
type Config struct {
	// Dir is the configuration folder.
	Dir string
	// Path is the module's configuration path; empty for the root module.
	Path ModulePath
	// Parent is the calling module; nil for the root module.
	Parent *Config
	// Files are the parsed files, keyed by file name, for diagnostics. In
	// the root module they are every file of the tree, named relative to
	// the root folder.
	Files map[string]*hcl.File
	// Settings is the plumb {} block, or nil.
	Settings *Settings
	// Providers are the provider blocks, keyed by how configuration refers
	// to them: the provider's name for the default configuration (aws),
	// name.alias for a named one (aws.eu).
	Providers map[string]*Provider
	// Variables are keyed by name.
	Variables map[string]*Variable
	// Locals are keyed by name.
	Locals map[string]*Local
	// Resources are keyed by their address: "type.name" for managed
	// resources, "data.type.name" for data sources.
	Resources map[string]*Resource
	// Outputs are keyed by name.
	Outputs map[string]*Output
	// Imports are the import blocks, in file order; only the root module
	// has them.
	Imports []*Import
	// Modules are the module calls, keyed by name.
	Modules map[string]*ModuleCall
	// Checks are the check blocks, keyed by name.
	Checks map[string]*Check
	// Moved and Removed are the moved and removed blocks, in file order.
	// Their addresses are relative to the module: in a module with many
	// instances they apply in each.
	Moved   []*Moved
	Removed []*Removed
}

// Condition is a precondition, postcondition, assert or validation
// block: a condition that must hold, and the message when it does not.
type Condition = Validation

// Check is a check "NAME" { ... } block: assertions about the estate as a
// whole, checked at every plan and apply. A failed one is a warning, never
// an error.
type Check struct {
	Name string
	// Data is the data source declared inside the block, or nil; it is
	// also in the module's Resources, with Check set.
	Data      *Resource
	Asserts   []*Condition
	DeclRange hcl.Range
}

// Settings is the plumb {} block.
type Settings struct {
	// Backend is the backend block, or nil for the local file.
	Backend *Backend
	// RequiredVersion is the required_version constraint ("" when none),
	// such as ">= 0.2, < 1.0"; RequiredVersionRange is where it is written.
	RequiredVersion      string
	RequiredVersionRange hcl.Range
	DeclRange            hcl.Range
}

// Backend is a plumb { backend "TYPE" { ... } } block.
type Backend struct {
	Type      string
	Config    hcl.Body
	DeclRange hcl.Range
}

// ProviderConfigRef returns how configuration inside a module refers to a
// provider configuration: its name for the default one (aws), name.alias
// for an aliased one (aws.eu).
func ProviderConfigRef(name, alias string) string {
	if alias == "" {
		return name
	}
	return name + "." + alias
}

// Provider is a provider "NAME" { ... } block.
type Provider struct {
	Name string
	// Alias names a configuration other than the provider's default one
	// (alias = "eu"); "" for the default configuration.
	Alias string
	// ForEach makes one provider instance per key; nil when absent. It
	// requires an alias.
	ForEach hcl.Expression
	// Config is the body with alias and for_each removed; it is decoded
	// with the provider's schema.
	Config    hcl.Body
	DeclRange hcl.Range
}

// Ref returns how configuration refers to the block: aws or aws.eu.
func (p *Provider) Ref() string {
	return ProviderConfigRef(p.Name, p.Alias)
}

// ProviderRef is a reference to a provider configuration, as the provider
// meta-argument of resources, data sources and import blocks and the
// values of a module call's providers map write it: aws, aws.eu, or
// apache.web[each.key] for one instance of a configuration with for_each.
type ProviderRef struct {
	Name  string
	Alias string
	// Key picks the instance of a configuration with for_each; nil when
	// the reference has no index. It is evaluated per resource instance.
	Key   hcl.Expression
	Range hcl.Range
}

// Local returns the reference without its key: aws or aws.eu.
func (r ProviderRef) Local() string {
	return ProviderConfigRef(r.Name, r.Alias)
}

// Variable is a variable "NAME" { ... } block.
type Variable struct {
	Name        string
	Description string
	// Type is the type constraint; cty.DynamicPseudoType when none is given.
	Type cty.Type
	// TypeDefaults are the defaults of the optional(T, DEFAULT) attributes
	// of Type's object types; nil when there are none.
	TypeDefaults *typeexpr.Defaults
	// Default is the default value; cty.NilVal when there is none, which
	// makes the variable required.
	Default   cty.Value
	Sensitive bool
	// Nullable is false when the block says nullable = false: a null
	// value then takes the default, or is refused when there is none.
	Nullable    bool
	Validations []*Validation
	DeclRange   hcl.Range
}

// Validation is a validation { condition, error_message } block.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

// Local is one entry of a locals { ... } block.
type Local struct {
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// Mode says whether a Resource is managed or a data source.
type Mode string

const (
	// Managed resources are created, changed and deleted by plumb.
	Managed Mode = "managed"
	// Data resources are only read.
	Data Mode = "data"
)

// Resource is a resource or data block.
type Resource struct {
	Mode Mode
	Type string
	Name string
	// Config is the body with meta-arguments removed; it is decoded with
	// the resource type's schema.
	Config hcl.Body
	// Count and ForEach are nil when absent.
	Count   hcl.Expression
	ForEach hcl.Expression
	// DependsOn are the depends_on references.
	DependsOn []hcl.Traversal
	// Check names the check block a data source is declared in; such a
	// data source can be referred to only from inside that block, and a
	// failure to read it is a warning.
	Check string
	// Provider is the provider meta-argument; nil means the default
	// configuration of the provider that serves the type.
	Provider  *ProviderRef
	Lifecycle Lifecycle
	DeclRange hcl.Range
	TypeRange hcl.Range
}

// Addr returns the resource's configuration address.
func (r *Resource) Addr() string {
	if r.Mode == Data {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// Lifecycle is a resource's lifecycle { ... } block.
type Lifecycle struct {
	PreventDestroy      bool
	CreateBeforeDestroy bool
	// IgnoreChanges are the attributes, or parts of them (tags["owner"],
	// soa.refresh, lint[0].timeout), whose configured value is ignored
	// once the object exists.
	IgnoreChanges []cty.Path
	// IgnoreAllChanges is set by ignore_changes = all.
	IgnoreAllChanges bool
	// ReplaceTriggeredBy are the references (managed resources of the same
	// module, their instances or attributes) whose change replaces the
	// object.
	ReplaceTriggeredBy []hcl.Expression
	// Preconditions are checked before the object is planned, and
	// Postconditions after, with self the planned (or applied) object.
	Preconditions  []*Condition
	Postconditions []*Condition
}

// Output is an output "NAME" { ... } block.
type Output struct {
	Name        string
	Description string
	Expr        hcl.Expression
	Sensitive   bool
	DependsOn   []hcl.Traversal
	// Preconditions are checked before the value is taken.
	Preconditions []*Condition
	DeclRange     hcl.Range
}

// Import is an import { to = ADDR, id = "..." } block.
type Import struct {
	// To is the instance address the object is imported to.
	To Addr
	// ID is the expression for the provider-specific ID.
	ID hcl.Expression
	// ForEach, when set, makes one import per element: ToExpr and ID may
	// use each.key and each.value, and To is then the resource's address
	// without the instance key.
	ForEach hcl.Expression
	ToExpr  hcl.Expression
	// Provider is the provider meta-argument; nil when absent. When given it
	// must be the configuration the resource itself uses.
	Provider  *ProviderRef
	DeclRange hcl.Range
}
