package svn

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// hookResource is svn_pre_commit_hook: a repository's hooks/pre-commit
// that runs plumb svn check-commit with the policy stored beside it.
type hookResource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
}

var (
	_ providers.Resource        = (*hookResource)(nil)
	_ providers.ConfigValidator = (*hookResource)(nil)
)

func newHookResource(h *host.Slot) *hookResource {
	s := hookSchema()
	return &hookResource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

func hookSchema() providers.Schema {
	computed := func(desc string) *providers.Attribute {
		return &providers.Attribute{Type: cty.String, Computed: true, Description: desc}
	}
	return providers.Schema{
		Description: "A Subversion repository's pre-commit hook that checks every commit against a policy with plumb svn check-commit.",
		Attributes: map[string]*providers.Attribute{
			"repository": {Type: cty.String, Required: true, ForceNew: true,
				Description: "Path of the repository (the directory svnadmin create made). Changing it installs the hook in the other repository and removes it from this one."},
			"min_message_length": {Type: cty.Number, Optional: true, Computed: true,
				Description: "Fewest characters a log message may have, white space around it not counted; default 1 (no empty messages), 0 allows empty ones."},
			"message_pattern": {Type: cty.String, Optional: true,
				Description: "A regular expression (RE2 syntax) the log message must match, such as \"^[A-Z]+-[0-9]+ \" for an issue key."},
			"max_file_size": {Type: cty.Number, Optional: true,
				Description: "Largest file, in bytes, a commit may add or change."},
			"forbid_paths": {Type: cty.List(cty.String), Optional: true,
				Description: "Globs of paths a commit may not add or change: \"*.log\" matches a name anywhere, \"trunk/**/node_modules/**\" whole paths."},
			"chain_existing": {Type: cty.Bool, Optional: true, Computed: true,
				Description: "Keep a hand-written hooks/pre-commit found at install: it is moved to hooks/pre-commit.chained and run after plumb's checks. Default false: plumb refuses to replace it."},
			"plumb_path": {Type: cty.String, Optional: true, Computed: true,
				Description: "Absolute path of the plumb binary the hook runs, on the repository's host; by default the path of the plumb that applies the configuration. plumb is not copied there: install it on the server (the same version is best), and the plan checks that it is there and executable."},
			"id":            computed("The repository path."),
			"hook_sha256":   computed("SHA-256 of hooks/pre-commit; a hand edit shows as a change to it."),
			"policy_sha256": computed("SHA-256 of hooks/plumb-policy.json; a hand edit shows as a change to it."),
			"hook_mode":     computed("Permissions of hooks/pre-commit, always \"0755\" once applied."),
			"in_sync": {Type: cty.Bool, Computed: true,
				Description: "Whether the hook and policy on disk are the ones plumb wrote: false when someone edited, removed or chmodded them."},
		},
		Blocks: map[string]*providers.Block{
			"lint": {Nesting: providers.NestingList, Key: []string{"pattern"}, Schema: providers.Schema{
				Description: "A linter run on every added or changed file matching pattern, on the content being committed.",
				Attributes: map[string]*providers.Attribute{
					"pattern": {Type: cty.String, Required: true, Description: "Glob of the files to lint, such as \"*.php\"."},
					"command": {Type: cty.List(cty.String), Required: true, Description: "The linter and its arguments, such as [\"php\", \"-l\"]; the file's path is appended. A non-zero exit rejects the commit."},
					"timeout": {Type: cty.String, Optional: true, Computed: true, Description: "How long one run may take before it is stopped and the commit rejected; default \"" + DefaultLintTimeout + "\"."},
				},
			}},
		},
	}
}

// Schema describes svn_pre_commit_hook.
func (r *hookResource) Schema() providers.Schema { return r.schema }

// ValidateConfig checks the policy's values: lengths and sizes are whole
// numbers, patterns compile, commands are not empty, timeouts are
// durations, plumb_path is absolute. Unknown values are not checked.
func (r *hookResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	if v := config.GetAttr("repository"); v.IsKnown() && !v.IsNull() && v.AsString() == "" {
		diags = diags.Extend(providers.AttributeErrorf("repository", "Empty repository path",
			"Give the path of the Subversion repository, such as \"/srv/svn/website\"."))
	}
	if v := config.GetAttr("min_message_length"); v.IsKnown() && !v.IsNull() {
		if _, ok := wholeNumber(v, 0, 1<<20); !ok {
			diags = diags.Extend(providers.AttributeErrorf("min_message_length", "Invalid min_message_length",
				"min_message_length = %s is not a whole number of characters from 0 up; 6 rejects messages of 5 characters or fewer.", v.AsBigFloat().String()))
		}
	}
	if v := config.GetAttr("message_pattern"); v.IsKnown() && !v.IsNull() {
		if _, err := regexp.Compile(v.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf("message_pattern", "Invalid message_pattern",
				"%q is not a regular expression: %v. plumb uses Go's RE2 syntax (no look-ahead or back-references).", v.AsString(), err))
		}
	}
	if v := config.GetAttr("max_file_size"); v.IsKnown() && !v.IsNull() {
		if _, ok := wholeNumber(v, 1, 1<<50); !ok {
			diags = diags.Extend(providers.AttributeErrorf("max_file_size", "Invalid max_file_size",
				"max_file_size = %s is not a size in bytes above 0; write 10 * 1024 * 1024 for 10 MiB, or leave it out for no limit.", v.AsBigFloat().String()))
		}
	}
	if v := config.GetAttr("forbid_paths"); v.IsWhollyKnown() {
		for _, g := range providers.Strings(v) {
			if err := checkGlob(g); err != nil {
				diags = diags.Extend(providers.AttributeErrorf("forbid_paths", "Invalid forbid_paths glob", "%v.", err))
			}
		}
	}
	if v := config.GetAttr("plumb_path"); v.IsKnown() && !v.IsNull() && !filepath.IsAbs(v.AsString()) {
		diags = diags.Extend(providers.AttributeErrorf("plumb_path", "plumb_path is not absolute",
			"plumb_path = %q: Subversion runs hooks with no PATH and an unknown working directory, so give the absolute path of plumb, such as \"/usr/local/bin/plumb\".", v.AsString()))
	}
	if l := config.GetAttr("lint"); l.IsKnown() && !l.IsNull() {
		i := 0
		for it := l.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			diags = diags.Extend(validateLint(i, e))
		}
	}
	return diags
}

func validateLint(i int, e cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if p := e.GetAttr("pattern"); p.IsKnown() && !p.IsNull() {
		if err := checkGlob(p.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf(fmt.Sprintf("lint[%d].pattern", i), "Invalid lint pattern", "lint block %d: %v.", i+1, err))
		}
	}
	if c := e.GetAttr("command"); c.IsWhollyKnown() {
		if cmd := providers.Strings(c); len(cmd) == 0 || cmd[0] == "" {
			diags = diags.Extend(providers.AttributeErrorf(fmt.Sprintf("lint[%d].command", i), "Empty lint command",
				"lint block %d: command is empty; give the program and its arguments, such as [\"php\", \"-l\"].", i+1))
		}
	}
	diags = diags.Extend(positiveDuration(e, "timeout", fmt.Sprintf("lint[%d].timeout", i)))
	return diags
}

// Plan fills in the defaults (min_message_length 1, chain_existing false,
// plumb_path the running plumb, lint timeouts), plans the hashes of the
// hook and policy plumb will write, and replaces the object when
// repository changes. Planning a new hook also checks that the repository
// exists and that no hand-written hook would be replaced or left unrun.
func (r *hookResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	if !req.Prior.IsNull() && unchangedHook(req.Prior, req.Config) {
		return providers.PlanResponse{Planned: req.Prior}
	}
	if diags := r.ValidateConfig(ctx, req.Config); diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	planned := r.withDefaults(req.Config)
	var replace []string
	if !req.Prior.IsNull() {
		if pr, cr := req.Prior.GetAttr("repository"), req.Config.GetAttr("repository"); !cr.IsKnown() || !pr.RawEquals(cr) {
			replace = []string{"repository"}
		} else if planned.RawEquals(req.Prior) {
			return providers.PlanResponse{Planned: req.Prior}
		}
	}
	var diags hcl.Diagnostics
	if planned.IsWhollyKnown() {
		diags = checkInstallable(ctx, r.host.Get(), decodeHook(planned))
	}
	return providers.PlanResponse{Planned: planned, RequiresReplace: replace, Diagnostics: diags}
}

// withDefaults returns the configuration with defaults and the computed
// attributes filled in: hashes are known when the configuration is.
func (r *hookResource) withDefaults(config cty.Value) cty.Value {
	m := config.AsValueMap()
	if m["min_message_length"].IsNull() {
		m["min_message_length"] = cty.NumberIntVal(1)
	}
	if m["chain_existing"].IsNull() {
		m["chain_existing"] = cty.False
	}
	if m["plumb_path"].IsNull() {
		m["plumb_path"] = defaultPlumbPath()
	}
	if l := m["lint"]; l.IsKnown() && !l.IsNull() && l.LengthInt() > 0 {
		elems := make([]cty.Value, 0, l.LengthInt())
		for it := l.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsKnown() && e.GetAttr("timeout").IsNull() {
				em := e.AsValueMap()
				em["timeout"] = cty.StringVal(DefaultLintTimeout)
				e = cty.ObjectVal(em)
			}
			elems = append(elems, e)
		}
		m["lint"] = cty.ListVal(elems)
	}
	m["id"] = m["repository"]
	m["hook_mode"] = cty.StringVal(hookMode)
	m["in_sync"] = cty.True
	partial := cty.ObjectVal(m)
	if partial.IsWhollyKnown() {
		s := decodeHook(partial)
		m["hook_sha256"] = cty.StringVal(sha256Hex(renderHook(s.file.PlumbPath, s.file.ChainExisting)))
		m["policy_sha256"] = cty.StringVal(sha256Hex(encodePolicyFile(s.file)))
	} else {
		m["hook_sha256"] = cty.UnknownVal(cty.String)
		m["policy_sha256"] = cty.UnknownVal(cty.String)
	}
	return cty.ObjectVal(m)
}

// checkInstallable returns an error when the hook cannot be installed on
// h: the repository is missing, plumb is not at plumb_path there, or a
// hand-written hook is in the way and chain_existing is not set (or the
// chained hook's place is taken).
func checkInstallable(ctx context.Context, h host.Host, s hookSettings) hcl.Diagnostics {
	if err := checkRepository(ctx, h, s.repos); err != nil {
		return providers.AttributeErrorf("repository", "Cannot install the pre-commit hook",
			"%v. Check the path, or create the repository first.", err)
	}
	if s.file.PlumbPath == "" {
		return providers.AttributeErrorf("plumb_path", "Cannot tell where plumb is",
			"plumb could not find its own executable; set plumb_path to the absolute path of plumb.")
	}
	if _, err := handwrittenHook(ctx, h, s); err != nil {
		return providers.AttributeErrorf("chain_existing", "Cannot install the pre-commit hook", "%v", err)
	}
	if !s.file.ChainExisting {
		chained := filepath.Join(s.repos, "hooks", ChainedHookFile)
		if found, _ := host.Exists(ctx, h, chained); found {
			return providers.AttributeErrorf("chain_existing", "A chained hand-written hook would stop running",
				"%s exists: it is the hand-written hook plumb kept when chain_existing was true. With chain_existing = false it would no longer run. Set chain_existing = true, or delete the file if it is no longer wanted.", chained)
		}
	}
	if err := checkPlumb(ctx, h, s.file.PlumbPath); err != nil {
		return providers.AttributeErrorf("plumb_path", "The hook would not find plumb",
			"%v. The hook runs plumb svn check-commit on the repository's host; install plumb there (the Debian package, or go install), or set plumb_path to where it is.", err)
	}
	return nil
}

// handwrittenHook reports whether hooks/pre-commit is a hook plumb did not
// write, and returns an error when that hook would be lost: chain_existing
// is false, or hooks/pre-commit.chained is taken already.
func handwrittenHook(ctx context.Context, h host.Host, s hookSettings) (bool, error) {
	hook := filepath.Join(s.repos, "hooks", HookFile)
	b, err := readSmall(ctx, h, hook)
	if err != nil || b == nil || isPlumbHook(b) {
		return false, err
	}
	chained := filepath.Join(s.repos, "hooks", ChainedHookFile)
	if !s.file.ChainExisting {
		return true, fmt.Errorf("%s is a hand-written hook, and plumb does not replace it. Set chain_existing = true to keep it and run it after plumb's checks (plumb moves it to %s), or move it away yourself", hook, ChainedHookFile)
	}
	taken, err := host.Exists(ctx, h, chained)
	if err != nil {
		return true, fmt.Errorf("checking %s: %w", chained, err)
	}
	if taken {
		return true, fmt.Errorf("%s is a hand-written hook, and %s exists already, so plumb has nowhere to keep the hand-written one. Merge the two by hand into %s and run plumb again", hook, chained, ChainedHookFile)
	}
	return true, nil
}

// unchangedHook reports, cheaply, whether config asks for exactly the hook
// prior describes (defaults applied) and prior is in sync with the disk:
// the common case in a large plan, decided without rendering anything.
func unchangedHook(prior, config cty.Value) bool {
	if !sameBool(prior.GetAttr("in_sync"), true) {
		return false
	}
	for _, name := range []string{"repository", "message_pattern", "max_file_size", "forbid_paths"} {
		if !sameValue(prior.GetAttr(name), config.GetAttr(name)) {
			return false
		}
	}
	if !sameOrDefault(prior, config, "min_message_length", defaultMinLength) ||
		!sameOrDefault(prior, config, "chain_existing", cty.False) ||
		!sameOrDefault(prior, config, "plumb_path", defaultPlumbPath()) {
		return false
	}
	pl, cl := prior.GetAttr("lint"), config.GetAttr("lint")
	if pl.IsNull() || cl.IsNull() {
		return pl.IsNull() && cl.IsNull()
	}
	if pl.LengthInt() != cl.LengthInt() {
		return false
	}
	for i := range pl.LengthInt() {
		idx := cty.NumberIntVal(int64(i))
		pe, ce := pl.Index(idx), cl.Index(idx)
		if !sameValue(pe.GetAttr("pattern"), ce.GetAttr("pattern")) || !sameValue(pe.GetAttr("command"), ce.GetAttr("command")) ||
			!sameOrDefault(pe, ce, "timeout", defaultTimeout) {
			return false
		}
	}
	return true
}

// sameOrDefault compares an attribute whose null configuration means def.
func sameOrDefault(prior, config cty.Value, name string, def cty.Value) bool {
	cv := config.GetAttr(name)
	if cv.IsNull() {
		cv = def
	}
	return sameValue(prior.GetAttr(name), cv)
}

// Defaults as values, made once.
var (
	defaultMinLength = cty.NumberIntVal(1)
	defaultTimeout   = cty.StringVal(DefaultLintTimeout)
	defaultPlumbPath = sync.OnceValue(func() cty.Value { return cty.StringVal(runningPlumb()) })
)

// sameValue reports whether a prior and a configured value are equal and
// known, two nulls of any type included.
func sameValue(a, b cty.Value) bool {
	if !a.IsKnown() || !b.IsKnown() {
		return false
	}
	if a.IsNull() || b.IsNull() {
		return a.IsNull() && b.IsNull()
	}
	if a.Type() == cty.String && b.Type() == cty.String {
		return a.AsString() == b.AsString()
	}
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() {
		return false
	}
	return a.Equals(b).True()
}

func sameBool(v cty.Value, want bool) bool {
	return v.IsKnown() && !v.IsNull() && v.True() == want
}

// checkPlumb says why the plumb the hook names cannot run on h, or
// returns nil: it must be an executable file.
func checkPlumb(ctx context.Context, h host.Host, plumbPath string) error {
	fi, err := h.Stat(ctx, plumbPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist on %s", plumbPath, h)
	case err != nil:
		return err
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%s on %s is not an executable file (mode %s)", plumbPath, h, fi.Mode())
	}
	return nil
}
