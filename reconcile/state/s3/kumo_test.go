package s3

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestKumoConditionalWrites checks what the backend relies on the store
// for: PutObject honours If-None-Match: * and If-Match, with 412
// PreconditionFailed when they do not hold. It also reports whether the
// store honours If-Match on DeleteObject (the backend works either way).
func TestKumoConditionalWrites(t *testing.T) {
	ctx := context.Background()
	c := newClient(kumoURL)
	bucket := newBucket(t)
	put := func(key, body string, ifNoneMatch, ifMatch *string) (string, error) {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader([]byte(body)), IfNoneMatch: ifNoneMatch, IfMatch: ifMatch})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ETag), nil
	}
	first, err := put("k", "one", aws.String("*"), nil)
	if err != nil {
		t.Fatalf("If-None-Match: * on a new key: %v", err)
	}
	if _, err := put("k", "two", aws.String("*"), nil); !isPreconditionFailed(err) {
		t.Errorf("If-None-Match: * on an existing key: got %v, want 412 PreconditionFailed", err)
	}
	second, err := put("k", "three", nil, aws.String(first))
	if err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := put("k", "four", nil, aws.String(first)); !isPreconditionFailed(err) {
		t.Errorf("If-Match with a stale ETag: got %v, want 412 PreconditionFailed", err)
	}
	if _, err := put("missing", "five", nil, aws.String(first)); !isNotFound(err) {
		t.Errorf("If-Match on a missing key: got %v, want 404 NoSuchKey", err)
	}

	_, derr := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), IfMatch: aws.String(first)})
	gone := !objectExists(t, bucket, "k")
	switch {
	case isPreconditionFailed(derr) && !gone:
		t.Logf("DeleteObject honours If-Match")
	case derr == nil && gone:
		t.Logf("DeleteObject ignores If-Match: it deleted the object although its ETag is %s, not %s", second, first)
	default:
		t.Errorf("DeleteObject with a stale If-Match: error %v, object deleted %v: neither honoured nor ignored", derr, gone)
	}
}
