package apache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Apply writes the block (removing the block of an old marker in the same
// file), or removes it for a delete. The file is locked from reading to
// writing, written atomically with its mode and owner kept, and removed
// when nothing but the block was in it. On failure the file is as it was
// and the state returned is the prior one.
func (r *accessResource) Apply(ctx context.Context, req providers.ApplyRequest) providers.ApplyResponse {
	if req.Planned.IsNull() {
		return r.delete(ctx, req.Prior)
	}
	planned := req.Planned
	if !planned.IsWhollyKnown() && !req.Config.IsNull() {
		// Values unknown at plan time are known now.
		resp := r.Plan(ctx, providers.PlanRequest{Addr: req.Addr, Prior: req.Prior, Config: req.Config})
		if resp.Diagnostics.HasErrors() {
			return providers.ApplyResponse{State: req.Prior, Diagnostics: resp.Diagnostics}
		}
		planned = resp.Planned
	}
	if !planned.IsWhollyKnown() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: providers.Errorf("apache_htaccess_access is not known at apply time",
			"path, allow and deny must be computable once the resources they refer to exist.")}
	}
	if diags := r.ValidateConfig(ctx, planned); diags.HasErrors() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: diags}
	}
	s := decodeSpec(planned)
	oldMarker := ""
	if !req.Prior.IsNull() && req.Prior.GetAttr("path").AsString() == s.path {
		if m := req.Prior.GetAttr("marker").AsString(); m != s.marker {
			oldMarker = m
		}
	}
	lines := providers.Strings(planned.GetAttr("lines"))
	diags := r.edit(ctx, s.path, s.validate, func(f *htFile) error {
		if i := f.find(s.marker); i >= 0 {
			if _, err := parseBody(f.body(i)); err != nil {
				return &handWritten{marker: s.marker, begin: f.blocks[i].begin, err: err}
			}
		}
		if oldMarker != "" {
			f.remove(oldMarker)
		}
		f.set(s.marker, lines)
		return nil
	})
	if diags.HasErrors() {
		return providers.ApplyResponse{State: req.Prior, Diagnostics: diags}
	}
	return providers.ApplyResponse{State: planned, Diagnostics: diags}
}

// delete removes the block of prior's marker.
func (r *accessResource) delete(ctx context.Context, prior cty.Value) providers.ApplyResponse {
	s := decodeSpec(prior)
	if _, err := r.host.Get().Stat(ctx, s.path); errors.Is(err, fs.ErrNotExist) {
		// No file, or not even its folder: no block to remove.
		return providers.ApplyResponse{State: r.null}
	}
	diags := r.edit(ctx, s.path, false, func(f *htFile) error {
		f.remove(s.marker)
		return nil
	})
	if diags.HasErrors() {
		return providers.ApplyResponse{State: prior, Diagnostics: diags}
	}
	return providers.ApplyResponse{State: r.null, Diagnostics: diags}
}

// handWritten is content inside a block that plumb did not write, found
// while applying.
type handWritten struct {
	marker string
	begin  int
	err    error
}

func (h *handWritten) Error() string { return h.err.Error() }

// edit changes the access file at path under its lock: it reads the file,
// lets change edit its lines, and writes the result when it differs (or
// removes the file when nothing is left). With validate it then runs
// apachectl -t and puts the previous file back when Apache rejects the
// new one.
func (r *accessResource) edit(ctx context.Context, path string, validate bool, change func(*htFile) error) hcl.Diagnostics {
	h := r.host.Get()
	real := resolvePath(ctx, h, path)
	if err := checkDir(ctx, h, real); err != nil {
		return providers.AttributeErrorf("path", "Cannot change the access file", "%v. The file was not changed.", err)
	}
	unlock, err := lockFile(ctx, h, real)
	if err != nil {
		return providers.AttributeErrorf("path", "Cannot lock the access file", "%v. The file was not changed.", err)
	}
	defer unlock()
	old, fi, err := readTarget(ctx, h, real)
	if err != nil {
		return providers.AttributeErrorf("path", "Cannot read the access file", "%v. The file was not changed.", err)
	}
	f, err := parseFile(old)
	if err != nil {
		return markerDiag(path, err)
	}
	if err := change(f); err != nil {
		var hw *handWritten
		if errors.As(err, &hw) {
			return handWrittenDiag(path, hw.marker, hw.begin, hw.err)
		}
		return providers.AttributeErrorf("path", "Cannot change the access file", "%v. The file was not changed.", err)
	}
	data := f.bytes()
	if bytes.Equal(data, old) {
		return nil
	}
	if err := checkWritable(ctx, h, real, fi); err != nil {
		return providers.AttributeErrorf("path", "Cannot change the access file", "%v. The file was not changed.", err)
	}
	if err := put(ctx, h, real, data, fi); err != nil {
		return providers.AttributeErrorf("path", "Cannot write the access file", "%v. The file was not changed.", err)
	}
	if !validate || len(data) == 0 {
		return nil
	}
	return r.validate(ctx, h, path, real, old, fi)
}

// put writes data to path with the mode and owner of like, or removes the
// file when data is empty.
func put(ctx context.Context, h host.Host, path string, data []byte, like fs.FileInfo) error {
	if len(data) == 0 {
		if err := h.Remove(ctx, path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s, which only held plumb's block: %w", path, err)
		}
		return nil
	}
	return host.WriteFile(ctx, h, path, data, host.WriteOptions{Perm: newFileMode, Like: like})
}

// validate checks the file just written with apachectl and, when Apache
// rejects it, puts old back (or removes the file when there was none).
func (r *accessResource) validate(ctx context.Context, h host.Host, path, real string, old []byte, fi fs.FileInfo) hcl.Diagnostics {
	err := r.ctl.check(ctx, h, real)
	if err == nil {
		return nil
	}
	var rej *rejectedError
	if !errors.As(err, &rej) {
		if rerr := put(ctx, h, real, old, fi); rerr != nil {
			return providers.AttributeErrorf("validate", "Cannot check the access file, nor put the old one back",
				"%v; and putting the previous file back failed: %v. Look at %s by hand.", err, rerr, path)
		}
		return providers.AttributeErrorf("validate", "Cannot check the access file",
			"%v. The previous file was put back. Install Apache's apachectl, set apachectl in the provider \"apache\" block, or set validate = false.", err)
	}
	if rerr := put(ctx, h, real, old, fi); rerr != nil {
		return providers.AttributeErrorf("validate", "Apache rejects the access file, and the old one could not be put back",
			"%s: %s. Putting the previous file back failed: %v. Fix %s by hand now: Apache may answer 500 for that folder.", path, rej.output, rerr, path)
	}
	detail := fmt.Sprintf("%s: %s. The previous file was put back, so the site is as it was.", path, rej.output)
	if len(old) > 0 {
		if again := r.ctl.check(ctx, h, real); again != nil && errors.As(again, &rej) {
			detail += " Apache rejects the previous file too, so the problem is in the lines outside plumb's block (or in the server's configuration): fix them, then run plumb again."
		} else {
			detail += " Apache accepts the previous file, so the server lacks what plumb's block needs: for syntax = \"apache22\", enable mod_access_compat (a2enmod access_compat); for \"apache24\", mod_authz_host."
		}
	}
	return providers.AttributeErrorf("validate", "Apache rejects the access file", "%s", strings.TrimSpace(detail))
}

// Read returns the block as it is in the file: null when the file or the
// block is gone; allow, deny, syntax and lines as read back, so changes
// made by hand show as drift. Lines inside the block that plumb does not
// write are an error.
func (r *accessResource) Read(ctx context.Context, req providers.ReadRequest) providers.ReadResponse {
	prior := req.Prior
	path, marker := prior.GetAttr("path").AsString(), prior.GetAttr("marker").AsString()
	data, fi, err := readTarget(ctx, r.host.Get(), path)
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: providers.AttributeErrorf("path", "Cannot read the access file", "%v. Check that plumb may read it.", err)}
	}
	if fi == nil || !bytes.Contains(data, []byte(beginPrefix)) {
		return providers.ReadResponse{State: r.null}
	}
	f, err := parseFile(data)
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: markerDiag(path, err)}
	}
	i := f.find(marker)
	if i < 0 {
		return providers.ReadResponse{State: r.null}
	}
	body := f.body(i)
	a, err := parseBody(body)
	if err != nil {
		return providers.ReadResponse{State: prior, Diagnostics: handWrittenDiag(path, marker, f.blocks[i].begin, err)}
	}
	live := map[string]cty.Value{
		"allow": keepForm(prior.GetAttr("allow"), a.allow),
		"deny":  keepForm(prior.GetAttr("deny"), a.deny),
		"lines": keepForm(prior.GetAttr("lines"), body),
	}
	if len(a.allow) == 0 {
		// A block that lets nobody in has no deny lines to read: the
		// deny list it was written with stays as state has it, or the
		// plan would never settle.
		live["deny"] = prior.GetAttr("deny")
	}
	if a.syntax != "" {
		live["syntax"] = cty.StringVal(a.syntax)
	}
	changed := false
	for k, v := range live {
		if !v.RawEquals(prior.GetAttr(k)) {
			changed = true
		}
	}
	if !changed {
		return providers.ReadResponse{State: prior}
	}
	m := prior.AsValueMap()
	for k, v := range live {
		m[k] = v
	}
	return providers.ReadResponse{State: cty.ObjectVal(m)}
}

// keepForm returns the list read from the file, or prior itself when it
// says the same (so a null deny stays null rather than becoming []).
func keepForm(prior cty.Value, read []string) cty.Value {
	if prior.IsNull() || prior.LengthInt() == 0 {
		if len(read) == 0 {
			return prior
		}
		return providers.StringList(read)
	}
	if prior.LengthInt() == len(read) {
		same := true
		i := 0
		for it := prior.ElementIterator(); it.Next() && same; i++ {
			_, e := it.Element()
			same = !e.IsNull() && e.AsString() == read[i]
		}
		if same {
			return prior
		}
	}
	return providers.StringList(read)
}

// Import adopts an existing block. The ID is PATH#MARKER, split at the
// first "#"; PATH alone adopts the file's only plumb block. allow_empty
// and validate, which the file cannot tell, are left unset.
func (r *accessResource) Import(ctx context.Context, req providers.ImportRequest) providers.ImportResponse {
	path, marker, _ := strings.Cut(req.ID, "#")
	fail := func(format string, args ...any) providers.ImportResponse {
		return providers.ImportResponse{State: r.null, Diagnostics: providers.Errorf("Cannot import apache_htaccess_access",
			"%s. The import ID is PATH#MARKER: the access file and the name in its block's # BEGIN plumb line.", fmt.Sprintf(format, args...))}
	}
	if path == "" {
		return fail("the ID %q names no file", req.ID)
	}
	h := r.host.Get()
	data, fi, err := readTarget(ctx, h, resolvePath(ctx, h, path))
	if err != nil {
		return fail("%v", err)
	}
	if fi == nil {
		return fail("%s does not exist", path)
	}
	f, err := parseFile(data)
	if err != nil {
		return fail("%s: %v", path, err)
	}
	if marker == "" {
		if len(f.blocks) != 1 {
			return fail("%s holds %d plumb blocks; name the one to import", path, len(f.blocks))
		}
		marker = f.blocks[0].marker
	}
	i := f.find(marker)
	if i < 0 {
		return fail("%s has no block marked %q", path, marker)
	}
	body := f.body(i)
	a, err := parseBody(body)
	if err != nil {
		return providers.ImportResponse{State: r.null, Diagnostics: handWrittenDiag(path, marker, f.blocks[i].begin, err)}
	}
	if a.syntax == "" {
		return fail("the block of %s in %s is empty, so its syntax is unknown; delete it and let plumb write it", marker, path)
	}
	deny := cty.NullVal(cty.List(cty.String))
	if len(a.deny) > 0 {
		deny = providers.StringList(a.deny)
	}
	return providers.ImportResponse{State: cty.ObjectVal(map[string]cty.Value{
		"path":        cty.StringVal(path),
		"allow":       providers.StringList(a.allow),
		"deny":        deny,
		"syntax":      cty.StringVal(a.syntax),
		"allow_empty": cty.NullVal(cty.Bool),
		"allow_local": cty.NullVal(cty.Bool),
		"validate":    cty.NullVal(cty.Bool),

		"accept_outside_grants": cty.NullVal(cty.Bool),
		"marker":                cty.StringVal(marker),
		"lines":                 providers.StringList(body),
		"id":                    cty.StringVal(idOf(path, marker)),
	})}
}
