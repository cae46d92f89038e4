package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// ErrUnsupportedVersion is returned (wrapped) when a state file was written
// in a format newer than this plumb reads.
var ErrUnsupportedVersion = errors.New("state file format is newer than this plumb supports")

// stateFile is the file's layout; MarshalJSON writes the same fields by
// hand, one output and one instance per line.
type stateFile struct {
	Version      int                `json:"version"`
	PlumbVersion string             `json:"plumb_version"`
	Lineage      string             `json:"lineage"`
	Serial       uint64             `json:"serial"`
	Outputs      map[string]*Output `json:"outputs"`
	Pending      []*Instance        `json:"pending,omitempty"`
	Resources    []*Instance        `json:"resources"`
}

// MarshalJSON encodes the state as its file: the header fields, outputs by
// name and instances sorted by address, one per line, so that a change to
// one instance is a one-line diff.
func (s State) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256 + 256*len(s.Resources))
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encode writes v and drops the newline json.Encoder adds.
	encode := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1)
		return nil
	}

	fmt.Fprintf(&buf, "{\n  \"version\": %d,\n  \"plumb_version\": ", s.Version)
	if err := encode(s.PlumbVersion); err != nil {
		return nil, err
	}
	buf.WriteString(",\n  \"lineage\": ")
	if err := encode(s.Lineage); err != nil {
		return nil, err
	}
	fmt.Fprintf(&buf, ",\n  \"serial\": %d,\n  \"outputs\": {", s.Serial)
	for i, name := range slices.Sorted(maps.Keys(s.Outputs)) {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		if err := encode(name); err != nil {
			return nil, err
		}
		buf.WriteString(": ")
		if err := encode(s.Outputs[name]); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
	}
	if len(s.Outputs) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("},")
	if len(s.Pending) > 0 {
		// Pending objects are few (one per create in flight when a run
		// died): they go in the header, as plain JSON lines.
		buf.WriteString("\n  \"pending\": [")
		for i, addr := range slices.Sorted(maps.Keys(s.Pending)) {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString("\n    ")
			line, err := appendInstance(buf.AvailableBuffer(), s.Pending[addr])
			if err != nil {
				return nil, fmt.Errorf("pending %s: %w", addr, err)
			}
			buf.Write(line)
		}
		buf.WriteString("\n  ],")
	}
	buf.WriteString("\n  \"resources\": [")
	for i, addr := range s.SortedAddrs() {
		inst := s.Resources[addr]
		if inst == nil {
			return nil, fmt.Errorf("resource %s: instance is nil", addr)
		}
		if inst.Addr != addr {
			return nil, fmt.Errorf("resource %s: instance has address %q", addr, inst.Addr)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		line, err := appendInstance(buf.AvailableBuffer(), inst)
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", addr, err)
		}
		buf.Write(line)
	}
	if len(s.Resources) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	return buf.Bytes(), nil
}

// UnmarshalJSON decodes a state file. Call it directly rather than through
// json.Unmarshal, which first scans the whole input. It refuses a file whose version is
// newer than FormatVersion (ErrUnsupportedVersion) and one that lists an
// address twice.
func (s *State) UnmarshalJSON(data []byte) error {
	f, ok := decodeFast(data)
	if !ok {
		f = new(stateFile)
		if err := json.Unmarshal(data, f); err != nil {
			// A newer format may not fit today's structs: say that instead.
			if verr := checkVersion(data); verr != nil {
				return verr
			}
			return err
		}
	}
	if err := f.checkVersion(); err != nil {
		return err
	}
	res := make(map[string]*Instance, len(f.Resources))
	for i, inst := range f.Resources {
		switch {
		case inst == nil:
			return fmt.Errorf("resources[%d] is null", i)
		case inst.Addr == "":
			return fmt.Errorf("resources[%d] has no address", i)
		case res[inst.Addr] != nil:
			return fmt.Errorf("resources[%d]: address %s appears twice", i, inst.Addr)
		}
		res[inst.Addr] = inst
	}
	if f.Outputs == nil {
		f.Outputs = map[string]*Output{}
	}
	var pending map[string]*Instance
	for i, inst := range f.Pending {
		if inst == nil || inst.Addr == "" {
			return fmt.Errorf("pending[%d] has no address", i)
		}
		if pending == nil {
			pending = map[string]*Instance{}
		}
		pending[inst.Addr] = inst
	}
	*s = State{
		Version:      f.Version,
		PlumbVersion: f.PlumbVersion,
		Lineage:      f.Lineage,
		Serial:       f.Serial,
		Outputs:      f.Outputs,
		Resources:    res,
		Pending:      pending,
	}
	return nil
}

// checkVersion reads only the version fields of data.
func checkVersion(data []byte) error {
	var f struct {
		Version      int    `json:"version"`
		PlumbVersion string `json:"plumb_version"`
	}
	if json.Unmarshal(data, &f) != nil {
		return nil
	}
	return (&stateFile{Version: f.Version, PlumbVersion: f.PlumbVersion}).checkVersion()
}

func (f *stateFile) checkVersion() error {
	switch {
	case f.Version > FormatVersion:
		by := ""
		if f.PlumbVersion != "" {
			by = " by plumb " + f.PlumbVersion
		}
		return fmt.Errorf("%w: it is format version %d, written%s; this plumb reads versions up to %d: upgrade plumb",
			ErrUnsupportedVersion, f.Version, by, FormatVersion)
	case f.Version < 1:
		return fmt.Errorf("no valid \"version\" field (got %d): this is not a plumb state file", f.Version)
	}
	return nil
}
