package builtin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// Default permissions of a local_file and of the directories made for it.
const (
	defaultFileMode = "0644"
	// secretFileMode is the default for a file with sensitive_content:
	// its owner only.
	secretFileMode = "0600"
	defaultDirMode = "0755"
)

// fileResource is local_file: a file on the provider's host.
type fileResource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
	// temps removes what writes killed part way left beside the files.
	temps host.TempSweeper
}

var (
	_ providers.Resource        = (*fileResource)(nil)
	_ providers.ConfigValidator = (*fileResource)(nil)
)

func newFileResource(h *host.Slot) *fileResource {
	s := providers.Schema{
		Description: "A file on the machine plumb runs on (or the provider's ssh host), written atomically.",
		Attributes: map[string]*providers.Attribute{
			"filename": {
				Type: cty.String, Required: true, ForceNew: true,
				Description: "Path of the file. A relative path is relative to the directory plumb runs in (the configuration directory), or over SSH to the login's home. Changing it replaces the file.",
			},
			"content": {
				Type: cty.String, Optional: true,
				Description: "The file's text. Set exactly one of content and sensitive_content.",
			},
			"sensitive_content": {
				Type: cty.String, Optional: true, Sensitive: true,
				Description: "The file's text, never shown in plans or output. Set exactly one of content and sensitive_content.",
			},
			"mode": {
				Type: cty.String, Optional: true, Computed: true,
				Description: `Permissions of the file as an octal string; default "0644", or "0600" (owner only) for a file written from sensitive_content.`,
			},
			"directory_mode": {
				Type: cty.String, Optional: true, Computed: true,
				Description: `Permissions of directories created to hold the file, as an octal string (the umask applies); default "0755". Existing directories are left as they are.`,
			},
			"id": {
				Type: cty.String, Computed: true, DerivedFrom: []string{"content", "sensitive_content"},
				Description: "The hex SHA-256 of the content; sensitive, like the content, when it is.",
			},
			"content_sha256": {
				Type: cty.String, Computed: true, DerivedFrom: []string{"content", "sensitive_content"},
				Description: "The hex SHA-256 of the content; sensitive, like the content, when it is.",
			},
		},
	}
	return &fileResource{host: h, schema: s, null: cty.NullVal(s.ImpliedType())}
}

// Schema describes local_file.
func (r *fileResource) Schema() providers.Schema { return r.schema }

// ValidateConfig checks that exactly one of content and sensitive_content
// is set and that the modes are octal permission strings. Unknown values
// are not checked.
func (r *fileResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	if f := config.GetAttr("filename"); f.IsKnown() && !f.IsNull() && f.AsString() == "" {
		diags = diags.Extend(providers.AttributeErrorf("filename", "Empty local_file filename",
			"filename is the empty string; give the path of the file to manage, such as \"out/site.conf\"."))
	}
	c, sc := config.GetAttr("content"), config.GetAttr("sensitive_content")
	if c.IsKnown() && sc.IsKnown() {
		switch {
		case !c.IsNull() && !sc.IsNull():
			diags = diags.Extend(providers.AttributeErrorf("sensitive_content", "Both content and sensitive_content are set",
				"A local_file takes its text from exactly one of them. Keep content for text that may appear in plans, or sensitive_content for text that must not, and remove the other."))
		case c.IsNull() && sc.IsNull():
			diags = diags.Extend(providers.Errorf("local_file has no content",
				"Set content (or sensitive_content, for text that must not appear in plans). For an empty file, write content = \"\"."))
		}
	}
	for _, name := range []string{"mode", "directory_mode"} {
		v := config.GetAttr(name)
		if !v.IsKnown() || v.IsNull() {
			continue
		}
		if _, err := parseMode(v.AsString()); err != nil {
			diags = diags.Extend(providers.AttributeErrorf(name, "Invalid local_file "+name,
				"%s = %q: %v. Write the permissions as three or four octal digits, such as \"0644\" (owner reads and writes, everyone else reads) or \"0600\" (owner only).", name, v.AsString(), err))
		}
	}
	return diags
}

// Plan takes filename, content and modes from configuration (modes default
// to "0644" and "0755"), replaces the file when filename changes, and
// plans id and content_sha256 from the content when it is known. An
// unchanged file plans as exactly its prior state.
func (r *fileResource) Plan(ctx context.Context, req providers.PlanRequest) providers.PlanResponse {
	if req.Config.IsNull() {
		return providers.PlanResponse{Planned: r.null}
	}
	if !req.Prior.IsNull() && unchangedFile(req.Prior, req.Config) {
		return providers.PlanResponse{Planned: req.Prior}
	}
	if diags := r.ValidateConfig(ctx, req.Config); diags.HasErrors() {
		return providers.PlanResponse{Planned: r.null, Diagnostics: diags}
	}
	resp := providers.DefaultPlan(r.schema, req)
	m := resp.Planned.AsValueMap()
	if req.Config.GetAttr("mode").IsNull() {
		m["mode"] = cty.StringVal(defaultMode(req.Config))
	}
	if req.Config.GetAttr("directory_mode").IsNull() {
		m["directory_mode"] = cty.StringVal(defaultDirMode)
	}
	content := fileContent(req.Config)
	switch {
	case !content.IsKnown():
		m["id"] = cty.UnknownVal(cty.String)
		m["content_sha256"] = cty.UnknownVal(cty.String)
	case !req.Prior.IsNull() && len(resp.RequiresReplace) == 0 && fileContent(req.Prior).RawEquals(content):
		m["id"] = req.Prior.GetAttr("id")
		m["content_sha256"] = req.Prior.GetAttr("content_sha256")
	default:
		sum := cty.StringVal(sha256Hex([]byte(content.AsString())))
		m["id"], m["content_sha256"] = sum, sum
	}
	planned := cty.ObjectVal(m)
	if !req.Prior.IsNull() && len(resp.RequiresReplace) == 0 && planned.RawEquals(req.Prior) {
		planned = req.Prior
	}
	resp.Planned = planned
	return resp
}

// defaultMode is the mode of a file whose configuration sets none: 0600
// when its text is sensitive_content, 0644 otherwise.
func defaultMode(config cty.Value) string {
	if sc := config.GetAttr("sensitive_content"); !sc.IsKnown() || !sc.IsNull() {
		return secretFileMode
	}
	return defaultFileMode
}

// unchangedFile reports, cheaply, whether config asks for exactly the file
// prior describes, modes defaulted; the common case in a large plan.
func unchangedFile(prior, config cty.Value) bool {
	return sameString(prior.GetAttr("filename"), config.GetAttr("filename"), "") &&
		sameString(prior.GetAttr("content"), config.GetAttr("content"), "") &&
		sameString(prior.GetAttr("sensitive_content"), config.GetAttr("sensitive_content"), "") &&
		sameString(prior.GetAttr("mode"), config.GetAttr("mode"), defaultMode(config)) &&
		sameString(prior.GetAttr("directory_mode"), config.GetAttr("directory_mode"), defaultDirMode)
}

// sameString reports whether a prior string equals a configured one, a
// null configuration standing for def when def is not empty.
func sameString(prior, config cty.Value, def string) bool {
	if !prior.IsKnown() || !config.IsKnown() || prior.IsMarked() || config.IsMarked() {
		return false
	}
	if config.IsNull() && def != "" {
		config = cty.StringVal(def)
	}
	if prior.IsNull() || config.IsNull() {
		return prior.IsNull() && config.IsNull()
	}
	return prior.AsString() == config.AsString()
}

// fileContent returns whichever of content and sensitive_content is set:
// unknown when either is unknown, null when neither is set.
func fileContent(v cty.Value) cty.Value {
	c, sc := v.GetAttr("content"), v.GetAttr("sensitive_content")
	switch {
	case !c.IsKnown():
		return c
	case !sc.IsKnown():
		return sc
	case !sc.IsNull():
		return sc
	}
	return c
}

// contentAttr names the attribute that holds the text of a file state.
func contentAttr(state cty.Value) string {
	if sc := state.GetAttr("sensitive_content"); !sc.IsNull() {
		return "sensitive_content"
	}
	return "content"
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// parseMode reads an octal permission string of three or four digits,
// at most 0777.
func parseMode(s string) (fs.FileMode, error) {
	if len(s) < 3 || len(s) > 4 {
		return 0, fmt.Errorf("want 3 or 4 octal digits, got %d characters", len(s))
	}
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("not an octal number")
	}
	if n > 0o777 {
		return 0, fmt.Errorf("setuid, setgid and sticky bits are not supported")
	}
	return fs.FileMode(n), nil
}

// formatMode writes permissions as plumb prints them: four octal digits.
func formatMode(m fs.FileMode) string { return fmt.Sprintf("%04o", uint32(m.Perm())) }
