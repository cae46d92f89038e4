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
// per address saying what put it there). They read the machine plumb runs
// on, or the host the provider block's ssh block names: logs and
// /proc/net/tcp* are streamed from there, never copied whole.
package accesslog

import (
	"context"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "accesslog"

type provider struct {
	host *host.Slot
	data map[string]providers.DataSource
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Closer   = (*provider)(nil)
)

// New returns the provider named "accesslog" (Name). Its configuration is
// an optional ssh block (package host); its data source types are
// access_log_offenders and tcp_connections.
func New() providers.Provider {
	h := &host.Slot{}
	return &provider{host: h, data: map[string]providers.DataSource{
		"access_log_offenders": newOffendersSource(h),
		"tcp_connections":      newConnectionsSource(h),
	}}
}

// Schema has the ssh block: the logs and connections are those of the
// host it names.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Offending clients found in access logs and live TCP connections, of this machine or one reached over SSH.",
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
	}
}

// Configure connects to the host the ssh block names, if any.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, req.Config)}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Resources returns no types: the provider only reads.
func (p *provider) Resources() map[string]providers.Resource { return nil }

// DataSources returns the provider's data source types. The map is
// shared; callers must not change it.
func (p *provider) DataSources() map[string]providers.DataSource { return p.data }
