package aws

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers"
)

// ebsStart is 03:00 UTC on a Monday, when the cron job used to run.
var ebsStart = time.Date(2025, 3, 3, 3, 0, 0, 0, time.UTC)

// ebsEnv is a snapshot policy under test: kumo behind the EC2 shim, a
// provider pointed at the shim, and one clock for both.
type ebsEnv struct {
	t     testing.TB
	shim  *ec2shim.Shim
	clock *fakeClock
	p     *Provider
	res   *ebsPolicy
}

// ebsSetup starts the shim (in front of kumo) with opts and configures a
// provider for it; extra adds provider attributes.
func ebsSetup(t testing.TB, opts ec2shim.Options, extra map[string]cty.Value) *ebsEnv {
	t.Helper()
	clock := &fakeClock{now: ebsStart}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	e := awstest.StartKumo(t)
	shim := ec2shim.Start(t, e.URL(), opts)
	attrs := map[string]cty.Value{
		"endpoint":                cty.StringVal(shim.URL()),
		"access_key":              cty.StringVal(awstest.AccessKeyID),
		"secret_key":              cty.StringVal(awstest.SecretAccessKey),
		"max_requests_per_second": cty.Zero,
	}
	maps.Copy(attrs, extra)
	p := NewWithClock(clock).(*Provider)
	p.backoff = noDelay
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: configValue(attrs)}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	res, ok := p.Resources()[SnapshotPolicyType].(*ebsPolicy)
	if !ok {
		t.Fatalf("the provider does not serve %s", SnapshotPolicyType)
	}
	return &ebsEnv{t: t, shim: shim, clock: clock, p: p, res: res}
}

// cfg completes configuration attributes to the resource's type.
func (e *ebsEnv) cfg(attrs map[string]cty.Value) cty.Value {
	return e.res.schema.Complete(cty.ObjectVal(attrs))
}

// plan plans config against prior, failing the test on errors.
func (e *ebsEnv) plan(addr string, prior, config cty.Value) (cty.Value, hcl.Diagnostics) {
	e.t.Helper()
	resp := e.res.Plan(context.Background(), providers.PlanRequest{Addr: addr, Prior: prior, Config: config})
	if resp.Diagnostics.HasErrors() {
		e.t.Fatalf("Plan: %s", resp.Diagnostics.Error())
	}
	return resp.Planned, resp.Diagnostics
}

// read refreshes state, failing the test on errors.
func (e *ebsEnv) read(state cty.Value) cty.Value {
	e.t.Helper()
	resp := e.res.Read(context.Background(), providers.ReadRequest{Prior: state})
	if resp.Diagnostics.HasErrors() {
		e.t.Fatalf("Read: %s", resp.Diagnostics.Error())
	}
	return resp.State
}

// apply applies a plan, failing the test on errors.
func (e *ebsEnv) apply(addr string, prior, planned, config cty.Value) (cty.Value, hcl.Diagnostics) {
	e.t.Helper()
	resp := e.res.Apply(context.Background(), providers.ApplyRequest{Addr: addr, Prior: prior, Planned: planned, Config: config})
	if resp.Diagnostics.HasErrors() {
		e.t.Fatalf("Apply: %s", resp.Diagnostics.Error())
	}
	return resp.State, resp.Diagnostics
}

// run is one scheduled run as the engine does it: refresh, plan, apply
// (the engine plans again at apply time, as here). It returns the new
// state and the planned value.
func (e *ebsEnv) run(addr string, state, config cty.Value) (cty.Value, cty.Value) {
	e.t.Helper()
	refreshed := state
	if !state.IsNull() {
		refreshed = e.read(state)
	}
	planned, _ := e.plan(addr, refreshed, config)
	if !refreshed.IsNull() && planned.RawEquals(refreshed) {
		return refreshed, planned
	}
	again, _ := e.plan(addr, refreshed, config)
	next, _ := e.apply(addr, refreshed, again, config)
	return next, planned
}

// volume adds a volume attached to instance as device.
func (e *ebsEnv) volume(id, instance, device string, tags map[string]string) string {
	return e.shim.AddVolume(ec2shim.Volume{ID: id, InstanceID: instance, Device: device, Tags: tags})
}

// ebsIDsOf lists the IDs of a snapshots attribute, in order.
func ebsIDsOf(snaps cty.Value) []string {
	var out []string
	for _, s := range ebsSnapsFrom(snaps) {
		out = append(out, s.id)
	}
	return out
}

// owned lists, sorted, the IDs of this account's snapshots tagged for owner.
func (e *ebsEnv) owned(owner string) []string {
	var out []string
	for _, s := range e.shim.Snapshots() {
		if s.Tags[OwnerTag] == owner && s.OwnerID == ec2shim.Account {
			out = append(out, s.ID)
		}
	}
	slices.Sort(out)
	return out
}

func ebsV(s string) cty.Value { return cty.StringVal(s) }

func ebsMapV(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}
