package apache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/plumbhq/plumb/providers/host"
)

// checkTimeout bounds one run of apachectl -t.
const checkTimeout = time.Minute

// rejectedError is Apache's verdict on a file it does not accept.
type rejectedError struct {
	output string
}

func (e *rejectedError) Error() string { return "Apache rejects it: " + e.output }

// check runs apachectl -t with the file parsed as the content of a
// <Directory> section for its folder, which is how Apache reads an
// .htaccess. It returns a *rejectedError holding Apache's message when
// Apache rejects the configuration, and another error when apachectl
// cannot be run at all.
func (a *apachectl) check(ctx context.Context, h host.Host, path string) error {
	cmd, lead, err := a.resolve(ctx, h)
	if err != nil {
		return err
	}
	args := append(append([]string(nil), lead...), "-t",
		"-c", fmt.Sprintf("<Directory %q>", filepath.Dir(path)),
		"-c", fmt.Sprintf("Include %q", path),
		"-c", "</Directory>")
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	var out bytes.Buffer
	err = h.Run(ctx, host.Cmd{Args: append([]string{cmd}, args...), Stdout: &out, Stderr: &out})
	if err == nil {
		return nil
	}
	var exit *host.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return &rejectedError{output: apacheMessage(out.String())}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s -t did not finish within %v on %s, so the file could not be checked (output so far: %s)", cmd, checkTimeout, h, strings.TrimSpace(out.String()))
	}
	return fmt.Errorf("running %s -t: %w (output: %s)", cmd, err, strings.TrimSpace(out.String()))
}

// apacheMessage keeps the lines of apachectl's output that say what is
// wrong, dropping Debian's "Action ... failed" trailer.
func apacheMessage(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Action '") || strings.HasPrefix(l, "The Apache error log may have more information") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) == 0 {
		return strings.TrimSpace(out)
	}
	return strings.Join(keep, " ")
}
