package providertest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// recorder is a TB that records what the harness reports instead of
// failing the real test. Fatalf ends the calling goroutine, as
// testing.T.Fatalf does, so runRecorded runs the harness in its own.
type recorder struct {
	mu       sync.Mutex
	errors   []string
	fatal    bool
	logs     []string
	cleanups []func()
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// failed reports whether anything was reported as an error.
func (r *recorder) failed() bool { return len(r.errors) > 0 }

// report joins what was recorded, for test failure messages.
func (r *recorder) report() string {
	return "errors:\n  " + strings.Join(r.errors, "\n  ") + "\nlogs:\n  " + strings.Join(r.logs, "\n  ")
}

// runRecorded runs the harness against a recorder, then its cleanups.
func runRecorded(c Case) *recorder {
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(rec, c)
	}()
	<-done
	for i := len(rec.cleanups) - 1; i >= 0; i-- {
		rec.cleanups[i]()
	}
	return rec
}

// fake is a tiny resource whose real world is a map from name to value.
// bug names one way to break the Resource contract; empty is correct.
type fake struct {
	world map[string]cty.Value
	bug   string
}

var fakeSchema = providers.Schema{Attributes: map[string]*providers.Attribute{
	"name":  {Type: cty.String, Required: true, ForceNew: true},
	"value": {Type: cty.String, Optional: true},
	"id":    {Type: cty.String, Computed: true},
}}

func newFake(bug string) *fake { return &fake{world: map[string]cty.Value{}, bug: bug} }

func (f *fake) Schema() providers.Schema { return fakeSchema }

func fakeObj(name string, value cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "value": value, "id": cty.StringVal("id-" + name)})
}

func (f *fake) Read(_ context.Context, req providers.ReadRequest) providers.ReadResponse {
	if f.bug == "read-nilval" {
		return providers.ReadResponse{}
	}
	name := req.Prior.GetAttr("name").AsString()
	v, ok := f.world[name]
	if !ok {
		return providers.ReadResponse{State: cty.NullVal(fakeSchema.ImpliedType())}
	}
	if f.bug == "read-differs" && !v.IsNull() {
		v = cty.StringVal(strings.ToUpper(v.AsString()))
	}
	return providers.ReadResponse{State: fakeObj(name, v)}
}

func (f *fake) Plan(_ context.Context, req providers.PlanRequest) providers.PlanResponse {
	resp := providers.DefaultPlan(fakeSchema, req)
	if req.Prior.IsNull() {
		return resp
	}
	if req.Config.IsNull() {
		if f.bug == "delete-plan-nonnull" {
			resp.Planned = req.Prior
		}
		return resp
	}
	m := resp.Planned.AsValueMap()
	switch f.bug {
	case "replan-unknown":
		m["id"] = cty.UnknownVal(cty.String)
	case "ignores-config":
		m["value"] = req.Prior.GetAttr("value")
	case "no-replace":
		resp.RequiresReplace = nil
	case "replace-always":
		resp.RequiresReplace = []string{"name"}
	}
	resp.Planned = cty.ObjectVal(m)
	return resp
}

func (f *fake) Apply(_ context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		switch f.bug {
		case "delete-keeps":
			return providers.ApplyResponse{State: req.Prior}
		case "leaks":
		default:
			delete(f.world, req.Prior.GetAttr("name").AsString())
		}
		return providers.ApplyResponse{State: req.Planned}
	}
	if f.bug == "apply-error" && !req.Prior.IsNull() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("cannot update", "the fake refuses updates")}
	}
	name := req.Planned.GetAttr("name").AsString()
	value := req.Planned.GetAttr("value")
	if !req.Prior.IsNull() {
		delete(f.world, req.Prior.GetAttr("name").AsString())
	}
	if f.bug == "apply-inconsistent" {
		value = cty.StringVal(value.AsString() + "x")
	}
	f.world[name] = value
	obj := fakeObj(name, value)
	switch f.bug {
	case "apply-unknown":
		obj = cty.ObjectVal(map[string]cty.Value{"name": obj.GetAttr("name"), "value": value, "id": cty.UnknownVal(cty.String)})
	case "wrong-type":
		obj = cty.ObjectVal(map[string]cty.Value{"name": obj.GetAttr("name"), "value": value})
	case "marked":
		obj = cty.ObjectVal(map[string]cty.Value{"name": obj.GetAttr("name"), "value": value.Mark("sensitive"), "id": obj.GetAttr("id")})
	}
	return providers.ApplyResponse{State: obj}
}

func (f *fake) Import(_ context.Context, req providers.ImportRequest) providers.ImportResponse {
	v, ok := f.world[req.ID]
	if !ok {
		return providers.ImportResponse{State: cty.NullVal(fakeSchema.ImpliedType()), Diagnostics: providers.Errorf("no such object", "nothing named %q", req.ID)}
	}
	if f.bug == "import-differs" {
		v = cty.NullVal(cty.String)
	}
	return providers.ImportResponse{State: fakeObj(req.ID, v)}
}

var _ providers.Resource = (*fake)(nil)
