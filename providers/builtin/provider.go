// Package builtin is the provider named "plumb": resource types that need
// no external system.
//
//   - plumb_data stores a value in state, like Terraform's terraform_data:
//     its output follows its input, and any change to triggers_replace
//     replaces it (giving it a new id).
//   - local_file writes a file, atomically, on the machine plumb runs on,
//     or on the host the provider block's ssh block names.
//
// It also serves the data source local_file, which reads a file.
package builtin

import (
	"context"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "plumb"

// provider serves the built-in types. Its one setting is the host its
// files are on.
type provider struct {
	host      *host.Slot
	resources map[string]providers.Resource
	data      map[string]providers.DataSource
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Closer   = (*provider)(nil)
)

// New returns the provider named "plumb" (Name). Its resource types are
// plumb_data and local_file, its data source type local_file; its
// configuration is an optional ssh block (package host).
func New() providers.Provider {
	h := &host.Slot{}
	return &provider{
		host: h,
		resources: map[string]providers.Resource{
			"plumb_data": newDataResource(),
			"local_file": newFileResource(h),
		},
		data: map[string]providers.DataSource{
			"local_file": newFileDataSource(h),
		},
	}
}

// Schema has the ssh block: local files are on the host it names.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Built-in resource types: values kept in state, and files.",
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
	}
}

// Configure connects to the host the ssh block names, if any.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, req.Config)}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Resources returns the provider's resource types. The map is shared;
// callers must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.resources }

// DataSources returns the provider's data source types. The map is shared;
// callers must not change it.
func (p *provider) DataSources() map[string]providers.DataSource { return p.data }
