package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
)

// This file resolves which provider configuration and instance a resource
// uses (docs/addressing.md): statically per resource block when the
// engine loads (resolveConf, bindResource), per block and module instance
// (choose), per resource instance (boundInstance), and for objects only
// state still has (recordedConf).

// keyedPass says where the instance key of a provider configuration
// that a module call passes as one instance (aws = aws.by_region[each.key])
// is kept: in the scopes of the called module's instances, depth steps
// from the root, under the name the module uses.
type keyedPass struct {
	depth int
	ref   string
}

// resolveConf finds the configuration a reference (aws, aws.eu) means in
// a module: the module's own block; else what its call's providers map
// passes under that name; else, for an unaliased provider, what the
// calling module means by it (default configurations are inherited);
// in the root, the default configuration a provider has without a block.
func (e *Engine) resolveConf(mod *config.Config, name, alias string) (*providerConfig, *keyedPass, string) {
	ref := config.ProviderConfigRef(name, alias)
	if _, ok := mod.Providers[ref]; ok {
		addr := config.ProviderAddr{Module: mod.Path, Name: name, Alias: alias}
		if pc, ok := e.pconfs[addr.String()]; ok {
			return pc, nil, ""
		}
		return nil, nil, fmt.Sprintf("provider %s is not available", ref)
	}
	if call := mod.Call(); call != nil {
		if pass := call.Pass(ref); pass != nil {
			pc, kp, msg := e.resolveConf(mod.Parent, pass.Parent.Name, pass.Parent.Alias)
			switch {
			case pc == nil:
				return nil, nil, msg
			case pass.Parent.Key == nil:
				return pc, kp, ""
			case !pc.forEach() || kp != nil:
				return nil, nil, fmt.Sprintf("The call of %s passes %s[...], but %s is already one instance (it has no for_each), so it takes no [key].", mod.Path, pass.Parent.Local(), pass.Parent.Local())
			}
			return pc, &keyedPass{depth: len(mod.Path), ref: ref}, ""
		}
		if alias == "" {
			return e.resolveConf(mod.Parent, name, "")
		}
		return nil, nil, fmt.Sprintf("%s refers to %s, which its call does not pass. Named configurations are not inherited: add providers = { %s = %s } (or another configuration of %q) to the module block.", mod.Path, ref, ref, ref, name)
	}
	if alias != "" {
		return nil, nil, fmt.Sprintf("No provider %q block with alias = %q is declared%s. Declare it, or refer to one that is.",
			name, alias, suggest(ref, keys(mod.Providers), "; did you mean %s?"))
	}
	return e.impliedConf(name), nil, ""
}

// bindResource resolves the provider configuration of a resource block:
// its provider argument, or the default configuration of the provider
// that serves its type.
func (e *Engine) bindResource(mod *config.Config, r *config.Resource, served string) (*providerConfig, *keyedPass, hcl.Diagnostics) {
	name, alias, rng := served, "", r.DeclRange
	if r.Provider != nil {
		if r.Provider.Name != served {
			return nil, nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Wrong provider for " + r.Type,
				Detail:   fmt.Sprintf("%s is served by provider %q, not %q. Name a configuration of %q, such as provider = %s or %s.ALIAS.", r.Type, served, r.Provider.Name, served, served, served),
				Subject:  r.Provider.Range.Ptr(),
			}}
		}
		name, alias, rng = r.Provider.Name, r.Provider.Alias, r.Provider.Range
	}
	pc, kp, msg := e.resolveConf(mod, name, alias)
	if pc == nil {
		summary := "Provider configuration not found"
		if r.Provider != nil {
			summary = "Reference to undeclared provider configuration " + r.Provider.Local()
		}
		return nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: msg, Subject: rng.Ptr()}}
	}
	hasKey := r.Provider != nil && r.Provider.Key != nil
	local := config.ProviderConfigRef(name, alias)
	switch {
	case pc.forEach() && kp == nil && !hasKey:
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing provider instance key",
			Detail:   fmt.Sprintf("%s has for_each, so a resource names one of its instances: provider = %s[each.key] (or a literal key).", pc.node, local),
			Subject:  rng.Ptr(),
		}}
	case (!pc.forEach() || kp != nil) && hasKey:
		return nil, nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unexpected provider instance key",
			Detail:   fmt.Sprintf("%s is one provider instance here (%s has no for_each, or the module call picked its instance), so it takes no [key]: write provider = %s.", local, pc.node, local),
			Subject:  rng.Ptr(),
		}}
	}
	return pc, kp, nil
}

// providerKey evaluates the instance key of a provider reference for one
// resource instance. The key must be known at plan time: it decides which
// provider instance reads and changes the object.
func providerKey(ref *config.ProviderRef, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := ref.Key.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	v, _ = v.UnmarkDeep()
	bad := func(detail string) (cty.Value, hcl.Diagnostics) {
		return cty.NilVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid provider instance key", Detail: detail, Subject: ref.Key.Range().Ptr()}}
	}
	if !v.IsKnown() {
		return bad(fmt.Sprintf("The key of %s[...] depends on values known only after apply. Which provider instance handles a resource must be known at plan time: use variables, locals, each.key or count.index.", ref.Local()))
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return bad(fmt.Sprintf("The key of %s[...] must be a string (a key of the provider's for_each).", ref.Local()))
	}
	return s, nil
}

// providerChoice is how the instances of a resource block in one module
// instance find their provider instance: all the same one (static), or
// each its own by its key expression (keyed). err, when set, is why none
// can be found.
type providerChoice struct {
	static *providerInstance
	keyed  bool
	err    hcl.Diagnostics
}

// choose works out the providerChoice of a resource block in the module
// instance of s, once per block and module instance: the per-instance
// hot path then only checks the instance is configured.
func choose(r *config.Resource, rt *resourceType, s *scope) providerChoice {
	pc := rt.conf
	switch {
	case rt.pass != nil:
		key := s.ancestor(rt.pass.depth).provKeys[rt.pass.ref]
		if key == cty.NilVal {
			return providerChoice{err: hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No provider instance key", Detail: fmt.Sprintf("The call of %s did not give a key for %s.", s.addr, pc.node), Subject: r.DeclRange.Ptr()}}}
		}
		if pi := pc.instance(key); pi != nil {
			return providerChoice{static: pi}
		}
		return providerChoice{err: hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No such provider instance",
			Detail:   fmt.Sprintf("The call of %s passes %s%s, but its for_each has no such key; the keys are %s.", s.addr, pc.node, config.KeyString(key), pc.keyList()),
			Subject:  r.DeclRange.Ptr(),
		}}}
	case pc.forEach():
		return providerChoice{keyed: true}
	}
	if pi := pc.instance(cty.NilVal); pi != nil {
		return providerChoice{static: pi}
	}
	return providerChoice{err: hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Provider not ready", Detail: fmt.Sprintf("%s was not evaluated before %s; this is a bug in plumb.", pc.node, r.Addr()), Subject: r.DeclRange.Ptr()}}}
}

// boundInstance returns the provider instance that handles one resource
// instance, configured; ictx evaluates the key of a keyed choice.
func (w *walk) boundInstance(ctx context.Context, r *config.Resource, rt *resourceType, ch providerChoice, addr string, ictx *hcl.EvalContext) (*providerInstance, hcl.Diagnostics) {
	if ch.err != nil {
		return nil, ch.err
	}
	pi := ch.static
	if ch.keyed {
		key, diags := providerKey(r.Provider, ictx)
		if diags.HasErrors() {
			return nil, diags
		}
		if pi = rt.conf.instance(key); pi == nil {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No such provider instance",
				Detail:   fmt.Sprintf("%s asks for %s%s, but its for_each has no such key; the keys are %s.", addr, rt.conf.node, config.KeyString(key), rt.conf.keyList()),
				Subject:  r.Provider.Range.Ptr(),
			}}
		}
	}
	if w.configured(ctx, pi) != nil {
		return nil, hcl.Diagnostics{pi.unavailable(addr, r.DeclRange.Ptr())}
	}
	return pi, nil
}

// recordedConf finds the configuration and instance key of the provider
// instance state records for si. A bare provider name, as older states
// have, means the default configuration of that provider; so does an
// empty one. It returns the address asked for, and nil when the
// configuration no longer declares that configuration.
func (e *Engine) recordedConf(si *state.Instance, served string) (*providerConfig, cty.Value, string) {
	recorded := recordedProviderAddr(si.Provider, served)
	addr, err := config.ParseProviderAddr(recorded)
	if err != nil {
		return nil, cty.NilVal, recorded
	}
	e.pconfMu.Lock()
	pc := e.pconfs[addr.Config().String()]
	e.pconfMu.Unlock()
	if pc == nil && len(addr.Module) == 0 && addr.Alias == "" {
		pc = e.impliedConf(addr.Name)
	}
	return pc, addr.Key, addr.String()
}

// recordedProviderAddr reads the provider field of a state instance: an
// address (provider.aws.eu), or a bare name (aws) or nothing in states
// written before provider configurations had names.
func recordedProviderAddr(recorded, served string) string {
	switch {
	case recorded == "":
		return "provider." + served
	case strings.HasPrefix(recorded, "provider.") || strings.HasPrefix(recorded, "module."):
		return recorded
	}
	return "provider." + recorded
}

// notPresent is the refusal to plan the deletion of an instance whose
// provider configuration is gone: nothing could delete it.
func notPresent(addr, provider string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Provider configuration not present",
		Detail: fmt.Sprintf("To delete %s plumb needs %s, which the configuration no longer declares. Put the provider configuration back, apply the deletion, then remove it (or forget the object with plumb state rm %s).",
			addr, provider, addr),
	}
}
