package host_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plumbhq/plumb/internal/atomicfile"
	"github.com/plumbhq/plumb/internal/sshtest"
	"github.com/plumbhq/plumb/providers/host"
)

// transports returns the same machine reached both ways, with a folder
// on it for the test: locally, and over SSH (root, and a login with sudo).
func transports(t *testing.T) map[string]struct {
	h   host.Host
	dir string
} {
	t.Helper()
	out := map[string]struct {
		h   host.Host
		dir string
	}{"local": {host.Local(), t.TempDir()}}
	if os.Geteuid() != 0 {
		t.Log("not root: only the local transport is tested")
		return out
	}
	root := sshtest.Start(t, "root", sshtest.Options{})
	out["ssh"] = struct {
		h   host.Host
		dir string
	}{root.Dial(t), root.Dir}
	sudo := sshtest.Start(t, "sudo", sshtest.Options{SudoUser: true})
	out["ssh+sudo"] = struct {
		h   host.Host
		dir string
	}{sudo.Dial(t), sudo.Dir}
	return out
}

// TestContract runs the same operations through every transport and
// expects the same results.
func TestContract(t *testing.T) {
	ctx := context.Background()
	for name, tr := range transports(t) {
		t.Run(name, func(t *testing.T) {
			h, dir := tr.h, tr.dir
			file := filepath.Join(dir, "sub", "a.txt")
			if err := host.WriteFile(ctx, h, file, []byte("hello\n"), host.WriteOptions{Perm: 0o640, DirPerm: 0o750}); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			data, fi, err := host.ReadFile(ctx, h, file)
			if err != nil || string(data) != "hello\n" || fi.Mode().Perm() != 0o640 {
				t.Fatalf("ReadFile = %q, %v, %v; want hello, 0640", data, fi.Mode(), err)
			}
			if st, _ := os.Stat(filepath.Join(dir, "sub")); st == nil || st.Mode().Perm() != 0o750 {
				t.Errorf("the folder made for the file has mode %v, want 0750", st.Mode())
			}
			// Replacing keeps mode and owner of Like.
			if err := os.Chown(file, 1234, 2345); err != nil {
				t.Fatal(err)
			}
			like, err := h.Stat(ctx, file)
			if err != nil {
				t.Fatal(err)
			}
			if err := host.WriteFile(ctx, h, file, []byte("again\n"), host.WriteOptions{Perm: 0o600, Like: like}); err != nil {
				t.Fatalf("WriteFile with Like: %v", err)
			}
			st, _ := os.Stat(file)
			if uid, gid, _ := ownerOf(st); uid != 1234 || gid != 2345 || st.Mode().Perm() != 0o640 {
				t.Errorf("after a replacement like the old file: owner %d:%d mode %v, want 1234:2345 0640", uid, gid, st.Mode())
			}
			if b, _ := os.ReadFile(file); string(b) != "again\n" {
				t.Errorf("content %q, want again", b)
			}
			// No temporary file is left behind.
			entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
			if len(entries) != 1 {
				t.Errorf("the folder holds %d entries, want only a.txt: %v", len(entries), entries)
			}
			// Abort leaves the file as it was.
			p, err := h.Create(ctx, file, host.WriteOptions{Perm: 0o644})
			if err != nil {
				t.Fatal(err)
			}
			p.Write([]byte("half"))
			p.Abort()
			if b, _ := os.ReadFile(file); string(b) != "again\n" {
				t.Errorf("after Abort the content is %q, want again", b)
			}
			// A missing folder without DirPerm is an error.
			if err := host.WriteFile(ctx, h, filepath.Join(dir, "nope", "x"), nil, host.WriteOptions{Perm: 0o644}); err == nil {
				t.Errorf("WriteFile into a missing folder without DirPerm succeeded")
			}
			// Missing files match fs.ErrNotExist.
			if _, err := h.Stat(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Stat of a missing file: %v, want fs.ErrNotExist", err)
			}
			if _, err := h.Open(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open of a missing file: %v, want fs.ErrNotExist", err)
			}
			// Symbolic links: Lstat sees the link, RealPath resolves it.
			link := filepath.Join(dir, "link")
			os.Symlink(file, link)
			if fi, err := h.Lstat(ctx, link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("Lstat of a link: %v, %v", fi, err)
			}
			real, _ := filepath.EvalSymlinks(file)
			if got, err := h.RealPath(ctx, link); err != nil || got != real {
				t.Errorf("RealPath = %q, %v; want %q", got, err, real)
			}
			// Rename, ReadDir, Glob, Remove.
			if err := h.Rename(ctx, file, filepath.Join(dir, "sub", "b.txt")); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			host.WriteFile(ctx, h, filepath.Join(dir, "sub", "c.log"), []byte("x"), host.WriteOptions{Perm: 0o644})
			got, err := host.Glob(ctx, h, filepath.Join(dir, "s*", "*.txt"))
			if err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "sub", "b.txt") {
				t.Errorf("Glob = %v, %v; want only b.txt", got, err)
			}
			if err := h.Remove(ctx, filepath.Join(dir, "sub", "b.txt")); err != nil {
				t.Errorf("Remove: %v", err)
			}
			if err := h.Remove(ctx, filepath.Join(dir, "sub", "b.txt")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Remove of a removed file: %v, want fs.ErrNotExist", err)
			}
			// Streaming: ReadAt and Read of a file larger than any buffer.
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
			host.WriteFile(ctx, h, filepath.Join(dir, "big"), big, host.WriteOptions{Perm: 0o644})
			f, err := h.Open(ctx, filepath.Join(dir, "big"))
			if err != nil {
				t.Fatal(err)
			}
			var sink bytes.Buffer
			if _, err := io.Copy(&sink, f); err != nil || !bytes.Equal(sink.Bytes(), big) {
				t.Errorf("streaming 1 MiB: %d bytes, %v", sink.Len(), err)
			}
			buf := make([]byte, 16)
			if _, err := f.ReadAt(buf, 16*100+3); err != nil || string(buf) != "3456789abcdef012" {
				t.Errorf("ReadAt = %q, %v", buf, err)
			}
			f.Close()

			// Commands: stdin, stdout, stderr, exit status, environment.
			var out, errb bytes.Buffer
			err = h.Run(ctx, host.Cmd{Args: []string{"sh", "-c", `tr a-z A-Z; echo "$GREETING it's" >&2; exit 3`},
				Env: []string{"GREETING=hi there"}, Stdin: strings.NewReader("piped in\n"), Stdout: &out, Stderr: &errb})
			var exit *host.ExitError
			if !errors.As(err, &exit) || exit.Code != 3 {
				t.Errorf("Run of a command exiting 3: %v", err)
			}
			if out.String() != "PIPED IN\n" || errb.String() != "hi there it's\n" {
				t.Errorf("stdout %q stderr %q", out.String(), errb.String())
			}
			if err := h.Run(ctx, host.Cmd{Args: []string{"plumb-no-such-command"}}); !errors.Is(err, host.ErrNotFound) {
				t.Errorf("Run of a missing command: %v, want ErrNotFound", err)
			}
			who, err := host.Output(ctx, h, host.Cmd{Args: []string{"id", "-u"}})
			if err != nil || strings.TrimSpace(string(who)) != strings.TrimSpace(string(mustOutput(t, "id", "-u"))) && name != "ssh+sudo" {
				t.Errorf("id -u = %q, %v", who, err)
			}
			if name == "ssh+sudo" && strings.TrimSpace(string(who)) != "0" {
				t.Errorf("with sudo, commands run as %q, want root (0)", who)
			}
			// A command cut off by its context.
			cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			start := time.Now()
			err = h.Run(cctx, host.Cmd{Args: []string{"sleep", "30"}})
			cancel()
			if err == nil || time.Since(start) > 10*time.Second {
				t.Errorf("a command past its context ended with %v after %s", err, time.Since(start))
			}
			// Access: root may write anything; the checks themselves work.
			if err := h.Access(ctx, dir, 2|1); err != nil {
				t.Errorf("Access(dir, W|X) = %v", err)
			}
		})
	}
}

func mustOutput(t *testing.T, args ...string) []byte {
	out, err := host.Output(context.Background(), host.Local(), host.Cmd{Args: args})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLockExcludes holds the lock of one file from two hosts (two
// connections to the same machine): the second waits for the first.
func TestLockExcludes(t *testing.T) {
	ctx := context.Background()
	for name, tr := range transports(t) {
		t.Run(name, func(t *testing.T) {
			lock := filepath.Join(tr.dir, ".lock")
			unlock, err := tr.h.Lock(ctx, lock)
			if err != nil {
				t.Fatalf("Lock: %v", err)
			}
			// flock(1) on the machine itself must wait too.
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			err = host.Local().Run(cctx, host.Cmd{Args: []string{"flock", "-n", lock, "true"}})
			var exit *host.ExitError
			if !errors.As(err, &exit) {
				t.Errorf("flock -n on a locked file: %v, want a refusal", err)
			}
			var wg sync.WaitGroup
			got := make(chan time.Time, 1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := tr.h.Lock(ctx, lock)
				if err != nil {
					t.Errorf("second Lock: %v", err)
					return
				}
				got <- time.Now()
				u()
			}()
			time.Sleep(200 * time.Millisecond)
			released := time.Now()
			unlock()
			wg.Wait()
			if at := <-got; at.Before(released) {
				t.Errorf("the second lock was taken before the first was released")
			}
			if err := host.Local().Run(cctx, host.Cmd{Args: []string{"flock", "-n", lock, "true"}}); err != nil {
				t.Errorf("flock -n after unlock: %v", err)
			}
		})
	}
}

func ownerOf(fi fs.FileInfo) (uint32, uint32, bool) {
	if fi == nil {
		return 0, 0, false
	}
	return atomicfile.Owner(fi)
}
