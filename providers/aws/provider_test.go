package aws

import (
	"context"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// configValue completes attrs to the provider schema's type.
func configValue(attrs map[string]cty.Value) cty.Value {
	s := providerSchema()
	vals := map[string]cty.Value{}
	for name, a := range s.Attributes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = cty.NullVal(a.Type)
		}
	}
	return cty.ObjectVal(vals)
}

// configRequest is a ConfigureRequest for attrs.
func configRequest(attrs map[string]cty.Value) providers.ConfigureRequest {
	return providers.ConfigureRequest{Config: configValue(attrs)}
}

func TestSchema(t *testing.T) {
	s := New().Schema()
	for _, name := range []string{"region", "profile", "endpoint", "access_key", "secret_key", "max_requests_per_second", "max_retries", "s3_use_path_style"} {
		a, ok := s.Attributes[name]
		if !ok {
			t.Errorf("schema lacks %s", name)
			continue
		}
		if !a.Optional || a.Required {
			t.Errorf("%s must be optional", name)
		}
	}
	if got := s.SensitivePaths(); len(got) != 1 || got[0] != "secret_key" {
		t.Errorf("sensitive attributes = %v, want [secret_key]", got)
	}
}

func TestConfigureRejects(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]cty.Value
		attr  string // the attribute the error is about
		words string // part of the detail
	}{
		{"negative rate", map[string]cty.Value{"max_requests_per_second": cty.NumberIntVal(-1)}, "max_requests_per_second", "negative"},
		{"fractional retries", map[string]cty.Value{"max_retries": cty.NumberFloatVal(1.5)}, "max_retries", "whole number"},
		{"too many retries", map[string]cty.Value{"max_retries": cty.NumberIntVal(1000)}, "max_retries", "0 to 100"},
		{"endpoint without scheme", map[string]cty.Value{"endpoint": cty.StringVal("127.0.0.1:4566")}, "endpoint", "http or https URL"},
		{"access key alone", map[string]cty.Value{"access_key": cty.StringVal("AKID")}, "access_key", "both access_key and secret_key"},
		{"unknown region", map[string]cty.Value{"region": cty.UnknownVal(cty.String)}, "region", "must not depend on a resource"},
		{"missing profile", map[string]cty.Value{"profile": cty.StringVal("nope")}, "profile", `profile "nope" is not in the shared config files`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := New().Configure(context.Background(), providers.ConfigureRequest{Config: configValue(tt.attrs)})
			if !resp.Diagnostics.HasErrors() {
				t.Fatal("Configure accepted the configuration")
			}
			d := resp.Diagnostics[0]
			if got, _ := d.Extra.(providers.AttributePath); string(got) != tt.attr {
				t.Errorf("diagnostic is about %q, want %q", got, tt.attr)
			}
			if !strings.Contains(d.Detail, tt.words) {
				t.Errorf("detail %q lacks %q", d.Detail, tt.words)
			}
		})
	}
}

func TestConfigureDefaults(t *testing.T) {
	p := New().(*Provider)
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.NullVal(p.Schema().ImpliedType())}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	if p.cfg.Region != DefaultRegion {
		t.Errorf("region = %q, want %q", p.cfg.Region, DefaultRegion)
	}
	if got := p.maxAttempts(); got != DefaultMaxRetries+1 {
		t.Errorf("attempts = %d, want %d", got, DefaultMaxRetries+1)
	}
	if p.limit == nil || p.limit.all.interval != 100_000_000 || p.limit.perOp["CreateHostedZone"].interval != 500_000_000 {
		t.Errorf("default limits = %+v, want 10/s and CreateHostedZone 2/s", p.limit)
	}
	if p.Route53() != p.Route53() {
		t.Error("Route53 builds a new client on every call")
	}
	if d := p.Configure(context.Background(), providers.ConfigureRequest{}); !d.Diagnostics.HasErrors() {
		t.Error("a second Configure was accepted")
	}
}

func TestConfigureRegionAndRetriesFromEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_MAX_ATTEMPTS", "4")
	p := New().(*Provider)
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: configValue(nil)}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	if p.cfg.Region != "eu-west-1" || p.maxAttempts() != 4 {
		t.Errorf("region %q attempts %d, want eu-west-1 and 4 from the environment", p.cfg.Region, p.maxAttempts())
	}
	q := New().(*Provider)
	cfg := configValue(map[string]cty.Value{"region": cty.StringVal("ap-south-1"), "max_retries": cty.NumberIntVal(0)})
	if d := q.Configure(context.Background(), providers.ConfigureRequest{Config: cfg}); d.Diagnostics.HasErrors() {
		t.Fatal(d.Diagnostics.Error())
	}
	if q.cfg.Region != "ap-south-1" || q.maxAttempts() != 1 {
		t.Errorf("region %q attempts %d, want the block's ap-south-1 and 1", q.cfg.Region, q.maxAttempts())
	}
}

func TestClientBeforeConfigurePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Route53 before Configure did not panic")
		}
	}()
	New().(*Provider).Route53()
}
