// Package browsertest starts Debian's Chromium, headless, for tests that
// check a page in a real browser through chromedp.
//
// A test calls New, which fails the test with a message naming the Debian
// package when Chromium is not installed: a browser test never skips. The
// browser runs with a fresh profile in a temporary directory, with no
// background networking, and is stopped and its profile removed when the
// test ends.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ExecPath is where Debian's chromium package installs the browser.
const ExecPath = "/usr/bin/chromium"

// Package is the Debian package that provides ExecPath.
const Package = "chromium"

// Timeout bounds how long one test may use its browser.
const Timeout = 2 * time.Minute

// ErrNoChromium is returned by Find when no Chromium binary is found.
var ErrNoChromium = errors.New("chromium not found: install the Debian package " + Package +
	" (apt-get install -y " + Package + "), which scripts/deps.sh does")

// Find returns the Chromium binary to run: ExecPath when it exists, else
// "chromium" found on PATH, else an error wrapping ErrNoChromium.
func Find() (string, error) {
	return find(ExecPath)
}

// find is Find looking first at execPath.
func find(execPath string) (string, error) {
	if info, err := os.Stat(execPath); err == nil && !info.IsDir() {
		return execPath, nil
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path, nil
	}
	return "", fmt.Errorf("looked for %s and for chromium on PATH: %w", execPath, ErrNoChromium)
}

// Flags returns the allocator options New starts Chromium with: headless,
// no sandbox (tests run as root in CI), no GPU, no QUIC, no first-run
// pages, no background networking, component updates or sync, and the
// given profile directory.
func Flags(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(userDataDir),
	}
}

// New starts Chromium for t and returns the context of its first tab,
// ready for chromedp.Run and chromedp.Do; chromedp.NewContext on it opens
// more tabs in the same browser. The browser starts with a window of
// width by height pixels. The context ends after Timeout, and when the
// test ends the browser is stopped and its profile removed.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	execPath, err := Find()
	if err != nil {
		t.Fatalf("browser test needs Chromium: %v", err)
	}
	profile, err := os.MkdirTemp("", "plumb-chromium-")
	if err != nil {
		t.Fatalf("making a Chromium profile directory: %v", err)
	}
	opts := append(Flags(execPath, profile), chromedp.WindowSize(width, height))
	timeout, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(timeout, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		if err := removeProfile(profile); err != nil {
			t.Errorf("removing the Chromium profile: %v", err)
		}
	})
	// Start the browser now, so a failure to start reads as one.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v (is the Debian package %s installed and working?)", execPath, err, Package)
	}
	return ctx
}

// removeProfile removes the profile directory, retrying for a moment:
// Chromium's helper processes may still write there right after the
// browser exits.
func removeProfile(dir string) error {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s: %w", filepath.Base(dir), err)
}
