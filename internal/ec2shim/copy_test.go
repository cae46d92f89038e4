package ec2shim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// regionClient is an SDK client of the shim signed for region.
func regionClient(s *Shim, region string) *ec2.Client {
	return ec2.New(client(s, 1).Options(), func(o *ec2.Options) { o.Region = region })
}

// TestRegionsAreApart checks that a request sees only the volumes,
// snapshots and AMIs of the region it is signed for.
func TestRegionsAreApart(t *testing.T) {
	s, home, _ := start(t, Options{})
	far := regionClient(s, "eu-central-1")
	vol := s.AddVolume(Volume{InstanceID: "i-1", Device: "/dev/xvda"})
	snap := s.AddSnapshot(Snapshot{VolumeID: vol})
	if _, err := s.RegisterImage("golden", snap); err != nil {
		t.Fatal(err)
	}
	away := s.AddSnapshot(Snapshot{VolumeID: "vol-0elsewhere", Region: "eu-central-1"})
	count := func(c *ec2.Client) (vols, snaps, images int) {
		t.Helper()
		v, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
		if err != nil {
			t.Fatal(err)
		}
		sn, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
		if err != nil {
			t.Fatal(err)
		}
		im, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
		if err != nil {
			t.Fatal(err)
		}
		return len(v.Volumes), len(sn.Snapshots), len(im.Images)
	}
	if v, sn, im := count(home); v != 1 || sn != 1 || im != 1 {
		t.Errorf("home region sees %d volumes, %d snapshots, %d AMIs; want 1, 1, 1", v, sn, im)
	}
	if v, sn, im := count(far); v != 0 || sn != 1 || im != 0 {
		t.Errorf("eu-central-1 sees %d volumes, %d snapshots, %d AMIs; want 0, 1, 0", v, sn, im)
	}
	_, err := far.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(vol)})
	if code, _ := apiError(err); code != "InvalidVolume.NotFound" {
		t.Errorf("snapshotting a volume of another region: %v, want InvalidVolume.NotFound", err)
	}
	_, err = home.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(away)})
	if code, _ := apiError(err); code != "InvalidSnapshot.NotFound" {
		t.Errorf("deleting a snapshot of another region: %v, want InvalidSnapshot.NotFound", err)
	}
}

// TestCopySnapshot copies a completed snapshot to another region and
// follows the copy from pending to completed, with its tags, description,
// encryption and the arbitrary volume ID EC2 gives copies.
func TestCopySnapshot(t *testing.T) {
	s, home, clock := start(t, Options{CompleteAfter: 30 * time.Minute})
	far := regionClient(s, "eu-central-1")
	vol := s.AddVolume(Volume{Size: 40})
	src := s.AddSnapshot(Snapshot{VolumeID: vol, Description: "web1_backup-2025-03-10", StartTime: clock.Now().Add(-time.Hour)})
	out, err := far.CopySnapshot(ctx, &ec2.CopySnapshotInput{
		SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(src), Description: aws.String("web1_backup-2025-03-10"),
		Encrypted: aws.Bool(true), KmsKeyId: aws.String("alias/backups"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{
			{Key: aws.String("plumb:policy"), Value: aws.String("web")},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.SnapshotId)
	if id == src || !strings.HasPrefix(id, "snap-") || len(out.Tags) != 1 {
		t.Fatalf("CopySnapshot answered %q with tags %v", id, out.Tags)
	}
	list := func(c *ec2.Client) []types.Snapshot {
		t.Helper()
		got, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}, Filters: []types.Filter{sdkFilter("tag:plumb:policy", "web")}})
		if err != nil {
			t.Fatal(err)
		}
		return got.Snapshots
	}
	got := list(far)
	if len(got) != 1 || aws.ToString(got[0].SnapshotId) != id || got[0].State != types.SnapshotStatePending {
		t.Fatalf("eu-central-1 lists %+v, want the pending copy", got)
	}
	c := got[0]
	if aws.ToString(c.VolumeId) != copyVolumeID || !aws.ToBool(c.Encrypted) || aws.ToString(c.KmsKeyId) != "alias/backups" ||
		aws.ToString(c.Description) != "web1_backup-2025-03-10" || aws.ToInt32(c.VolumeSize) != 40 || !aws.ToTime(c.StartTime).Equal(clock.Now()) {
		t.Errorf("the copy is %+v", c)
	}
	if len(list(home)) != 0 {
		t.Error("the copy is listed in the source region")
	}
	clock.advance(30 * time.Minute)
	if got := list(far); len(got) != 1 || got[0].State != types.SnapshotStateCompleted {
		t.Errorf("after 30 minutes the copy is %+v, want completed", got)
	}
	if sn, _ := s.Snapshot(id); sn.SourceSnapshotID != src || sn.SourceRegion != Region || sn.Region != "eu-central-1" {
		t.Errorf("the shim keeps the copy as %+v", sn)
	}
	if got := s.Counts()["CopySnapshot"]; got != 1 {
		t.Errorf("CopySnapshot counted %d times", got)
	}
}

func TestCopySnapshotRejects(t *testing.T) {
	s, _, _ := start(t, Options{CompleteAfter: time.Hour})
	far := regionClient(s, "eu-central-1")
	vol := s.AddVolume(Volume{})
	done := s.AddSnapshot(Snapshot{VolumeID: vol})
	pending := s.AddSnapshot(Snapshot{VolumeID: vol, State: StatePending, Description: "pending"})
	foreign := s.AddSnapshot(Snapshot{VolumeID: vol, OwnerID: "999999999999", Description: "theirs"})
	tests := []struct {
		name string
		in   ec2.CopySnapshotInput
		code string
	}{
		{"unknown source", ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String("snap-0000000000000000a")}, "InvalidSnapshot.NotFound"},
		{"source in another region", ec2.CopySnapshotInput{SourceRegion: aws.String("us-west-2"), SourceSnapshotId: aws.String(done)}, "InvalidSnapshot.NotFound"},
		{"pending source", ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(pending)}, "IncorrectState"},
		{"another account's", ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(foreign)}, "UnauthorizedOperation"},
		{"key without encryption", ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(done), KmsKeyId: aws.String("alias/k")}, "InvalidParameterDependency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := far.CopySnapshot(ctx, &tt.in)
			if code, msg := apiError(err); code != tt.code {
				t.Errorf("got %s (%s), want %s", code, msg, tt.code)
			}
		})
	}
	for i := range maxCopiesInFlight {
		if _, err := far.CopySnapshot(ctx, &ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(done), Description: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatalf("copy %d: %v", i+1, err)
		}
	}
	_, err := far.CopySnapshot(ctx, &ec2.CopySnapshotInput{SourceRegion: aws.String(Region), SourceSnapshotId: aws.String(done)})
	if code, _ := apiError(err); code != "ResourceLimitExceeded" {
		t.Errorf("copy %d while %d are in flight: %v, want ResourceLimitExceeded", maxCopiesInFlight+1, maxCopiesInFlight, err)
	}
}
