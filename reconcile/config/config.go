// Package config reads plumb's HCL files into a Config: the blocks a
// configuration declares, with their expressions still unevaluated, and
// diagnostics that name file, line and column for every mistake found.
package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Config is a whole configuration: every *.hcl file of one folder.
type Config struct {
	// Dir is the configuration folder.
	Dir string
	// Files are the parsed files, keyed by file name, for diagnostics.
	Files map[string]*hcl.File
	// Settings is the plumb {} block, or nil.
	Settings *Settings
	// Providers are keyed by provider name.
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
	// Imports are the import blocks, in file order.
	Imports []*Import
}

// Settings is the plumb {} block.
type Settings struct {
	// Backend is the backend block, or nil for the local file.
	Backend   *Backend
	DeclRange hcl.Range
}

// Backend is a plumb { backend "TYPE" { ... } } block.
type Backend struct {
	Type      string
	Config    hcl.Body
	DeclRange hcl.Range
}

// Provider is a provider "NAME" { ... } block.
type Provider struct {
	Name      string
	Config    hcl.Body
	DeclRange hcl.Range
}

// Variable is a variable "NAME" { ... } block.
type Variable struct {
	Name        string
	Description string
	// Type is the type constraint; cty.DynamicPseudoType when none is given.
	Type cty.Type
	// Default is the default value; cty.NilVal when there is none, which
	// makes the variable required.
	Default     cty.Value
	Sensitive   bool
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
	// Provider is the provider meta-argument; empty means the one that
	// serves the type.
	Provider  string
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
	// IgnoreChanges names top-level attributes whose configured value is
	// ignored once the object exists.
	IgnoreChanges []string
	// IgnoreAllChanges is set by ignore_changes = all.
	IgnoreAllChanges bool
}

// Output is an output "NAME" { ... } block.
type Output struct {
	Name        string
	Description string
	Expr        hcl.Expression
	Sensitive   bool
	DependsOn   []hcl.Traversal
	DeclRange   hcl.Range
}

// Import is an import { to = ADDR, id = "..." } block.
type Import struct {
	// To is the instance address the object is imported to.
	To Addr
	// ID is the expression for the provider-specific ID.
	ID        hcl.Expression
	DeclRange hcl.Range
}
