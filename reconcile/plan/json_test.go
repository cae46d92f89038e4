package plan

import (
	"bytes"
	"encoding/json"
	"errors"
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
		Summary         map[string]int `json:"summary"`
		ResourceChanges []struct {
			Address      string         `json:"address"`
			After        map[string]any `json:"after"`
			AfterUnknown any            `json:"after_unknown"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if doc.Summary["no_op"] != 1 {
		t.Errorf("summary.no_op = %d, want 1", doc.Summary["no_op"])
	}
	byAddr := map[string]int{}
	for i, rc := range doc.ResourceChanges {
		byAddr[rc.Address] = i
	}
	if _, ok := byAddr["local_file.keep"]; ok {
		t.Error("no-op change local_file.keep is listed in resource_changes")
	}
	u := doc.ResourceChanges[byAddr["plumb_data.u"]]
	if got := u.After["secret"]; got != SensitiveValue {
		t.Errorf(`after.secret = %v, want %q`, got, SensitiveValue)
	}
	wantAfter := map[string]any{
		"list": []any{"a", nil, "c"},
		"map":  map[string]any{"j": "v", "weird key\n": "w"},
		"objs": []any{map[string]any{"n": 1.0}, nil, nil},
	}
	for k, want := range wantAfter {
		if diff := cmp.Diff(want, u.After[k]); diff != "" {
			t.Errorf("after.%s (-want +got):\n%s", k, diff)
		}
	}
	for _, k := range []string{"dynamic", "whole_list"} {
		if _, ok := u.After[k]; ok {
			t.Errorf("after.%s is present, want unknown attributes left out", k)
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
	if got := doc.ResourceChanges[byAddr["data.x.y"]].AfterUnknown; got != true {
		t.Errorf("after_unknown of a wholly unknown object = %v, want true", got)
	}
}
