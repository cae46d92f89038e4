// Package dnsquery is the provider named "dns": it resolves names at plan
// time, so configuration can follow addresses that change outside plumb,
// such as an office's dynamic-DNS name.
//
// Its one data source, dns_addresses, asks the system resolver or a named
// server for a name's A and AAAA records and exports them as sorted lists.
// A lookup that fails, times out, or finds no addresses is an error, never
// an empty list: an allow list built from it is then left as it is rather
// than emptied. An answer holding anything other than addresses for the
// name (or a CNAME chain to them) is an error too.
//
// Lookups run in parallel. Each server (the system resolver counts as
// one) gets at most max_queries_per_server queries at once, and one run
// asks each question once: data sources that ask the same question share
// the answer, so they agree.
package dnsquery

import (
	"context"
	"math/big"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "dns"

// DefaultMaxQueriesPerServer bounds the queries in flight to one server
// unless the provider block says otherwise.
const DefaultMaxQueriesPerServer = 8

// maxQueriesLimit is the largest max_queries_per_server accepted.
const maxQueriesLimit = 1024

type provider struct {
	res  *resolver
	data map[string]providers.DataSource
}

var _ providers.Provider = (*provider)(nil)

// New returns the provider named "dns" (Name), serving the data source
// dns_addresses. Each instance keeps its own answers, so a run (which
// makes one instance) asks each question once.
func New() providers.Provider {
	res := newResolver(DefaultMaxQueriesPerServer)
	return &provider{
		res:  res,
		data: map[string]providers.DataSource{"dns_addresses": newAddresses(res)},
	}
}

// Schema describes the provider block: max_queries_per_server.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Resolves names at plan time.",
		Attributes: map[string]*providers.Attribute{
			"max_queries_per_server": {
				Type: cty.Number, Optional: true,
				Description: "Most queries in flight at once to one DNS server (the system resolver counts as one server); default 8.",
			},
		},
	}
}

// Configure reads max_queries_per_server.
func (p *provider) Configure(_ context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	if req.Config.IsNull() || !req.Config.IsKnown() || !req.Config.Type().HasAttribute("max_queries_per_server") {
		return providers.ConfigureResponse{}
	}
	v := req.Config.GetAttr("max_queries_per_server")
	if v.IsNull() || !v.IsKnown() {
		return providers.ConfigureResponse{}
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if acc != big.Exact || n < 1 || n > maxQueriesLimit {
		return providers.ConfigureResponse{Diagnostics: providers.AttributeErrorf("max_queries_per_server",
			"Invalid max_queries_per_server", "max_queries_per_server = %s: give a whole number from 1 to %d, such as 8.", bf.Text('g', -1), maxQueriesLimit)}
	}
	p.res.setLimit(int(n))
	return providers.ConfigureResponse{}
}

// Resources returns no resource types: the provider only reads.
func (p *provider) Resources() map[string]providers.Resource { return nil }

// DataSources returns dns_addresses. The map is shared; callers must not
// change it.
func (p *provider) DataSources() map[string]providers.DataSource { return p.data }
