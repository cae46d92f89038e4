// Package host is how a host-side provider reaches the machine it manages:
// one small interface, Host, with two implementations, the machine plumb
// runs on (Local) and a machine reached over SSH (see Settings and Dial).
//
// Every host-side provider (plumb's local_file, bind, apache, netfilter,
// accesslog, svn) does everything it does to a machine through a Host:
// reading and streaming files, stat, atomic writes with mode and owner,
// rename, remove, listing a folder, a lock on a file, and running a
// command with stdin, stdout, stderr and an exit code. Its Configure
// builds the Host from the provider block's optional ssh block (Schema,
// FromConfig); no other provider code knows which transport it runs over,
// and the engine knows nothing of hosts.
//
// What the package does not do: it never retries a command or reconnects
// during a run (a host that drops fails the operations that were in
// flight, each with a clear error, and the next run starts afresh), and
// it keeps no state between runs.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Host is a machine a provider reads and changes. Paths are the host's
// own; a relative path is relative to plumb's working directory locally
// and to the login directory over SSH. Every method may be called from
// many goroutines at once.
type Host interface {
	// String names the host in messages: "this machine", or
	// "user@name:port" for SSH.
	String() string

	// Open opens a file for reading. The File streams: reading a large
	// file never holds it whole.
	Open(ctx context.Context, name string) (File, error)
	// Stat describes a file, following a symbolic link.
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
	// Lstat describes a file without following a symbolic link.
	Lstat(ctx context.Context, name string) (fs.FileInfo, error)
	// ReadDir lists a folder, in no particular order.
	ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error)
	// RealPath returns the path of an existing file with every symbolic
	// link resolved.
	RealPath(ctx context.Context, name string) (string, error)
	// Access reports (nil) whether this login may do what mode asks of
	// the file: the bits R (4), W (2) and X (1) ORed. Root may do
	// everything.
	Access(ctx context.Context, name string, mode uint32) error

	// Create starts an atomic replacement of name: the data goes to a
	// temporary file in the same folder, and only Commit puts it in
	// place, by a rename, so a reader (and a crash, or a connection lost
	// half-way) sees the old file or the new one, never a part. Abort, or
	// a failed Commit, leaves name untouched.
	Create(ctx context.Context, name string, o WriteOptions) (Pending, error)
	// Rename renames a file, replacing one of the new name atomically.
	Rename(ctx context.Context, from, to string) error
	// Remove removes a file or an empty folder.
	Remove(ctx context.Context, name string) error
	// Lock takes an exclusive lock on name (a lock file, created when
	// missing and left in place), waiting until ctx ends. Other runs of
	// plumb that lock the same file, on this host or from elsewhere, wait
	// until unlock is called.
	Lock(ctx context.Context, name string) (unlock func(), err error)

	// Run runs a command and waits for it. A command that ran and exited
	// with a status other than 0 returns an *ExitError; one that is not
	// installed returns an error matching ErrNotFound.
	Run(ctx context.Context, c Cmd) error

	// Close lets go of the host: an SSH connection closes when the last
	// provider using it closes its host.
	Close() error
}

// File is a file open for reading.
type File interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Stat() (fs.FileInfo, error)
}

// WriteOptions say how Create makes the new file.
type WriteOptions struct {
	// Perm is the new file's permission bits; ignored when Like is set.
	Perm fs.FileMode
	// DirPerm, when not zero, creates missing parent folders with these
	// permissions; when zero, a missing folder is an error.
	DirPerm fs.FileMode
	// Like, when set, is the file being replaced (as Stat returned it):
	// the new file takes its permissions, owner and group.
	Like fs.FileInfo
}

// Pending is a file being written by Create.
type Pending interface {
	io.Writer
	// Commit syncs the data, sets mode and owner, and renames the file
	// into place. After an error the old file is untouched and the
	// temporary file removed (as far as the host can still be reached).
	Commit() error
	// Abort discards the temporary file. It is safe after Commit.
	Abort()
}

// Cmd is a command to run on a host.
type Cmd struct {
	// Args is the program and its arguments; the program is looked for
	// on the host's PATH when it has no slash.
	Args []string
	// Env holds KEY=VALUE pairs added to the command's environment.
	Env []string
	// Stdin, when set, is the command's standard input.
	Stdin io.Reader
	// Stdout and Stderr, when set, receive the command's output;
	// otherwise it is discarded.
	Stdout, Stderr io.Writer
}

// ErrNotFound is matched (errors.Is) by the error Run returns when the
// program is not installed on the host.
var ErrNotFound = errors.New("command not found")

// ExitError is a command that ran and exited with a status other than 0.
type ExitError struct {
	// Host names the host, Args the command.
	Host string
	Args []string
	// Code is the exit status; -1 when the command was ended by a signal.
	Code int
	// notFound is set when the status means "command not found".
	notFound bool
}

func (e *ExitError) Error() string {
	if e.notFound {
		return fmt.Sprintf("%s is not installed on %s (or not on its PATH)", e.Args[0], e.Host)
	}
	return fmt.Sprintf("%s on %s exited with status %d", strings.Join(e.Args, " "), e.Host, e.Code)
}

// Is makes an ExitError for "command not found" match ErrNotFound.
func (e *ExitError) Is(target error) bool { return target == ErrNotFound && e.notFound }

// WriteFile replaces name on h with data, atomically (see Host.Create).
func WriteFile(ctx context.Context, h Host, name string, data []byte, o WriteOptions) error {
	p, err := h.Create(ctx, name, o)
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Abort()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return p.Commit()
}

// ReadFile returns the content and description of the file name on h.
// A missing file returns an error matching fs.ErrNotExist; something
// other than a regular file is an error.
func ReadFile(ctx context.Context, h Host, name string) ([]byte, fs.FileInfo, error) {
	f, err := h.Open(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file (%s)", name, fi.Mode().Type())
	}
	data := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", name, err)
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	return data, fi, nil
}

// Exists reports whether name exists on h (a symbolic link counts, even
// a broken one). Errors other than "does not exist" are returned.
func Exists(ctx context.Context, h Host, name string) (bool, error) {
	_, err := h.Lstat(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, err
}

// Output runs c on h and returns its standard output; on failure the
// error carries what the command wrote to standard error.
func Output(ctx context.Context, h Host, c Cmd) ([]byte, error) {
	var out strings.Builder
	errb := &capped{max: 8 << 10}
	c.Stdout, c.Stderr = &out, errb
	if err := h.Run(ctx, c); err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return []byte(out.String()), fmt.Errorf("%w: %s", err, msg)
		}
		return []byte(out.String()), err
	}
	return []byte(out.String()), nil
}

// capped keeps the first max bytes written to it.
type capped struct {
	max int
	b   []byte
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *capped) String() string { return string(c.b) }

// SbinDirs are where distributions keep administrators' tools (apachectl,
// nft, named-checkzone), which a cron job's or an SSH login's PATH often
// leaves out.
var SbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"}

// LookPath finds the program name on h: a path with a slash as it is (it
// must exist and be executable), else on the host's PATH (as its shell
// sees it), else in one of the dirs. The error says where it looked.
func LookPath(ctx context.Context, h Host, name string, dirs ...string) (string, error) {
	if strings.Contains(name, "/") {
		fi, err := h.Stat(ctx, name)
		if err != nil {
			return "", err
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return "", fmt.Errorf("%s on %s is not an executable file", name, h)
		}
		return name, nil
	}
	out, err := Output(ctx, h, Cmd{Args: []string{"sh", "-c", `command -v -- "$0"`, name}})
	if p := strings.TrimSpace(string(out)); err == nil && strings.HasPrefix(p, "/") {
		return p, nil
	}
	for _, d := range dirs {
		p := path.Join(d, name)
		if fi, err := h.Stat(ctx, p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not on the PATH of %s, nor in %s: %w", name, h, strings.Join(dirs, ", "), ErrNotFound)
}
