package builtin

import (
	"path/filepath"

	"github.com/zclconf/go-cty/cty"
)

// Identity is the file's path: two local_file blocks must not write the
// same file.
func (r *fileResource) Identity(config cty.Value) (string, bool) {
	v := config.GetAttr("filename")
	if !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return "file " + filepath.Clean(v.AsString()), true
}
