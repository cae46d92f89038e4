//go:build linux

package accesslog

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestMappedBlocksComeBackInAnyOrder counts the blocks of a mapped file
// in a shuffled order, as workers finish them, handing each back: every
// block reads as the file says while others are handed back around it,
// and counted bytes wait to be handed back only until a batch is full.
func TestMappedBlocksComeBackInAnyOrder(t *testing.T) {
	var want bytes.Buffer
	for i := 0; want.Len() < 3*releaseBytes+12345; i++ {
		want.WriteString("192.0.2.")
		want.WriteString(string(rune('0' + i%10)))
		want.WriteString(" - - a line of some length to cross pages now and then\n")
	}
	p := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(p, want.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := FileSources([]string{p})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := mapSource(context.Background(), srcs[0])
	if !ok {
		t.Fatal("the file was not mapped")
	}
	defer m.close()
	var blocks []*chunk
	if err := m.send(context.Background(), 0, func(c *chunk) error { blocks = append(blocks, c); return nil }); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	handed := 0
	for i, c := range blocks {
		off := cap(m.data) - cap(c.data)
		if !bytes.Equal(c.data, want.Bytes()[off:off+len(c.data)]) {
			t.Fatalf("block %d at %d reads otherwise than the file", i, off)
		}
		c.release(c.data)
		handed += len(c.data)
		if m.doneBytes >= releaseBytes || m.doneBytes > handed {
			t.Fatalf("after %d bytes, %d wait to be handed back", handed, m.doneBytes)
		}
	}
	if handed != want.Len() {
		t.Errorf("%d of %d bytes counted", handed, want.Len())
	}
	if !bytes.Equal(m.data, want.Bytes()) {
		t.Error("the mapping reads otherwise than the file after every block was handed back")
	}
}
