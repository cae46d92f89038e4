// Package buildinfo says which plumb this is: its version, the commit it
// was built from and when, the Go version and the platform.
//
// Three kinds of build carry different facts, and Get reads each:
//   - a release (make release) stamps everything with -ldflags
//     "-X github.com/plumbhq/plumb/internal/buildinfo.version=v0.3.0"
//     and likewise commit and date;
//   - go install github.com/plumbhq/plumb/cmd/plumb@v0.3.0 records the
//     module version, which runtime/debug.ReadBuildInfo returns (a
//     pseudo-version such as v0.3.1-0.20260501100000-1a2b3c4d5e6f also
//     names its commit);
//   - go build in a checkout records the commit and its time (the vcs.*
//     settings) and, when a tag is reachable, a pseudo-version after it.
//
// A build that knows no version of its own reports DevVersion.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Stamped by release builds with -ldflags -X; empty otherwise.
var (
	version string
	commit  string
	date    string
)

// DevVersion is the version of a build from a checkout with no release
// tag behind it, and of test binaries. required_version compares only
// its 0.1.0 part, as Terraform does for its development builds.
const DevVersion = "0.1.0-dev"

// Info is what plumb version prints. Fields that the build did not
// record are empty.
type Info struct {
	// Version is plumb's version without the leading v: "0.3.0",
	// "0.3.1-0.20260501100000-1a2b3c4d5e6f", or DevVersion.
	Version string `json:"plumb_version"`
	// Commit is the revision built from (a full hash, or the 12
	// characters a pseudo-version carries).
	Commit string `json:"commit"`
	// Date is when: for a release, the time of the tagged commit (so a
	// tag rebuilds to the same bytes); for a checkout build, the commit's
	// time. RFC 3339.
	Date string `json:"build_date"`
	// Modified is true when the checkout had uncommitted changes.
	Modified bool `json:"modified"`
	// GoVersion is the Go toolchain that built plumb.
	GoVersion string `json:"go_version"`
	// Platform is GOOS/GOARCH, such as linux/amd64.
	Platform string `json:"platform"`
}

// Stamp is what a release build sets with -ldflags.
type Stamp struct {
	Version, Commit, Date string
}

// Get returns this binary's Info.
var Get = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo()
	return From(bi, Stamp{Version: version, Commit: commit, Date: date})
})

// From derives Info from the build information Go recorded (nil when
// there is none) and the release stamp; the stamp wins where it is set.
func From(bi *debug.BuildInfo, s Stamp) Info {
	info := Info{Version: DevVersion, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.GoVersion != "" {
			info.GoVersion = bi.GoVersion
		}
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				info.Commit = kv.Value
			case "vcs.time":
				info.Date = kv.Value
			case "vcs.modified":
				info.Modified = kv.Value == "true"
			}
		}
		v, rev, ok := moduleVersion(bi.Main.Version)
		if ok {
			info.Version = v
		}
		if info.Commit == "" {
			info.Commit = rev
		}
	}
	if s.Version != "" {
		info.Version = strings.TrimPrefix(s.Version, "v")
	}
	if s.Commit != "" {
		info.Commit = s.Commit
	}
	if s.Date != "" {
		info.Date = s.Date
	}
	return info
}

// moduleVersion turns the main module's recorded version into plumb's,
// and gives the commit a pseudo-version names. ok is false for
// "(devel)", for nothing, and for a pseudo-version with no tag before it
// (v0.0.0-...), which says less than DevVersion does.
func moduleVersion(v string) (version, rev string, ok bool) {
	if !semver.IsValid(v) {
		return "", "", false
	}
	if module.IsPseudoVersion(v) {
		rev, _ = module.PseudoVersionRev(v)
		if base, err := module.PseudoVersionBase(v); err != nil || base == "" {
			return "", rev, false
		}
	}
	return strings.TrimPrefix(v, "v"), rev, true
}
