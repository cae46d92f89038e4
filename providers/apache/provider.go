// Package apache is the provider named "apache". Its resource type
// apache_htaccess_access keeps an IP allow list in an Apache access file
// (an .htaccess), so that an admin area can follow an office's dynamic
// address without ever locking its owners out.
//
// A resource owns one marked block of the file:
//
//	# BEGIN plumb apache_htaccess_access.admin["shop.example"]
//	<RequireAny>
//	    Require ip 203.0.113.7
//	</RequireAny>
//	# END plumb apache_htaccess_access.admin["shop.example"]
//
// and nothing else: every other line, the file's mode and its owner are
// kept, and several resources may keep blocks in one file. Changes are
// made under a lock on the file (a flock on a lock file beside it), so
// concurrent runs never lose each other's blocks, and written atomically
// (a temporary file renamed over the old one). Reading the block back
// shows edits made by hand as drift; content inside the markers that
// plumb did not write is an error, since plumb would otherwise overwrite
// it.
//
// With validate = true the result is checked with apachectl -t, parsed as
// the content of a <Directory> section for its folder (which is how
// Apache reads an .htaccess), and the previous file is put back when
// Apache rejects it.
//
// The files are on the machine plumb runs on, or on the web server the
// provider block's ssh block names; apachectl then runs there.
package apache

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Name is the provider's name, under which cmd/plumb registers New.
const Name = "apache"

type provider struct {
	host      *host.Slot
	ctl       *apachectl
	resources map[string]providers.Resource
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Closer   = (*provider)(nil)
)

// New returns the provider named "apache" (Name), serving the resource
// type apache_htaccess_access.
func New() providers.Provider {
	h := &host.Slot{}
	ctl := &apachectl{}
	return &provider{
		host:      h,
		ctl:       ctl,
		resources: map[string]providers.Resource{"apache_htaccess_access": newAccessResource(h, ctl)},
	}
}

// Close lets go of the host.
func (p *provider) Close() error { return p.host.Close() }

// Schema describes the provider block: how to run apachectl, and the
// optional ssh block.
func (p *provider) Schema() providers.Schema {
	return providers.Schema{
		Description: "Apache access files, on this machine or a web server reached over SSH.",
		Blocks:      map[string]*providers.Block{host.BlockName: host.Block()},
		Attributes: map[string]*providers.Attribute{
			"apachectl": {
				Type: cty.String, Optional: true,
				Description: "The command that checks Apache's configuration for validate = true: a path or a name on PATH; default apachectl or apache2ctl, looked for on PATH and in /usr/sbin.",
			},
			"apachectl_args": {
				Type: cty.List(cty.String), Optional: true,
				Description: `Arguments given to apachectl before -t, such as ["-f", "/etc/httpd/conf/httpd.conf"] to check a server other than the default one.`,
			},
		},
	}
}

// Configure reads apachectl and apachectl_args, and connects to the host
// the ssh block names, if any.
func (p *provider) Configure(ctx context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	c := req.Config
	if c.IsNull() || !c.IsKnown() {
		return providers.ConfigureResponse{}
	}
	var cmd string
	var args []string
	if c.Type().HasAttribute("apachectl") {
		if v := c.GetAttr("apachectl"); !v.IsNull() && v.IsKnown() {
			cmd = v.AsString()
			if cmd == "" {
				return providers.ConfigureResponse{Diagnostics: providers.AttributeErrorf("apachectl", "Empty apachectl",
					"apachectl is the empty string; give the command that checks Apache's configuration, such as \"/usr/sbin/apachectl\", or leave it out to look for apachectl and apache2ctl.")}
			}
		}
	}
	if c.Type().HasAttribute("apachectl_args") {
		if v := c.GetAttr("apachectl_args"); !v.IsNull() && v.IsWhollyKnown() {
			for _, e := range v.AsValueSlice() {
				if e.IsNull() {
					return providers.ConfigureResponse{Diagnostics: providers.AttributeErrorf("apachectl_args", "Null in apachectl_args", "Every argument must be a string.")}
				}
				args = append(args, e.AsString())
			}
		}
	}
	p.ctl.configure(cmd, args)
	return providers.ConfigureResponse{Diagnostics: p.host.Configure(ctx, c)}
}

// Resources returns apache_htaccess_access. The map is shared; callers
// must not change it.
func (p *provider) Resources() map[string]providers.Resource { return p.resources }

// DataSources returns none.
func (p *provider) DataSources() map[string]providers.DataSource { return nil }

// apachectl runs Apache's configuration check.
type apachectl struct {
	mu      sync.Mutex
	command string   // as configured; "" looks for the usual names
	args    []string // before -t
	found   string   // the command found, once looked for
}

func (a *apachectl) configure(cmd string, args []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.command, a.args, a.found = cmd, args, ""
}

// errNoApachectl is returned (wrapped) when no apachectl can be found.
var errNoApachectl = errors.New("no apachectl found")

// resolve returns the command to run on h and its leading arguments:
// the configured command, else apachectl or apache2ctl, looked for on
// the host's PATH and then in the sbin folders a cron job's PATH leaves
// out.
func (a *apachectl) resolve(ctx context.Context, h host.Host) (string, []string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.found != "" {
		return a.found, a.args, nil
	}
	if a.command != "" {
		p, err := host.LookPath(ctx, h, a.command, host.SbinDirs...)
		if err != nil {
			return "", nil, fmt.Errorf("%w: apachectl = %q: %v", errNoApachectl, a.command, err)
		}
		a.found = p
		return p, a.args, nil
	}
	for _, n := range []string{"apachectl", "apache2ctl"} {
		if p, err := host.LookPath(ctx, h, n, host.SbinDirs...); err == nil {
			a.found = p
			return p, a.args, nil
		}
	}
	return "", nil, fmt.Errorf("%w: neither apachectl nor apache2ctl is on the PATH of %s or in %v", errNoApachectl, h, host.SbinDirs)
}
