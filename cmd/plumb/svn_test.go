package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/svn"
)

const (
	svnGoodPHP = "<?php\necho \"hello\";\n"
	svnBadPHP  = "<?php\necho \"hi\";\n$x = ;\n"
)

// runPlumbSVN runs the plumb binary with extra environment variables.
func runPlumbSVN(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runBinary(t, append(os.Environ(), env...), args...)
}

func TestSVNUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"svn"}, exitError, "check-commit  Check a commit"},
		{[]string{"svn", "help"}, exitOK, "restore       Restore a backup"},
		{[]string{"svn", "frobnicate"}, exitError, `unknown command "frobnicate"`},
		{[]string{"svn", "check-commit", "only-one-arg"}, exitError, "usage: plumb svn check-commit REPOS TXN"},
		{[]string{"svn", "restore", "-key", "k", "-identity", "f", "dest"}, exitError, "-bucket is required"},
		{[]string{"svn", "restore", "-bucket", "b", "-identity", "f", "dest"}, exitError, "give either -key"},
		{[]string{"svn", "verify", "-bucket", "b", "-key", "k"}, exitError, "-identity is required"},
		{[]string{"svn", "verify", "-bucket", "b", "-key", "k", "-identity", "/nonexistent/key.txt"}, exitError, "reading the identity file"},
	}
	for _, tt := range tests {
		r := runPlumbSVN(t, nil, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("plumb %v: %s\nwant exit %d and stderr containing %q", tt.args, r, tt.code, tt.want)
		}
	}
}

// TestSVNHookCallsPlumb installs the hook with this plumb binary as
// plumb_path and commits through it: the first three commits are
// rejected with the right words, the last accepted.
func TestSVNHookCallsPlumb(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn", "php")
	repo := svntest.NewRepo(t, "cli hook")
	hook := svn.New().Resources()["svn_pre_commit_hook"]
	s := hook.Schema()
	config := s.Complete(cty.ObjectVal(map[string]cty.Value{
		"repository":         cty.StringVal(repo.Path),
		"min_message_length": cty.NumberIntVal(6),
		"plumb_path":         cty.StringVal(plumbBin),
		"lint": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"pattern": cty.StringVal("*.php"),
			"command": cty.ListVal([]cty.Value{cty.StringVal("php"), cty.StringVal("-l")}),
			"timeout": cty.StringVal("20s"),
		})}),
	}))
	null := cty.NullVal(s.ImpliedType())
	plan := hook.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: config})
	applied := hook.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
	if d := append(plan.Diagnostics, applied.Diagnostics...); d.HasErrors() {
		t.Fatal(d.Error())
	}
	wc := repo.Checkout(t)
	tests := []struct {
		file, content, msg string
		want               string // "" for accepted
	}{
		{"a.php", svnGoodPHP, "", "The log message is empty."},
		{"a.php", svnGoodPHP, "typo", `The log message "typo" is too short: 4 characters`},
		{"b.php", svnBadPHP, "Add pages", "b.php, line 3: php -l found a problem in b.php."},
		{"b.php", svnGoodPHP, "Add pages", ""},
	}
	for i, tt := range tests {
		wc.Write(t, tt.file, []byte(tt.content))
		res := wc.Commit(tt.msg)
		if tt.want == "" {
			if res.Err != nil {
				t.Fatalf("commit %d rejected:\n%s", i, res)
			}
			continue
		}
		if res.Err == nil || !strings.Contains(res.Stderr, tt.want) {
			t.Errorf("commit %d: want a rejection saying %q:\n%s", i, tt.want, res)
		}
	}
	if got := repo.Youngest(t); got != 1 {
		t.Errorf("youngest = %d, want 1 (only the last commit accepted)", got)
	}
	r := runPlumbSVN(t, nil, "svn", "check-commit", "-r", "1", repo.Path)
	if r.code != exitOK || !strings.Contains(r.stdout, "revision 1 of") {
		t.Errorf("check-commit -r 1: %s", r)
	}
	r = runPlumbSVN(t, nil, "svn", "check-commit", filepath.Join(t.TempDir(), "missing"), "1-1")
	if r.code != exitError || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("check-commit of a missing repository: %s", r)
	}
}

// TestSVNRestoreAndVerify backs up to kumo through the resource, then
// restores and verifies with the command.
func TestSVNRestoreAndVerify(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	emu := awstest.StartKumo(t)
	var b [6]byte
	rand.Read(b[:])
	bucket := "svn-cli-" + hex.EncodeToString(b[:])
	if _, err := emu.S3Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	repo := svntest.NewRepo(t, "cli backup")
	wc := repo.Checkout(t)
	for i := range 3 {
		wc.Write(t, "f.txt", fmt.Appendf(nil, "version %d", i))
		wc.MustCommit(t, fmt.Sprintf("Version %d", i))
	}
	id, _ := age.GenerateX25519Identity()
	p := svn.New()
	if d := p.Configure(context.Background(), providers.ConfigureRequest{Config: cty.ObjectVal(map[string]cty.Value{
		"region": cty.StringVal(awstest.Region), "endpoint": cty.StringVal(emu.S3URL()), "profile": cty.NullVal(cty.String),
		"access_key": cty.StringVal(awstest.AccessKeyID), "secret_key": cty.StringVal(awstest.SecretAccessKey),
		"max_retries": cty.NullVal(cty.Number), "s3_use_path_style": cty.NullVal(cty.Bool),
	})}).Diagnostics; d.HasErrors() {
		t.Fatal(d.Error())
	}
	backup := p.Resources()["svn_offsite_backup"]
	s := backup.Schema()
	config := s.Complete(cty.ObjectVal(map[string]cty.Value{
		"repository": cty.StringVal(repo.Path), "bucket": cty.StringVal(bucket),
		"recipients": cty.ListVal([]cty.Value{cty.StringVal(id.Recipient().String())}),
	}))
	null := cty.NullVal(s.ImpliedType())
	plan := backup.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: config})
	applied := backup.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: plan.Planned, Config: config})
	if d := append(plan.Diagnostics, applied.Diagnostics...); d.HasErrors() {
		t.Fatal(d.Error())
	}
	keyFile := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(keyFile, []byte("# a test key\n"+id.String()+"\n"), 0o600)
	wrongKey := filepath.Join(t.TempDir(), "wrong.txt")
	other, _ := age.GenerateX25519Identity()
	os.WriteFile(wrongKey, []byte(other.String()+"\n"), 0o600)
	env := []string{"AWS_ACCESS_KEY_ID=" + awstest.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + awstest.SecretAccessKey,
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true"}
	s3args := []string{"-bucket", bucket, "-region", awstest.Region, "-endpoint", emu.S3URL()}
	target := filepath.Join(t.TempDir(), "restored")

	r := runPlumbSVN(t, env, append(append([]string{"svn", "restore"}, s3args...), "-prefix", "cli backup/", "-identity", keyFile, target)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "Restored "+target+": 1 backups, up to r3") {
		t.Fatalf("restore: %s", r)
	}
	restored := &svntest.Repo{Path: target}
	if restored.Youngest(t) != 3 || restored.Cat(t, 2, "f.txt") != "version 1" || restored.Log(t, 3) != repo.Log(t, 3) {
		t.Errorf("the restored repository differs from the original")
	}
	r = runPlumbSVN(t, env, append(append([]string{"svn", "verify"}, s3args...), "-prefix", "cli backup/", "-identity", keyFile)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "The backup verifies: 1 backups load into a repository up to r3") {
		t.Errorf("verify: %s", r)
	}
	r = runPlumbSVN(t, env, append(append([]string{"svn", "verify"}, s3args...), "-prefix", "cli backup/", "-identity", wrongKey)...)
	if r.code != exitError || !strings.Contains(r.stderr, "encrypted to other recipients") {
		t.Errorf("verify with the wrong key: %s", r)
	}
}

// TestSVNApplyHCL declares the hook in HCL and runs plumb apply, plan
// and destroy: the engine path a user takes. It needs the svn provider
// in the registry (registry.go).
func TestSVNApplyHCL(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn", "php")
	repo := svntest.NewRepo(t, "hcl repo")
	dir := configDir(t, map[string]string{"main.hcl": fmt.Sprintf(`
resource "svn_pre_commit_hook" "site" {
  repository         = %q
  min_message_length = 6
  plumb_path         = %q

  lint {
    pattern = "*.php"
    command = ["php", "-l"]
  }
}
`, repo.Path, plumbBin)})
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply: %s", r)
	}
	wc := repo.Checkout(t)
	wc.Write(t, "x.php", []byte(svnBadPHP))
	if res := wc.Commit("Add a page"); res.Err == nil || !strings.Contains(res.Stderr, "x.php, line 3") {
		t.Errorf("a bad PHP file was not rejected:\n%s", res)
	}
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitOK {
		t.Errorf("plan after apply is not empty: %s", r)
	}
	hook := filepath.Join(repo.Path, "hooks", "pre-commit")
	f, _ := os.OpenFile(hook, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("exit 0\n")
	f.Close()
	if r := plumb(t, dir, "plan", "-detailed-exitcode"); r.code != exitChanges || !strings.Contains(r.stdout, "in_sync") {
		t.Errorf("plan after a hand edit of the hook shows no drift: %s", r)
	}
	if r := plumb(t, dir, "destroy", "-auto-approve"); r.code != exitOK {
		t.Fatalf("destroy: %s", r)
	}
	if _, err := os.Stat(hook); !os.IsNotExist(err) {
		t.Errorf("the hook is left after destroy")
	}
}

// TestSVNExamples validates examples/svn-hook and examples/svn-backup and
// plans them against a real repository.
func TestSVNExamples(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook")
	repo := svntest.NewRepo(t, "website")
	tests := []struct {
		example string
		want    []string
	}{
		{"svn-hook", []string{`svn_pre_commit_hook.policy["` + repo.Path + `"] will be created`, `min_message_length = 6`, "Plan: 1 to add"}},
		{"svn-backup", []string{`svn_offsite_backup.nightly["` + repo.Path + `"] will be created`, `key = "svn/website/000001-full-r0-0.svndump.age"`, "Plan: 1 to add"}},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("cp", "-r", "../../examples/"+tt.example+"/.", dir).CombinedOutput(); err != nil {
				t.Fatalf("copy the example: %v\n%s", err, out)
			}
			if r := plumb(t, dir, "validate"); r.code != exitOK {
				t.Fatalf("validate: %s", r)
			}
			r := plumb(t, dir, "plan", "-detailed-exitcode", "-var", fmt.Sprintf("repositories=[%q]", repo.Path))
			if r.code != exitChanges {
				t.Fatalf("plan: %s", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the plan does not show %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}
