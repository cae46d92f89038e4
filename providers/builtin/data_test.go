package builtin

import (
	"context"
	"regexp"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/providertest"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func dataResourceUnderTest() providers.Resource { return New().Resources()["plumb_data"] }

// dataCfg builds a plumb_data configuration; cty.NilVal leaves an
// attribute out (null after Schema.Complete).
func dataCfg(input, triggers cty.Value) cty.Value {
	m := map[string]cty.Value{}
	if input != cty.NilVal {
		m["input"] = input
	}
	if triggers != cty.NilVal {
		m["triggers_replace"] = triggers
	}
	return cty.ObjectVal(m)
}

func TestDataConformance(t *testing.T) {
	var firstID string
	sameID := func(want bool) func(providertest.TB, cty.Value) {
		return func(t providertest.TB, s cty.Value) {
			t.Helper()
			id := s.GetAttr("id").AsString()
			if !uuidPattern.MatchString(id) {
				t.Errorf("id %q is not a version 4 UUID", id)
			}
			if (id == firstID) != want {
				t.Errorf("id = %q, first id %q; want same: %v", id, firstID, want)
			}
			if !s.GetAttr("output").RawEquals(s.GetAttr("input")) {
				t.Errorf("output %#v differs from input %#v", s.GetAttr("output"), s.GetAttr("input"))
			}
		}
	}
	nested := cty.ObjectVal(map[string]cty.Value{
		"names": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"n":     cty.NumberFloatVal(1.5),
		"on":    cty.True,
		"tags":  cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod")}),
	})
	triggers := cty.TupleVal([]cty.Value{cty.StringVal("v1"), cty.NumberIntVal(2)})
	providertest.Run(t, providertest.Case{
		Resource: dataResourceUnderTest(),
		Steps: []providertest.Step{
			{Name: "create", Config: dataCfg(cty.StringVal("hello"), cty.NilVal),
				Check: func(t providertest.TB, s cty.Value) { firstID = s.GetAttr("id").AsString(); sameID(true)(t, s) }},
			{Name: "nested input updates in place", Config: dataCfg(nested, cty.NilVal), Check: sameID(true)},
			{Name: "null input", Config: dataCfg(cty.NilVal, cty.NilVal), Check: sameID(true)},
			{Name: "set triggers", Config: dataCfg(cty.NilVal, cty.StringVal("v1")), ExpectReplace: true, Check: sameID(false)},
			{Name: "change trigger type", Config: dataCfg(cty.NilVal, triggers), ExpectReplace: true, Check: sameID(false)},
			{Name: "typed null input", Config: dataCfg(cty.NullVal(cty.String), triggers), Check: sameID(false)},
			{Name: "delete", Config: cty.NilVal},
			{Name: "create again", Config: dataCfg(cty.NumberIntVal(7), cty.StringVal("x"))},
		},
		ImportID:     func(s cty.Value) string { return s.GetAttr("id").AsString() },
		ImportIgnore: []string{"input", "output", "triggers_replace"},
		StateOnly:    true,
	})
}

func TestDataPlan(t *testing.T) {
	r := dataResourceUnderTest()
	ty := r.Schema().ImpliedType()
	prior := dataObject(cty.StringVal("id-1"), cty.StringVal("a"), cty.StringVal("a"), cty.StringVal("t"))
	unknownTuple := cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.UnknownVal(cty.String)})
	tests := []struct {
		name        string
		prior       cty.Value
		config      cty.Value
		wantID      cty.Value // cty.NilVal: do not check
		wantOutput  cty.Value
		wantReplace bool
		wantPrior   bool // the plan must be exactly the prior
	}{
		{"create known", cty.NullVal(ty), dataCfg(cty.StringVal("a"), cty.NilVal), cty.UnknownVal(cty.String), cty.StringVal("a"), false, false},
		{"create unknown", cty.NullVal(ty), dataCfg(cty.DynamicVal, cty.NilVal), cty.UnknownVal(cty.String), cty.DynamicVal, false, false},
		{"partly unknown", cty.NullVal(ty), dataCfg(unknownTuple, cty.NilVal), cty.UnknownVal(cty.String), cty.UnknownVal(unknownTuple.Type()), false, false},
		{"unchanged", prior, dataCfg(cty.StringVal("a"), cty.StringVal("t")), cty.NilVal, cty.NilVal, false, true},
		{"input changed", prior, dataCfg(cty.StringVal("b"), cty.StringVal("t")), cty.StringVal("id-1"), cty.StringVal("b"), false, false},
		{"input type changed", prior, dataCfg(cty.TupleVal([]cty.Value{cty.StringVal("a")}), cty.StringVal("t")), cty.StringVal("id-1"), cty.TupleVal([]cty.Value{cty.StringVal("a")}), false, false},
		{"input unknown", prior, dataCfg(cty.UnknownVal(cty.String), cty.StringVal("t")), cty.StringVal("id-1"), cty.UnknownVal(cty.String), false, false},
		{"triggers changed", prior, dataCfg(cty.StringVal("a"), cty.StringVal("u")), cty.UnknownVal(cty.String), cty.StringVal("a"), true, false},
		{"triggers unknown", prior, dataCfg(cty.StringVal("a"), cty.UnknownVal(cty.String)), cty.UnknownVal(cty.String), cty.StringVal("a"), true, false},
		{"triggers removed", prior, dataCfg(cty.StringVal("a"), cty.NilVal), cty.UnknownVal(cty.String), cty.StringVal("a"), true, false},
		{"nulls of other types are the same", dataObject(cty.StringVal("id-1"), cty.NullVal(cty.String), cty.NullVal(cty.String), cty.NullVal(cty.Number)),
			dataCfg(cty.NilVal, cty.NilVal), cty.NilVal, cty.NilVal, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := r.Schema().Complete(tt.config)
			resp := r.Plan(context.Background(), providers.PlanRequest{Prior: tt.prior, Config: config})
			if resp.Diagnostics.HasErrors() {
				t.Fatalf("Plan: %s", resp.Diagnostics.Error())
			}
			if got := len(resp.RequiresReplace) > 0; got != tt.wantReplace {
				t.Errorf("RequiresReplace = %q, want replace %v", resp.RequiresReplace, tt.wantReplace)
			}
			if tt.wantPrior {
				if !resp.Planned.RawEquals(tt.prior) {
					t.Errorf("planned %#v, want the prior %#v", resp.Planned, tt.prior)
				}
				return
			}
			if got := resp.Planned.GetAttr("id"); !got.RawEquals(tt.wantID) {
				t.Errorf("planned id %#v, want %#v", got, tt.wantID)
			}
			if got := resp.Planned.GetAttr("output"); !got.RawEquals(tt.wantOutput) {
				t.Errorf("planned output %#v, want %#v", got, tt.wantOutput)
			}
			if got, want := resp.Planned.GetAttr("input"), config.GetAttr("input"); !got.RawEquals(want) {
				t.Errorf("planned input %#v, want the configured %#v", got, want)
			}
		})
	}
}

func TestDataPlanDelete(t *testing.T) {
	r := dataResourceUnderTest()
	ty := r.Schema().ImpliedType()
	prior := dataObject(cty.StringVal("id-1"), cty.StringVal("a"), cty.StringVal("a"), cty.NullVal(cty.DynamicPseudoType))
	resp := r.Plan(context.Background(), providers.PlanRequest{Prior: prior, Config: cty.NullVal(ty)})
	if !resp.Planned.RawEquals(cty.NullVal(ty)) {
		t.Errorf("planned %#v, want null", resp.Planned)
	}
}

func TestDataApplyResolvesUnknowns(t *testing.T) {
	r := dataResourceUnderTest()
	ty := r.Schema().ImpliedType()
	planned := dataObject(cty.UnknownVal(cty.String), cty.DynamicVal, cty.DynamicVal, cty.NullVal(cty.DynamicPseudoType))
	tests := []struct {
		name    string
		config  cty.Value
		wantErr bool
	}{
		{"known at apply", r.Schema().Complete(dataCfg(cty.StringVal("now known"), cty.NilVal)), false},
		{"still unknown", r.Schema().Complete(dataCfg(cty.DynamicVal, cty.NilVal)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: cty.NullVal(ty), Planned: planned, Config: tt.config})
			if resp.Diagnostics.HasErrors() != tt.wantErr {
				t.Fatalf("Apply diagnostics %v, want error %v", resp.Diagnostics, tt.wantErr)
			}
			if tt.wantErr {
				if !resp.State.IsNull() {
					t.Errorf("state after a failed create = %#v, want null (the prior)", resp.State)
				}
				return
			}
			if got := resp.State.GetAttr("output"); !got.RawEquals(cty.StringVal("now known")) {
				t.Errorf("output %#v, want the configured input", got)
			}
		})
	}
}

func TestDataStateRoundTrip(t *testing.T) {
	r := dataResourceUnderTest()
	ty := r.Schema().ImpliedType()
	inputs := map[string]cty.Value{
		"string":      cty.StringVal("héllo"),
		"number":      cty.NumberFloatVal(3.25),
		"big number":  cty.MustParseNumberVal("123456789012345678901234567890"),
		"bool":        cty.False,
		"list":        cty.ListVal([]cty.Value{cty.StringVal("a")}),
		"empty list":  cty.ListValEmpty(cty.String),
		"set":         cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
		"map":         cty.MapVal(map[string]cty.Value{"k": cty.True}),
		"tuple":       cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1), cty.NullVal(cty.Bool)}),
		"empty tuple": cty.EmptyTupleVal,
		"object":      cty.ObjectVal(map[string]cty.Value{"a": cty.ObjectVal(map[string]cty.Value{"b": cty.ListVal([]cty.Value{cty.NumberIntVal(1)})})}),
		"typed null":  cty.NullVal(cty.List(cty.String)),
		"null":        cty.NullVal(cty.DynamicPseudoType),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			config := r.Schema().Complete(dataCfg(in, in))
			plan := r.Plan(ctx, providers.PlanRequest{Prior: cty.NullVal(ty), Config: config})
			applied := r.Apply(ctx, providers.ApplyRequest{Prior: cty.NullVal(ty), Planned: plan.Planned, Config: config})
			if applied.Diagnostics.HasErrors() {
				t.Fatalf("Apply: %s", applied.Diagnostics.Error())
			}
			b, err := ctyjson.Marshal(applied.State, ty)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			back, err := ctyjson.Unmarshal(b, ty)
			if err != nil {
				t.Fatalf("Unmarshal %s: %v", b, err)
			}
			if !back.RawEquals(applied.State) {
				t.Fatalf("round trip through %s changed\n%#v\ninto\n%#v", b, applied.State, back)
			}
			again := r.Plan(ctx, providers.PlanRequest{Prior: back, Config: config})
			if !again.Planned.RawEquals(back) || len(again.RequiresReplace) > 0 {
				t.Errorf("plan after the round trip is not a no-op: %#v", again.Planned)
			}
		})
	}
}

func TestDataImport(t *testing.T) {
	r := dataResourceUnderTest()
	tests := []struct {
		id      string
		wantErr bool
	}{
		{"5e1d8a4c-0b6a-4f7e-9d3c-2a1b0c9d8e7f", false},
		{"", true},
	}
	for _, tt := range tests {
		resp := r.Import(context.Background(), providers.ImportRequest{ID: tt.id})
		if resp.Diagnostics.HasErrors() != tt.wantErr {
			t.Errorf("Import(%q) diagnostics %v, want error %v", tt.id, resp.Diagnostics, tt.wantErr)
			continue
		}
		if !tt.wantErr && resp.State.GetAttr("id").AsString() != tt.id {
			t.Errorf("Import(%q) id = %#v", tt.id, resp.State.GetAttr("id"))
		}
	}
}

func TestNewIDIsUniqueUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		if !uuidPattern.MatchString(id) {
			t.Fatalf("newID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("newID() repeated %q", id)
		}
		seen[id] = true
	}
}

// BenchmarkDataPlanUnchanged measures the plan of an unchanged plumb_data,
// the work done 10,000 times in a large no-change plan.
func BenchmarkDataPlanUnchanged(b *testing.B) {
	r := dataResourceUnderTest()
	ty := r.Schema().ImpliedType()
	ctx := context.Background()
	input := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "port": cty.NumberIntVal(443)})
	config := r.Schema().Complete(dataCfg(input, cty.StringVal("v1")))
	plan := r.Plan(ctx, providers.PlanRequest{Prior: cty.NullVal(ty), Config: config})
	applied := r.Apply(ctx, providers.ApplyRequest{Prior: cty.NullVal(ty), Planned: plan.Planned, Config: config})
	js, err := ctyjson.Marshal(applied.State, ty)
	if err != nil {
		b.Fatal(err)
	}
	prior, err := ctyjson.Unmarshal(js, ty)
	if err != nil {
		b.Fatal(err)
	}
	req := providers.PlanRequest{Prior: prior, Config: config}
	if resp := r.Plan(ctx, req); !resp.Planned.RawEquals(prior) {
		b.Fatal("plan is not a no-op")
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Plan(ctx, req)
	}
}
