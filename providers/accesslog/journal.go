package accesslog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/plumbhq/plumb/providers/host"
)

// Access logs kept by journald (nginx's access_log syslog:..., Apache
// piping to logger) are read in either of two forms: what `journalctl -o
// cat` prints is plain access-log lines already; what `journalctl -o
// export` prints is journald's export format, which the sources
// recognise by its first bytes and decode to the entries' MESSAGE
// fields, one per line.

// exportMagic starts every entry `journalctl -o export` writes.
var exportMagic = []byte("__CURSOR=")

// isExport reports whether b starts like journald's export format.
func isExport(b []byte) bool {
	return bytes.HasPrefix(b, exportMagic) || bytes.HasPrefix(b, []byte("__REALTIME_TIMESTAMP="))
}

// maxExportField bounds one binary field of the export format: a longer
// one is not a log line, and the stream is treated as broken.
const maxExportField = 1 << 20

// exportReader turns journald's export format into the MESSAGE of each
// entry, one per line. A field is "NAME=value\n", or, when the value is
// binary or holds a newline, "NAME\n" then its length as 8 bytes (little
// endian), the value and "\n"; an empty line ends an entry. Newlines
// inside a message become spaces, so one entry stays one line.
type exportReader struct {
	r    *bufio.Reader
	out  []byte // decoded lines not yet read
	err  error
	line int64
}

func newExportReader(r io.Reader) *exportReader {
	return &exportReader{r: bufio.NewReaderSize(r, 64<<10)}
}

func (e *exportReader) Read(p []byte) (int, error) {
	for len(e.out) == 0 && e.err == nil {
		e.fill()
	}
	if len(e.out) > 0 {
		n := copy(p, e.out)
		e.out = e.out[n:]
		return n, nil
	}
	return 0, e.err
}

// fill decodes one field.
func (e *exportReader) fill() {
	name, err := e.r.ReadSlice('\n')
	e.line++
	if err != nil {
		if errors.Is(err, io.EOF) && len(name) == 0 {
			e.err = io.EOF
		} else {
			e.err = fmt.Errorf("journal export format, line %d: %w", e.line, orUnexpected(err))
		}
		return
	}
	name = name[:len(name)-1]
	if len(name) == 0 {
		return // the end of an entry
	}
	if i := bytes.IndexByte(name, '='); i >= 0 {
		if string(name[:i]) == "MESSAGE" {
			e.message(name[i+1:])
		}
		return
	}
	// A binary field: its length, its bytes and a newline.
	var size [8]byte
	if _, err := io.ReadFull(e.r, size[:]); err != nil {
		e.err = fmt.Errorf("journal export format, field %s: %w", name, orUnexpected(err))
		return
	}
	n := binary.LittleEndian.Uint64(size[:])
	if n > maxExportField {
		e.err = fmt.Errorf("journal export format, field %s: %d bytes is longer than any log line; the stream is not journalctl -o export output", name, n)
		return
	}
	isMessage := string(name) == "MESSAGE"
	value := make([]byte, n+1)
	if _, err := io.ReadFull(e.r, value); err != nil {
		e.err = fmt.Errorf("journal export format, field %s: %w", name, orUnexpected(err))
		return
	}
	if value[n] != '\n' {
		e.err = fmt.Errorf("journal export format, field %s: no newline after its %d bytes", name, n)
		return
	}
	if isMessage {
		e.message(value[:n])
	}
}

func (e *exportReader) message(m []byte) {
	start := len(e.out)
	e.out = append(e.out, m...)
	for i := start; i < len(e.out); i++ {
		if e.out[i] == '\n' || e.out[i] == '\r' {
			e.out[i] = ' '
		}
	}
	e.out = append(e.out, '\n')
}

func orUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Journal names what JournalSource reads: the journal entries of some
// systemd units, from the system's journal or from a directory of
// journal files (a copy taken elsewhere).
type Journal struct {
	// Units are the systemd units whose entries to read, such as
	// "nginx.service"; at least one.
	Units []string
	// Directory, when set, reads the journal files there instead of the
	// system's journal (journalctl --directory).
	Directory string
}

// JournalSource returns a source that runs journalctl (on the machine
// plumb runs on; see JournalSourceOn) to read the access-log entries of
// j's units in the export format.
func JournalSource(j Journal) Source { return JournalSourceOn(host.Local(), j) }

// JournalSourceOn returns a source that runs journalctl on h to read the
// access-log entries of j's units in the export format. journalctl comes
// with systemd.
func JournalSourceOn(h host.Host, j Journal) Source {
	args := []string{"journalctl", "--no-pager", "--quiet", "-o", "export"}
	if j.Directory != "" {
		args = append(args, "--directory="+j.Directory)
	}
	for _, u := range j.Units {
		args = append(args, "--unit="+u)
	}
	name := "journal of " + strings.Join(j.Units, ", ")
	if j.Directory != "" {
		name += " in " + j.Directory
	}
	return Source{Name: name, command: args, host: h}
}

// commandOutput is the output of a command running on a host; Close
// stops it and reports how it ended.
type commandOutput struct {
	pr     *io.PipeReader
	done   chan error
	cancel context.CancelFunc
}

// startCommand runs args on h, streaming its standard output.
func startCommand(ctx context.Context, h host.Host, args []string) io.ReadCloser {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	c := &commandOutput{pr: pr, done: make(chan error, 1), cancel: cancel}
	go func() {
		var stderr bytes.Buffer
		err := h.Run(ctx, host.Cmd{Args: args, Stdout: pw, Stderr: &stderr})
		if err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				err = fmt.Errorf("%w: %s", err, firstLine(msg))
			}
			if errors.Is(err, host.ErrNotFound) {
				err = fmt.Errorf("%w (journalctl comes with systemd)", err)
			}
		}
		pw.CloseWithError(err)
		c.done <- err
	}()
	return c
}

func (c *commandOutput) Read(p []byte) (int, error) { return c.pr.Read(p) }

func (c *commandOutput) Close() error {
	c.pr.Close()
	err := <-c.done
	c.cancel()
	if errors.Is(err, io.ErrClosedPipe) {
		return nil // closed before the end: the reader stopped early
	}
	return err
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
