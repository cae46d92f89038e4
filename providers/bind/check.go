package bind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// checkWithBIND runs BIND's named-checkzone on the host that holds the
// zone, with the new file's content on its standard input, and returns
// BIND's verdict as an error naming the file's path. It checks names as
// named does for a primary zone (check-names fail).
func checkWithBIND(ctx context.Context, h host.Host, z zone, data []byte) error {
	bin, err := host.LookPath(ctx, h, "named-checkzone", host.SbinDirs...)
	if err != nil {
		return fmt.Errorf("cannot check it: %w; install BIND's tools there (Debian: bind9-utils), or set validate = false", err)
	}
	var out bytes.Buffer
	err = h.Run(ctx, host.Cmd{Args: []string{bin, "-k", "fail", z.origin, "-"}, Stdin: bytes.NewReader(data), Stdout: &out, Stderr: &out})
	var exit *host.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		return fmt.Errorf("named-checkzone on %s says of %s: %s", h, z.path, checkzoneMessage(out.String(), z.path))
	}
	return fmt.Errorf("cannot run named-checkzone on %s: %w", h, err)
}

// streamName is how named-checkzone names its standard input.
var streamName = regexp.MustCompile(`stream-0x[0-9a-f]+`)

// checkzoneMessage keeps the lines that say what is wrong, naming the
// file instead of BIND's name for its input.
func checkzoneMessage(out, path string) string {
	var keep []string
	for _, l := range strings.Split(streamName.ReplaceAllString(out, path), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasSuffix(l, "not loaded due to errors.") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) == 0 {
		return strings.TrimSpace(out)
	}
	return strings.Join(keep, "; ")
}
