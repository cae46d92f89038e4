// Package ebsretention_test runs this example's configuration through
// plumb's engine for nine days, against the EC2 shim in front of kumo with
// a clock that moves a day at a time, and keeps what `plumb apply` printed
// each day in week.txt. Run with -update to write the file again.
package ebsretention_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/internal/awstest"
	"github.com/plumbhq/plumb/internal/ec2shim"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/aws"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

var update = flag.Bool("update", false, "write week.txt from this run")

const (
	instance = "i-0a1b2c3d4e5f60718"
	addr     = "aws_ebs_snapshot_policy.web1"
)

// clock is the provider's and the shim's clock, moved by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestWeek applies main.hcl once a day for nine days, cron starting a few
// minutes late or early each time, and checks each day that the policy
// keeps exactly the last seven snapshots of each volume and never touches
// the cron script's own.
func TestWeek(t *testing.T) {
	start := time.Date(2025, 3, 3, 3, 0, 0, 0, time.UTC) // a Monday, 03:00 UTC
	c := &clock{now: start}
	e := awstest.StartKumo(t)
	shim := ec2shim.Start(t, e.URL(), ec2shim.Options{Now: c.Now, CompleteAfter: 25 * time.Minute, Region: "eu-west-1"})
	shim.AddVolume(ec2shim.Volume{ID: "vol-0a1b2c3d4e5f60001", InstanceID: instance, Device: "/dev/xvda", Size: 8})
	shim.AddVolume(ec2shim.Volume{ID: "vol-0a1b2c3d4e5f60002", InstanceID: instance, Device: "/dev/xvdf", Size: 100})
	legacy := shim.AddSnapshot(ec2shim.Snapshot{VolumeID: "vol-0a1b2c3d4e5f60002", StartTime: start.Add(-24 * time.Hour),
		Description: "web1_backup-2025-03-02"}) // the cron script's last one
	for k, v := range e.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL", shim.URL())
	reg := providers.NewRegistry()
	reg.Register(aws.Name, func() providers.Provider { return aws.NewWithClock(c) })
	backend := state.NewLocal(filepath.Join(t.TempDir(), "plumb.state"))

	var out bytes.Buffer
	late := []time.Duration{0, 4, -2, 7, 1, -3, 5, 2, -1} // minutes after 03:00
	made := map[string]int{}
	for day := range late {
		c.set(start.Add(time.Duration(day)*24*time.Hour + late[day]*time.Minute))
		fmt.Fprintf(&out, "==> Day %d, %s: cron runs plumb apply -auto-approve\n\n", day, c.Now().Format("Monday 2006-01-02 15:04 MST"))
		counts := applyOnce(t, &out, reg, backend)
		fmt.Fprintf(&out, "\nAPI requests:\n  ec2: %s\n\n", counts)
		var kept []string
		for _, s := range shim.Snapshots() {
			if s.Tags[aws.OwnerTag] != addr || s.Region != "eu-west-1" {
				continue
			}
			if _, ok := made[s.ID]; !ok {
				made[s.ID] = day
			}
			kept = append(kept, fmt.Sprintf("%s (day %d)", s.ID, made[s.ID]))
			if day-made[s.ID] >= 7 {
				t.Errorf("day %d: %s from day %d is still there", day, s.ID, made[s.ID])
			}
		}
		if want := 2 * min(day+1, 7); len(kept) != want {
			t.Errorf("day %d: %d snapshots kept, want %d: %v", day, len(kept), want, kept)
		}
		if _, ok := shim.Snapshot(legacy); !ok {
			t.Fatalf("day %d: the cron script's snapshot %s was deleted", day, legacy)
		}
		checkCopies(t, shim, day, made)
	}
	golden := "week.txt"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		t.Errorf("the week's output differs from %s (run with -update if the change is intended):\n%s", golden, out.String())
	}
}

// checkCopies checks that on day each snapshot of an earlier day (they
// complete within 25 minutes) has one copy in eu-central-1, tagged with
// its source, volume and start time, and that nothing else is there:
// copies are kept 30 days, longer than this test runs.
func checkCopies(t *testing.T, shim *ec2shim.Shim, day int, made map[string]int) {
	t.Helper()
	sources := map[string]ec2shim.Snapshot{}
	for _, s := range shim.Snapshots() {
		if s.Region == "eu-west-1" && s.Tags[aws.OwnerTag] == addr {
			sources[s.ID] = s
		}
	}
	copied := map[string]bool{}
	for _, c := range shim.Snapshots() {
		if c.Region != "eu-central-1" {
			continue
		}
		src := c.Tags[aws.CopyOfTag]
		d, ok := made[src]
		switch {
		case c.Tags[aws.OwnerTag] != addr || !ok || d >= day:
			t.Errorf("day %d: unexpected copy %s of %q (made day %d) with tags %v", day, c.ID, src, d, c.Tags)
		case copied[src]:
			t.Errorf("day %d: %s copied twice", day, src)
		case c.Tags["Backup"] != "daily" || !strings.HasPrefix(c.Tags["Name"], "web1-/dev/xvd"):
			t.Errorf("day %d: copy %s lacks its source's tags: %v", day, c.ID, c.Tags)
		}
		if s, ok := sources[src]; ok && (c.Tags[aws.VolumeTag] != s.VolumeID || c.Tags[aws.TakenTag] != s.StartTime.UTC().Format(time.RFC3339)) {
			t.Errorf("day %d: copy %s of %s is tagged %v", day, c.ID, src, c.Tags)
		}
		copied[src] = true
	}
	if want := 2 * day; len(copied) != want {
		t.Errorf("day %d: %d snapshots copied to eu-central-1, want %d", day, len(copied), want)
	}
}

// applyOnce loads the configuration, plans, renders the plan as plumb
// apply does, applies it, and returns the API requests it made.
func applyOnce(t *testing.T, out *bytes.Buffer, reg *providers.Registry, backend state.Backend) string {
	t.Helper()
	ctx := context.Background()
	eng, diags := reconcile.Load(reconcile.Options{Dir: ".", Registry: reg})
	mustNot(t, diags)
	defer eng.Close()
	st, err := backend.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, diags := eng.Plan(ctx, st)
	mustNot(t, diags)
	if err := plan.RenderText(out, p, plan.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		fmt.Fprintf(out, "\nWarning: %s\n  %s\n", d.Summary, d.Detail)
	}
	if p.HasChanges() {
		_, diags = eng.Apply(ctx, st, p, backend)
		mustNot(t, diags)
		fmt.Fprintf(out, "\nApply complete! %s\n", strings.TrimPrefix(plan.SummaryLine(p.Count()), "Plan: "))
	}
	var ops []string
	for k, n := range eng.RequestCounts() {
		ops = append(ops, fmt.Sprintf("%s %d", strings.TrimPrefix(k, "ec2:"), n))
	}
	sort.Strings(ops)
	return strings.Join(ops, ", ")
}

func mustNot(t *testing.T, diags hcl.Diagnostics) {
	t.Helper()
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
}
