package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestRenderTextGolden(t *testing.T) {
	tests := []struct {
		golden string
		plan   func() *Plan
		color  bool
	}{
		{"plan.txt", samplePlan, false},
		{"plan-color.txt", samplePlan, true},
		{"nochanges.txt", noChangesPlan, false},
		{"outputs-only.txt", outputsOnlyPlan, false},
		{"create-collections.txt", createCollectionsPlan, false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderText(&buf, tt.plan(), TextOptions{Color: tt.color}); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, buf.Bytes())
		})
	}
}

func noChangesPlan() *Plan {
	keep := fileVal("same", "same.txt", "0644", cty.StringVal("f-same"))
	return &Plan{Changes: []*Change{{Addr: "local_file.keep", Type: "local_file", Name: "keep", Action: NoOp, Before: keep, After: keep}}}
}

func outputsOnlyPlan() *Plan {
	return &Plan{Outputs: []*OutputChange{{Name: "url", Action: Create, Before: cty.NullVal(cty.String), After: cty.StringVal("http://example.org/")}}}
}

func createCollectionsPlan() *Plan {
	ty := cty.Object(map[string]cty.Type{
		"name": cty.String, "records": cty.List(recordType), "tags": cty.Map(cty.String),
		"allow": cty.Set(cty.String), "empty": cty.List(cty.String), "nothing": cty.String, "settings": cty.Object(map[string]cty.Type{"a": cty.Number, "b": cty.String}),
	})
	after := cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("example.org"), "records": cty.ListVal(records(3)),
		"tags":  cty.MapVal(map[string]cty.Value{"env": cty.StringVal("prod"), "cost centre": cty.StringVal("42")}),
		"allow": cty.SetVal(strs("198.51.100.2", "198.51.100.1")), "empty": cty.ListValEmpty(cty.String),
		"nothing": cty.NullVal(cty.String), "settings": cty.ObjectVal(map[string]cty.Value{"a": cty.NumberFloatVal(1.5), "b": cty.NullVal(cty.String)}),
	})
	return &Plan{Changes: []*Change{
		{Addr: "bind_zone.z", Type: "bind_zone", Name: "z", Action: Create, Before: cty.NullVal(ty), After: after},
		{Addr: "bind_zone.gone", Type: "bind_zone", Name: "gone", Action: Delete, Before: after, After: cty.NullVal(ty)},
	}}
}

func TestRenderTextNoColorHasNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderText(&buf, samplePlan(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "\x1b[") {
		t.Error("output without colour holds ANSI escapes")
	}
	for _, secret := range []string{"s3cret", "n3w-s3cret", "t1", "t2"} {
		if strings.Contains(out, `"`+secret+`"`) {
			t.Errorf("sensitive value %q printed", secret)
		}
	}
	if strings.Contains(out, "local_file.keep") {
		t.Error("no-op change printed")
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		in   Counts
		want string
	}{
		{Counts{}, "Plan: 0 to add, 0 to change, 0 to destroy."},
		{Counts{Add: 1, Change: 1, Destroy: 1}, "Plan: 1 to add, 1 to change, 1 to destroy."},
		{Counts{Add: 10000, Replace: 3, NoOp: 2}, "Plan: 10,000 to add, 0 to change, 0 to destroy."},
		{Counts{Import: 1200, Add: 2, Destroy: 2, Replace: 2}, "Plan: 1,200 to import, 2 to add, 0 to change, 2 to destroy."},
	}
	for _, tt := range tests {
		if got := SummaryLine(tt.in); got != tt.want {
			t.Errorf("SummaryLine(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestRenderersReportWriteErrors(t *testing.T) {
	if err := RenderText(failWriter{}, samplePlan(), TextOptions{}); err != errWrite {
		t.Errorf("RenderText error = %v, want %v", err, errWrite)
	}
	if err := RenderJSON(failWriter{}, samplePlan()); err != errWrite {
		t.Errorf("RenderJSON error = %v, want %v", err, errWrite)
	}
}
