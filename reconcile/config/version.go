package config

import (
	"fmt"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
)

// CheckRequiredVersion checks the required_version of the plumb {} block
// against plumb's version, written as Terraform writes constraints
// (">= 0.2", "~> 0.3.1", ">= 0.2, < 1.0"). The pre-release part of
// plumb's version (0.1.0-dev) is left out of the comparison, as Terraform
// does for its own, so a development build satisfies what its release
// would.
func CheckRequiredVersion(s *Settings, plumbVersion string) hcl.Diagnostics {
	if s == nil || s.RequiredVersion == "" {
		return nil
	}
	rng := s.RequiredVersionRange.Ptr()
	cons, err := version.NewConstraint(s.RequiredVersion)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid required_version",
			Detail:   fmt.Sprintf("%q is not a version constraint: %v. Write it like \">= 0.2\", \"~> 0.3.1\" or \">= 0.2, < 1.0\".", s.RequiredVersion, err),
			Subject:  rng,
		}}
	}
	v, err := version.NewVersion(plumbVersion)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot check required_version", Detail: fmt.Sprintf("plumb's own version %q does not parse: %v.", plumbVersion, err), Subject: rng}}
	}
	if core := v.Core(); !cons.Check(core) {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unsupported plumb version",
			Detail:   fmt.Sprintf("This configuration requires plumb %s, and this is plumb %s. Use a plumb that satisfies the constraint, or change required_version if the configuration works with this one.", s.RequiredVersion, plumbVersion),
			Subject:  rng,
		}}
	}
	return nil
}
