package apache

import (
	"bytes"
	"fmt"
	"strings"
)

// Marker prefixes. A block is the lines from "# BEGIN plumb ADDRESS" to
// "# END plumb ADDRESS", where ADDRESS is the marker of the resource
// instance that owns it.
const (
	beginPrefix = "# BEGIN plumb "
	endPrefix   = "# END plumb "
)

// htFile is an access file split into lines, with plumb's blocks found.
// Lines keep their own bytes (a "\r" of a CRLF file included) so that
// every line outside a block is written back exactly as it was read.
type htFile struct {
	lines   []string
	crlf    bool // new lines end in "\r\n": the file's first line does
	noFinal bool // the last line has no line end
	blocks  []span
}

// span locates one block: the line indexes of its two markers.
type span struct {
	marker     string
	begin, end int
}

// markerError is a problem with the markers of a file, on a line (from 1).
type markerError struct {
	Line int
	Msg  string
}

func (e *markerError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// markerOf reports whether line is a begin or end marker and returns the
// marker it names.
func markerOf(line string) (begin, end bool, marker string) {
	t := strings.TrimSpace(line)
	switch {
	case t == strings.TrimSpace(beginPrefix):
		return true, false, ""
	case t == strings.TrimSpace(endPrefix):
		return false, true, ""
	case strings.HasPrefix(t, beginPrefix):
		return true, false, strings.TrimSpace(t[len(beginPrefix):])
	case strings.HasPrefix(t, endPrefix):
		return false, true, strings.TrimSpace(t[len(endPrefix):])
	}
	return false, false, ""
}

// parseFile splits data into lines and finds plumb's blocks. Markers that
// do not pair up (a begin without its end, an end without its begin, a
// block inside another, two blocks with one marker) are a *markerError.
func parseFile(data []byte) (*htFile, error) {
	f := &htFile{}
	if len(data) == 0 {
		return f, nil
	}
	text := string(data)
	if strings.HasSuffix(text, "\n") {
		text = text[:len(text)-1]
	} else {
		f.noFinal = true
	}
	f.lines = strings.Split(text, "\n")
	f.crlf = strings.HasSuffix(f.lines[0], "\r")
	open := -1
	seen := map[string]int{}
	for i, line := range f.lines {
		if !strings.Contains(line, "plumb") {
			continue
		}
		begin, end, marker := markerOf(line)
		switch {
		case begin && open >= 0:
			o := f.blocks[open]
			return nil, &markerError{i + 1, fmt.Sprintf("%q begins a block inside the block of %s begun at line %d, which has no %q before it", strings.TrimSpace(line), o.marker, o.begin+1, endPrefix+o.marker)}
		case begin && marker == "":
			return nil, &markerError{i + 1, fmt.Sprintf("%q names no resource", strings.TrimSpace(line))}
		case begin:
			if prev, dup := seen[marker]; dup {
				return nil, &markerError{i + 1, fmt.Sprintf("a second block for %s (the first begins at line %d)", marker, prev+1)}
			}
			seen[marker] = i
			f.blocks = append(f.blocks, span{marker: marker, begin: i, end: -1})
			open = len(f.blocks) - 1
		case end && open < 0:
			return nil, &markerError{i + 1, fmt.Sprintf("%q has no %q above it", strings.TrimSpace(line), beginPrefix+marker)}
		case end && marker != f.blocks[open].marker:
			o := f.blocks[open]
			return nil, &markerError{i + 1, fmt.Sprintf("%q ends a block, but the open block begun at line %d is %s", strings.TrimSpace(line), o.begin+1, o.marker)}
		case end:
			f.blocks[open].end = i
			open = -1
		}
	}
	if open >= 0 {
		o := f.blocks[open]
		return nil, &markerError{o.begin + 1, fmt.Sprintf("%q has no %q after it", beginPrefix+o.marker, endPrefix+o.marker)}
	}
	return f, nil
}

// find returns the index of the block with the given marker, or -1.
func (f *htFile) find(marker string) int {
	for i, b := range f.blocks {
		if b.marker == marker {
			return i
		}
	}
	return -1
}

// body returns the lines between a block's markers, without "\r".
func (f *htFile) body(i int) []string {
	b := f.blocks[i]
	out := make([]string, 0, b.end-b.begin-1)
	for _, l := range f.lines[b.begin+1 : b.end] {
		out = append(out, strings.TrimSuffix(l, "\r"))
	}
	return out
}

// set makes the block of marker hold body, replacing the block in place
// or appending it at the end of the file.
func (f *htFile) set(marker string, body []string) {
	block := make([]string, 0, len(body)+2)
	block = append(block, beginPrefix+marker)
	block = append(block, body...)
	block = append(block, endPrefix+marker)
	if f.crlf {
		for i := range block {
			block[i] += "\r"
		}
	}
	if i := f.find(marker); i >= 0 {
		b := f.blocks[i]
		rest := append(block, f.lines[b.end+1:]...)
		f.lines = append(f.lines[:b.begin], rest...)
	} else {
		f.lines = append(f.lines, block...)
		f.noFinal = false
	}
	f.reindex()
}

// remove deletes the block of marker and reports whether there was one.
func (f *htFile) remove(marker string) bool {
	i := f.find(marker)
	if i < 0 {
		return false
	}
	b := f.blocks[i]
	f.lines = append(f.lines[:b.begin], f.lines[b.end+1:]...)
	if len(f.lines) == 0 {
		f.noFinal = false
	}
	f.reindex()
	return true
}

// reindex finds the blocks again after lines moved. The markers were
// valid before the change and plumb's changes keep them so.
func (f *htFile) reindex() {
	f.blocks = f.blocks[:0]
	for i, line := range f.lines {
		begin, end, marker := markerOf(line)
		switch {
		case begin:
			f.blocks = append(f.blocks, span{marker: marker, begin: i, end: -1})
		case end && len(f.blocks) > 0:
			f.blocks[len(f.blocks)-1].end = i
		}
	}
}

// bytes renders the file.
func (f *htFile) bytes() []byte {
	if len(f.lines) == 0 {
		return nil
	}
	var b bytes.Buffer
	for i, l := range f.lines {
		b.WriteString(l)
		if i < len(f.lines)-1 || !f.noFinal {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
