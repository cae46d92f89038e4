package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"},
		{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name  string
		bi    *debug.BuildInfo
		stamp Stamp
		want  Info
	}{
		{
			name: "no build information",
			want: Info{Version: DevVersion},
		},
		{
			name: "go build in a checkout without tags",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			want: Info{Version: DevVersion, Commit: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", Date: "2026-05-01T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
		},
		{
			name: "go build stamps a pseudo-version with no tag before it",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260501100000-1a2b3c4d5e6f+dirty"}, Settings: vcs},
			want: Info{Version: DevVersion, Commit: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", Date: "2026-05-01T10:00:00Z", Modified: true, GoVersion: "go1.26.8"},
		},
		{
			name: "go install at a tag",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"}},
			want: Info{Version: "0.3.0", GoVersion: "go1.26.8"},
		},
		{
			name: "go install at a commit after a tag",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.1-0.20260501100000-1a2b3c4d5e6f"}},
			want: Info{Version: "0.3.1-0.20260501100000-1a2b3c4d5e6f", Commit: "1a2b3c4d5e6f", GoVersion: "go1.26.8"},
		},
		{
			name: "go install at a commit with no tag before it",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260501100000-1a2b3c4d5e6f"}},
			want: Info{Version: DevVersion, Commit: "1a2b3c4d5e6f", GoVersion: "go1.26.8"},
		},
		{
			name:  "a release build: the stamp wins",
			bi:    &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			stamp: Stamp{Version: "v0.3.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-05-02T00:00:00Z"},
			want:  Info{Version: "0.3.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-05-02T00:00:00Z", GoVersion: "go1.26.8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want.GoVersion == "" {
				want.GoVersion = runtime.Version()
			}
			want.Platform = runtime.GOOS + "/" + runtime.GOARCH
			if got := From(tt.bi, tt.stamp); got != want {
				t.Errorf("From:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// The test binary itself has no version of its own: it reports
// DevVersion, which every required_version check relies on parsing.
func TestGetInTestBinary(t *testing.T) {
	if got := Get(); got.Version != DevVersion || got.GoVersion != runtime.Version() {
		t.Errorf("Get() = %+v, want version %s built with %s", got, DevVersion, runtime.Version())
	}
}
