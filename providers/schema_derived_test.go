package providers

import (
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestDerivedSensitive(t *testing.T) {
	s := Schema{Attributes: map[string]*Attribute{
		"content":   {Type: cty.String, Optional: true},
		"secret":    {Type: cty.String, Optional: true, Sensitive: true},
		"sum":       {Type: cty.String, Computed: true, DerivedFrom: []string{"content", "secret"}},
		"sum_of":    {Type: cty.String, Computed: true, DerivedFrom: []string{"sum"}},
		"unrelated": {Type: cty.String, Computed: true},
	}}
	obj := func(content, secret cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"content": content, "secret": secret, "sum": cty.StringVal("x"), "sum_of": cty.StringVal("y"), "unrelated": cty.StringVal("z"),
		})
	}
	null := cty.NullVal(cty.String)
	tests := []struct {
		name      string
		sensitive []string
		vals      []cty.Value
		want      []string
	}{
		{"secret set", []string{"secret"}, []cty.Value{obj(null, cty.StringVal("pw"))}, []string{"sum", "sum_of"}},
		{"secret null", []string{"secret"}, []cty.Value{obj(cty.StringVal("hello"), null)}, nil},
		{"secret before only", []string{"secret"}, []cty.Value{obj(null, cty.StringVal("pw")), obj(cty.StringVal("hello"), null)}, []string{"sum", "sum_of"}},
		{"content from a sensitive variable", []string{"content", "secret"}, []cty.Value{obj(cty.StringVal("pw"), null)}, []string{"sum", "sum_of"}},
		{"unknown value", []string{"secret"}, []cty.Value{cty.DynamicVal}, []string{"sum", "sum_of"}},
	}
	for _, tt := range tests {
		if got := s.DerivedSensitive(tt.sensitive, tt.vals...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
