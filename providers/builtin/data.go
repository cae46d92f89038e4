package builtin

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// dataResource is plumb_data: a value kept in state. Nothing outside
// plumb backs it, so Read returns the prior state unchanged.
type dataResource struct {
	schema providers.Schema
	null   cty.Value
}

var (
	_ providers.Resource  = (*dataResource)(nil)
	_ providers.StateOnly = (*dataResource)(nil)
)

// StateOnly says plumb_data makes nothing outside state.
func (r *dataResource) StateOnly() {}

func newDataResource() *dataResource {
	s := providers.Schema{
		Description: "A value stored in state: output follows input, and a change to triggers_replace replaces the object.",
		Attributes: map[string]*providers.Attribute{
			"input": {
				Type: cty.DynamicPseudoType, Optional: true,
				Description: "Any value; a change updates the object in place and output follows it.",
			},
			"output": {
				Type: cty.DynamicPseudoType, Computed: true, DerivedFrom: []string{"input"},
				Description: "The input, as of the last apply.",
			},
			"triggers_replace": {
				Type: cty.DynamicPseudoType, Optional: true, ForceNew: true,
				Description: "Any value; any change to it replaces the object, giving it a new id.",
			},
			"id": {
				Type: cty.String, Computed: true,
				Description: "A random identifier (a version 4 UUID) chosen when the object is created.",
			},
		},
	}
	return &dataResource{schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes plumb_data.
func (r *dataResource) Schema() providers.Schema { return r.schema }

// Read returns the prior state: plumb_data exists only in state.
func (r *dataResource) Read(_ context.Context, req providers.ReadRequest) providers.ReadResponse {
	return providers.ReadResponse{State: req.Prior}
}

// Plan keeps the prior state when neither input nor triggers_replace
// changed (the common case, and cheap: about a microsecond); updates in
// place when only input changed; and replaces the object, with a new id,
// when triggers_replace changed. Output is planned as the input itself when the
// input is wholly known, otherwise as unknown.
func (r *dataResource) Plan(_ context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	input := req.Config.GetAttr("input")
	triggers := req.Config.GetAttr("triggers_replace")
	id := cty.UnknownVal(cty.String)
	var replace []string
	if !req.Prior.IsNull() {
		if sameValue(req.Prior.GetAttr("triggers_replace"), triggers) {
			if sameValue(req.Prior.GetAttr("input"), input) {
				return providers.PlanResponse{Planned: req.Prior}
			}
			id = req.Prior.GetAttr("id")
		} else {
			replace = []string{"triggers_replace"}
		}
	}
	return providers.PlanResponse{Planned: dataObject(id, input, plannedOutput(input), triggers), RequiresReplace: replace}
}

// Apply stores the planned value; a create chooses the id.
func (r *dataResource) Apply(_ context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		return providers.ApplyResponse{State: r.null}
	}
	input, ok := knownAtApply(req, "input")
	if !ok {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"plumb_data input is not known",
			"The value of input is still unknown at apply time; it must be computable once the resources it refers to exist.")}
	}
	triggers, ok := knownAtApply(req, "triggers_replace")
	if !ok {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"plumb_data triggers_replace is not known",
			"The value of triggers_replace is still unknown at apply time; it must be computable once the resources it refers to exist.")}
	}
	id := req.Planned.GetAttr("id")
	if !id.IsKnown() || id.IsNull() {
		id = cty.StringVal(newID())
	}
	return providers.ApplyResponse{State: dataObject(id, input, input, triggers)}
}

// Import adopts an id with null input and output: nothing else about a
// plumb_data object exists outside state.
func (r *dataResource) Import(_ context.Context, req providers.ImportRequest) providers.ImportResponse {
	if req.ID == "" {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf(
			"Empty plumb_data import ID",
			"Give the id to adopt, such as the id of the object in an older state.")}
	}
	null := cty.NullVal(cty.DynamicPseudoType)
	return providers.ImportResponse{State: dataObject(cty.StringVal(req.ID), null, null, null)}
}

func dataObject(id, input, output, triggers cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id":               id,
		"input":            input,
		"output":           output,
		"triggers_replace": triggers,
	})
}

// plannedOutput is the input when it is wholly known, else unknown of the
// input's type.
func plannedOutput(input cty.Value) cty.Value {
	if input.IsWhollyKnown() {
		return input
	}
	return cty.UnknownVal(input.Type())
}

// knownAtApply returns the planned value of the attribute, or the
// configured one where the plan did not know it yet; ok is false when
// neither is wholly known.
func knownAtApply(req providers.ApplyRequest, name string) (cty.Value, bool) {
	if v := req.Planned.GetAttr(name); v.IsWhollyKnown() {
		return v, true
	}
	if req.Config.IsNull() {
		return cty.NilVal, false
	}
	v := req.Config.GetAttr(name)
	return v, v.IsWhollyKnown()
}

// sameValue reports whether a prior and a configured value are the same:
// equal in value and type, or both null (a null's type carries no
// information the user set).
func sameValue(prior, config cty.Value) bool {
	if prior.RawEquals(config) {
		return true
	}
	return prior.IsKnown() && config.IsKnown() && prior.IsNull() && config.IsNull()
}

// newID returns a random version 4 UUID in its usual text form.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails; it aborts the program instead.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
