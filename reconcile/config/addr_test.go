package config

import (
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in, want, resource string
		wantErr            bool
	}{
		{in: "local_file.a", want: "local_file.a", resource: "local_file.a"},
		{in: "plumb_data.r[3]", want: "plumb_data.r[3]", resource: "plumb_data.r"},
		{in: `aws_route53_zone.site["example.org"]`, want: `aws_route53_zone.site["example.org"]`, resource: "aws_route53_zone.site"},
		{in: "data.local_file.f", want: "data.local_file.f", resource: "data.local_file.f"},
		{in: "local_file", wantErr: true},
		{in: "a.b.c", wantErr: true},
		{in: "local_file.a[1][2]", wantErr: true},
		{in: "local_file.a[", wantErr: true},
	}
	for _, tt := range tests {
		a, err := ParseAddr(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseAddr(%q) = %v, want an error", tt.in, a)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.in, err)
			continue
		}
		if a.String() != tt.want || a.Resource() != tt.resource {
			t.Errorf("ParseAddr(%q) = %s (resource %s), want %s (%s)", tt.in, a, a.Resource(), tt.want, tt.resource)
		}
	}
}

func TestLoadSourceCollectsEveryError(t *testing.T) {
	_, diags := LoadSource(".", map[string]string{
		"a.hcl": "resource \"plumb_data\" \"x\" {}\nvariable \"v\" { tipe = string }\n",
		"b.hcl": "resource \"plumb_data\" \"x\" {}\noutput \"o\" {}\n",
	})
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Subject.String()+" "+d.Summary)
	}
	want := []string{"Unsupported argument", "Duplicate resource plumb_data.x", "Missing required argument"}
	for _, w := range want {
		found := false
		for _, s := range summaries {
			found = found || strings.Contains(s, w)
		}
		if !found {
			t.Errorf("no diagnostic %q among %q", w, summaries)
		}
	}
}
