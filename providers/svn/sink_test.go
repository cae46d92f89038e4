package svn

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// sinkS3 is an S3 endpoint that accepts uploads and throws the bytes
// away: it answers the calls a backup makes (PutObject, the multipart
// calls, CopyObject) and nothing else. Benchmarks use it to measure the
// backup pipeline without an emulator's own work in the same process.
type sinkS3 struct {
	srv      *httptest.Server
	received atomic.Int64
}

func newSinkS3(tb testing.TB) *sinkS3 {
	s := &sinkS3{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	return s
}

func (s *sinkS3) serve(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	s.received.Add(n)
	q := r.URL.Query()
	w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		fmt.Fprint(w, `<InitiateMultipartUploadResult><UploadId>sink</UploadId></InitiateMultipartUploadResult>`)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		fmt.Fprint(w, `<CompleteMultipartUploadResult><ETag>"x"</ETag></CompleteMultipartUploadResult>`)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		fmt.Fprint(w, `<CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>`)
	case r.Method == http.MethodPut, r.Method == http.MethodDelete:
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		http.Error(w, "not served by the sink: "+r.Method+" "+strings.TrimSpace(r.URL.String()), http.StatusNotImplemented)
	}
}
