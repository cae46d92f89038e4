// Package accesslog finds the clients behind a denial-of-service attack.
//
// Its scanner (Scan) reads Apache and nginx access logs in the common and
// combined formats (plain, gzip-compressed, streams, rotated sets) and
// counts requests by client address, /24 and /64 network, URI, (address,
// URI) pair and user agent, in parallel and in bounded memory; it is what
// `plumb detect` runs. ReadConnections and CountConnections count live
// TCP connections per remote address from /proc/net/tcp and tcp6.
//
// As the provider named "accesslog" it serves two data sources whose
// address lists feed a block list (nftables_blocklist):
//
//   - access_log_offenders: clients (or networks) with at least threshold
//     requests in a window of an access log;
//   - tcp_connections: remote addresses with at least threshold live
//     connections, optionally to one local port and in given states.
//
// Both export addresses (worst first), counts and evidence (a sentence
// per address saying what put it there).
package accesslog

import (
	"context"

	"github.com/plumbhq/plumb/providers"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "accesslog"

type provider struct {
	data map[string]providers.DataSource
}

var _ providers.Provider = (*provider)(nil)

// New returns the provider named "accesslog" (Name). It takes no
// configuration; its data source types are access_log_offenders and
// tcp_connections.
func New() providers.Provider {
	return &provider{data: map[string]providers.DataSource{
		"access_log_offenders": newOffendersSource(),
		"tcp_connections":      newConnectionsSource(),
	}}
}

// Schema is empty: the provider has no configuration.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{Description: "Offending clients found in access logs and live TCP connections."}
}

// Configure accepts the (empty) configuration.
func (p *provider) Configure(context.Context, providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{}
}

// Resources returns no types: the provider only reads.
func (p *provider) Resources() map[string]providers.Resource { return nil }

// DataSources returns the provider's data source types. The map is
// shared; callers must not change it.
func (p *provider) DataSources() map[string]providers.DataSource { return p.data }
