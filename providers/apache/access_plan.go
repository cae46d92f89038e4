package apache

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Plan takes path, allow, deny, allow_empty and validate from
// configuration, defaults syntax to "apache24", keeps the marker (the
// instance address when the block is first made), and plans lines: the
// body plumb will write. A new path replaces the block (it moves to the
// other file). When the plan changes anything, the file is looked at now
// so that what would stop the apply (a missing folder, a read-only file,
// broken markers, hand-written lines inside the block) stops the plan.
func (r *accessResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	diags := r.ValidateConfig(ctx, req.Config)
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	cfg, prior := req.Config, req.Prior
	m := cfg.AsValueMap()
	var replace []string
	if !prior.IsNull() {
		if p := cfg.GetAttr("path"); !p.IsKnown() || !p.RawEquals(prior.GetAttr("path")) {
			replace = []string{"path"}
		}
	}
	if m["syntax"].IsNull() {
		m["syntax"] = cty.StringVal(Syntax24)
	}
	marker := cfg.GetAttr("marker")
	if marker.IsNull() {
		switch {
		case !prior.IsNull() && (len(replace) == 0 || req.Addr == ""):
			marker = prior.GetAttr("marker")
		case req.Addr != "":
			marker = cty.StringVal(req.Addr)
		default:
			return providers.PlanResponse{Planned: r.null, Diagnostics: diags.Extend(providers.AttributeErrorf("marker", "No marker for the block",
				"plumb names the block after the resource's address, which it was not given; set marker to a name unique in the file."))}
		}
		if msg := checkMarker(marker.AsString()); msg != "" {
			return providers.PlanResponse{Planned: r.null, Diagnostics: diags.Extend(providers.AttributeErrorf("marker", "Invalid marker",
				"The resource address %q cannot name a block: %s. Set marker to a one-line name unique in the file.", marker.AsString(), msg))}
		}
	}
	m["marker"] = marker
	allow, deny, syntax := m["allow"], m["deny"], m["syntax"]
	if allow.IsWhollyKnown() && deny.IsWhollyKnown() && syntax.IsKnown() {
		a := access{syntax: syntax.AsString(), allow: providers.Strings(allow), deny: providers.Strings(deny)}
		m["lines"] = providers.StringList(a.lines())
	} else {
		m["lines"] = cty.UnknownVal(cty.List(cty.String))
	}
	if path := m["path"]; path.IsKnown() && marker.IsKnown() {
		m["id"] = cty.StringVal(idOf(path.AsString(), marker.AsString()))
	} else {
		m["id"] = cty.UnknownVal(cty.String)
	}
	planned := cty.ObjectVal(m)
	accept := isTrue(m["accept_outside_grants"])
	if !prior.IsNull() && len(replace) == 0 && planned.RawEquals(prior) {
		// Nothing to write, but a grant written by hand since makes the
		// block moot: that stops every plan until it is dealt with.
		if path := m["path"]; !accept && path.IsKnown() {
			diags = diags.Extend(grantErrors(ctx, r.host.Get(), path.AsString(), marker.AsString(), syntax))
		}
		if diags.HasErrors() {
			return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
		}
		return providers.PlanResponse{Planned: prior, Diagnostics: diags}
	}
	if path := m["path"]; path.IsKnown() && marker.IsKnown() {
		diags = diags.Extend(inspect(ctx, r.host.Get(), path.AsString(), marker.AsString(), syntax, accept))
	}
	if isTrue(m["validate"]) {
		if _, _, err := r.ctl.resolve(ctx, r.host.Get()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf("validate", "Cannot validate with apachectl",
				"%v. Install Apache (Debian: apache2), set apachectl in the provider \"apache\" block, or set validate = false.", err))
		}
	}
	if diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	return providers.PlanResponse{Planned: planned, RequiresReplace: replace, Diagnostics: diags}
}

// inspect looks at the file a change will be made to and returns what
// would stop the change as errors, and what a reviewer should know about
// the rest of the file as warnings.
func inspect(ctx context.Context, h host.Host, path, marker string, syntax cty.Value, acceptGrants bool) hcl.Diagnostics {
	real := resolvePath(ctx, h, path)
	if err := checkDir(ctx, h, real); err != nil {
		return providers.AttributeErrorf("path", "Cannot change the access file", "%v.", err)
	}
	data, fi, err := readTarget(ctx, h, real)
	if err != nil {
		return providers.AttributeErrorf("path", "Cannot read the access file", "%v. Check the path and that plumb may read it.", err)
	}
	if err := checkWritable(ctx, h, real, fi); err != nil {
		return providers.AttributeErrorf("path", "Cannot change the access file", "%v.", err)
	}
	f, err := parseFile(data)
	if err != nil {
		return markerDiag(path, err)
	}
	if i := f.find(marker); i >= 0 {
		if _, err := parseBody(f.body(i)); err != nil {
			return handWrittenDiag(path, marker, f.blocks[i].begin, err)
		}
	}
	if !syntax.IsKnown() {
		return nil
	}
	return outsideWarnings(path, f, marker, syntax.AsString(), acceptGrants)
}

// grantErrors reads the file for a plan that changes nothing and returns
// only the errors about lines outside the block that let everyone in.
func grantErrors(ctx context.Context, h host.Host, path, marker string, syntax cty.Value) hcl.Diagnostics {
	data, _, err := readTarget(ctx, h, resolvePath(ctx, h, path))
	if err != nil || !syntax.IsKnown() {
		return nil // Read reports a file it cannot read
	}
	f, err := parseFile(data)
	if err != nil {
		return nil
	}
	var errs hcl.Diagnostics
	for _, d := range outsideWarnings(path, f, marker, syntax.AsString(), false) {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs
}

// markerDiag explains markers that do not pair up.
func markerDiag(path string, err error) hcl.Diagnostics {
	return providers.AttributeErrorf("path", "Broken plumb markers in the access file",
		"%s, %v. plumb keeps each block between # BEGIN plumb ADDRESS and # END plumb ADDRESS and will not guess where a block ends. Fix the markers by hand (or delete the broken block with both its markers; plumb writes it again), then run plumb again. The file was not changed.", path, err)
}

// handWrittenDiag explains content inside a block that plumb did not
// write. begin is the index of the block's begin marker.
func handWrittenDiag(path, marker string, begin int, err error) hcl.Diagnostics {
	line := begin + 2
	var be *bodyError
	if errors.As(err, &be) {
		line = begin + 2 + be.line
	}
	return providers.AttributeErrorf("path", "Hand-written content inside plumb's block",
		"%s:%d: %v, inside the block of %s. plumb owns the lines between its markers and would overwrite this. Move your own lines outside the markers (above # BEGIN plumb or below # END plumb), then run plumb again. The file was not changed.",
		path, line, err, marker)
}

// idOf returns the import ID of a path and marker.
func idOf(path, marker string) string { return fmt.Sprintf("%s#%s", path, marker) }
