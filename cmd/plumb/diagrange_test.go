package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/state"
)

// schemaCase is, for one resource or data source type, a valid body
// (one attribute a line, nested blocks opened on a line of their own), a
// bad value for each attribute that has one, and why the others have
// none. Attribute paths are written as in providers.AttributePath:
// "interval", "copy[0].retain", "remote_retention.age". Bool attributes
// need no entry: every bool is a valid bool.
type schemaCase struct {
	mode string // "resource" or "data"
	body string
	bad  map[string]string
	free map[string]string
}

// schemaCases covers every type the registry serves; a type or attribute
// without an entry fails TestEveryAttributeErrorPointsAtItsLine, so a
// new one is considered when it is added.
var schemaCases = map[string]schemaCase{
	"aws_ebs_snapshot_policy": {mode: "resource", body: `
instance_id = "i-0123456789abcdef0"
interval = "24h"
retain = "7d"
copy {
  region = "eu-central-1"
}
`, bad: map[string]string{
		"instance_id": `"web1"`, "interval": `"daily"`, "retain": `"a week"`, "keep_last": `0`, "owner": `""`,
		"description": `"{hostname}"`, "tags": `{ "aws:x" = "y" }`, "volume_ids": `["snap-1"]`, "volume_tags": `{}`,
		"copy[0].region": `"Frankfurt"`, "copy[0].retain": `"1h"`, "copy[0].kms_key_id": `"alias/backups"`,
	}, free: map[string]string{
		"host_name": "any name fills in {host}; its length is checked with the description's at plan time",
	}},
	"aws_route53_zone": {mode: "resource", body: `
name = "example.org"
`, bad: map[string]string{
		"name": `"a..example.org"`, "records": `[{ name = "www.example.org.", type = "A", ttl = 300, values = ["not-an-ip"] }]`,
		"tags": `{ "aws:x" = "y" }`, "comment": `"` + strings.Repeat("x", 300) + `"`,
	}},
	"bind_zone": {mode: "resource", body: `
name = "example.org."
directory = "zones"
records = [{ name = "example.org.", type = "NS", ttl = 3600, values = ["ns1.example.net."] }]
soa {
  mname = "ns1.example.org."
}
`, bad: map[string]string{
		"name": `"a..example.org."`, "directory": `""`, "filename": `"../x.zone"`, "ttl": `-1`, "check_names": `"maybe"`,
		"records":   `[{ name = "www.example.org.", type = "A", ttl = 300, values = ["not-an-ip"] }]`,
		"soa.mname": `"ns1..example.org."`, "soa.rname": `"@example.org"`, "soa.refresh": `-1`, "soa.retry": `-1`,
		"soa.expire": `-1`, "soa.minimum": `-1`,
	}},
	"apache_htaccess_access": {mode: "resource", body: `
path = "site/admin/.htaccess"
allow = ["192.0.2.10"]
`, bad: map[string]string{
		"path": `""`, "allow": `["not-an-ip"]`, "deny": `["not-an-ip"]`, "syntax": `"apache3"`, "marker": `"x\ny"`,
	}},
	"dns_addresses": {mode: "data", body: `
name = "office.example.org"
`, bad: map[string]string{
		"name": `""`, "server": `"not-an-ip"`, "timeout": `"soon"`, "types": `["MX"]`,
	}},
	"access_log_offenders": {mode: "data", body: `
paths = ["access.log"]
threshold = 100
rule {
  name = "wp_login"
  uri = "^/wp-login"
  requests = 5
  within = "1m"
}
`, bad: map[string]string{
		"rule[0].name": `""`, "rule[0].method": `[""]`, "rule[0].uri": `"("`, "rule[0].status": `["99x"]`,
		"rule[0].agent": `"("`, "rule[0].requests": `0`, "rule[0].within": `"soon"`, "rule[0].ban": `"soon"`,
		"paths": `[]`, "threshold": `-1`, "window": `"ten minutes"`, "by": `"nonsense"`, "since": `"yesterday"`,
		"until": `"tomorrow"`, "trusted_proxies": `["not-a-network"]`, "journal_directory": `"/var/log/journal"`,
	}, free: map[string]string{
		"journal_units":  "any systemd unit's name; one with no entries reads nothing",
		"exclude_agents": "any text is a user agent's substring", "exclude_uris": "any text is a URI prefix",
	}},
	"tcp_connections": {mode: "data", body: `
port = 80
threshold = 10
`, bad: map[string]string{
		"port": `70000`, "by": `"nonsense"`, "states": `["FLYING"]`, "threshold": `-1`, "proc_net": `""`,
	}},
	"nftables_blocklist": {mode: "resource", body: `
table = "plumb_blocklist"
addresses = ["192.0.2.1"]
`, bad: map[string]string{
		"table": `"bad table!"`, "addresses": `["not-an-ip"]`, "chain": `"bad chain!"`, "set_v4": `"bad set!"`,
		"set_v6": `"bad set!"`, "timeout": `"soon"`, "max_entries": `0`, "never_block": `["not-an-ip"]`,
		"priority": `1000`, "trusted_proxies": `["not-an-ip"]`,
		"bans": `{ "192.0.2.1" = "soon" }`, "max_ban": `"soon"`, "repeat_factor": `0`,
	}, free: map[string]string{
		"evidence": "free text shown in the plan beside each address",
		"counts":   "numbers shown in the plan beside each address, and used to choose past max_entries",
	}},
	"plumb_data": {mode: "resource", body: `
input = "x"
`, free: map[string]string{
		"input": "any value is kept", "triggers_replace": "any value is kept",
	}},
	"local_file": {mode: "resource", body: `
filename = "a.txt"
content = "x"
`, bad: map[string]string{
		"filename": `""`, "mode": `"999"`, "directory_mode": `"999"`, "sensitive_content": `"y"`,
	}, free: map[string]string{
		"content": "any text is a file's content",
	}},
	"local_file (data)": {mode: "data", body: `
filename = "a.txt"
`, bad: map[string]string{
		"filename": `""`,
	}},
	"svn_pre_commit_hook": {mode: "resource", body: `
repository = "/srv/svn/website"
lint {
  pattern = "*.php"
  command = ["php", "-l"]
}
`, bad: map[string]string{
		"repository": `"relative/repo"`, "plumb_path": `"relative/plumb"`, "message_pattern": `"("`,
		"min_message_length": `-1`, "max_file_size": `-1`, "forbid_paths": `["["]`,
		"lint[0].pattern": `"["`, "lint[0].command": `[]`, "lint[0].timeout": `"soon"`,
	}},
	"svn_offsite_backup": {mode: "resource", body: `
repository = "/srv/svn/website"
bucket = "backups"
recipients = ["age16znvn4dkq49kcra65ysfjvsv9977zuva3wfcxxeg4wq0nvngmcvq6rys9m"]
remote_retention {
  age = "30d"
}
`, bad: map[string]string{
		"repository": `"relative/repo"`, "bucket": `""`, "recipients": `["not-a-key"]`, "interval": `"soon"`,
		"local_retention": `"soon"`, "full_every": `0`,
		"remote_retention.age": `"a month"`, "remote_retention.count": `0`,
	}, free: map[string]string{
		"local_dir": "any directory, relative to the configuration folder or absolute",
		"prefix":    "any S3 key prefix",
	}},
}

// TestEveryAttributeErrorPointsAtItsLine walks the schema of every
// resource and data source type plumb serves, gives each attribute a bad
// value in an otherwise valid configuration, and checks that plumb
// validate reports an error whose range is that attribute's own line,
// never the block's first line, in words of the provider that refuses
// (no Route 53 for a bind_zone).
//
// Some values can only be judged by a plan (a zone's records are checked
// when they change, and the provider reads them then): when validate
// accepts the value, a plan from an empty state must refuse it instead,
// on the same line. AWS types plan against the emulator.
func TestEveryAttributeErrorPointsAtItsLine(t *testing.T) {
	awstest.StartKumo(t).SetEnv(t)
	reg := registry()
	seen := map[string]bool{}
	for _, name := range reg.Names() {
		f, _ := reg.Factory(name)
		p := f()
		types := map[string]providers.Schema{}
		for typ, r := range p.Resources() {
			types[typ] = r.Schema()
		}
		for typ, d := range p.DataSources() {
			key := typ
			if _, clash := types[typ]; clash {
				key = typ + " (data)"
			}
			types[key] = d.Schema()
		}
		for key, schema := range types {
			seen[key] = true
			c, ok := schemaCases[key]
			if !ok {
				t.Errorf("%s (provider %s) has no entry in schemaCases: give it a valid body and a bad value for each attribute", key, name)
				continue
			}
			for _, path := range attributePaths("", schema) {
				t.Run(key+"/"+path.name, func(t *testing.T) {
					if path.ty == cty.Bool {
						return // every bool is a valid bool
					}
					bad, ok := c.bad[path.name]
					if !ok {
						if _, free := c.free[path.name]; !free {
							t.Fatalf("%s.%s has no bad value in schemaCases, and is not listed as free", key, path.name)
						}
						return
					}
					checkAttributeError(t, reg, name, key, c, path.name, bad)
				})
			}
		}
	}
	for key := range schemaCases {
		if !seen[key] {
			t.Errorf("schemaCases has %s, which no provider serves any more", key)
		}
	}
}

// schemaPath is an attribute of a schema that configuration may set.
type schemaPath struct {
	name string
	ty   cty.Type
}

// attributePaths lists, sorted, the configurable attributes of s and of
// its nested blocks (a list block as its first element, [0]).
func attributePaths(prefix string, s providers.Schema) []schemaPath {
	var out []schemaPath
	for name, a := range s.Attributes {
		if a.Computed && !a.Optional && !a.Required {
			continue
		}
		out = append(out, schemaPath{prefix + name, a.Type})
	}
	for name, b := range s.Blocks {
		if name == "ssh" {
			continue // the host transport's block, on provider configurations only
		}
		p := prefix + name
		if b.Nesting == providers.NestingList {
			p += "[0]"
		}
		out = append(out, attributePaths(p+".", b.Schema)...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// foreignWords are names only the provider they belong to may use in its
// messages: a bind_zone user never hears about Route 53.
var foreignWords = map[string][]string{"aws": {"Route 53", "EC2", "route53"}}

// checkAttributeError validates c's body with path set to bad and wants
// an error on that line, which names no other provider's service.
func checkAttributeError(t *testing.T, reg *providers.Registry, provider, key string, c schemaCase, path, bad string) {
	t.Helper()
	typ := strings.TrimSuffix(key, " (data)")
	body, line := withAttribute(t, c.body, path, bad)
	src := fmt.Sprintf("%s %q \"t\" {%s}\n", c.mode, typ, body)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
	if !diags.HasErrors() {
		diags = append(diags, eng.Validate(context.Background())...)
		eng.Close()
	}
	var errs []*hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	if len(errs) == 0 && !diags.HasErrors() {
		errs = planErrors(t, reg, dir)
	}
	if len(errs) == 0 {
		t.Fatalf("%s = %s is refused neither by validate nor by a plan:\n%s", path, bad, src)
	}
	for _, d := range errs {
		if structural[d.Summary] {
			t.Fatalf("the test wrote %s = %s where the schema does not have it (%s):\n%s", path, bad, d.Summary, numbered(src))
		}
	}
	for _, d := range errs {
		for owner, words := range foreignWords {
			for _, w := range words {
				if owner != provider && strings.Contains(d.Summary+" "+d.Detail, w) {
					t.Errorf("%s = %s: the %s provider's error speaks of %s: %s: %s", path, bad, provider, w, d.Summary, d.Detail)
				}
			}
		}
		if d.Subject == nil || d.Subject.Start.Line != line {
			at := "no range"
			if d.Subject != nil {
				at = fmt.Sprintf("line %d", d.Subject.Start.Line)
			}
			t.Errorf("%s = %s (line %d): the error %q points at %s\n%s", path, bad, line, d.Summary, at, numbered(src))
		}
	}
}

// planErrors plans the configuration in dir from an empty state and
// returns the errors.
func planErrors(t *testing.T, reg *providers.Registry, dir string) []*hcl.Diagnostic {
	t.Helper()
	eng, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	defer eng.Close()
	st, err := state.NewLocal(filepath.Join(dir, "plumb.state")).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, diags = eng.Plan(context.Background(), st)
	var errs []*hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// structural are the summaries of HCL's own errors about a body's shape:
// a value put in the wrong place by the test, not refused by a provider.
var structural = map[string]bool{
	"Unsupported argument": true, "Missing newline after argument": true, "Duplicate argument": true,
	"Missing required argument": true, "Unsupported block type": true, "Incorrect attribute value type": true,
	"Argument or block definition required": true,
}

var blockOpen = regexp.MustCompile(`^\s*([a-z_]+)\s*\{\s*$`)

// withAttribute sets the attribute at path to value in body (replacing a
// line that sets it already) and returns the body and the line, counted
// in the whole file (the resource's first line is line 1), where it is.
func withAttribute(t *testing.T, body, path, value string) (string, int) {
	t.Helper()
	lines := strings.Split(body, "\n")
	steps := strings.Split(path, ".")
	start, end := 1, len(lines) // the block searched: lines[start:end]; lines[0] is the "{" line
	for _, step := range steps[:len(steps)-1] {
		name, index := step, 0
		if i := strings.IndexByte(step, '['); i > 0 {
			name = step[:i]
			fmt.Sscanf(step[i:], "[%d]", &index)
		}
		found := -1
		depth, n := 0, 0
		for i := start; i < end; i++ {
			if m := blockOpen.FindStringSubmatch(lines[i]); m != nil {
				if depth == 0 && m[1] == name {
					if n == index {
						found = i
						break
					}
					n++
				}
				depth++
			} else if strings.TrimSpace(lines[i]) == "}" {
				depth--
			}
		}
		if found < 0 {
			t.Fatalf("the body has no block %s for %s:\n%s", step, path, body)
		}
		depth, close := 1, found+1
		for ; close < end && depth > 0; close++ {
			if blockOpen.MatchString(lines[close]) {
				depth++
			} else if strings.TrimSpace(lines[close]) == "}" {
				depth--
			}
		}
		start, end = found+1, close-1
	}
	attr := steps[len(steps)-1]
	set := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(attr) + `\s*=`)
	var out []string
	at := -1
	for i, l := range lines {
		if i == start && at < 0 {
			at = len(out)
			out = append(out, attr+" = "+value)
		}
		if i >= start && i < end && set.MatchString(l) {
			continue
		}
		out = append(out, l)
	}
	if at < 0 {
		at = len(out)
		out = append(out, attr+" = "+value)
	}
	return strings.Join(out, "\n"), at + 1
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}

// durationAttrs are, by type, the attributes that take a duration.
var durationAttrs = map[string][]string{
	"aws_ebs_snapshot_policy": {"interval", "retain", "copy[0].retain"},
	"access_log_offenders":    {"window", "rule[0].within", "rule[0].ban"},
	"dns_addresses":           {"timeout"},
	"nftables_blocklist":      {"timeout", "max_ban"},
	"svn_pre_commit_hook":     {"lint[0].timeout"},
	"svn_offsite_backup":      {"interval", "local_retention", "remote_retention.age"},
}

// durationName says which attribute names are durations, to catch one
// added without an entry in durationAttrs.
var durationName = regexp.MustCompile(`interval|retain|retention|timeout|window|within|^ban$|^age$|expire|_after$|_every$`)

// TestEveryDurationAttributeSpeaksTheDialect gives every duration
// attribute of every type each form of the one dialect (30s, 15m, 24h,
// 7d, 2w, 1d12h), which none may refuse as "not a duration" (an attribute
// may still find one too short or too long), and a value that is not a
// duration, which each must refuse with the one error text.
func TestEveryDurationAttributeSpeaksTheDialect(t *testing.T) {
	reg := registry()
	for _, name := range reg.Names() {
		f, _ := reg.Factory(name)
		p := f()
		types := map[string]providers.Schema{}
		for typ, r := range p.Resources() {
			types[typ] = r.Schema()
		}
		for typ, d := range p.DataSources() {
			if _, clash := types[typ]; !clash {
				types[typ] = d.Schema()
			}
		}
		for typ, schema := range types {
			listed := map[string]bool{}
			for _, a := range durationAttrs[typ] {
				listed[a] = true
			}
			for _, path := range attributePaths("", schema) {
				leaf := path.name[strings.LastIndexByte(path.name, '.')+1:]
				if path.ty == cty.String && durationName.MatchString(leaf) && !listed[path.name] {
					t.Errorf("%s.%s looks like a duration but is not in durationAttrs", typ, path.name)
				}
			}
		}
	}
	for typ, attrs := range durationAttrs {
		c := schemaCases[typ]
		for _, path := range attrs {
			leaf := path[strings.LastIndexByte(path, '.')+1:]
			t.Run(typ+"/"+path, func(t *testing.T) {
				for _, form := range []string{"30s", "15m", "24h", "7d", "2w", "1d12h"} {
					for _, d := range validateWith(t, reg, typ, c, path, fmt.Sprintf("%q", form)) {
						if strings.Contains(d.Detail, "is not a duration") {
							t.Errorf("%s = %q refused as not a duration: %s", path, form, d.Detail)
						}
					}
				}
				want := fmt.Sprintf("%s = %q is not a duration: write %s", leaf, "soon", providers.DurationForms)
				found := false
				errs := validateWith(t, reg, typ, c, path, `"soon"`)
				for _, d := range errs {
					found = found || strings.Contains(d.Detail, want)
				}
				if !found {
					t.Errorf("%s = \"soon\" is not refused with the one error text %q: %v", path, want, errs)
				}
			})
		}
	}
}

// validateWith validates c's body with path set to value and returns the
// errors.
func validateWith(t *testing.T, reg *providers.Registry, typ string, c schemaCase, path, value string) []*hcl.Diagnostic {
	t.Helper()
	body, _ := withAttribute(t, c.body, path, value)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(fmt.Sprintf("%s %q \"t\" {%s}\n", c.mode, typ, body)), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, diags := reconcile.Load(reconcile.Options{Dir: dir, Registry: reg})
	if !diags.HasErrors() {
		diags = append(diags, eng.Validate(context.Background())...)
		eng.Close()
	}
	var errs []*hcl.Diagnostic
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}
