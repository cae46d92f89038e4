package svn

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers/providertest"
)

// history commits a few revisions of varied content: text that changes,
// a binary file, a name with spaces and non-ASCII characters, a
// property, a deletion.
func history(t *testing.T, wc *svntest.WC, round int) {
	t.Helper()
	for i := range 3 {
		wc.Write(t, "trunk/readme.txt", fmt.Appendf(nil, "round %d, step %d\n", round, i))
		wc.Write(t, fmt.Sprintf("trunk/pages/page %d-%d é.php", round, i), fmt.Appendf(nil, "<?php echo %d;\n", i))
		if i == 1 {
			wc.Write(t, fmt.Sprintf("trunk/bin/blob-%d.bin", round), []byte{0, 1, 2, 255, byte(round)})
			svntest.Run(t, wc.Dir, "svn", "propset", "--quiet", "note", fmt.Sprintf("round %d", round), "trunk/readme.txt")
		}
		if i == 2 && round > 0 {
			wc.Remove(t, fmt.Sprintf("trunk/pages/page %d-0 é.php", round-1))
		}
		wc.MustCommit(t, fmt.Sprintf("Round %d, step %d: ünïcode log", round, i))
	}
}

// TestBackupConformance runs locally and over SSH: there svnadmin dump
// runs on the server and its output is encrypted as it streams in.
func TestBackupConformance(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { backupConformance(t, tr) })
	}
}

func backupConformance(t *testing.T, tr providertest.Transport) {
	env := newS3EnvOver(t, tr)
	repo := svntest.NewRepo(t, "conformance")
	wc := repo.Checkout(t)
	history(t, wc, 0)
	id := newIdentity(t)
	cfg := func(extra map[string]cty.Value) cty.Value {
		m := map[string]cty.Value{"incremental": cty.True, "force_destroy": cty.True}
		for k, v := range extra {
			m[k] = v
		}
		return backupCfg(repo.Path, env.bucket, id, m)
	}
	var firstKey string
	providertest.Run(t, providertest.Case{
		Resource: env.backup,
		Steps: []providertest.Step{
			{Name: "first backup is full", Config: cfg(nil),
				Check: func(t providertest.TB, s cty.Value) {
					bs := stateBackups(s)
					if len(bs) != 1 || bs[0].Kind != KindFull || bs[0].Last != 3 || bs[0].DumpSHA256 == "" {
						t.Fatalf("backups %+v, want one full backup of r0-3", bs)
					}
					firstKey = bs[0].Key
					head, err := env.client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(env.bucket), Key: aws.String(firstKey)})
					if err != nil {
						t.Fatalf("%v", err)
					}
					for _, k := range []string{metaFirst, metaLast, metaSize, metaSHA256, metaTool, metaUUID} {
						if head.Metadata[k] == "" {
							t.Errorf("object metadata lacks %s: %v", k, head.Metadata)
						}
					}
					if !strings.HasPrefix(head.Metadata[metaTool], "plumb") || !strings.Contains(head.Metadata[metaTool], "svnadmin 1.") {
						t.Errorf("tool metadata %q", head.Metadata[metaTool])
					}
					history(t.(*testing.T), wc, 1)
				}},
			{Name: "new commits make an incremental backup", Config: cfg(nil),
				PlanCheck: func(t providertest.TB, refreshed, planned cty.Value) {
					if got := intAttr(refreshed, "youngest_revision"); got != 6 {
						t.Errorf("refreshed youngest_revision = %d, want 6", got)
					}
					bs := stateBackups(planned)
					if len(bs) != 2 || bs[1].Key != backupKey("conformance/", 2, KindIncremental, 4, 6) {
						t.Errorf("planned backups %+v, want an incremental r4-6 as the second", bs)
					}
				},
				Check: func(t providertest.TB, s cty.Value) {
					if k := kinds(stateBackups(s)); k != "full,incremental" {
						t.Errorf("backups are %s", k)
					}
				}},
			{Name: "settings change in place, no backup", Config: cfg(map[string]cty.Value{"interval": cty.StringVal("48h")}),
				Check: func(t providertest.TB, s cty.Value) {
					if n := len(stateBackups(s)); n != 2 {
						t.Errorf("%d backups, want still 2", n)
					}
				}},
		},
		ImportID: func(s cty.Value) string {
			return repo.Path + ",s3://" + env.bucket + "/" + s.GetAttr("prefix").AsString()
		},
		ImportIgnore: []string{"recipients", "incremental", "force_destroy", "interval"},
		Gone: func(t providertest.TB, last cty.Value) {
			if keys := env.objectKeys(t.(*testing.T), "conformance/"); len(keys) != 0 {
				t.Errorf("objects left after the delete: %v", keys)
			}
		},
	})
}

// TestBackupRestoreRoundTrip backs up with real commits (full and two
// incrementals), restores into new repositories and compares youngest,
// log messages and file contents at several revisions.
//
// Over SSH the dump streams from the server and the local copies are
// kept on the server: encrypted, like the objects in S3.
func TestBackupRestoreRoundTrip(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	for _, tr := range providertest.Transports(t, sshtest.Options{}) {
		t.Run(tr.Name, func(t *testing.T) { backupRestoreRoundTrip(t, tr) })
	}
}

func backupRestoreRoundTrip(t *testing.T, tr providertest.Transport) {
	env := newS3EnvOver(t, tr)
	repo := svntest.NewRepo(t, "round trip")
	wc := repo.Checkout(t)
	id := newIdentity(t)
	local := filepath.Join(tr.Dir, "local copies")
	config := backupCfg(repo.Path, env.bucket, id, map[string]cty.Value{"incremental": cty.True, "prefix": cty.StringVal("svn/round-trip/"),
		"local_dir": cty.StringVal(local)})
	state := cty.NullVal(env.backup.schema.ImpliedType())
	for round := range 3 {
		history(t, wc, round)
		state = applyBackup(t, env.backup, state, config)
	}
	bs := stateBackups(state)
	if k := kinds(bs); k != "full,incremental,incremental" {
		t.Fatalf("backups %s, want full,incremental,incremental", k)
	}
	files, _ := os.ReadDir(local)
	if len(files) != 3 {
		t.Errorf("local copies: %d files, want 3", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(local, f.Name()))
		if !strings.HasPrefix(string(b), "age-encryption.org/v1\n") || strings.Contains(string(b), "SVN-fs-dump-format-version") {
			t.Errorf("local copy %s is not an age file, or holds plaintext", f.Name())
		}
	}
	tests := []struct {
		name         string
		key          string
		wantYoungest int
	}{
		{"newest", "", 9},
		{"the incremental in the middle", bs[1].Key, 6},
		{"the full backup alone", bs[0].Key, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "restored repo")
			res, err := Restore(context.Background(), RestoreOptions{Client: env.client, Bucket: env.bucket, Key: tt.key, Prefix: "svn/round-trip/",
				Identities: []age.Identity{id}, Target: target})
			if err != nil {
				t.Fatal(err)
			}
			restored := &svntest.Repo{Path: target}
			if got := restored.Youngest(t); got != tt.wantYoungest || res.Youngest != tt.wantYoungest {
				t.Fatalf("restored youngest %d (result %d), want %d", got, res.Youngest, tt.wantYoungest)
			}
			if restored.UUID(t) != repo.UUID(t) {
				t.Errorf("restored UUID %s, want %s", restored.UUID(t), repo.UUID(t))
			}
			for rev := 1; rev <= tt.wantYoungest; rev++ {
				if got, want := restored.Log(t, rev), repo.Log(t, rev); got != want {
					t.Errorf("r%d log %q, want %q", rev, got, want)
				}
				if got, want := restored.Tree(t, rev), repo.Tree(t, rev); got != want {
					t.Errorf("r%d tree differs:\n%s\nwant\n%s", rev, got, want)
				}
			}
			for _, rev := range []int{2, 3, tt.wantYoungest} {
				for _, p := range []string{"trunk/readme.txt", "trunk/bin/blob-0.bin", "trunk/pages/page 0-1 é.php"} {
					if got, want := restored.Cat(t, rev, p), repo.Cat(t, rev, p); got != want {
						t.Errorf("r%d %s = %q, want %q", rev, p, got, want)
					}
				}
			}
		})
	}
	res, err := Verify(context.Background(), RestoreOptions{Client: env.client, Bucket: env.bucket, Prefix: "svn/round-trip/", Identities: []age.Identity{id}})
	if err != nil || res.Youngest != 9 || len(res.Backups) != 3 {
		t.Fatalf("Verify = %v, %v; want 3 backups up to r9", res, err)
	}
}

// TestBackupRetention deletes old backups in S3 once a new one is
// complete, by count, and backs up again when the interval passes.
func TestBackupRetention(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	env := newS3Env(t)
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	env.backup.now = func() time.Time { return clock }
	repo := svntest.NewRepo(t, "retention")
	wc := repo.Checkout(t)
	id := newIdentity(t)
	config := backupCfg(repo.Path, env.bucket, id, map[string]cty.Value{
		"remote_retention": cty.ObjectVal(map[string]cty.Value{"age": cty.NullVal(cty.String), "count": cty.NumberIntVal(2)}),
	})
	state := cty.NullVal(env.backup.schema.ImpliedType())
	steps := []struct {
		name    string
		commit  bool
		advance time.Duration
		want    []string // keys after the step
	}{
		{"first", true, 0, []string{"000001-full-r0-1"}},
		{"nothing changed", false, time.Hour, []string{"000001-full-r0-1"}},
		{"a commit", true, time.Hour, []string{"000001-full-r0-1", "000002-full-r0-2"}},
		{"a third backup deletes the first", true, time.Hour, []string{"000002-full-r0-2", "000003-full-r0-3"}},
		{"the interval passes", false, 25 * time.Hour, []string{"000003-full-r0-3", "000004-full-r0-3"}},
	}
	for i, s := range steps {
		clock = clock.Add(s.advance)
		if s.commit {
			wc.Write(t, "f.txt", fmt.Appendf(nil, "%d", i))
			wc.MustCommit(t, fmt.Sprintf("Change %d", i))
		}
		state = applyBackup(t, env.backup, state, config)
		var got []string
		for _, k := range env.objectKeys(t, "retention/") {
			got = append(got, strings.TrimSuffix(strings.TrimPrefix(k, "retention/"), ".svndump.age"))
		}
		if fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Fatalf("%s: objects %v, want %v", s.name, got, s.want)
		}
		if n := len(stateBackups(state)); n != len(s.want) {
			t.Errorf("%s: state holds %d backups, want %d", s.name, n, len(s.want))
		}
	}
}

// TestBackupMultipart backs up a dump of several parts, records its hash
// with a copy in parts (the path of objects over 5 GiB, with the limit
// lowered), and restores it.
func TestBackupMultipart(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook")
	oldLimit, oldPart := copyLimit, copyPartSize
	copyLimit, copyPartSize = 10<<20, 6<<20
	t.Cleanup(func() { copyLimit, copyPartSize = oldLimit, oldPart })
	env := newS3Env(t)
	repo := svntest.NewRepo(t, "multipart")
	repo.LoadSynthetic(t, 2, 12<<20, 3)
	id := newIdentity(t)
	state := applyBackup(t, env.backup, cty.NullVal(env.backup.schema.ImpliedType()), backupCfg(repo.Path, env.bucket, id, nil))
	counts := env.provider.RequestCounts()
	if counts["s3:UploadPart"] < 3 || counts["s3:UploadPartCopy"] < 2 || counts["s3:CompleteMultipartUpload"] != 2 {
		t.Errorf("requests %v: want a multipart upload and a multipart copy", counts)
	}
	b := stateBackups(state)[0]
	if b.DumpSize < 24<<20 || b.Size < b.DumpSize {
		t.Errorf("backup sizes: dump %d, object %d", b.DumpSize, b.Size)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(context.Background(), RestoreOptions{Client: env.client, Bucket: env.bucket, Key: b.Key, Identities: []age.Identity{id}, Target: target}); err != nil {
		t.Fatal(err)
	}
	restored := &svntest.Repo{Path: target}
	if restored.Youngest(t) != 2 || restored.Cat(t, 2, "big-2.bin") != repo.Cat(t, 2, "big-2.bin") {
		t.Errorf("the restored repository differs")
	}
}
