package s3

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/plumbhq/plumb/reconcile/state"
)

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // part of the error; "" for none
	}{
		{"complete", Config{Bucket: "b", Key: "plumb.state"}, ""},
		{"no bucket", Config{Key: "plumb.state"}, "bucket is required"},
		{"no key", Config{Bucket: "b"}, "key is required"},
		{"folder key", Config{Bucket: "b", Key: "env/"}, `name the state object, such as "env/plumb.state"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWithClient(newClient(kumoURL), tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestNewStandardChain builds backends through the SDK's standard chain:
// the endpoint from the block, or from AWS_ENDPOINT_URL, both path-style.
func TestNewStandardChain(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", dir+"/no-config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/no-credentials")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	bucket := newBucket(t)
	tests := []struct {
		name string
		cfg  Config
		env  string // AWS_ENDPOINT_URL
	}{
		{"endpoint in block", Config{Bucket: bucket, Key: "a.state", Endpoint: kumoURL, Region: "eu-west-1"}, ""},
		{"endpoint from env", Config{Bucket: bucket, Key: "b.state", Dir: dir}, kumoURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL", tt.env)
			b, err := New(context.Background(), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			st, err := b.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			st.Resources["plumb_data.x"] = testInstance(t, "plumb_data.x", 1)
			if err := b.Write(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			if !objectExists(t, bucket, tt.cfg.Key) {
				t.Fatalf("%s was not written to kumo", tt.cfg.Key)
			}
		})
	}
	t.Run("no region", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL", "")
		_, err := New(context.Background(), Config{Bucket: bucket, Key: "c.state"})
		if err == nil || !strings.Contains(err.Error(), "no region") {
			t.Fatalf("error %v, want one saying there is no region", err)
		}
	})
}

func TestReadWriteRoundTrip(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	b := newBackend(t, "", bucket, t.TempDir())
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Serial != 0 || len(st.Resources) != 0 || st.Lineage == "" {
		t.Fatalf("missing state read as serial %d, %d resources, lineage %q; want a new empty state", st.Serial, len(st.Resources), st.Lineage)
	}
	for i := range 3 {
		inst := testInstance(t, "plumb_data.r["+string(rune('0'+i))+"]", i)
		st.Resources[inst.Addr] = inst
		if err := b.Write(ctx, st); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
		if st.Serial != uint64(i+1) {
			t.Fatalf("after write %d serial is %d", i+1, st.Serial)
		}
	}
	other := newBackend(t, "", bucket, t.TempDir())
	got, err := other.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, got); diff != "" {
		t.Fatalf("state read back differs (-written +read):\n%s", diff)
	}
}

func TestWriteNeedsRead(t *testing.T) {
	b := newBackend(t, "", newBucket(t), t.TempDir())
	err := b.Write(context.Background(), state.New())
	if err == nil || !strings.Contains(err.Error(), "must be read") {
		t.Fatalf("Write before Read: %v, want a refusal", err)
	}
}

// TestWriteConflict has two runs read the same state and both write: the
// second fails, keeps its state in the errored file, and leaves the
// first's state alone.
func TestWriteConflict(t *testing.T) {
	for _, existing := range []bool{false, true} {
		name := "no state yet"
		if existing {
			name = "existing state"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			bucket := newBucket(t)
			if existing {
				b := newBackend(t, "", bucket, t.TempDir())
				st, _ := b.Read(ctx)
				if err := b.Write(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			dir1, dir2 := t.TempDir(), t.TempDir()
			b1, b2 := newBackend(t, "", bucket, dir1), newBackend(t, "", bucket, dir2)
			st1, err := b1.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st2, err := b2.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st1.Resources["plumb_data.first"] = testInstance(t, "plumb_data.first", 1)
			st2.Resources["plumb_data.second"] = testInstance(t, "plumb_data.second", 2)
			if err := b1.Write(ctx, st1); err != nil {
				t.Fatalf("first write: %v", err)
			}
			err = b2.Write(ctx, st2)
			var se *SaveError
			if !errors.Is(err, ErrConflict) || !errors.As(err, &se) {
				t.Fatalf("second write: %v, want a *SaveError wrapping ErrConflict", err)
			}
			if se.Path != erroredPath(dir2) || !strings.Contains(err.Error(), "plumb state push "+se.Path) {
				t.Fatalf("error %q should name %s and say to push it", err, erroredPath(dir2))
			}
			fi, err := os.Stat(se.Path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", se.Path, fi.Mode().Perm())
			}
			checkAddrs(t, readStateFile(t, se.Path), []string{"plumb_data.second"})
			checkAddrs(t, storedState(t, bucket), []string{"plumb_data.first"})

			// A second failure does not replace the first errored file.
			err = b2.Write(ctx, st2)
			if !errors.As(err, &se) || se.Path == erroredPath(dir2) || !fileExists(t, se.Path) {
				t.Fatalf("second failed write saved to %q (%v); want a new file beside %s", se.Path, err, ErroredFile)
			}
		})
	}
}

// TestWriteEndpointGone writes through an endpoint that has disappeared:
// the state lands in the errored file, and pushing it restores it.
func TestWriteEndpointGone(t *testing.T) {
	ctx := context.Background()
	bucket := newBucket(t)
	dir := t.TempDir()
	p := proxy(t)
	b := newBackend(t, p.URL, bucket, dir)
	st, err := b.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Resources["plumb_data.a"] = testInstance(t, "plumb_data.a", 1)
	p.Close()
	err = b.Write(ctx, st)
	var se *SaveError
	if !errors.As(err, &se) || se.Path != erroredPath(dir) || errors.Is(err, ErrConflict) {
		t.Fatalf("write with the endpoint gone: %v, want a *SaveError naming %s", err, erroredPath(dir))
	}
	if objectExists(t, bucket, "env/plumb.state") {
		t.Fatal("the state object exists although the write could not reach S3")
	}
	saved := readStateFile(t, se.Path)
	if err := PushState(ctx, newBackend(t, "", bucket, dir), saved, false); err != nil {
		t.Fatalf("push %s: %v", se.Path, err)
	}
	checkAddrs(t, storedState(t, bucket), []string{"plumb_data.a"})
}

func TestReadCorrupt(t *testing.T) {
	tests := []struct {
		name      string
		versioned bool
		want      []string
	}{
		{"unversioned bucket", false, []string{"line 2, column 3", "does not keep versions", "plumb state push -force"}},
		{"versioned bucket", true, []string{"line 2, column 3", "keeps versions", "--version-id "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			bucket := newBucket(t)
			c := newClient(kumoURL)
			if tt.versioned {
				if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
					t.Fatal(err)
				}
			}
			b := newBackend(t, "", bucket, t.TempDir())
			if v, err := b.Versioning(ctx); err != nil || v != tt.versioned {
				t.Fatalf("Versioning = %v, %v; want %v", v, err, tt.versioned)
			}
			st, _ := b.Read(ctx)
			if err := b.Write(ctx, st); err != nil {
				t.Fatal(err)
			}
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("env/plumb.state"),
				Body: strings.NewReader("{\n  ]\n")})
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.Read(ctx)
			if !errors.Is(err, state.ErrCorrupt) {
				t.Fatalf("Read of a corrupt object: %v, want ErrCorrupt", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.versioned && strings.Contains(err.Error(), aws.ToString(out.VersionId)) {
				t.Errorf("error %q points at the corrupt version %s, not the one before", err, aws.ToString(out.VersionId))
			}
			// A forced push replaces the corrupt object.
			if err := PushState(ctx, b, state.New(), true); err != nil {
				t.Fatalf("forced push over a corrupt state: %v", err)
			}
			if _, err := b.Read(ctx); err != nil {
				t.Fatalf("Read after the forced push: %v", err)
			}
		})
	}
}

func TestReadMissingBucket(t *testing.T) {
	b := newBackend(t, "", "plumb-no-such-bucket", t.TempDir())
	_, err := b.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), `bucket "plumb-no-such-bucket" does not exist`) {
		t.Fatalf("Read from a missing bucket: %v, want an error naming the bucket", err)
	}
}
