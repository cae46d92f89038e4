package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoAWS runs scripts/demo-aws.sh as make demo-aws does, with this
// test's plumb binary and a localaws built for it: the Route 53 migration,
// the EBS policy and (with svnadmin) the SVN backup are each planned,
// applied and planned again with no changes, the registrar CSV is
// printed, and the emulator is gone afterwards. It needs no AWS account
// and no network.
func TestDemoAWS(t *testing.T) {
	localaws := filepath.Join(t.TempDir(), "localaws")
	if out, err := exec.Command("go", "build", "-o", localaws, "../../internal/cmd/localaws").CombinedOutput(); err != nil {
		t.Fatalf("building localaws: %v\n%s", err, out)
	}
	scratch := filepath.Join(t.TempDir(), "demo-aws")
	cmd := exec.Command("./scripts/demo-aws.sh", plumbBin, localaws, scratch)
	cmd.Dir = "../.."
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo-aws: %v\n%s", err, out)
	}
	text := string(out)
	runs := 3
	if _, err := exec.LookPath("svnadmin"); err != nil {
		runs = 2
		if !strings.Contains(text, "Skipping examples/svn-backup") {
			t.Errorf("without svnadmin the demo does not say it skips the SVN backup:\n%s", text)
		}
	}
	if n := strings.Count(text, "No changes. Your estate matches the configuration."); n != runs {
		t.Errorf("%d second plans found nothing to change, want %d:\n%s", n, runs, text)
	}
	for _, want := range []string{"domain,ns1,ns2,ns3,ns4\nexample.net,ns-", "CreateSnapshot 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo output lacks %q:\n%s", want, text)
		}
	}
	if b, err := exec.Command("pgrep", "-f", localaws).Output(); err == nil {
		t.Errorf("the emulator is still running after the demo: %s", b)
	}
}
