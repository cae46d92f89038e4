package reconcile_test

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// realms is a small world for provider-configuration tests: named realms
// (think hosts, or AWS regions) each holding objects by key. Each
// instance of the "realm" provider is configured with the name of the
// realm it reaches, so a test can see which provider instance handled
// which resource instance.
type realms struct {
	mu      sync.Mutex
	objects map[string]map[string]string // realm → key → value
	configs map[string]int               // realm → Configure calls
	// together, when above 1, makes Configure wait (up to a few seconds)
	// until that many configures are in progress at once, and records in
	// overlapped whether they were.
	together   int
	inProgress int
	overlapped bool
	arrived    chan struct{}
}

func newRealms() *realms {
	return &realms{objects: map[string]map[string]string{}, configs: map[string]int{}, arrived: make(chan struct{})}
}

// object returns the value of key in realm, and whether it exists.
func (w *realms) object(realm, key string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.objects[realm][key]
	return v, ok
}

// keys lists the keys of a realm, sorted.
func (w *realms) keys(realm string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for k := range w.objects[realm] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (w *realms) put(realm, key, value string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.objects[realm] == nil {
		w.objects[realm] = map[string]string{}
	}
	w.objects[realm][key] = value
}

func (w *realms) remove(realm, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.objects[realm], key)
}

// factory is the provider factory to register as "realm".
func (w *realms) factory() providers.Provider { return &realmProvider{world: w} }

type realmProvider struct {
	world *realms
	realm string
}

func (p *realmProvider) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"name": {Type: cty.String, Optional: true},
		"fail": {Type: cty.String, Optional: true},
	}}
}

// Configure reaches the named realm (or "default"); fail, when set, is
// the error it reports instead, like an SSH host that is down.
func (p *realmProvider) Configure(_ context.Context, req providers.ConfigureRequest) providers.ConfigureResponse {
	p.realm = "default"
	w := p.world
	if !req.Config.IsNull() {
		if v := req.Config.GetAttr("name"); !v.IsNull() {
			p.realm = v.AsString()
		}
	}
	w.mu.Lock()
	w.configs[p.realm]++
	w.inProgress++
	if w.together > 1 && w.inProgress >= w.together && !w.overlapped {
		w.overlapped = true
		close(w.arrived)
	}
	together, arrived := w.together, w.arrived
	w.mu.Unlock()
	if together > 1 {
		select {
		case <-arrived:
		case <-time.After(3 * time.Second):
		}
	}
	w.mu.Lock()
	w.inProgress--
	w.mu.Unlock()
	if !req.Config.IsNull() {
		if v := req.Config.GetAttr("fail"); !v.IsNull() {
			return providers.ConfigureResponse{Diagnostics: providers.Errorf("Cannot reach realm "+p.realm, "%s.", v.AsString())}
		}
	}
	return providers.ConfigureResponse{}
}

func (p *realmProvider) Resources() map[string]providers.Resource {
	return map[string]providers.Resource{"realm_object": realmObject{p}}
}

func (p *realmProvider) DataSources() map[string]providers.DataSource {
	return map[string]providers.DataSource{"realm_info": realmInfo{p}}
}

// realmObject is an object in the realm its provider instance reaches:
// key, value, and the computed realm it lives in.
type realmObject struct{ p *realmProvider }

func (realmObject) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"key":   {Type: cty.String, Required: true, ForceNew: true},
		"value": {Type: cty.String, Optional: true},
		"realm": {Type: cty.String, Computed: true},
	}}
}

// value is the object as state holds it; an empty value is null, as
// configuration that leaves it out gives.
func (o realmObject) value(key, value string) cty.Value {
	v := cty.NullVal(cty.String)
	if value != "" {
		v = cty.StringVal(value)
	}
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": v, "realm": cty.StringVal(o.p.realm)})
}

func (o realmObject) Read(_ context.Context, req providers.ReadRequest) providers.ReadResponse {
	key := req.Prior.GetAttr("key").AsString()
	v, ok := o.p.world.object(o.p.realm, key)
	if !ok {
		return providers.ReadResponse{State: cty.NullVal(req.Prior.Type())}
	}
	return providers.ReadResponse{State: o.value(key, v)}
}

func (o realmObject) Plan(_ context.Context, req providers.PlanRequest) providers.PlanResponse {
	resp := providers.DefaultPlan(o.Schema(), req)
	if !resp.Planned.IsNull() && resp.Planned.IsKnown() {
		m := resp.Planned.AsValueMap()
		m["realm"] = cty.StringVal(o.p.realm)
		resp.Planned = cty.ObjectVal(m)
	}
	return resp
}

func (o realmObject) Apply(_ context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if o.p.realm == "" {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("realm provider not configured", "Apply before Configure.")}
	}
	if req.Planned.IsNull() {
		o.p.world.remove(o.p.realm, req.Prior.GetAttr("key").AsString())
		return providers.ApplyResponse{State: req.Planned}
	}
	key, value := req.Planned.GetAttr("key").AsString(), ""
	if v := req.Planned.GetAttr("value"); !v.IsNull() {
		value = v.AsString()
	}
	o.p.world.put(o.p.realm, key, value)
	return providers.ApplyResponse{State: o.value(key, value)}
}

func (o realmObject) Import(_ context.Context, req providers.ImportRequest) providers.ImportResponse {
	v, ok := o.p.world.object(o.p.realm, req.ID)
	if !ok {
		return providers.ImportResponse{State: cty.NullVal(o.Schema().ImpliedType())}
	}
	return providers.ImportResponse{State: o.value(req.ID, v)}
}

// realmInfo is a data source that says which realm its provider instance
// reaches.
type realmInfo struct{ p *realmProvider }

func (realmInfo) Schema() providers.Schema {
	return providers.Schema{Attributes: map[string]*providers.Attribute{
		"realm": {Type: cty.String, Computed: true},
	}}
}

func (d realmInfo) Read(context.Context, providers.DataReadRequest) providers.DataReadResponse {
	return providers.DataReadResponse{State: cty.ObjectVal(map[string]cty.Value{"realm": cty.StringVal(d.p.realm)})}
}

// realmRegistry is the test registry with the realm provider added.
func realmRegistry(w *realms) *providers.Registry {
	r := testRegistry()
	r.Register("realm", w.factory)
	return r
}
