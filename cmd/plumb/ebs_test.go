package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers/aws"
)

// TestEBSPolicyConvergesInOneApply runs the plumb binary against the
// emulator (kumo behind the EC2 shim) with issue 21's history: policy
// snapshots 1 to 10 days old, three 30-day snapshots made by hand, and a
// 20-day policy snapshot an AMI uses. One apply deletes the four expired
// snapshots, takes the day's, and copies the kept ones to a second region;
// a plan right after it exits 0; the hand-made and the AMI's snapshots
// survive.
func TestEBSPolicyConvergesInOneApply(t *testing.T) {
	const (
		instance = "i-0a1b2c3d4e5f60718"
		vol      = "vol-0a1b2c3d4e5f60001"
		owner    = "aws_ebs_snapshot_policy.web1"
	)
	emu := awstest.StartKumo(t)
	// Snapshots take an hour to complete, as real ones take a while: the
	// plan after the apply sees today's still pending.
	shim := ec2shim.Start(t, emu.URL(), ec2shim.Options{CompleteAfter: time.Hour, Region: "eu-west-1"})
	shim.AddVolume(ec2shim.Volume{ID: vol, InstanceID: instance, Device: "/dev/xvda"})
	now := time.Now().UTC()
	days := map[string]int{}
	for d := 1; d <= 10; d++ {
		id := shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: now.Add(-time.Duration(d) * 24 * time.Hour),
			Description: fmt.Sprintf("web1_backup-%d", d), Tags: map[string]string{aws.OwnerTag: owner}})
		days[id] = d
	}
	var keep []string
	for i := range 3 {
		keep = append(keep, shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: now.Add(-30*24*time.Hour + time.Duration(i)*time.Minute),
			Description: "web1_backup by the old cron script"}))
	}
	pinned := shim.AddSnapshot(ec2shim.Snapshot{VolumeID: vol, StartTime: now.Add(-20 * 24 * time.Hour), Tags: map[string]string{aws.OwnerTag: owner}})
	if _, err := shim.RegisterImage("web1-golden", pinned); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, pinned)

	dir := configDir(t, map[string]string{"main.hcl": fmt.Sprintf(`
provider "aws" {
  region     = "eu-west-1"
  endpoint   = %q
  access_key = %q
  secret_key = %q
}

resource "aws_ebs_snapshot_policy" "web1" {
  instance_id = %q
  host_name   = "web1"
  interval    = "24h"
  retain      = "7d"
  tags        = { Backup = "daily" }

  copy {
    region = "eu-central-1"
    retain = "30d"
  }
}
`, shim.URL(), awstest.AccessKeyID, awstest.SecretAccessKey, instance)})
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + dir + "/no-config", "AWS_SHARED_CREDENTIALS_FILE=" + dir + "/no-credentials"}

	r := plumbEnv(t, env, dir, "plan", "-detailed-exitcode", "-no-color")
	if r.code != exitChanges || strings.Count(r.stdout, "deleted by this apply") != 4 || !strings.Contains(r.stdout, "in use by ami-") {
		t.Fatalf("first plan:\n%s", r)
	}
	r = plumbEnv(t, env, dir, "apply", "-auto-approve", "-no-color")
	if r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	r = plumbEnv(t, env, dir, "plan", "-detailed-exitcode", "-no-color")
	if r.code != exitOK {
		t.Fatalf("the plan after one apply is not empty:\n%s", r)
	}

	var left []int
	copied := map[string]bool{}
	var today []string
	for _, s := range shim.Snapshots() {
		switch {
		case s.Region == "eu-central-1":
			if s.Tags[aws.OwnerTag] != owner || s.State != ec2shim.StatePending && s.State != ec2shim.StateCompleted {
				t.Errorf("copy %+v", s)
			}
			copied[s.Tags[aws.CopyOfTag]] = true
		case days[s.ID] > 0:
			left = append(left, days[s.ID])
		case s.Tags[aws.OwnerTag] == owner && s.ID != pinned:
			today = append(today, s.ID)
		}
	}
	slices.Sort(left)
	if !slices.Equal(left, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("the policy's snapshots left are %v days old, want 1 to 6", left)
	}
	if len(today) != 1 {
		t.Errorf("today's snapshots: %v, want one", today)
	}
	for id, d := range days {
		if copied[id] != (d <= 6) {
			t.Errorf("the %d-day-old snapshot %s copied to eu-central-1: %v", d, id, copied[id])
		}
	}
	if len(copied) != 6 {
		t.Errorf("%d snapshots copied, want the 6 kept", len(copied))
	}
	for _, id := range keep {
		if _, ok := shim.Snapshot(id); !ok {
			t.Errorf("%s, not the policy's to delete, was deleted", id)
		}
	}
}
