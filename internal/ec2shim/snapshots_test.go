package ec2shim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
)

var ctx = context.Background()

// TestSnapshotLifecycle creates a tagged snapshot with the SDK, sees it go
// from pending to completed, finds it by tag, and deletes it.
func TestSnapshotLifecycle(t *testing.T) {
	s, c, clock := start(t, Options{CompleteAfter: 10 * time.Minute})
	vol := s.AddVolume(Volume{InstanceID: "i-0123456789abcdef0", Device: "/dev/xvda", Size: 20})
	out, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{
		VolumeId:    aws.String(vol),
		Description: aws.String("web1_backup-2025-03-10 <root & data>"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{
			{Key: aws.String("plumb:policy"), Value: aws.String("web")}, {Key: aws.String("Backup"), Value: aws.String("daily")},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.State != types.SnapshotStatePending || aws.ToString(out.VolumeId) != vol || aws.ToInt32(out.VolumeSize) != 20 ||
		!aws.ToTime(out.StartTime).Equal(clock.Now()) || aws.ToString(out.OwnerId) != Account {
		t.Errorf("CreateSnapshot answered %+v", out)
	}
	id := aws.ToString(out.SnapshotId)
	if !strings.HasPrefix(id, "snap-") || len(id) != len("snap-")+17 {
		t.Errorf("snapshot ID %q is not shaped like EC2's", id)
	}
	list := func() []types.Snapshot {
		t.Helper()
		got, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{
			OwnerIds: []string{"self"}, Filters: []types.Filter{sdkFilter("tag:plumb:policy", "web")},
		})
		if err != nil {
			t.Fatal(err)
		}
		return got.Snapshots
	}
	got := list()
	if len(got) != 1 || got[0].State != types.SnapshotStatePending || aws.ToString(got[0].Progress) != "0%" {
		t.Fatalf("listed %+v, want the one pending snapshot", got)
	}
	if d := aws.ToString(got[0].Description); d != "web1_backup-2025-03-10 <root & data>" {
		t.Errorf("description came back as %q", d)
	}
	tags := map[string]string{}
	for _, tg := range got[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if diff := cmp.Diff(map[string]string{"plumb:policy": "web", "Backup": "daily"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	clock.advance(10 * time.Minute)
	if got := list(); len(got) != 1 || got[0].State != types.SnapshotStateCompleted {
		t.Fatalf("after 10 minutes listed %+v, want it completed", got)
	}
	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("after the delete listed %+v", got)
	}
	_, err = c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}})
	if code, _ := apiError(err); code != "InvalidSnapshot.NotFound" {
		t.Errorf("describing the deleted snapshot by ID: %v, want InvalidSnapshot.NotFound", err)
	}
	want := map[string]int{"CreateSnapshot": 1, "DescribeSnapshots": 4, "DeleteSnapshot": 1}
	if diff := cmp.Diff(want, s.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestCompletion(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		wait  time.Duration // clock moves before each listing
		wants []types.SnapshotState
	}{
		{"at the first listing by default", Options{}, 0,
			[]types.SnapshotState{"completed", "completed"}},
		{"after two listings", Options{CompleteAfterListings: 2}, 0,
			[]types.SnapshotState{"pending", "pending", "completed"}},
		{"after an hour on the clock", Options{CompleteAfter: time.Hour}, 30 * time.Minute,
			[]types.SnapshotState{"pending", "completed"}},
		{"whichever comes first", Options{CompleteAfter: time.Hour, CompleteAfterListings: 5}, time.Hour,
			[]types.SnapshotState{"completed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, clock := start(t, tt.opts)
			vol := s.AddVolume(Volume{})
			out, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(vol)})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.wants {
				clock.advance(tt.wait)
				got, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Snapshots) != 1 || got.Snapshots[0].State != want {
					t.Fatalf("listing %d: %+v, want one %s snapshot", i+1, got.Snapshots, want)
				}
			}
			if sn, _ := s.Snapshot(aws.ToString(out.SnapshotId)); sn.State != StateCompleted {
				t.Errorf("Snapshot helper says %s", sn.State)
			}
		})
	}
}

func TestDescribeSnapshotsPaging(t *testing.T) {
	s, c, clock := start(t, Options{})
	vols := []string{s.AddVolume(Volume{}), s.AddVolume(Volume{})}
	want := map[string]bool{}
	for i := range 2500 {
		id := s.AddSnapshot(Snapshot{VolumeID: vols[i%2], StartTime: clock.Now().Add(-time.Duration(i) * time.Hour),
			Tags: map[string]string{"plumb:policy": "p"}})
		want[id] = true
	}
	s.AddSnapshot(Snapshot{VolumeID: vols[0], Tags: map[string]string{"plumb:policy": "other"}})
	seen := map[string]bool{}
	pages := 0
	pg := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"}, MaxResults: aws.Int32(1000), Filters: []types.Filter{sdkFilter("tag:plumb:policy", "p")},
	})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, sn := range out.Snapshots {
			if seen[aws.ToString(sn.SnapshotId)] {
				t.Errorf("%s listed twice", aws.ToString(sn.SnapshotId))
			}
			seen[aws.ToString(sn.SnapshotId)] = true
		}
	}
	if pages != 3 || !cmp.Equal(want, seen) {
		t.Errorf("listed %d snapshots in %d pages, want the 2500 tagged ones in 3", len(seen), pages)
	}
	if got := s.Counts()["DescribeSnapshots"]; got != 3 {
		t.Errorf("shim counted %d DescribeSnapshots, want 3", got)
	}
	byVolume, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"}, Filters: []types.Filter{sdkFilter("volume-id", vols[1]), sdkFilter("tag-key", "plumb:*")},
	})
	if err != nil || len(byVolume.Snapshots) != 1250 {
		t.Errorf("volume filter: %d snapshots, err %v; want 1250", len(byVolume.Snapshots), err)
	}
}

func TestDescribeSnapshotsRejects(t *testing.T) {
	s, c, _ := start(t, Options{})
	vol := s.AddVolume(Volume{})
	id := s.AddSnapshot(Snapshot{VolumeID: vol})
	tests := []struct {
		name string
		in   *ec2.DescribeSnapshotsInput
		code string
	}{
		{"MaxResults too small", &ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(2)}, "InvalidParameterValue"},
		{"MaxResults too large", &ec2.DescribeSnapshotsInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue"},
		{"bad token", &ec2.DescribeSnapshotsInput{NextToken: aws.String("nonsense")}, "InvalidPaginationToken"},
		{"unknown filter", &ec2.DescribeSnapshotsInput{Filters: []types.Filter{sdkFilter("colour", "red")}}, "InvalidParameterValue"},
		{"IDs with MaxResults", &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}, MaxResults: aws.Int32(5)}, "InvalidParameterCombination"},
		{"unknown ID", &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id, "snap-00000000000000000"}}, "InvalidSnapshot.NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeSnapshots(ctx, tt.in)
			if code, msg := apiError(err); code != tt.code {
				t.Errorf("got %q (%s), want %s", code, msg, tt.code)
			}
		})
	}
}

// TestOwnerSelf shows why callers pass Owner=self: without it EC2 lists
// other accounts' public snapshots, which may carry any tags at all.
func TestOwnerSelf(t *testing.T) {
	s, c, _ := start(t, Options{})
	vol := s.AddVolume(Volume{})
	tags := map[string]string{"plumb:policy": "web"}
	mine := s.AddSnapshot(Snapshot{VolumeID: vol, Tags: tags})
	theirs := s.AddSnapshot(Snapshot{VolumeID: vol, OwnerID: "999999999999", Tags: tags, Description: "public"})
	ids := func(owners ...string) []string {
		t.Helper()
		out, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: owners, Filters: []types.Filter{sdkFilter("tag:plumb:policy", "web")}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sn := range out.Snapshots {
			got = append(got, aws.ToString(sn.SnapshotId))
		}
		return got
	}
	if got := ids(); len(got) != 2 {
		t.Errorf("without Owner: %v, want both", got)
	}
	if got := ids("self"); !cmp.Equal(got, []string{mine}) {
		t.Errorf("Owner=self: %v, want only %s", got, mine)
	}
	if got := ids(Account); !cmp.Equal(got, []string{mine}) {
		t.Errorf("Owner=%s: %v, want only %s", Account, got, mine)
	}
	_, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(theirs)})
	if code, _ := apiError(err); code != "UnauthorizedOperation" {
		t.Errorf("deleting another account's snapshot: %v", err)
	}
}

func TestDeleteSnapshotErrors(t *testing.T) {
	s, c, _ := start(t, Options{})
	vol := s.AddVolume(Volume{})
	used := s.AddSnapshot(Snapshot{VolumeID: vol})
	ami, err := s.RegisterImage("golden-web", used)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id, code, message string
	}{
		{used, "InvalidSnapshot.InUse", "The snapshot " + used + " is currently in use by " + ami},
		{"snap-0000000000000000f", "InvalidSnapshot.NotFound", "The snapshot 'snap-0000000000000000f' does not exist."},
		{"vol-1", "InvalidSnapshotID.Malformed", `Invalid id: "vol-1" (expecting "snap-...")`},
	}
	for _, tt := range tests {
		_, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(tt.id)})
		if code, msg := apiError(err); code != tt.code || msg != tt.message {
			t.Errorf("delete %s: %s %q, want %s %q", tt.id, code, msg, tt.code, tt.message)
		}
	}
	imgs, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: []types.Filter{sdkFilter("block-device-mapping.snapshot-id", used)}})
	if err != nil || len(imgs.Images) != 1 || aws.ToString(imgs.Images[0].ImageId) != ami ||
		aws.ToString(imgs.Images[0].BlockDeviceMappings[0].Ebs.SnapshotId) != used {
		t.Fatalf("DescribeImages: %+v, %v; want %s using %s", imgs, err, ami, used)
	}
	if !s.DeregisterImage(ami) {
		t.Fatal("DeregisterImage found no image")
	}
	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(used)}); err != nil {
		t.Errorf("delete after the AMI was deregistered: %v", err)
	}
}

func TestCreateSnapshotRejects(t *testing.T) {
	s, c, _ := start(t, Options{})
	vol := s.AddVolume(Volume{})
	spec := func(rt types.ResourceType, k, v string) []types.TagSpecification {
		return []types.TagSpecification{{ResourceType: rt, Tags: []types.Tag{{Key: aws.String(k), Value: aws.String(v)}}}}
	}
	tests := []struct {
		name string
		in   *ec2.CreateSnapshotInput
		code string
	}{
		{"missing volume", &ec2.CreateSnapshotInput{VolumeId: aws.String("vol-0000000000000000a")}, "InvalidVolume.NotFound"},
		{"malformed volume", &ec2.CreateSnapshotInput{VolumeId: aws.String("i-1")}, "InvalidVolumeID.Malformed"},
		{"long description", &ec2.CreateSnapshotInput{VolumeId: aws.String(vol), Description: aws.String(strings.Repeat("x", 256))}, "InvalidParameterValue"},
		{"tags for a volume", &ec2.CreateSnapshotInput{VolumeId: aws.String(vol), TagSpecifications: spec(types.ResourceTypeVolume, "a", "b")}, "InvalidParameterValue"},
		{"reserved tag", &ec2.CreateSnapshotInput{VolumeId: aws.String(vol), TagSpecifications: spec(types.ResourceTypeSnapshot, "aws:owner", "me")}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateSnapshot(ctx, tt.in)
			if code, msg := apiError(err); code != tt.code {
				t.Errorf("got %q (%s), want %s", code, msg, tt.code)
			}
		})
	}
	if n := len(s.Snapshots()); n != 0 {
		t.Errorf("%d snapshots made by refused requests", n)
	}
}

func TestCreateTags(t *testing.T) {
	s, c, _ := start(t, Options{})
	vol := s.AddVolume(Volume{})
	snap := s.AddSnapshot(Snapshot{VolumeID: vol, Tags: map[string]string{"keep": "me"}})
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{snap, vol},
		Tags: []types.Tag{{Key: aws.String("plumb:policy"), Value: aws.String("web")}}}); err != nil {
		t.Fatal(err)
	}
	sn, _ := s.Snapshot(snap)
	if diff := cmp.Diff(map[string]string{"keep": "me", "plumb:policy": "web"}, sn.Tags); diff != "" {
		t.Errorf("snapshot tags (-want +got):\n%s", diff)
	}
	out, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("tag:plumb:policy", "web")}})
	if err != nil || len(out.Volumes) != 1 {
		t.Errorf("volume not found by its new tag: %+v %v", out, err)
	}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{snap, "snap-0000000000000000b"},
		Tags: []types.Tag{{Key: aws.String("x"), Value: aws.String("y")}}})
	if code, _ := apiError(err); code != "InvalidSnapshot.NotFound" {
		t.Errorf("tagging a missing snapshot: %v", err)
	}
	if sn, _ := s.Snapshot(snap); sn.Tags["x"] != "" {
		t.Error("a refused CreateTags tagged the snapshot that exists")
	}
}

func TestDescribeVolumes(t *testing.T) {
	s, c, _ := start(t, Options{})
	root := s.AddVolume(Volume{ID: "vol-0a00000000000000a", InstanceID: "i-0aaa", Device: "/dev/xvda", Tags: map[string]string{"Name": "web1-root", "Backup": "daily"}})
	data := s.AddVolume(Volume{ID: "vol-0a00000000000000b", InstanceID: "i-0aaa", Device: "/dev/xvdf", Tags: map[string]string{"Name": "web1-data"}})
	other := s.AddVolume(Volume{ID: "vol-0b00000000000000a", InstanceID: "i-0bbb", Device: "/dev/xvda", Tags: map[string]string{"Backup": "weekly"}})
	loose := s.AddVolume(Volume{ID: "vol-0c00000000000000a"})
	tests := []struct {
		name    string
		in      ec2.DescribeVolumesInput
		want    []string
		errCode string
	}{
		{"all", ec2.DescribeVolumesInput{}, []string{root, data, other, loose}, ""},
		{"by instance", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("attachment.instance-id", "i-0aaa")}}, []string{root, data}, ""},
		{"by tag", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("tag:Backup", "daily", "weekly")}}, []string{root, other}, ""},
		{"by tag wildcard", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("tag:Name", "web1-*")}}, []string{root, data}, ""},
		{"by tag key", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("tag-key", "Name")}}, []string{root, data}, ""},
		{"filters and", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("attachment.instance-id", "i-0aaa"), sdkFilter("tag:Backup", "daily")}}, []string{root}, ""},
		{"by filter id", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("volume-id", loose, "vol-0000000000000000f")}}, []string{loose}, ""},
		{"available", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("status", "available")}}, []string{loose}, ""},
		{"tag matching nothing", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("tag:Backup", "hourly")}}, nil, ""},
		{"by ID", ec2.DescribeVolumesInput{VolumeIds: []string{data, root}}, []string{root, data}, ""},
		{"missing ID", ec2.DescribeVolumesInput{VolumeIds: []string{root, "vol-0000000000000000f"}}, nil, "InvalidVolume.NotFound"},
		{"IDs and MaxResults", ec2.DescribeVolumesInput{VolumeIds: []string{root}, MaxResults: aws.Int32(5)}, nil, "InvalidParameterCombination"},
		{"unknown filter", ec2.DescribeVolumesInput{Filters: []types.Filter{sdkFilter("attachment.colour", "red")}}, nil, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			out, err := c.DescribeVolumes(ctx, &in)
			if code, msg := apiError(err); code != tt.errCode {
				t.Fatalf("error %q (%s), want %q", code, msg, tt.errCode)
			}
			if err != nil {
				return
			}
			var got []string
			for _, v := range out.Volumes {
				got = append(got, aws.ToString(v.VolumeId))
			}
			slices.Sort(got)
			if !cmp.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	out, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{data}})
	if err != nil {
		t.Fatal(err)
	}
	v := out.Volumes[0]
	if v.State != types.VolumeStateInUse || len(v.Attachments) != 1 || aws.ToString(v.Attachments[0].InstanceId) != "i-0aaa" ||
		aws.ToString(v.Attachments[0].Device) != "/dev/xvdf" || aws.ToInt32(v.Size) != 8 || len(v.Tags) != 1 {
		t.Errorf("volume decoded as %+v", v)
	}
	if !s.DeleteVolume(data) || s.DeleteVolume(data) {
		t.Error("DeleteVolume did not report the volume existed once")
	}
	pg := ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{MaxResults: aws.Int32(5)})
	n := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Volumes)
	}
	if n != 3 {
		t.Errorf("paged through %d volumes, want 3 after the delete", n)
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"web", "web", true},
		{"web", "web1", false},
		{"web*", "web1-root", true},
		{"*root", "web1-root", true},
		{"w?b*", "wab", true},
		{"w?b*", "wb", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{`star\*`, "star*", true},
		{`star\*`, "stars", false},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := wildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func BenchmarkDescribeSnapshotsPage(b *testing.B) {
	s := Start(b, "", Options{})
	c := client(s, 1)
	vol := s.AddVolume(Volume{})
	for i := range 1000 {
		s.AddSnapshot(Snapshot{VolumeID: vol, StartTime: time.Unix(int64(i)*3600, 0), Description: fmt.Sprintf("web1_backup-%d", i),
			Tags: map[string]string{"plumb:policy": "aws_ebs_snapshot_policy.web", "Backup": "daily"}})
	}
	in := &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, MaxResults: aws.Int32(1000),
		Filters: []types.Filter{sdkFilter("tag:plumb:policy", "aws_ebs_snapshot_policy.web")}}
	for b.Loop() {
		out, err := c.DescribeSnapshots(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Snapshots) != 1000 {
			b.Fatalf("listed %d snapshots, want 1000", len(out.Snapshots))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*1000), "µs/snapshot")
}
