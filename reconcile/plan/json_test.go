package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var errWrite = errors.New("disk full")

func TestRenderJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderJSON(&buf, samplePlan()); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !json.Valid(out) {
		t.Fatalf("output is not valid JSON:\n%s", out)
	}
	if n := bytes.Count(out, []byte("\n")); n != 1 {
		t.Errorf("output has %d newlines, want one at the end", n)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json", pretty.Bytes())
	for _, secret := range []string{"s3cret", "t1", "t2"} {
		if strings.Contains(string(out), `"`+secret+`"`) {
			t.Errorf("sensitive value %q emitted", secret)
		}
	}
}

func TestRenderJSONUnknownsAndSensitive(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderJSON(&buf, unknownsPlan()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions      []string       `json:"actions"`
				After        map[string]any `json:"after"`
				AfterUnknown any            `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_changes"`
		Plumb struct {
			Summary         map[string]int `json:"summary"`
			ResourceChanges []struct {
				Address string `json:"address"`
			} `json:"resource_changes"`
		} `json:"plumb"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if doc.Plumb.Summary["no_op"] != 1 {
		t.Errorf("plumb.summary.no_op = %d, want 1", doc.Plumb.Summary["no_op"])
	}
	for _, rc := range doc.Plumb.ResourceChanges {
		if rc.Address == "local_file.keep" {
			t.Error("no-op change local_file.keep is listed in plumb.resource_changes")
		}
	}
	byAddr := map[string]int{}
	for i, rc := range doc.ResourceChanges {
		byAddr[rc.Address] = i
	}
	keep, ok := byAddr["local_file.keep"]
	if !ok || !slices.Equal(doc.ResourceChanges[keep].Change.Actions, []string{"no-op"}) {
		t.Errorf("local_file.keep: listed %t, want it in resource_changes as [\"no-op\"]", ok)
	}
	u := doc.ResourceChanges[byAddr["plumb_data.u"]].Change
	if got := u.After["secret"]; got != SensitiveValue {
		t.Errorf(`after.secret = %v, want %q`, got, SensitiveValue)
	}
	// Unknown values are null, as in Terraform; after_unknown says so.
	wantAfter := map[string]any{
		"list":       []any{"a", nil, "c"},
		"map":        map[string]any{"j": "v", "k": nil, "weird key\n": "w"},
		"objs":       []any{map[string]any{"id": nil, "n": 1.0}, nil, nil},
		"dynamic":    nil,
		"whole_list": nil,
	}
	for k, want := range wantAfter {
		got, present := u.After[k]
		if !present {
			t.Errorf("after.%s is missing, want it present", k)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after.%s (-want +got):\n%s", k, diff)
		}
	}
	mask, ok := u.AfterUnknown.(map[string]any)
	if !ok {
		t.Fatalf("after_unknown = %v, want an object", u.AfterUnknown)
	}
	delete(mask, "obj_set") // set order is cty's, checked by length only
	wantMask := map[string]any{
		"list":        []any{false, true, false},
		"set":         []any{false, true, true},
		"map":         map[string]any{"k": true},
		"objs":        []any{map[string]any{"id": true}, true, false},
		"nested_sets": []any{[]any{false, true}, false},
		"tuple":       []any{false, true, false},
		"dynamic":     true,
		"whole_list":  true,
	}
	if diff := cmp.Diff(wantMask, mask); diff != "" {
		t.Errorf("after_unknown (-want +got):\n%s", diff)
	}
	if got := doc.ResourceChanges[byAddr["data.x.y"]].Change.AfterUnknown; got != true {
		t.Errorf("after_unknown of a wholly unknown object = %v, want true", got)
	}
}
