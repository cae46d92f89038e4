// Package builtin is the provider named "plumb": resource types that need
// no external system and no provider configuration.
//
//   - plumb_data stores a value in state, like Terraform's terraform_data:
//     its output follows its input, and any change to triggers_replace
//     replaces it (giving it a new id).
//   - local_file writes a file on the machine plumb runs on, atomically.
//
// It also serves the data source local_file, which reads a file.
package builtin

import (
	"context"

	"github.com/plumbhq/plumb/providers"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "plumb"

// provider serves the built-in types. It has no configuration and keeps
// no state, so one instance may serve any number of runs.
type provider struct {
	resources map[string]providers.Resource
	data      map[string]providers.DataSource
}

var _ providers.Provider = (*provider)(nil)

// New returns the provider named "plumb" (Name). It takes no configuration;
// its resource types are plumb_data and local_file, its data source type
// local_file.
func New() providers.Provider {
	return &provider{
		resources: map[string]providers.Resource{
			"plumb_data": newDataResource(),
			"local_file": newFileResource(),
		},
		data: map[string]providers.DataSource{
			"local_file": newFileDataSource(),
		},
	}
}

// Schema is empty: the provider has no configuration.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{Description: "Built-in resource types that need no configuration."}
}

// Configure accepts any (empty) configuration.
func (p *provider) Configure(context.Context, providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{}
}

// Resources returns the provider's resource types. The map is shared;
// callers must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.resources }

// DataSources returns the provider's data source types. The map is shared;
// callers must not change it.
func (p *provider) DataSources() map[string]providers.DataSource { return p.data }
