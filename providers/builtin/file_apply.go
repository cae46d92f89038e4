package builtin

import (
	"context"
	"errors"
	"io/fs"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Apply writes the file atomically (creating parent directories), or
// removes it for a delete. On failure the state returned is the prior one:
// an atomic write either happened or did not.
func (r *fileResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		fn := req.Prior.GetAttr("filename")
		if fn.IsNull() {
			return providers.ApplyResponse{State: r.null} // never had a name: nothing to remove
		}
		name := fn.AsString()
		if err := r.host.Get().Remove(ctx, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
				"Cannot delete local_file", "Removing %s: %v. Check the permissions of its directory, or remove the file by hand and run plumb again.", name, err)}
		}
		// What an interrupted write of it left behind goes with it.
		if err := r.temps.Sweep(ctx, r.host.Get(), name); err != nil {
			return providers.ApplyResponse{State: r.null, Diagnostics: providers.Warnf("Temporary files left", "%v.", err)}
		}
		return providers.ApplyResponse{State: r.null}
	}
	planned := req.Planned
	if !planned.IsWhollyKnown() && !req.Config.IsNull() {
		// Configuration values unknown at plan time are known now.
		resp := r.Plan(ctx, providers.PlanRequest{Prior: req.Prior, Config: req.Config})
		if resp.Diagnostics.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: resp.Diagnostics}
		}
		planned = resp.Planned
	}
	if paths := unknownAttrs(planned); len(paths) > 0 {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"local_file is not known at apply time",
			"%s must be computable once the resources they refer to exist.", strings.Join(paths, ", "))}
	}
	name := planned.GetAttr("filename")
	content := fileContent(planned)
	if diags := r.ValidateConfig(ctx, planned); diags.HasErrors() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: diags}
	}
	mode, _ := parseMode(planned.GetAttr("mode").AsString())
	dirMode, _ := parseMode(planned.GetAttr("directory_mode").AsString())
	data := []byte(content.AsString())
	if err := host.WriteFile(ctx, r.host.Get(), name.AsString(), data, host.WriteOptions{Perm: mode, DirPerm: dirMode}); err != nil {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot write local_file", "%v. Check that the directory exists or can be created and that plumb may write to it; the file was not changed.", err)}
	}
	m := planned.AsValueMap()
	sum := cty.StringVal(sha256Hex(data))
	m["id"], m["content_sha256"] = sum, sum
	return providers.ApplyResponse{State: cty.ObjectVal(m)}
}

// unknownAttrs names the top-level attributes of v that are not wholly
// known, sorted.
func unknownAttrs(v cty.Value) []string {
	var out []string
	for name := range v.Type().AttributeTypes() {
		if !v.GetAttr(name).IsWhollyKnown() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Read returns the file as it is on disk: null when it is gone, the live
// content and mode where they differ from the prior state. A mode that
// matches keeps the prior spelling ("644" stays "644").
func (r *fileResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	fn := req.Prior.GetAttr("filename")
	if fn.IsNull() {
		// A create recorded before its filename was known: there is
		// nothing to look for.
		return providers.ReadResponse{State: r.null}
	}
	name := fn.AsString()
	if err := r.temps.Sweep(ctx, r.host.Get(), name); err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot clean up after an interrupted write", "%v. Remove the files by hand.", err)}
	}
	data, perm, err := readFile(ctx, r.host.Get(), name)
	if errors.Is(err, fs.ErrNotExist) {
		return providers.ReadResponse{State: r.null}
	}
	if err != nil {
		return providers.ReadResponse{State: req.Prior, Diagnostics: providers.Errorf(
			"Cannot read local_file", "%v. Check that plumb may read the file.", err)}
	}
	var m map[string]cty.Value
	attr := contentAttr(req.Prior)
	if prior := req.Prior.GetAttr(attr); prior.IsNull() || prior.AsString() != string(data) {
		m = req.Prior.AsValueMap()
		m[attr] = cty.StringVal(string(data))
		sum := cty.StringVal(sha256Hex(data))
		m["id"], m["content_sha256"] = sum, sum
	}
	if pm := req.Prior.GetAttr("mode"); pm.IsNull() || modeDiffers(pm.AsString(), perm) {
		if m == nil {
			m = req.Prior.AsValueMap()
		}
		m["mode"] = cty.StringVal(formatMode(perm))
	}
	if m == nil {
		return providers.ReadResponse{State: req.Prior}
	}
	return providers.ReadResponse{State: cty.ObjectVal(m)}
}

// modeDiffers reports whether the mode written in state differs from perm.
func modeDiffers(written string, perm fs.FileMode) bool {
	m, err := parseMode(written)
	return err != nil || m != perm
}

// Import adopts the file at the given path. Its text goes into content;
// directory_mode, which the file cannot tell, takes its default.
func (r *fileResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	data, perm, err := readFile(ctx, r.host.Get(), req.ID)
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf(
			"Cannot import local_file", "%v. The import ID is the file's path; a relative path is relative to the directory plumb runs in.", err)}
	}
	sum := cty.StringVal(sha256Hex(data))
	return providers.ImportResponse{State: cty.ObjectVal(map[string]cty.Value{
		"filename":          cty.StringVal(req.ID),
		"content":           cty.StringVal(string(data)),
		"sensitive_content": cty.NullVal(cty.String),
		"mode":              cty.StringVal(formatMode(perm)),
		"directory_mode":    cty.StringVal(defaultDirMode),
		"id":                sum,
		"content_sha256":    sum,
	})}
}

// readFile returns a regular file's content and permissions.
func readFile(ctx context.Context, h host.Host, name string) ([]byte, fs.FileMode, error) {
	data, fi, err := host.ReadFile(ctx, h, name)
	if err != nil {
		return nil, 0, err
	}
	return data, fi.Mode().Perm(), nil
}
