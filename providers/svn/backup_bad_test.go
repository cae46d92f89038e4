package svn

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/svntest"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/host"
)

func TestBackupValidateConfig(t *testing.T) {
	id := newIdentity(t)
	r := newBackupResource(&host.Slot{}, nil)
	tests := []struct {
		name  string
		extra map[string]cty.Value
		want  string
	}{
		{"private key as recipient", map[string]cty.Value{"recipients": cty.ListVal([]cty.Value{cty.StringVal(id.String())})}, "give its public key (age1…) instead"},
		{"not a key", map[string]cty.Value{"recipients": cty.ListVal([]cty.Value{cty.StringVal("ssh-ed25519 AAAA")})}, "is not an age public key"},
		{"no recipients", map[string]cty.Value{"recipients": cty.ListValEmpty(cty.String)}, "No recipients"},
		{"not a duration", map[string]cty.Value{"interval": cty.StringVal("weekly")}, `interval = "weekly" is not a duration: write whole numbers`},
		{"zero", map[string]cty.Value{"interval": cty.StringVal("0s")}, `interval = "0s": it must be more than zero`},
		{"bad retention age", map[string]cty.Value{"remote_retention": cty.ObjectVal(map[string]cty.Value{"age": cty.StringVal("a month"), "count": cty.NullVal(cty.Number)})}, `age = "a month" is not a duration`},
		{"full_every 0", map[string]cty.Value{"full_every": cty.NumberIntVal(0)}, "Invalid full_every"},
		{"local_retention alone", map[string]cty.Value{"local_retention": cty.StringVal("24h")}, "set local_dir too"},
		{"retention count 0", map[string]cty.Value{"remote_retention": cty.ObjectVal(map[string]cty.Value{"age": cty.NullVal(cty.String), "count": cty.NumberIntVal(0)})}, "Invalid remote_retention count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := r.ValidateConfig(context.Background(), r.schema.Complete(backupCfg("/srv/svn/x", "b", id, tt.extra)))
			if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.want) {
				t.Fatalf("diagnostics %v, want an error containing %q", diags, tt.want)
			}
		})
	}
	// Days and weeks are durations, as in every other attribute (issue 17).
	ok := r.ValidateConfig(context.Background(), r.schema.Complete(backupCfg("/srv/svn/x", "b", id, map[string]cty.Value{
		"interval": cty.StringVal("1d"), "remote_retention": cty.ObjectVal(map[string]cty.Value{"age": cty.StringVal("7d"), "count": cty.NullVal(cty.Number)}),
	})))
	if ok.HasErrors() {
		t.Errorf("interval = \"1d\" with remote_retention { age = \"7d\" } refused: %s", ok.Error())
	}
}

func TestBackupBadInput(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	env := newS3Env(t)
	id := newIdentity(t)
	null := cty.NullVal(env.backup.schema.ImpliedType())

	t.Run("not a repository", func(t *testing.T) {
		_, err := tryApplyBackup(t, env.backup, null, backupCfg(t.TempDir(), env.bucket, id, nil))
		if !strings.Contains(err, "is not a Subversion repository") {
			t.Fatalf("error %q, want one saying it is not a repository", err)
		}
	})

	t.Run("svnadmin fails halfway", func(t *testing.T) {
		repo := svntest.NewRepo(t, "halfway")
		wc := repo.Checkout(t)
		history(t, wc, 0)
		config := backupCfg(repo.Path, env.bucket, id, map[string]cty.Value{"prefix": cty.StringVal("halfway/")})
		good := applyBackup(t, env.backup, null, config)
		wc.Write(t, "more.txt", []byte("more"))
		wc.MustCommit(t, "One more")
		fakeSvnadmin(t, "head -c 20000000 /dev/zero; echo 'svnadmin: E000028: No space left on device' >&2; exit 1")
		state, err := tryApplyBackup(t, env.backup, good, config)
		if !strings.Contains(err, "svnadmin dump -r 0:4") || !strings.Contains(err, "No space left on device") || !strings.Contains(err, "none deleted") {
			t.Fatalf("error %q, want svnadmin's message and that nothing was recorded", err)
		}
		if got := stateBackups(state); len(got) != 1 || got[0].Key != stateBackups(good)[0].Key {
			t.Errorf("state after the failure holds %+v, want the one good backup", got)
		}
		if keys := env.objectKeys(t, "halfway/"); len(keys) != 1 {
			t.Errorf("objects %v, want only the good backup", keys)
		}
		if ups := env.uploadsInProgress(t); len(ups) != 0 {
			t.Errorf("multipart uploads left in progress: %v", ups)
		}
		if counts := env.provider.RequestCounts(); counts["s3:UploadPart"] < 2 || counts["s3:AbortMultipartUpload"] != 1 {
			t.Errorf("requests %v: want parts uploaded, then the upload aborted", counts)
		}
	})

	t.Run("svnadmin missing", func(t *testing.T) {
		repo := svntest.NewRepo(t, "no svnadmin")
		svnlook, _ := exec.LookPath("svnlook")
		dir := t.TempDir()
		os.Symlink(svnlook, filepath.Join(dir, "svnlook"))
		t.Setenv("PATH", dir)
		_, err := tryApplyBackup(t, env.backup, null, backupCfg(repo.Path, env.bucket, id, map[string]cty.Value{"prefix": cty.StringVal("missing/")}))
		if !strings.Contains(err, "svnadmin is not installed") {
			t.Fatalf("error %q, want one saying svnadmin is not installed", err)
		}
	})

	t.Run("S3 unreachable", func(t *testing.T) {
		repo := svntest.NewRepo(t, "unreachable")
		p := configuredProvider(t, "http://127.0.0.1:1")
		r := p.resources["svn_offsite_backup"].(*backupResource)
		_, err := tryApplyBackup(t, r, null, backupCfg(repo.Path, env.bucket, id, nil))
		if !strings.Contains(err, "Backup failed") || !strings.Contains(err, "connection refused") {
			t.Fatalf("error %q, want a failed backup that names the connection problem", err)
		}
		prior := backupDefaults(r.schema.Complete(backupCfg(repo.Path, env.bucket, id, nil)))
		read := r.Read(context.Background(), providers.ReadRequest{Prior: cty.ObjectVal(withComputedNull(prior))})
		if !read.Diagnostics.HasErrors() || !strings.Contains(read.Diagnostics.Error(), "S3 is reachable") {
			t.Errorf("Read diagnostics %v, want an error about reaching S3", read.Diagnostics)
		}
	})

	t.Run("delete refused without force_destroy", func(t *testing.T) {
		repo := svntest.NewRepo(t, "keep")
		state := applyBackup(t, env.backup, null, backupCfg(repo.Path, env.bucket, id, map[string]cty.Value{"prefix": cty.StringVal("keep/")}))
		_, err := tryApplyBackup(t, env.backup, state, null)
		if !strings.Contains(err, "Refusing to delete offsite backups") || !strings.Contains(err, "force_destroy") {
			t.Fatalf("error %q, want a refusal", err)
		}
		if keys := env.objectKeys(t, "keep/"); len(keys) != 1 {
			t.Errorf("objects %v, want the backup kept", keys)
		}
	})
}

// fakeSvnadmin puts an svnadmin first on PATH that runs script for dump
// and the real svnadmin otherwise.
func fakeSvnadmin(t *testing.T, script string) {
	t.Helper()
	real, err := exec.LookPath("svnadmin")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	body := "#!/bin/sh\nif [ \"$1\" = dump ]; then\n" + script + "\nfi\nexec " + shellQuoteAlways(real) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "svnadmin"), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
}

func TestRestoreBadInput(t *testing.T) {
	svntest.Require(t, "svnadmin", "svnlook", "svn")
	env := newS3Env(t)
	id := newIdentity(t)
	repo := svntest.NewRepo(t, "restore bad")
	history(t, repo.Checkout(t), 0)
	state := applyBackup(t, env.backup, cty.NullVal(env.backup.schema.ImpliedType()), backupCfg(repo.Path, env.bucket, id, nil))
	key := stateBackups(state)[0].Key
	ctx := context.Background()
	original := getObject(t, env, key)

	// other is a valid age file of another dump, to the same recipient.
	var other bytes.Buffer
	w, _ := age.Encrypt(&other, id.Recipient())
	io.WriteString(w, "SVN-fs-dump-format-version: 2\n\n")
	w.Close()
	corrupt := append([]byte(nil), original.body...)
	corrupt[len(corrupt)/2] ^= 0xff

	existing := t.TempDir()
	tests := []struct {
		name   string
		body   []byte // replaces the object, metadata kept; nil leaves it
		ids    []age.Identity
		key    string
		target string
		want   string
	}{
		{"wrong identity", nil, []age.Identity{newIdentity(t)}, key, "", "encrypted to other recipients"},
		{"corrupted object", corrupt, []age.Identity{id}, key, "", "is corrupted: it does not decrypt"},
		{"hash mismatch", other.Bytes(), []age.Identity{id}, key, "", "does not match its recorded hash"},
		{"no such backup", nil, []age.Identity{id}, "restore bad/000009-full-r0-1.svndump.age", "", "is not a complete backup"},
		{"not a backup key", nil, []age.Identity{id}, "restore bad/notes.txt", "", "is not the key of a plumb backup"},
		{"target exists", nil, []age.Identity{id}, key, existing, "exists already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.body != nil {
				putObject(t, env, key, tt.body, original.meta)
				defer putObject(t, env, key, original.body, original.meta)
			}
			target := tt.target
			if target == "" {
				target = filepath.Join(t.TempDir(), "restored")
			}
			_, err := Restore(ctx, RestoreOptions{Client: env.client, Bucket: env.bucket, Key: tt.key, Identities: tt.ids, Target: target})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.target == "" {
				if _, err := os.Stat(target); !os.IsNotExist(err) {
					t.Errorf("%s exists after a failed restore", target)
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(target), ".plumb-restore-*"))
			if len(leftovers) != 0 {
				t.Errorf("temporary repositories left: %v", leftovers)
			}
		})
	}
}

type object struct {
	body []byte
	meta map[string]string
}

func getObject(t *testing.T, env *s3Env, key string) object {
	t.Helper()
	out, err := env.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(env.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return object{body: b, meta: out.Metadata}
}

func putObject(t *testing.T, env *s3Env, key string, body []byte, meta map[string]string) {
	t.Helper()
	if _, err := env.client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(env.bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), Metadata: meta}); err != nil {
		t.Fatal(err)
	}
}
