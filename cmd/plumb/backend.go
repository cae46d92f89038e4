package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"

	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/state"
	"github.com/plumbhq/plumb/reconcile/state/s3"
)

// s3BackendConfig is the body of plumb { backend "s3" { ... } }. Values
// must be literals: the backend is opened before anything is evaluated.
type s3BackendConfig struct {
	Bucket   string `hcl:"bucket"`
	Key      string `hcl:"key"`
	Region   string `hcl:"region,optional"`
	Endpoint string `hcl:"endpoint,optional"`
	Profile  string `hcl:"profile,optional"`
}

// backend opens the configured state backend: the S3 one from
// plumb { backend "s3" { ... } }, or the local file. A configuration
// error gives a backend whose every call reports it, so each command
// fails with the same clear message.
func (a *app) backend() state.Backend {
	b, diags := a.openBackend()
	if diags.HasErrors() {
		a.diags(diags)
		return failingBackend{fmt.Errorf("the state backend is misconfigured (see above)")}
	}
	return b
}

func (a *app) openBackend() (state.Backend, hcl.Diagnostics) {
	local := state.NewLocal(filepath.Join(a.dir, StateFile))
	cfg, _ := config.Load(a.dir)
	if cfg == nil || cfg.Settings == nil || cfg.Settings.Backend == nil {
		return local, nil
	}
	if a.files == nil {
		a.files = cfg.Files
	}
	bb := cfg.Settings.Backend
	switch bb.Type {
	case "local":
		return local, nil
	case "s3":
		var c s3BackendConfig
		if diags := gohcl.DecodeBody(bb.Config, nil, &c); diags.HasErrors() {
			return nil, diags
		}
		b, err := s3.New(context.Background(), s3.Config{Bucket: c.Bucket, Key: c.Key, Region: c.Region, Endpoint: c.Endpoint, Profile: c.Profile, Dir: a.dir})
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot open the S3 state backend", Detail: err.Error(), Subject: bb.DeclRange.Ptr()}}
		}
		return b, nil
	}
	return nil, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unknown backend %q", bb.Type),
		Detail:   `plumb keeps state in the local file (the default, or backend "local") or in S3 (backend "s3" { bucket, key, region, endpoint, profile }).`,
		Subject:  bb.DeclRange.Ptr(),
	}}
}

// failingBackend answers every call with the error that stopped the real
// backend from opening.
type failingBackend struct{ err error }

func (f failingBackend) Lock(context.Context, state.LockInfo) error { return f.err }
func (f failingBackend) Unlock() error                              { return f.err }
func (f failingBackend) ForceUnlock(string) (state.LockInfo, error) {
	return state.LockInfo{}, f.err
}
func (f failingBackend) Read(context.Context) (*state.State, error) { return nil, f.err }
func (f failingBackend) Recorder(context.Context, *state.State) (state.Recorder, error) {
	return nil, f.err
}
func (f failingBackend) Write(context.Context, *state.State) error { return f.err }
