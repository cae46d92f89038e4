package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/plumbhq/plumb/reconcile/state"
)

// ErrConflict is returned (wrapped) when a write finds that the state in
// S3 is no longer the one this run read or last wrote.
var ErrConflict = errors.New("the state in S3 was changed by another run since this run read it")

// object is a state object as read.
type object struct {
	data    []byte
	etag    string
	writeID string
	version string // version ID, when the bucket keeps versions
	found   bool
}

// getState reads the state object; found is false when there is none.
func (b *Backend) getState(ctx context.Context) (object, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.key)})
	if isNotFound(err) {
		return object{}, nil
	}
	if err != nil {
		return object{}, b.explain(err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 && n < 1<<31 {
		buf.Grow(int(n))
	}
	if _, err := buf.ReadFrom(out.Body); err != nil {
		return object{}, fmt.Errorf("read the state object's body: %w", err)
	}
	return object{
		data:    buf.Bytes(),
		etag:    aws.ToString(out.ETag),
		writeID: out.Metadata[writeIDMeta],
		version: aws.ToString(out.VersionId),
		found:   true,
	}, nil
}

// headState returns the state object's ETag and write ID, without its
// contents.
func (b *Backend) headState(ctx context.Context) (object, error) {
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.key)})
	if isNotFound(err) {
		return object{}, nil
	}
	if err != nil {
		return object{}, b.explain(err)
	}
	return object{etag: aws.ToString(out.ETag), writeID: out.Metadata[writeIDMeta], found: true}, nil
}

// putState writes data as the state object if the object there now has
// the ETag ifMatch (or, when ifMatch is "", if there is none). It returns
// the new object's ETag and the write ID it carries.
func (b *Backend) putState(ctx context.Context, data []byte, ifMatch, writeID string) (etag string, err error) {
	in := &s3.PutObjectInput{
		Bucket:      aws.String(b.bucket),
		Key:         aws.String(b.key),
		Body:        bytes.NewReader(data),
		ContentType: aws.String("application/json"),
		Metadata:    map[string]string{writeIDMeta: writeID},
	}
	if ifMatch != "" {
		in.IfMatch = aws.String(ifMatch)
	} else {
		in.IfNoneMatch = aws.String("*")
	}
	out, err := b.client.PutObject(ctx, in)
	switch {
	case err == nil:
		return aws.ToString(out.ETag), nil
	case isPreconditionFailed(err) && ifMatch == "":
		return "", fmt.Errorf("%w: it did not exist then, and now it does", ErrConflict)
	case isPreconditionFailed(err):
		return "", fmt.Errorf("%w (was this run's lock broken, or did the other run not take the lock?)", ErrConflict)
	case isNotFound(err) && ifMatch != "":
		return "", fmt.Errorf("%w: the state object was deleted", ErrConflict)
	}
	return "", b.explain(err)
}

// writeContext returns the context for a state write: ctx without its
// cancellation, bounded by the backend's write timeout.
func (b *Backend) writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return state.WithTimeout(context.WithoutCancel(ctx), b.writeTimeout, "writing the state to "+b.URL(), "check the network to the S3 endpoint; nothing recorded is lost")
}

// errorCode returns the S3 error code of err; "" when it is not one.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of a failed request; 0 when there was
// no response.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isPreconditionFailed reports a conditional request that did not hold:
// 412, or 409 ConditionalRequestConflict (two conditional writes at once).
func isPreconditionFailed(err error) bool {
	if err == nil {
		return false
	}
	code := errorCode(err)
	return code == "PreconditionFailed" || code == "ConditionalRequestConflict" || httpStatus(err) == 412
}

// isNotFound reports a missing object (not a missing bucket).
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	code := errorCode(err)
	return code == "NoSuchKey" || code == "NotFound" || (httpStatus(err) == 404 && code != "NoSuchBucket")
}

// isNotImplemented reports a store that refused a header it does not
// support (such as If-Match on a delete).
func isNotImplemented(err error) bool {
	return err != nil && (errorCode(err) == "NotImplemented" || httpStatus(err) == 501)
}

// explain adds what to do to the errors a user can fix.
func (b *Backend) explain(err error) error {
	switch errorCode(err) {
	case "NoSuchBucket":
		return fmt.Errorf("bucket %q does not exist: create it, or fix bucket in the backend \"s3\" block: %w", b.bucket, err)
	case "AccessDenied", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken":
		return fmt.Errorf("S3 refused the credentials (check AWS_PROFILE / the profile in the backend block, and that they may read and write %s and %s): %w",
			b.URL(), b.lockURL(), err)
	}
	return err
}

// readAll reads r to the end; for lock objects, which are small.
func readAll(r io.ReadCloser) ([]byte, error) {
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, 1<<20))
}
