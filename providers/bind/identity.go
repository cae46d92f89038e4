package bind

import (
	"path/filepath"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers/dns"
)

// Identity is the zone file's path: two bind_zone blocks must not write
// the same file.
func (r *zoneResource) Identity(config cty.Value) (string, bool) {
	dir, name, file := config.GetAttr("directory"), config.GetAttr("name"), config.GetAttr("filename")
	if !dir.IsKnown() || dir.IsNull() || !name.IsKnown() || name.IsNull() || !file.IsKnown() {
		return "", false
	}
	fn := ""
	if !file.IsNull() {
		fn = file.AsString()
	} else {
		origin, err := dns.NormalizeName(name.AsString())
		if err != nil {
			return "", false
		}
		fn = defaultFilename(origin)
	}
	return "zone file " + filepath.Join(cleanDir(dir.AsString()), fn), true
}
