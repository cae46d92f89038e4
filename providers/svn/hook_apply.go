package svn

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Apply installs the hook: it moves a hand-written hook to
// hooks/pre-commit.chained when chain_existing allows, then writes the
// policy file and the hook (mode 0755) atomically. For a delete it
// removes both and puts a chained hand-written hook back in place. On
// failure the prior state is returned and a moved hook is moved back.
func (r *hookResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		diags := removeHook(ctx, r.host.Get(), req.Prior.GetAttr("repository").AsString())
		if diags.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: diags}
		}
		return providers.ApplyResponse{State: r.null, Diagnostics: diags}
	}
	planned := req.Planned
	if !planned.IsWhollyKnown() && !req.Config.IsNull() {
		planned = r.withDefaults(req.Config)
	}
	if !planned.IsWhollyKnown() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("svn_pre_commit_hook is not known at apply time",
			"Some of its attributes are still unknown; they must be computable once the resources they refer to exist.")}
	}
	s := decodeHook(planned)
	h := r.host.Get()
	if diags := checkInstallable(ctx, h, s); diags.HasErrors() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: diags}
	}
	if err := installHook(ctx, h, s); err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot install the pre-commit hook",
			"%v. The repository's hooks were left as they were; check that plumb may write to the hooks directory.", err)}
	}
	return providers.ApplyResponse{State: planned}
}

// installHook writes the policy and the hook, chaining a hand-written
// hook.
func installHook(ctx context.Context, h host.Host, s hookSettings) error {
	dir := filepath.Join(s.repos, "hooks")
	hook, chained := filepath.Join(dir, HookFile), filepath.Join(dir, ChainedHookFile)
	moved, err := handwrittenHook(ctx, h, s)
	if err != nil {
		return err
	}
	if moved {
		if err := h.Rename(ctx, hook, chained); err != nil {
			return fmt.Errorf("moving the hand-written hook aside: %w", err)
		}
	}
	err = host.WriteFile(ctx, h, policyPath(s.repos), encodePolicyFile(s.file), host.WriteOptions{Perm: 0o644})
	if err == nil {
		err = host.WriteFile(ctx, h, hook, renderHook(s.file.PlumbPath, s.file.ChainExisting), host.WriteOptions{Perm: 0o755})
	}
	if err != nil {
		if moved {
			if rerr := h.Rename(ctx, chained, hook); rerr != nil {
				err = fmt.Errorf("%w; moving the hand-written hook back from %s also failed: %v", err, chained, rerr)
			}
		}
		return err
	}
	return nil
}

// removeHook deletes plumb's hook and policy and moves a chained
// hand-written hook back to hooks/pre-commit. A hook plumb did not write
// is left alone, with a warning.
func removeHook(ctx context.Context, h host.Host, repos string) hcl.Diagnostics {
	dir := filepath.Join(repos, "hooks")
	found, err := host.Exists(ctx, h, dir)
	if err != nil {
		return providers.Errorf("Cannot remove the pre-commit hook", "%v. Check that plumb may read the hooks directory.", err)
	}
	if !found {
		return nil
	}
	hook, chained := filepath.Join(dir, HookFile), filepath.Join(dir, ChainedHookFile)
	b, err := readSmall(ctx, h, hook)
	if err != nil {
		return providers.Errorf("Cannot remove the pre-commit hook", "%v. Check that plumb may read the hooks directory.", err)
	}
	var diags hcl.Diagnostics
	switch {
	case b != nil && !isPlumbHook(b):
		diags = providers.Warnf("Hand-written pre-commit hook left in place",
			"%s was replaced by a hook plumb did not write; plumb leaves it, and removes only its policy file.", hook)
	case b != nil:
		if err := h.Remove(ctx, hook); err != nil {
			return providers.Errorf("Cannot remove the pre-commit hook", "%v. Check that plumb may write to %s.", err, dir)
		}
		if found, _ := host.Exists(ctx, h, chained); found {
			if err := h.Rename(ctx, chained, hook); err != nil {
				return providers.Errorf("Cannot restore the hand-written pre-commit hook",
					"plumb's hook is removed, but moving %s back to %s failed: %v. Move it by hand, or commits run no hook.", chained, hook, err)
			}
		}
	}
	if err := h.Remove(ctx, policyPath(repos)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return diags.Extend(providers.Errorf("Cannot remove the commit policy", "%v. Remove it by hand.", err))
	}
	return diags
}

// Read returns the hook as it is: null when the repository or the hook is
// gone; the prior state when the hook and policy are the files plumb
// wrote (same hashes, mode 0755); otherwise in_sync false with the live
// hashes and mode and, when the policy file was edited, the policy it now
// holds, so a plan shows which setting changed.
func (r *hookResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	repos := req.Prior.GetAttr("repository").AsString()
	hook := filepath.Join(repos, "hooks", HookFile)
	h := r.host.Get()
	b, mode, err := readWithMode(ctx, h, hook)
	if err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot read the pre-commit hook", "%v. Check that plumb may read the repository's hooks directory.", err)}
	}
	if b == nil {
		return providers.ReadResponse{State: r.null}
	}
	m := req.Prior.AsValueMap()
	hookSum, modeText := sha256Hex(b), fmt.Sprintf("%04o", uint32(mode.Perm()))
	inSync := sameString(req.Prior.GetAttr("hook_sha256"), hookSum) && modeText == hookMode
	m["hook_sha256"], m["hook_mode"] = cty.StringVal(hookSum), cty.StringVal(modeText)
	pb, err := readSmall(ctx, h, policyPath(repos))
	switch {
	case err != nil:
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf("Cannot read the commit policy", "%v. Check that plumb may read the repository's hooks directory.", err)}
	case pb == nil:
		m["policy_sha256"] = cty.StringVal("")
		inSync = false
	default:
		sum := sha256Hex(pb)
		if !sameString(req.Prior.GetAttr("policy_sha256"), sum) {
			inSync = false
			if pf, err := decodePolicyFile(policyPath(repos), pb); err == nil {
				live := hookObject(hookSettings{repos: repos, file: pf}).AsValueMap()
				for _, name := range []string{"min_message_length", "message_pattern", "max_file_size", "forbid_paths", "lint", "chain_existing", "plumb_path"} {
					m[name] = live[name]
				}
			}
		}
		m["policy_sha256"] = cty.StringVal(sum)
	}
	if inSync {
		return providers.ReadResponse{State: req.Prior}
	}
	m["in_sync"] = cty.False
	return providers.ReadResponse{State: cty.ObjectVal(m)}
}

// Import adopts the hook of the repository at the given path, which plumb
// must have written; its settings come from the policy file beside it.
func (r *hookResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	fail := func(format string, args ...any) providers.ImportResponse {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Cannot import svn_pre_commit_hook", format, args...)}
	}
	h := r.host.Get()
	if err := checkRepository(ctx, h, req.ID); err != nil {
		return fail("%v. The import ID is the repository's path.", err)
	}
	hook := filepath.Join(req.ID, "hooks", HookFile)
	b, mode, err := readWithMode(ctx, h, hook)
	switch {
	case err != nil:
		return fail("%v.", err)
	case b == nil:
		return fail("%s has no pre-commit hook to import; declare the resource and run plumb apply to install one.", req.ID)
	case !isPlumbHook(b):
		return fail("%s was not written by plumb. Declare svn_pre_commit_hook with chain_existing = true and apply, and plumb keeps it as a chained hook.", hook)
	}
	pb, err := readSmall(ctx, h, policyPath(req.ID))
	if err != nil || pb == nil {
		return fail("the policy file %s is missing or unreadable (%v); apply the configuration to write it again.", policyPath(req.ID), err)
	}
	pf, err := decodePolicyFile(policyPath(req.ID), pb)
	if err != nil {
		return fail("%v.", err)
	}
	want := hookObject(hookSettings{repos: req.ID, file: pf}).AsValueMap()
	m := hookObject(hookSettings{repos: req.ID, file: pf}).AsValueMap()
	m["hook_sha256"] = cty.StringVal(sha256Hex(b))
	m["hook_mode"] = cty.StringVal(fmt.Sprintf("%04o", uint32(mode.Perm())))
	m["policy_sha256"] = cty.StringVal(sha256Hex(pb))
	m["in_sync"] = cty.BoolVal(m["hook_sha256"].RawEquals(want["hook_sha256"]) && m["hook_mode"].AsString() == hookMode &&
		m["policy_sha256"].RawEquals(want["policy_sha256"]))
	return providers.ImportResponse{State: cty.ObjectVal(m)}
}

// readSmall returns a file's content on h, or nil when it does not
// exist.
func readSmall(ctx context.Context, h host.Host, name string) ([]byte, error) {
	b, _, err := readWithMode(ctx, h, name)
	return b, err
}

// readWithMode returns a file's content and permissions on h, or nil when
// it does not exist.
func readWithMode(ctx context.Context, h host.Host, name string) ([]byte, fs.FileMode, error) {
	b, fi, err := host.ReadFile(ctx, h, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, fi.Mode(), nil
}
