package browsertest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestFindNamesTheDebianPackageWhenChromiumIsMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := find(filepath.Join(t.TempDir(), "chromium"))
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("find error = %v, want one wrapping ErrNoChromium", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y chromium") {
		t.Errorf("error %q does not say how to install the Debian package", err)
	}
}

func TestFindPrefersExecPathThenPATH(t *testing.T) {
	dir := t.TempDir()
	onPath := filepath.Join(dir, "chromium")
	if err := os.WriteFile(onPath, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got, err := find(filepath.Join(t.TempDir(), "missing")); err != nil || got != onPath {
		t.Errorf("find with ExecPath missing = %q, %v; want %q from PATH", got, err, onPath)
	}
	exact := filepath.Join(t.TempDir(), "chrome")
	if err := os.WriteFile(exact, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := find(exact); err != nil || got != exact {
		t.Errorf("find(%s) = %q, %v; want it", exact, got, err)
	}
}

func TestNewStartsChromium(t *testing.T) {
	ctx := New(t, 800, 600)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
	if err != nil {
		t.Fatalf("evaluating in the page: %v", err)
	}
	if !strings.Contains(got, "Chrom") {
		t.Errorf("user agent %q is not Chromium's", got)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil || width != 800 {
		t.Errorf("window width = %d, %v; want 800", width, err)
	}
}
