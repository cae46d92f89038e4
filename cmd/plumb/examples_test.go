package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/internal/apachetest"
	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/dnstest"
	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/internal/netnstest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers/aws"
)

// An exampleRig prepares the real parts one example runs against (the
// AWS emulator, Apache, a network namespace for nft, Subversion
// repositories) for a copy of the example in dir, and says how to run
// plumb there.
//
// To add an example: make its folder under examples/. If it needs nothing
// but the plumb binary it runs as it is; otherwise add its rig to
// exampleRigs, keyed by the folder's name.
type exampleRig func(t *testing.T, dir string) exampleRun

// exampleRun is how a rig has plumb run one example.
type exampleRun struct {
	env    []string                          // added to a bare environment (PATH, HOME)
	args   []string                          // added to plan and apply, such as -var flags
	prefix []string                          // runs plumb, such as ip netns exec NAME
	check  func(t *testing.T, r exampleExec) // after the apply, before the second plan
}

// exampleRigs are the examples that need more than the plumb binary.
var exampleRigs = map[string]exampleRig{
	"route53-migration":   route53MigrationRig,
	"ebs-retention":       ebsRetentionRig,
	"svn-backup":          svnBackupRig,
	"svn-hook":            svnHookRig,
	"htaccess-dynamic-ip": htaccessRig,
	"dos-triage":          dosTriageRig,
	"fleet":               fleetRig,
}

// TestExamplesApply applies every example folder end to end against the
// real parts its rig starts: validate, a plan with changes, apply, the
// rig's check of what the apply did, and a second plan that must be empty.
func TestExamplesApply(t *testing.T) {
	for _, src := range exampleDirs(t) {
		name := filepath.Base(src)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("cp", "-r", src+"/.", dir).CombinedOutput(); err != nil {
				t.Fatalf("copying the example: %v\n%s", err, out)
			}
			var run exampleRun
			rig := exampleRigs[name]
			if rig != nil {
				run = rig(t, dir)
			}
			x := exampleExec{t: t, dir: dir, run: run, rigged: rig != nil}
			x.want("validate", exitOK, "validate", "-no-color")
			x.want("the first plan", exitChanges, append([]string{"plan", "-detailed-exitcode", "-no-color"}, run.args...)...)
			x.want("apply", exitOK, append([]string{"apply", "-auto-approve", "-no-color"}, run.args...)...)
			if run.check != nil {
				run.check(t, x)
			}
			x.want("the plan after the apply", exitOK, append([]string{"plan", "-detailed-exitcode", "-no-color"}, run.args...)...)
		})
	}
}

// exampleDirs returns the example folders: those under examples/ that
// hold configuration. It fails t unless there are the quickstart and one
// per use case.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	all, _ := filepath.Glob("../../examples/*")
	var dirs []string
	for _, dir := range all {
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) > 0 {
			dirs = append(dirs, dir)
		}
	}
	if len(dirs) < 7 {
		t.Fatalf("found %d example folders with configuration; want the quickstart and one per use case", len(dirs))
	}
	return dirs
}

// exampleExec runs plumb in one example's folder, the way its rig says.
type exampleExec struct {
	t      *testing.T
	dir    string
	run    exampleRun
	rigged bool // the example has a rig
}

// plumb runs plumb with args in the example's folder.
func (x exampleExec) plumb(args ...string) result {
	x.t.Helper()
	argv := append(append(append([]string(nil), x.run.prefix...), plumbBin, "-chdir="+x.dir), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + x.t.TempDir()}, x.run.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		x.t.Fatalf("running plumb %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// want runs plumb and fails the test unless it exits with code.
func (x exampleExec) want(what string, code int, args ...string) result {
	x.t.Helper()
	r := x.plumb(args...)
	if r.code != code {
		hint := ""
		if !x.rigged {
			hint = "\n(if the example needs a real part, give it a rig in exampleRigs, cmd/plumb/examples_test.go)"
		}
		x.t.Fatalf("%s: exit %d, want %d%s\n%s", what, r.code, code, hint, r)
	}
	return r
}

// awsEnv is the environment that points plumb's AWS SDK at endpoint, with
// the emulator's credentials and none of this machine's profiles.
func awsEnv(t *testing.T, emu *awstest.Emulator, endpoint string) []string {
	var env []string
	for k, v := range emu.Env() {
		if k == "AWS_ENDPOINT_URL" {
			v = endpoint
		}
		env = append(env, k+"="+v)
	}
	return env
}

// route53MigrationRig: the zones go to Route 53 in the emulator; the
// registrar CSV lists both with four name servers each.
func route53MigrationRig(t *testing.T, dir string) exampleRun {
	emu := awstest.StartKumo(t)
	return exampleRun{
		env: append(awsEnv(t, emu, emu.URL()), "PLUMB_VAR_aws_endpoint="+emu.URL(), "PLUMB_VAR_max_requests_per_second=0"),
		check: func(t *testing.T, x exampleExec) {
			csv := x.want("output", exitOK, "output", "-raw", "registrar_csv")
			if lines := strings.Split(strings.TrimSpace(csv.stdout), "\n"); len(lines) != 3 || strings.Count(lines[2], ",") != 4 {
				t.Errorf("registrar CSV:\n%s", csv.stdout)
			}
		},
	}
}

// ebsRetentionRig: the instance's two volumes are in the EC2 shim; the
// apply takes a snapshot of each.
func ebsRetentionRig(t *testing.T, dir string) exampleRun {
	emu := awstest.StartKumo(t)
	shim := ec2shim.Start(t, emu.URL(), ec2shim.Options{Region: "eu-west-1", CompleteAfter: time.Hour})
	instance := "i-0a1b2c3d4e5f60718"
	shim.AddVolume(ec2shim.Volume{InstanceID: instance, Device: "/dev/xvda"})
	shim.AddVolume(ec2shim.Volume{InstanceID: instance, Device: "/dev/xvdf"})
	return exampleRun{
		env: awsEnv(t, emu, shim.URL()),
		check: func(t *testing.T, x exampleExec) {
			n := 0
			for _, s := range shim.Snapshots() {
				if s.Tags[aws.OwnerTag] == "aws_ebs_snapshot_policy.web1" {
					n++
				}
			}
			if n != 2 {
				t.Errorf("the policy took %d snapshots, want one of each of the 2 volumes", n)
			}
		},
	}
}

// svnBackupRig: a real repository with a commit, backed up into a bucket
// of the emulator's S3 and a local folder.
func svnBackupRig(t *testing.T, dir string) exampleRun {
	svntest.Require(t, "svnadmin", "svnlook")
	repo := svntest.NewRepo(t, "website")
	emu := awstest.StartKumo(t)
	bucket := fmt.Sprintf("example-svn-%d", time.Now().UnixNano())
	if _, err := emu.S3Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: awssdk.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	return exampleRun{
		env:  append(awsEnv(t, emu, emu.URL()), svntest.Env()...),
		args: []string{"-var", fmt.Sprintf("repositories=[%q]", repo.Path), "-var", "bucket=" + bucket, "-var", "local_backup_dir=" + local},
		check: func(t *testing.T, x exampleExec) {
			out, err := emu.S3Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: awssdk.String(bucket)})
			if err != nil || len(out.Contents) != 1 || !strings.HasSuffix(awssdk.ToString(out.Contents[0].Key), ".svndump.age") {
				t.Errorf("the bucket holds %v (%v), want one encrypted dump", out, err)
			}
		},
	}
}

// svnHookRig: the policy's pre-commit hook goes into a real repository.
func svnHookRig(t *testing.T, dir string) exampleRun {
	svntest.Require(t, "svnadmin", "svnlook")
	repo := svntest.NewRepo(t, "website")
	return exampleRun{
		env:  svntest.Env(),
		args: []string{"-var", fmt.Sprintf("repositories=[%q]", repo.Path)},
		check: func(t *testing.T, x exampleExec) {
			if b, err := os.ReadFile(filepath.Join(repo.Path, "hooks", "pre-commit")); err != nil || !bytes.Contains(b, []byte("check-commit")) {
				t.Errorf("hooks/pre-commit: %q, %v", b, err)
			}
		},
	}
}

// htaccessRig: the sites are served by a real Apache, the office's name
// is answered by a DNS server on loopback, and apachectl checks every
// file. Afterwards each admin area lets the office's address in, and
// Apache keeps a client that is not the office (127.0.0.1) out. (The
// office cannot be a loopback address: the provider refuses those.)
func htaccessRig(t *testing.T, dir string) exampleRun {
	srv := apachetest.Start(t, apachetest.Options{})
	dns := dnstest.Start(t)
	dns.SetAddresses("office.example.org", "203.0.113.5")
	for _, site := range []string{"blog.example", "intranet.example", "shop.example"} {
		admin := filepath.Join(srv.DocRoot, site, "admin")
		if err := os.MkdirAll(admin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(admin, "index.html"), []byte("admin\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args, _ := jsonList(srv.ApachectlArgs())
	return exampleRun{
		// The test's Apache serves its clients on loopback directly.
		args: []string{"-var", "dns_server=" + dns.Addr, "-var", "web_root=" + srv.DocRoot, "-var", "validate=true", "-var", "apachectl_args=" + args, "-var", "allow_local=true"},
		check: func(t *testing.T, x exampleExec) {
			b, err := os.ReadFile(filepath.Join(srv.DocRoot, "shop.example", "admin", ".htaccess"))
			if err != nil || !bytes.Contains(b, []byte("Require ip 203.0.113.5")) {
				t.Errorf("the shop's .htaccess does not let the office in: %q, %v", b, err)
			}
			if got := srv.Get(t, "127.0.0.1", "/shop.example/admin/index.html"); got != 403 {
				t.Errorf("another client (127.0.0.1) gets %d from the shop's admin area, want 403", got)
			}
		},
	}
}

// dosTriageRig: plumb runs in a network namespace of its own, so the
// block list goes into that namespace's nftables (root only).
func dosTriageRig(t *testing.T, dir string) exampleRun {
	netnstest.Require(t, "nft:nftables")
	ns := netnstest.New(t, "dos")
	return exampleRun{
		prefix: []string{"ip", "netns", "exec", ns.Name},
		check: func(t *testing.T, x exampleExec) {
			rules := ns.Run("nft", "list", "ruleset")
			if !strings.Contains(rules, "plumb_blocklist") || !strings.Contains(rules, "elements") {
				t.Errorf("the namespace's nftables has no block list with elements:\n%s", rules)
			}
			// The rules' bans: the xmlrpc flood for 12h, the bad bot for a
			// day; the scanner claiming to be Googlebot is blocked too.
			for _, want := range []string{"198.18.0.9 timeout 12h", "198.18.0.10 timeout 1d", "198.18.0.11 timeout 6h"} {
				if !strings.Contains(rules, want) {
					t.Errorf("the block list lacks %q:\n%s", want, rules)
				}
			}
			// Unban one now; a reboot empties the sets; restore puts back
			// the rest from state.
			x.want("unban", exitOK, "unban", "-auto-approve", "-no-color", "198.18.0.9")
			ns.Run("nft", "flush", "ruleset")
			x.want("restore", exitOK, "restore", "-no-color")
			rules = ns.Run("nft", "list", "ruleset")
			if strings.Contains(rules, "198.18.0.9") || !strings.Contains(rules, "198.18.0.10 timeout 1d expires") {
				t.Errorf("after unban and restore the block list holds:\n%s", rules)
			}
		},
	}
}

// jsonList writes a list of strings as an HCL (and JSON) list literal.
func jsonList(items []string) (string, error) {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ", ") + "]", nil
}
