package apache

import (
	"context"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

// accessResource is apache_htaccess_access: one marked block of an Apache
// access file.
type accessResource struct {
	host   *host.Slot
	schema providers.Schema
	null   cty.Value
	ctl    *apachectl
}

var (
	_ providers.Resource        = (*accessResource)(nil)
	_ providers.ConfigValidator = (*accessResource)(nil)
)

func newAccessResource(h *host.Slot, ctl *apachectl) *accessResource {
	list := cty.List(cty.String)
	s := providers.Schema{
		Description: "An IP allow list kept in a marked block of an Apache access file (.htaccess).",
		Attributes: map[string]*providers.Attribute{
			"path": {Type: cty.String, Required: true, ForceNew: true,
				Description: "The access file, such as /srv/www/shop.example/admin/.htaccess; a relative path is relative to the configuration directory. Its folder must exist; the file is created when missing. Changing it moves the block to the new file."},
			"allow": {Type: list, Required: true,
				Description: "The IP addresses and CIDR blocks let in, such as data.dns_addresses.office.addresses. Empty is refused unless allow_empty is set."},
			"deny": {Type: list, Optional: true,
				Description: "Addresses and blocks kept out even when allow lets them in."},
			"syntax": {Type: cty.String, Optional: true, Computed: true,
				Description: `"apache24" (Require ip inside <RequireAny>, the default) or "apache22" (Order deny,allow, Allow from, Deny from all; needs mod_access_compat on Apache 2.4).`},
			"allow_local": {Type: cty.Bool, Optional: true,
				Description: "Accept loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10) and 0.0.0.0/8 addresses in allow. They are refused by default: behind a reverse proxy on the same machine every client arrives from loopback, so Require ip 127.0.0.1 lets everyone in, and a dynamic-DNS name that answers 127.0.0.1 would do the same."},
			"accept_outside_grants": {Type: cty.Bool, Optional: true,
				Description: "Accept a Require all granted (or Allow from all) written by hand outside plumb's block at the same level of the file. Such a line lets every client in whatever the allow list says, so a plan that finds one is an error unless this says it is meant."},
			"allow_empty": {Type: cty.Bool, Optional: true,
				Description: "Accept an empty allow list. plumb then writes a block that lets nobody in (Require all denied), never an empty list."},
			"validate": {Type: cty.Bool, Optional: true,
				Description: "Check the file with apachectl -t after writing it, and put the previous file back if Apache rejects it. The provider block says which apachectl to run."},
			"marker": {Type: cty.String, Optional: true, Computed: true,
				Description: "The name in the block's markers (# BEGIN plumb MARKER ... # END plumb MARKER); default the resource's address."},
			"lines": {Type: list, Computed: true, DerivedFrom: []string{"allow", "deny"},
				Description: "The lines between the markers, as plumb writes them and as read back from the file."},
			"id": {Type: cty.String, Computed: true, DerivedFrom: []string{"path", "marker"},
				Description: "PATH#MARKER, which is also the import ID."},
		},
	}
	return &accessResource{host: h, schema: s, null: cty.NullVal(s.ImpliedType()), ctl: ctl}
}

// Schema describes apache_htaccess_access.
func (r *accessResource) Schema() providers.Schema { return r.schema }

// spec is a known configuration or state, decoded.
type spec struct {
	path       string
	access     access
	allowEmpty bool
	validate   bool
	marker     string
}

// decodeSpec reads a wholly known configuration or state; the marker is
// whatever the value holds ("" when null).
func decodeSpec(v cty.Value) spec {
	s := spec{
		path: v.GetAttr("path").AsString(),
		access: access{
			syntax: Syntax24,
			allow:  providers.Strings(v.GetAttr("allow")),
			deny:   providers.Strings(v.GetAttr("deny")),
		},
		allowEmpty: isTrue(v.GetAttr("allow_empty")),
		validate:   isTrue(v.GetAttr("validate")),
	}
	if sv := v.GetAttr("syntax"); !sv.IsNull() {
		s.access.syntax = sv.AsString()
	}
	if m := v.GetAttr("marker"); !m.IsNull() {
		s.marker = m.AsString()
	}
	return s
}

func isTrue(v cty.Value) bool { return v.IsKnown() && !v.IsNull() && v.True() }

// ValidateConfig checks what can be checked without the file: the path,
// every address, the syntax, the marker, and that allow is not empty
// unless allow_empty says so. Unknown values are not checked. An allow
// entry that lets in everyone (0.0.0.0/0, ::/0) is a warning.
func (r *accessResource) ValidateConfig(_ context.Context, config cty.Value) hcl.Diagnostics {
	if config.IsNull() || !config.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	validate := config.GetAttr("validate")
	if p := config.GetAttr("path"); p.IsKnown() && !p.IsNull() {
		switch path := p.AsString(); {
		case path == "":
			diags = diags.Extend(providers.AttributeErrorf("path", "Empty path", `path is the empty string; give the access file to manage, such as "/srv/www/shop.example/admin/.htaccess".`))
		case strings.ContainsAny(path, "\n\r\x00"):
			diags = diags.Extend(providers.AttributeErrorf("path", "Invalid path", "path %q holds a line break or NUL; give the access file's path.", path))
		case isTrue(validate) && strings.ContainsAny(path, `"\`):
			diags = diags.Extend(providers.AttributeErrorf("path", "Path cannot be validated", `path %q holds a quote or backslash, which apachectl cannot be told about; rename the folder or set validate = false.`, path))
		}
	}
	for _, name := range []string{"allow", "deny"} {
		diags = diags.Extend(checkList(config.GetAttr(name), name))
	}
	if al := config.GetAttr("allow_local"); al.IsKnown() && !isTrue(al) {
		diags = diags.Extend(checkLocal(config.GetAttr("allow")))
	}
	if a := config.GetAttr("allow"); a.IsKnown() && !a.IsNull() && a.LengthInt() == 0 {
		if ae := config.GetAttr("allow_empty"); ae.IsKnown() && !isTrue(ae) {
			diags = diags.Extend(providers.AttributeErrorf("allow", "Empty allow list refused",
				"allow is empty. An empty allow list in an access file would let nobody in, so plumb refuses it unless you say that is meant: set allow_empty = true and plumb writes a block that denies every client (Require all denied). If allow comes from dns_addresses, a lookup that finds nothing already stops the plan; check the other parts of the list."))
		}
	}
	if s := config.GetAttr("syntax"); s.IsKnown() && !s.IsNull() && s.AsString() != Syntax24 && s.AsString() != Syntax22 {
		diags = diags.Extend(providers.AttributeErrorf("syntax", "Unknown syntax",
			`syntax = %q: write "apache24" for Require ip (Apache 2.4) or "apache22" for Order, Allow and Deny (Apache 2.2, or 2.4 with mod_access_compat).`, s.AsString()))
	}
	if m := config.GetAttr("marker"); m.IsKnown() && !m.IsNull() {
		if err := checkMarker(m.AsString()); err != "" {
			diags = diags.Extend(providers.AttributeErrorf("marker", "Invalid marker", "marker = %q: %s.", m.AsString(), err))
		}
	}
	return diags
}

// checkList checks the addresses of allow or deny.
func checkList(v cty.Value, name string) hcl.Diagnostics {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		switch {
		case !e.IsKnown():
		case e.IsNull():
			diags = diags.Extend(providers.AttributeErrorf(name, "Null in "+name, "%s[%d] is null; every element must be an address or CIDR block.", name, i))
		default:
			if err := checkAddress(e.AsString()); err != nil {
				diags = diags.Extend(providers.AttributeErrorf(name, "Invalid address in "+name, "%s[%d] = %q: %v.", name, i, e.AsString(), err))
			} else if name == "allow" && opensToAll(e.AsString()) {
				diags = diags.Extend(hcl.Diagnostics{{Severity: hcl.DiagWarning, Summary: "Allow list open to everyone",
					Detail: "allow holds " + e.AsString() + ", which lets in every client of its address family: the block then restricts nothing.",
					Extra:  providers.AttributePath(name)}})
			}
		}
	}
	return diags
}

// checkLocal refuses allow entries that reach loopback, link-local or
// "this network" addresses (see localAddress).
func checkLocal(v cty.Value) hcl.Diagnostics {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	var diags hcl.Diagnostics
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if !e.IsKnown() || e.IsNull() {
			continue
		}
		if what := localAddress(e.AsString()); what != "" {
			diags = diags.Extend(providers.AttributeErrorf("allow", "Local address in the allow list",
				"allow[%d] = %q is %s. Behind a reverse proxy on the same machine every client arrives from there, so it would let everyone in; and no client reaches Apache from it across a network. If it came from data.dns_addresses, the name resolves to it: check the DNS record. Remove it, or set allow_local = true if Apache serves clients on this machine directly and that is meant.",
				i, e.AsString(), what))
		}
	}
	return diags
}

// checkMarker says what is wrong with a marker, or "".
func checkMarker(m string) string {
	switch {
	case m == "":
		return "it is empty"
	case strings.ContainsAny(m, "\n\r"):
		return "it holds a line break; a marker is one line"
	case strings.TrimSpace(m) != m:
		return "it begins or ends with white space"
	}
	return ""
}
