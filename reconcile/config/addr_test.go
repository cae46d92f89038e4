package config

import (
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in, want, resource, config string
		module                     bool
		wantErr                    string
	}{
		{in: "local_file.a", want: "local_file.a", resource: "local_file.a", config: "local_file.a"},
		{in: "plumb_data.r[3]", want: "plumb_data.r[3]", resource: "plumb_data.r", config: "plumb_data.r"},
		{in: `aws_route53_zone.site["example.org"]`, want: `aws_route53_zone.site["example.org"]`, resource: "aws_route53_zone.site", config: "aws_route53_zone.site"},
		{in: "data.local_file.f", want: "data.local_file.f", resource: "data.local_file.f", config: "data.local_file.f"},
		{in: "module.site", want: "module.site", resource: "module.site", config: "module.site", module: true},
		{in: `module.site["a"]`, want: `module.site["a"]`, resource: `module.site["a"]`, config: "module.site", module: true},
		{in: `module.site["a"].module.zone[2]`, want: `module.site["a"].module.zone[2]`, resource: `module.site["a"].module.zone[2]`, config: "module.site.module.zone", module: true},
		{in: `module.site["a"].bind_zone.z["x.org"]`, want: `module.site["a"].bind_zone.z["x.org"]`, resource: `module.site["a"].bind_zone.z`, config: "module.site.bind_zone.z"},
		{in: `module.a.module.b.data.dns_addresses.office`, want: `module.a.module.b.data.dns_addresses.office`, resource: `module.a.module.b.data.dns_addresses.office`, config: "module.a.module.b.data.dns_addresses.office"},
		{in: "local_file", wantErr: "expected TYPE.NAME"},
		{in: "a.b.c", wantErr: "expected TYPE.NAME"},
		{in: "local_file.a[1][2]", wantErr: "second index"},
		{in: "local_file.a[", wantErr: "not an address"},
		{in: "module", wantErr: "module's name"},
		{in: "module.a[true]", wantErr: "not an address"},
		{in: "provider.aws", wantErr: "expected TYPE.NAME"},
		{in: "module.a.local_file", wantErr: "expected TYPE.NAME"},
	}
	for _, tt := range tests {
		a, err := ParseAddr(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseAddr(%q) = %v, %v; want an error containing %q", tt.in, a, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.in, err)
			continue
		}
		if a.String() != tt.want || a.Resource() != tt.resource || a.ConfigResource() != tt.config || a.IsModule() != tt.module {
			t.Errorf("ParseAddr(%q) = %s (resource %s, config %s, module %v), want %s (%s, %s, %v)",
				tt.in, a, a.Resource(), a.ConfigResource(), a.IsModule(), tt.want, tt.resource, tt.config, tt.module)
		}
	}
}

func TestAddrSelects(t *testing.T) {
	tests := []struct {
		pattern, addr string
		want          bool
	}{
		{"local_file.a", "local_file.a", true},
		{"local_file.a", `local_file.a["x"]`, true},
		{`local_file.a["x"]`, `local_file.a["x"]`, true},
		{`local_file.a["x"]`, `local_file.a["y"]`, false},
		{"local_file.a[0]", "local_file.a[0]", true},
		{"local_file.a[0]", `local_file.a["0"]`, false},
		{"local_file.a", "local_file.ab", false},
		{"local_file.a", "data.local_file.a", false},
		{"local_file.a", "module.m.local_file.a", false},
		{"module.m", `module.m["x"].local_file.a[2]`, true},
		{"module.m", `module.m.module.n.local_file.a`, true},
		{"module.m", `module.mm.local_file.a`, false},
		{`module.m["x"]`, `module.m["y"].local_file.a`, false},
		{`module.m["x"]`, `module.m["x"].local_file.a`, true},
		{`module.m.local_file.a`, `module.m["x"].local_file.a`, true},
		{`module.m["x"].local_file.a`, `module.m["x"].local_file.a[1]`, true},
		{`module.m["x"].local_file.a`, `module.m.local_file.a`, false},
		{`module.m.module.n`, `module.m[1].module.n["k"].plumb_data.d`, true},
	}
	for _, tt := range tests {
		p, b := MustParseAddr(tt.pattern), MustParseAddr(tt.addr)
		if got := p.Selects(b); got != tt.want {
			t.Errorf("%s selects %s = %v, want %v", tt.pattern, tt.addr, got, tt.want)
		}
	}
}

func TestParseProviderAddr(t *testing.T) {
	tests := []struct {
		in, want, config, ref string
		wantErr               string
	}{
		{in: "provider.aws", want: "provider.aws", config: "provider.aws", ref: "aws"},
		{in: "provider.aws.eu", want: "provider.aws.eu", config: "provider.aws.eu", ref: "aws.eu"},
		{in: `provider.apache.web["web1"]`, want: `provider.apache.web["web1"]`, config: "provider.apache.web", ref: "apache.web"},
		{in: `module.site.provider.aws`, want: `module.site.provider.aws`, config: "module.site.provider.aws", ref: "aws"},
		{in: `module.a.module.b.provider.aws.eu[0]`, want: `module.a.module.b.provider.aws.eu[0]`, config: "module.a.module.b.provider.aws.eu", ref: "aws.eu"},
		{in: "aws", wantErr: "expected provider.NAME"},
		{in: "provider", wantErr: "expected provider.NAME"},
		{in: "provider.a.b.c", wantErr: "expected provider.NAME"},
		{in: `module.a["x"].provider.aws`, wantErr: "not module instances"},
		{in: `provider.aws.eu["a"]["b"]`, wantErr: "second index"},
	}
	for _, tt := range tests {
		p, err := ParseProviderAddr(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseProviderAddr(%q) = %v, %v; want an error containing %q", tt.in, p, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseProviderAddr(%q): %v", tt.in, err)
			continue
		}
		if p.String() != tt.want || p.Config().String() != tt.config || p.Ref() != tt.ref {
			t.Errorf("ParseProviderAddr(%q) = %s (config %s, ref %s), want %s (%s, %s)", tt.in, p, p.Config(), p.Ref(), tt.want, tt.config, tt.ref)
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

func TestMove(t *testing.T) {
	tests := []struct {
		from, to, addr string
		want           string // "" when the move does not concern addr
	}{
		{"local_file.a", "local_file.b", "local_file.a", "local_file.b"},
		{"local_file.a", "local_file.b", `local_file.a["k"]`, `local_file.b["k"]`},
		{"local_file.a", "local_file.b", "local_file.ab", ""},
		{"local_file.a", "local_file.a[0]", "local_file.a", "local_file.a[0]"},
		{"local_file.a", "local_file.a[0]", "local_file.a[1]", ""},
		{"local_file.a[0]", `local_file.a["x"]`, "local_file.a[0]", `local_file.a["x"]`},
		{"local_file.a", "module.m.local_file.a", "local_file.a[2]", "module.m.local_file.a[2]"},
		{`module.m["x"].local_file.a`, "local_file.a", `module.m["x"].local_file.a`, "local_file.a"},
		{`module.m["x"].local_file.a`, "local_file.a", `module.m["y"].local_file.a`, ""},
		{"module.m", `module.n["k"]`, "module.m.module.o.plumb_data.d[1]", `module.n["k"].module.o.plumb_data.d[1]`},
		{"module.m", "module.n", `module.m["k"].plumb_data.d`, ""},
		{"data.local_file.a", "data.local_file.b", "data.local_file.a", "data.local_file.b"},
	}
	for _, tt := range tests {
		m := Move{From: MustParseAddr(tt.from), To: MustParseAddr(tt.to)}
		if err := m.Check(); err != nil {
			t.Errorf("%s → %s: %v", tt.from, tt.to, err)
			continue
		}
		got, ok := m.Apply(MustParseAddr(tt.addr))
		switch {
		case tt.want == "" && ok:
			t.Errorf("%s → %s moved %s to %s; want it untouched", tt.from, tt.to, tt.addr, got)
		case tt.want != "" && (!ok || got.String() != tt.want):
			t.Errorf("%s → %s moved %s to %s (%v); want %s", tt.from, tt.to, tt.addr, got, ok, tt.want)
		}
	}
	for _, bad := range [][2]string{
		{"local_file.a", "plumb_data.a"},
		{"local_file.a", "module.m"},
		{"module.m", "module.m"},
		{"module.m", "module.m.module.n"},
		{"local_file.a", "data.local_file.a"},
		{"local_file.a[0]", "local_file.a[0]"},
	} {
		if err := (Move{From: MustParseAddr(bad[0]), To: MustParseAddr(bad[1])}).Check(); err == nil {
			t.Errorf("%s → %s: want an error", bad[0], bad[1])
		}
	}
}
