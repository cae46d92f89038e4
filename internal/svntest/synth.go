package svntest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// LoadSynthetic adds revisions to an empty repository quickly: it writes a
// dump stream of revs revisions, each adding one file of size bytes of
// pseudo-random (incompressible) data, straight into svnadmin load, with
// compression off. It is how tests get a repository of hundreds of
// megabytes in seconds; nothing is written to disk but the repository.
// The content of file big-N.bin is Synthetic(seed+N, size).
func (r *Repo) LoadSynthetic(t testing.TB, revs int, size int64, seed uint64) {
	t.Helper()
	conf := filepath.Join(r.Path, "db", "fsfs.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", conf, err)
	}
	_, err = f.WriteString("\n[rep-sharing]\nenable-rep-sharing = false\n[deltification]\ncompression = none\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("turn off compression in %s: %v", conf, err)
	}
	cmd := exec.Command("svnadmin", "load", "--quiet", "--bypass-prop-validation", r.Path)
	cmd.Env = Env()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("svnadmin load: %v", err)
	}
	werr := writeSyntheticDump(stdin, revs, size, seed)
	stdin.Close()
	if err := cmd.Wait(); err != nil || werr != nil {
		t.Fatalf("svnadmin load of a synthetic dump: %v %v\n%s", err, werr, stderr.String())
	}
}

// Synthetic returns the reader of the pseudo-random content LoadSynthetic
// stores for a seed.
func Synthetic(seed uint64, size int64) io.Reader {
	var key [32]byte
	for i := range 8 {
		key[i] = byte(seed >> (8 * i))
	}
	return io.LimitReader(rand.NewChaCha8(key), size)
}

func writeSyntheticDump(w io.Writer, revs int, size int64, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "SVN-fs-dump-format-version: 2\n\n")
	for rev := 1; rev <= revs; rev++ {
		props := fmt.Sprintf("K 7\nsvn:log\nV %d\n%s\nK 10\nsvn:author\nV 4\ntest\nPROPS-END\n",
			len(fmt.Sprintf("synthetic %d", rev)), fmt.Sprintf("synthetic %d", rev))
		fmt.Fprintf(bw, "Revision-number: %d\nProp-content-length: %d\nContent-length: %d\n\n%s\n",
			rev, len(props), len(props), props)
		fmt.Fprintf(bw, "Node-path: big-%d.bin\nNode-kind: file\nNode-action: add\nText-content-length: %d\nContent-length: %d\n\n",
			rev, size, size)
		if _, err := io.Copy(bw, Synthetic(seed+uint64(rev), size)); err != nil {
			return err
		}
		bw.WriteString("\n\n")
	}
	return bw.Flush()
}
