// Package providers defines the contract between plumb's engine and the
// providers that read and change real things: the Provider, Resource and
// DataSource interfaces, the request and response types their calls take,
// schemas, and the registry that maps type names to providers.
//
// Values cross the boundary as cty.Value conforming to the type's Schema.
// Each call takes a request struct and returns a response struct carrying
// diagnostics, so adding a field never breaks a signature. Nothing in this
// package or below it imports the engine.
package providers

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Provider is a family of resource and data source types that share a
// configuration (credentials, an endpoint, a rate limit).
type Provider interface {
	// Schema describes the provider's own configuration block.
	Schema() Schema
	// Configure prepares the provider for use; it is called once before
	// any resource or data source of the provider is used.
	Configure(ctx context.Context, req ConfigureRequest) ConfigureResponse
	// Resources lists the managed resource types, keyed by type name.
	Resources() map[string]Resource
	// DataSources lists the data source types, keyed by type name.
	DataSources() map[string]DataSource
}

// ConfigureRequest carries the evaluated provider block.
type ConfigureRequest struct {
	// Config conforms to the provider's Schema; it is null when the
	// configuration has no block for the provider.
	Config cty.Value
}

// ConfigureResponse reports problems with the configuration.
type ConfigureResponse struct {
	Diagnostics hcl.Diagnostics
}

// Resource is a managed resource type: something plumb creates, changes and
// deletes. A resource keeps no per-object memory between calls; all it
// knows about an object is in the values it is handed.
type Resource interface {
	// Schema describes the resource's attributes.
	Schema() Schema
	// Read returns the live object that Prior describes, or a null value
	// when it no longer exists.
	Read(ctx context.Context, req ReadRequest) ReadResponse
	// Plan proposes the object that applying Config to Prior would give,
	// marks attributes it cannot know yet as unknown, and names the
	// attributes whose change forces replacement. DefaultPlan serves most
	// types.
	Plan(ctx context.Context, req PlanRequest) PlanResponse
	// Apply makes the planned change and returns the new state: a null
	// value after a delete.
	Apply(ctx context.Context, req ApplyRequest) ApplyResponse
	// Import adopts a live object, given the ID the user supplied.
	Import(ctx context.Context, req ImportRequest) ImportResponse
}

// ReadRequest asks for the live version of an object.
type ReadRequest struct {
	// Prior is the object as recorded in state.
	Prior cty.Value
}

// ReadResponse carries the live object, or null when it is gone.
type ReadResponse struct {
	State       cty.Value
	Diagnostics hcl.Diagnostics
}

// PlanRequest asks for a proposed new state.
type PlanRequest struct {
	// Addr is the instance address, such as aws_route53_zone.site["a.org"].
	// Most resources ignore it; one that tags what it creates with its
	// owner (a deterministic caller reference) uses it.
	Addr string
	// Prior is the refreshed state; null when the object is to be created.
	Prior cty.Value
	// Config is the evaluated configuration, completed to the schema's
	// implied type; null when the object is to be deleted. It may hold
	// unknown values that depend on changes not yet applied.
	Config cty.Value
}

// PlanResponse proposes the new state.
type PlanResponse struct {
	// Planned is the proposed new state, with unknown values where the
	// provider learns them only on apply; null for a delete.
	Planned cty.Value
	// RequiresReplace names the attributes whose change forces the object
	// to be replaced rather than updated in place.
	RequiresReplace []string
	Diagnostics     hcl.Diagnostics
}

// ApplyRequest asks the resource to make a planned change.
type ApplyRequest struct {
	// Addr is the instance address, as in PlanRequest.
	Addr string
	// Prior is the state before the change; null for a create.
	Prior cty.Value
	// Planned is the state Plan proposed; null for a delete.
	Planned cty.Value
	// Config is the configuration the plan was made from; null for a delete.
	Config cty.Value
}

// ApplyResponse carries the new state. When Diagnostics hold an error,
// State must still describe what exists: the prior state if nothing
// happened, a partial object if something did, so nothing done is forgotten.
type ApplyResponse struct {
	State       cty.Value
	Diagnostics hcl.Diagnostics
}

// ImportRequest names a live object to adopt.
type ImportRequest struct {
	ID string
}

// ImportResponse carries the adopted object's state.
type ImportResponse struct {
	State       cty.Value
	Diagnostics hcl.Diagnostics
}

// DataSource reads something that plumb does not manage.
type DataSource interface {
	// Schema describes the data source's arguments and results.
	Schema() Schema
	// Read evaluates the data source for the given configuration.
	Read(ctx context.Context, req DataReadRequest) DataReadResponse
}

// DataReadRequest carries a data source's configuration.
type DataReadRequest struct {
	// Config conforms to the data source's Schema, with computed
	// attributes null.
	Config cty.Value
}

// DataReadResponse carries the data source's full value.
type DataReadResponse struct {
	State       cty.Value
	Diagnostics hcl.Diagnostics
}

// ConfigValidator is implemented by resources and data sources that check a
// configuration beyond its types before anything is planned.
type ConfigValidator interface {
	ValidateConfig(ctx context.Context, config cty.Value) hcl.Diagnostics
}

// Closer is implemented by providers that hold connections or background
// work to release when the run ends.
type Closer interface {
	Close() error
}

// RequestCounter is implemented by providers that call remote APIs: it
// returns how many requests each API operation received in this run,
// keyed "service:Operation", so plan and apply can report them.
type RequestCounter interface {
	RequestCounts() map[string]int
}

// Restorer is implemented by resource types whose live objects can
// vanish while their state stays right, and can be put back from the
// state alone: nftables sets, which a reboot empties. plumb restore calls
// it, reading nothing but the state (no data source, no log).
type Restorer interface {
	Restore(ctx context.Context, req RestoreRequest) RestoreResponse
}

// RestoreRequest carries the state of the object to put back.
type RestoreRequest struct {
	// Addr is the instance's address, for messages.
	Addr string
	// Prior is the object as state records it.
	Prior cty.Value
}

// RestoreResponse is the object as restored (what state should record),
// and what was put back, in a sentence or two, for the person running
// the command.
type RestoreResponse struct {
	State       cty.Value
	Summary     string
	Diagnostics hcl.Diagnostics
}

// StateOnly is implemented by resource types whose objects live only in
// state (plumb_data): creating one makes nothing anywhere else, so a
// crash during the create cannot leave anything behind, and the engine
// does not journal its intent before creating it.
type StateOnly interface {
	StateOnly()
}

// Identifier is implemented by resource types whose objects have a name
// that two resources must never both claim: a zone, a file's path. The
// engine refuses a configuration in which two instances claim the same
// identity, naming both. Identity returns false when the identity is not
// known from the configuration alone.
type Identifier interface {
	Identity(config cty.Value) (string, bool)
}
