package host

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"

	"github.com/plumbhq/plumb/providers"
)

// BlockName is the name of the nested block that sends a provider over
// SSH: `ssh { host = "web1.example.net" ... }`.
const BlockName = "ssh"

// Defaults of the ssh block.
const (
	DefaultPort           = 22
	DefaultConnectTimeout = 10 * time.Second
	DefaultCommandTimeout = 10 * time.Minute
	// DefaultMaxSessions stays under OpenSSH's MaxSessions (10 per
	// connection), leaving room for the SFTP session.
	DefaultMaxSessions = 8
)

// Settings say how to reach a host over SSH: the ssh block of a
// host-side provider, decoded.
type Settings struct {
	// Host is the name or address to connect to; Port its port.
	Host string
	Port int
	// User logs in; empty means the user running plumb.
	User string
	// PrivateKeyFile is an unencrypted private key (OpenSSH or PEM).
	PrivateKeyFile string
	// Agent uses the keys of the ssh-agent at $SSH_AUTH_SOCK.
	Agent bool
	// KnownHostsFile lists the host keys to trust; empty means
	// ~/.ssh/known_hosts. HostKey, when set, is the one key to trust
	// instead ("ssh-ed25519 AAAA...").
	KnownHostsFile string
	HostKey        string
	// Sudo runs commands and file operations through sudo -n (as root,
	// with no password: the login must have NOPASSWD sudo).
	Sudo bool
	// SFTPServer is the path of the server's sftp-server, which Sudo
	// runs under sudo; empty looks in the usual places.
	SFTPServer string
	// ConnectTimeout bounds the TCP connection and the SSH handshake, and
	// is how long a silent connection may go unanswered; CommandTimeout
	// bounds each command.
	ConnectTimeout, CommandTimeout time.Duration
	// MaxSessions bounds the commands running at once on the connection.
	MaxSessions int
}

// Addr is host:port.
func (s Settings) Addr() string {
	return netJoin(s.Host, s.Port)
}

// Block is the schema of the ssh block, the same in every host-side
// provider. Add it to the provider's schema as Blocks[BlockName].
func Block() *providers.Block {
	str := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Optional: true, Description: desc}
	}
	return &providers.Block{Nesting: providers.NestingSingle, Schema: providers.Schema{
		Description: "Manage a machine reached over SSH instead of the one plumb runs on.",
		Attributes: map[string]*providers.Attribute{
			"host": {Type: cty.String, Required: true,
				Description: "The name or address of the machine."},
			"port": {Type: cty.Number, Optional: true,
				Description: "The SSH port; default 22."},
			"user":             str("The login; default the user running plumb."),
			"private_key_file": str("An unencrypted private key to log in with (an encrypted one: load it into ssh-agent and set agent = true)."),
			"agent": {Type: cty.Bool, Optional: true,
				Description: "Log in with the keys of the ssh-agent at $SSH_AUTH_SOCK; the default when private_key_file is not set."},
			"known_hosts_file": str("The known_hosts file that lists the host's key; default ~/.ssh/known_hosts."),
			"host_key":         str(`The host's public key, pinned ("ssh-ed25519 AAAA..."), instead of a known_hosts file.`),
			"sudo": {Type: cty.Bool, Optional: true,
				Description: "Run commands and write files as root through sudo -n; the login needs sudo without a password. No password is ever sent or put on a command line."},
			"sftp_server":     str("With sudo: the path of the host's sftp-server; default /usr/lib/openssh/sftp-server (Debian) or /usr/libexec/openssh/sftp-server (Red Hat)."),
			"connect_timeout": str(`How long connecting may take, and how long the host may stay silent before the connection counts as lost; default "10s".`),
			"command_timeout": str(`How long one command may run; default "10m".`),
			"max_sessions": {Type: cty.Number, Optional: true,
				Description: "How many commands may run at once on the connection; default 8 (OpenSSH allows 10 sessions per connection)."},
		},
	}}
}

// FromConfig builds the host a provider acts on from its configuration
// (the provider block's value, whose schema has Block under BlockName):
// the local machine when there is no ssh block, else a connection to the
// host it names, shared with every other provider that names the same
// host and login in this process. The caller closes the host with Close
// when the run ends.
func FromConfig(ctx context.Context, config cty.Value) (Host, hcl.Diagnostics) {
	if config.IsNull() || !config.IsKnown() || !config.Type().IsObjectType() || !config.Type().HasAttribute(BlockName) {
		return Local(), nil
	}
	b := config.GetAttr(BlockName)
	if b.IsNull() {
		return Local(), nil
	}
	s, diags := DecodeSettings(b)
	if diags.HasErrors() {
		return nil, diags
	}
	h, err := Dial(ctx, s)
	if err != nil {
		return nil, providers.AttributeErrorf(BlockName, "Cannot reach "+s.Addr()+" over SSH", "%v", err)
	}
	return h, nil
}

// DecodeSettings reads an ssh block's value into Settings, with the
// defaults filled in.
func DecodeSettings(b cty.Value) (Settings, hcl.Diagnostics) {
	s := Settings{Port: DefaultPort, ConnectTimeout: DefaultConnectTimeout, CommandTimeout: DefaultCommandTimeout, MaxSessions: DefaultMaxSessions}
	if !b.IsWhollyKnown() {
		return s, providers.AttributeErrorf(BlockName, "ssh block not known before apply",
			"The ssh block refers to values known only after apply. A provider is configured before anything is planned, so its ssh settings may use variables, locals and data sources, not resources.")
	}
	var diags hcl.Diagnostics
	bad := func(attr, format string, args ...any) {
		diags = diags.Extend(providers.AttributeErrorf(BlockName+"."+attr, "Invalid ssh "+attr, format, args...))
	}
	get := func(name string) string {
		if v := b.GetAttr(name); !v.IsNull() {
			return v.AsString()
		}
		return ""
	}
	s.Host = get("host")
	if s.Host == "" {
		bad("host", "host is empty; give the name or address of the machine to manage.")
	}
	if v := b.GetAttr("port"); !v.IsNull() {
		var p int
		if err := gocty.FromCtyValue(v, &p); err != nil || p < 1 || p > 65535 {
			bad("port", "port = %s is not a TCP port; give a whole number from 1 to 65535.", v.AsBigFloat().String())
		}
		s.Port = p
	}
	s.User = get("user")
	if s.User == "" {
		u, err := user.Current()
		if err != nil {
			bad("user", "user is not set and the user running plumb cannot be found (%v); set user.", err)
		} else {
			s.User = u.Username
		}
	}
	s.PrivateKeyFile = get("private_key_file")
	if v := b.GetAttr("agent"); !v.IsNull() {
		s.Agent = v.True()
	} else {
		s.Agent = s.PrivateKeyFile == ""
	}
	if s.PrivateKeyFile == "" && !s.Agent {
		bad("login", "agent = false and no private_key_file: plumb has no way to log in. Set private_key_file, or let plumb use ssh-agent.")
	}
	s.KnownHostsFile, s.HostKey = get("known_hosts_file"), get("host_key")
	if s.KnownHostsFile != "" && s.HostKey != "" {
		bad("host_key", "Both known_hosts_file and host_key are set; the host's key is checked against one of them. Keep host_key to pin the key, or known_hosts_file to use a list.")
	}
	if s.KnownHostsFile == "" && s.HostKey == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			bad("known_hosts_file", "known_hosts_file is not set and there is no home directory to find ~/.ssh/known_hosts in (%v); set known_hosts_file or host_key.", err)
		}
		s.KnownHostsFile = filepath.Join(home, ".ssh", "known_hosts")
	}
	if v := b.GetAttr("sudo"); !v.IsNull() {
		s.Sudo = v.True()
	}
	s.SFTPServer = get("sftp_server")
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"connect_timeout", &s.ConnectTimeout}, {"command_timeout", &s.CommandTimeout}} {
		text := get(d.name)
		if text == "" {
			continue
		}
		t, err := providers.ParseDuration(text)
		switch {
		case err != nil:
			bad(d.name, "%s = %v.", d.name, err)
			continue
		case t <= 0:
			bad(d.name, "%s = %q: it must be more than zero, such as \"10s\" or \"5m\".", d.name, text)
			continue
		}
		*d.to = t
	}
	if v := b.GetAttr("max_sessions"); !v.IsNull() {
		var n int
		if err := gocty.FromCtyValue(v, &n); err != nil || n < 1 {
			bad("max_sessions", "max_sessions must be a whole number of at least 1.")
		}
		s.MaxSessions = n
	}
	return s, diags
}

func netJoin(host string, port int) string {
	if port == 0 {
		port = DefaultPort
	}
	for i := 0; i < len(host); i++ {
		if host[i] == ':' {
			return "[" + host + "]:" + strconv.Itoa(port)
		}
	}
	return host + ":" + strconv.Itoa(port)
}

// label names a login on a host in messages: user@host:port.
func (s Settings) label() string {
	return fmt.Sprintf("%s@%s", s.User, s.Addr())
}

// BlockValue builds the value of an ssh block from Go values (strings,
// ints, bools) keyed by attribute name; empty strings, and attributes
// left out, are null. For callers that take SSH settings from elsewhere
// than a configuration, such as plumb detect's flags.
func BlockValue(attrs map[string]any) cty.Value {
	ty := Block().Schema.ImpliedType()
	m := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		m[name] = cty.NullVal(at)
		switch v := attrs[name].(type) {
		case string:
			if v != "" {
				m[name] = cty.StringVal(v)
			}
		case int:
			m[name] = cty.NumberIntVal(int64(v))
		case bool:
			m[name] = cty.BoolVal(v)
		}
	}
	return cty.ObjectVal(m)
}
