package s3

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/plumbhq/plumb/reconcile/state"
)

// Config is the backend "s3" block. Bucket and Key are required; Region,
// Endpoint and Profile override the SDK's standard chain (AWS_REGION,
// AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, the shared config
// files, instance roles).
type Config struct {
	// Bucket holds the state; it must exist.
	Bucket string
	// Key is the state object's key, such as "estate/plumb.state".
	Key string
	// Region is the bucket's region.
	Region string
	// Endpoint is the URL of an S3-compatible store; it is addressed
	// path-style (http://host/bucket/key).
	Endpoint string
	// Profile is the shared config profile to take credentials from.
	Profile string
	// Dir is where errored.plumb.state and the recorder's journal
	// (.plumb/s3-journal/) are written; the current directory when empty.
	Dir string
}

// Backend keeps the state in S3. It is safe for concurrent use, but one
// Backend serves one run: it remembers the lock it took and the ETag of
// the state it read.
type Backend struct {
	client *s3.Client
	bucket string
	key    string
	dir    string

	// flushEvery is how often a Recorder writes the state to S3 while
	// changes are waiting; writeTimeout bounds a state write that ignores
	// its caller's cancellation.
	flushEvery   time.Duration
	writeTimeout time.Duration

	mu        sync.Mutex
	read      bool   // Read has run: etag and writeID are known
	etag      string // ETag of the state object read or written; "" if none
	writeID   string // write ID in that object's metadata; "" if none
	lock      *heldLock
	recording bool // a Recorder is open; Read and Write must wait for it
}

var _ state.Backend = (*Backend)(nil)

// Defaults for a Backend's timing.
const (
	defaultFlushEvery   = 5 * time.Second
	defaultWriteTimeout = 2 * time.Minute
)

// ErroredFile is the name of the file a state that could not be saved to
// S3 is written to, in the working directory.
const ErroredFile = "errored.plumb.state"

// writeIDMeta is the user metadata key holding a state object's write ID.
const writeIDMeta = "plumb-write-id"

// New returns the backend for cfg, with an S3 client built from the SDK's
// standard chain. An endpoint, from cfg or from AWS_ENDPOINT_URL(_S3), is
// addressed path-style, as S3-compatible stores expect. It makes no
// request: a missing bucket or bad credentials show at the first Lock or
// Read.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("backend \"s3\": load AWS configuration: %w", err)
	}
	custom := cfg.Endpoint != "" || awsCfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	if awsCfg.Region == "" {
		if !custom {
			return nil, errors.New(`backend "s3": no region: set region in the backend block, or AWS_REGION`)
		}
		awsCfg.Region = "us-east-1" // any region does for an S3-compatible store
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = o.UsePathStyle || custom
		// S3-compatible stores may send no checksums; the SDK would log
		// that to standard error on every read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return NewWithClient(client, cfg)
}

// NewWithClient returns the backend for cfg using client as it is; cfg's
// Region, Endpoint and Profile are ignored.
func NewWithClient(client *s3.Client, cfg Config) (*Backend, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Backend{
		client:       client,
		bucket:       cfg.Bucket,
		key:          cfg.Key,
		dir:          cfg.Dir,
		flushEvery:   defaultFlushEvery,
		writeTimeout: defaultWriteTimeout,
	}, nil
}

func (c Config) check() error {
	switch {
	case c.Bucket == "":
		return errors.New(`backend "s3": bucket is required`)
	case c.Key == "":
		return errors.New(`backend "s3": key is required`)
	case strings.HasSuffix(c.Key, "/"):
		return fmt.Errorf(`backend "s3": key %q names a folder; name the state object, such as %q`, c.Key, c.Key+"plumb.state")
	}
	return nil
}

// URL names the state object, as s3://bucket/key.
func (b *Backend) URL() string { return "s3://" + b.bucket + "/" + b.key }

func (b *Backend) lockKey() string { return b.key + ".lock" }

func (b *Backend) lockURL() string { return b.URL() + ".lock" }

// path returns name inside the backend's directory.
func (b *Backend) path(name string) string {
	if b.dir == "" {
		return name
	}
	return filepath.Join(b.dir, name)
}

// startRecording marks a Recorder open; it fails if one is already open.
func (b *Backend) startRecording() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.recording {
		return fmt.Errorf("record %s: a recorder is already open", b.URL())
	}
	if !b.read {
		return fmt.Errorf("record %s: %w", b.URL(), errNotRead)
	}
	b.recording = true
	return nil
}

func (b *Backend) endRecording() {
	b.mu.Lock()
	b.recording = false
	b.mu.Unlock()
}

// errNotRead refuses a write whose base is unknown.
var errNotRead = errors.New("the state must be read (Read) before it is written, so the write can check that nobody changed it in between")

// base returns the ETag and write ID the next write must replace.
func (b *Backend) base() (etag, writeID string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.recording {
		return "", "", errors.New("a recorder is open; record changes through it and close it instead")
	}
	if !b.read {
		return "", "", errNotRead
	}
	return b.etag, b.writeID, nil
}

// setBase remembers the state object just read or written.
func (b *Backend) setBase(etag, writeID string) {
	b.mu.Lock()
	b.read, b.etag, b.writeID = true, etag, writeID
	b.mu.Unlock()
}
