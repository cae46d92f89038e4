package svn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Upload sizes. Parts are 8 MiB, and 32 MiB from part 8,001 on, so an
// object may reach 128 GiB within S3's 10,000 parts; at most
// uploadBudget bytes of parts are held at once (the one being filled
// included), which bounds memory whatever the dump's size.
const (
	smallPartSize = 8 << 20
	largePartSize = 32 << 20
	largeFromPart = 8001
	maxParts      = 10000
	uploadBudget  = 32 << 20
)

// copyLimit is the largest object CopyObject copies; larger ones are
// copied in parts. A variable so tests can lower it.
var copyLimit int64 = 5 << 30

// copyPartSize is the size of the parts of such a copy.
var copyPartSize int64 = 1 << 30

// uploader streams bytes into one S3 object: one PutObject when they fit
// in a part, else a multipart upload whose parts go out from goroutines
// while the next part fills. Nothing is written to disk.
type uploader struct {
	ctx         context.Context
	c           *s3.Client
	bucket, key string
	meta        map[string]string // metadata while uploading

	buf      []byte // the part being filled
	free     [][]byte
	held     int // bytes of buffers that exist (free, filling or in flight)
	partNo   int
	uploadID string
	total    int64

	mu     sync.Mutex
	cond   *sync.Cond
	parts  []types.CompletedPart
	err    error
	flying sync.WaitGroup
}

func newUploader(ctx context.Context, c *s3.Client, bucket, key string, meta map[string]string) *uploader {
	u := &uploader{ctx: ctx, c: c, bucket: bucket, key: key, meta: meta}
	u.cond = sync.NewCond(&u.mu)
	return u
}

func partSizeFor(n int) int {
	if n >= largeFromPart {
		return largePartSize
	}
	return smallPartSize
}

// Write adds p to the object, sending full parts as it goes.
func (u *uploader) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if u.buf == nil {
			if err := u.nextBuffer(); err != nil {
				return written, err
			}
		}
		n := copy(u.buf[len(u.buf):cap(u.buf)], p)
		u.buf = u.buf[:len(u.buf)+n]
		p, written = p[n:], written+n
		if len(u.buf) == cap(u.buf) {
			if err := u.sendPart(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// nextBuffer waits until the budget allows another part buffer and takes
// one, reusing a free buffer of the right size.
func (u *uploader) nextBuffer() error {
	size := partSizeFor(u.partNo + 1)
	u.mu.Lock()
	defer u.mu.Unlock()
	for {
		if u.err != nil {
			return u.err
		}
		for i, b := range u.free {
			if cap(b) == size {
				u.free = append(u.free[:i], u.free[i+1:]...)
				u.buf = b[:0]
				return nil
			}
		}
		if u.held+size <= max(uploadBudget, 2*size) {
			u.held += size
			u.buf = make([]byte, 0, size)
			return nil
		}
		if len(u.free) > 0 { // buffers of another size: drop one
			u.held -= cap(u.free[0])
			u.free = u.free[1:]
			continue
		}
		u.cond.Wait()
	}
}

// sendPart uploads the filled buffer as the next part, in the background.
func (u *uploader) sendPart() error {
	if u.partNo+1 > maxParts {
		return fmt.Errorf("the backup is larger than %d parts (about 128 GiB); plumb cannot upload it as one object", maxParts)
	}
	if u.uploadID == "" {
		out, err := u.c.CreateMultipartUpload(u.ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String(u.bucket), Key: aws.String(u.key), Metadata: u.meta, ContentType: aws.String("application/octet-stream"),
		})
		if err != nil {
			return fmt.Errorf("starting the upload of s3://%s/%s: %w", u.bucket, u.key, err)
		}
		u.uploadID = aws.ToString(out.UploadId)
	}
	u.partNo++
	n, buf := u.partNo, u.buf
	u.buf = nil
	u.total += int64(len(buf))
	u.flying.Add(1)
	go func() {
		defer u.flying.Done()
		out, err := u.c.UploadPart(u.ctx, &s3.UploadPartInput{
			Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
			PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
		}, unsignedPayload)
		u.mu.Lock()
		defer u.mu.Unlock()
		if err != nil && u.err == nil {
			u.err = fmt.Errorf("uploading part %d of s3://%s/%s: %w", n, u.bucket, u.key, err)
		}
		if err == nil {
			u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: out.ETag})
		}
		u.free = append(u.free, buf)
		u.cond.Broadcast()
	}()
	return nil
}

// finish makes the object with its final metadata: a single PutObject
// when everything fit in one part, else the last part, completion, and a
// copy of the object onto itself that replaces the metadata (S3 fixes
// metadata when an upload starts, before the dump's hash is known). The
// object is created only if no object has its key.
func (u *uploader) finish(final map[string]string) error {
	if u.uploadID == "" {
		body := u.buf
		if body == nil {
			body = []byte{}
		}
		_, err := u.c.PutObject(u.ctx, &s3.PutObjectInput{
			Bucket: aws.String(u.bucket), Key: aws.String(u.key), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
			Metadata: final, ContentType: aws.String("application/octet-stream"), IfNoneMatch: aws.String("*"),
		})
		if err != nil {
			return fmt.Errorf("uploading s3://%s/%s: %w", u.bucket, u.key, err)
		}
		u.total = int64(len(body))
		return nil
	}
	if len(u.buf) > 0 {
		if err := u.sendPart(); err != nil {
			return err
		}
	}
	u.flying.Wait()
	if u.err != nil {
		return u.err
	}
	parts := sortedParts(u.parts)
	_, err := u.c.CompleteMultipartUpload(u.ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}, IfNoneMatch: aws.String("*"),
	})
	if err != nil {
		return fmt.Errorf("completing the upload of s3://%s/%s: %w", u.bucket, u.key, err)
	}
	u.uploadID = ""
	return replaceMetadata(u.ctx, u.c, u.bucket, u.key, u.total, final)
}

// abort cancels an unfinished multipart upload, so no part of a failed
// backup stays in the bucket. It uses its own context: the run's may be
// the reason for the failure.
func (u *uploader) abort() error {
	u.flying.Wait()
	if u.uploadID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := u.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
	})
	if err != nil {
		return fmt.Errorf("aborting the upload of s3://%s/%s (upload ID %s; abort it by hand or let a bucket lifecycle rule do it): %w", u.bucket, u.key, u.uploadID, err)
	}
	u.uploadID = ""
	return nil
}

// unsignedPayload leaves a part's body out of the request signature, as
// the SDK does over HTTPS already: the part's CRC32 checksum, which S3
// checks, protects it, and hashing every byte once more for the signature
// would cost a third of the pipeline's time on plain-HTTP endpoints.
func unsignedPayload(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

func sortedParts(ps []types.CompletedPart) []types.CompletedPart {
	out := make([]types.CompletedPart, len(ps))
	for _, p := range ps {
		out[aws.ToInt32(p.PartNumber)-1] = p
	}
	return out
}

// replaceMetadata copies an object onto itself with new metadata: in one
// CopyObject up to copyLimit bytes, in parts beyond.
func replaceMetadata(ctx context.Context, c *s3.Client, bucket, key string, size int64, meta map[string]string) error {
	source := (&url.URL{Path: bucket + "/" + key}).EscapedPath()
	if size <= copyLimit {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: meta, ContentType: aws.String("application/octet-stream"),
		})
		if err != nil {
			return fmt.Errorf("recording the backup's hash in the metadata of s3://%s/%s: %w", bucket, key, err)
		}
		return nil
	}
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Metadata: meta, ContentType: aws.String("application/octet-stream"),
	})
	if err != nil {
		return fmt.Errorf("recording the backup's hash in the metadata of s3://%s/%s: %w", bucket, key, err)
	}
	id := out.UploadId
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < size; n, off = n+1, off+copyPartSize {
		end := min(off+copyPartSize, size) - 1
		p, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id, PartNumber: aws.Int32(n),
			CopySource: aws.String(source), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", off, end)),
		})
		if err == nil && p.CopyPartResult == nil {
			err = errors.New("no part result in the response")
		}
		if err != nil {
			_, _ = c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id})
			return fmt.Errorf("copying part %d of s3://%s/%s to record its hash: %w", n, bucket, key, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: p.CopyPartResult.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		_, _ = c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id})
		return fmt.Errorf("completing the copy of s3://%s/%s that records its hash: %w", bucket, key, err)
	}
	return nil
}
