package plan

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/safefile"
)

// FileFormat is the version of the saved-plan file format this plumb
// writes and reads: the "plumb_plan" member of the file's JSON.
const FileFormat = 1

// Errors that ReadFile and Decode wrap, for callers to test with errors.Is.
var (
	// ErrNotAPlan means the file is not a saved plan at all.
	ErrNotAPlan = errors.New("not a saved plan")
	// ErrPlanVersion means the plan was saved in a format this plumb does
	// not read.
	ErrPlanVersion = errors.New("unsupported saved-plan format")
	// ErrTruncated means the file is a saved plan but is cut short or
	// damaged.
	ErrTruncated = errors.New("saved plan is truncated or damaged")
)

// remedy ends every saved-plan error with what to do.
const remedy = `run "plumb plan -out FILE" again and apply that file`

// filePlan is the saved-plan document. plumb_plan comes first so the
// format is recognisable at the start of the decompressed stream.
type filePlan struct {
	Format             *int                  `json:"plumb_plan"`
	PlumbVersion       string                `json:"plumb_version"`
	Lineage            string                `json:"lineage"`
	Serial             uint64                `json:"serial"`
	Destroy            bool                  `json:"destroy,omitempty"`
	Targets            []string              `json:"targets,omitempty"`
	Excludes           []string              `json:"excludes,omitempty"`
	RefreshOnly        bool                  `json:"refresh_only,omitempty"`
	AllowMass          bool                  `json:"allow_mass_change,omitempty"`
	Created            time.Time             `json:"created"`
	Types              []json.RawMessage     `json:"types"`
	Variables          map[string]*fileValue `json:"variables,omitempty"`
	Changes            []*fileChange         `json:"changes"`
	Outputs            []*fileOutput         `json:"outputs,omitempty"`
	Warnings           []string              `json:"warnings,omitempty"`
	SensitiveVariables []string              `json:"sensitive_variables,omitempty"`
	Checks             []*Check              `json:"checks,omitempty"`
	RequestCounts      map[string]int        `json:"request_counts,omitempty"`
}

type fileChange struct {
	Addr            string              `json:"address"`
	Mode            Mode                `json:"mode"`
	Type            string              `json:"type"`
	Name            string              `json:"name"`
	Provider        string              `json:"provider"`
	ProviderConfig  string              `json:"provider_config,omitempty"`
	Action          string              `json:"action"`
	Before          *fileValue          `json:"before"`
	After           *fileValue          `json:"after"`
	RequiresReplace []string            `json:"requires_replace,omitempty"`
	Sensitive       []string            `json:"sensitive,omitempty"`
	Keys            map[string][]string `json:"keys,omitempty"`
	Reason          string              `json:"reason,omitempty"`
	ActionReason    string              `json:"action_reason,omitempty"`
	ImportID        string              `json:"import_id,omitempty"`
	Gone            bool                `json:"gone,omitempty"`
	PrevAddr        string              `json:"previous_address,omitempty"`
	MassChange      *MassChange         `json:"mass_change,omitempty"`
}

type fileOutput struct {
	Name      string     `json:"name"`
	Action    string     `json:"action"`
	Before    *fileValue `json:"before"`
	After     *fileValue `json:"after"`
	Sensitive bool       `json:"sensitive,omitempty"`
}

// actionNames spell actions in the file; unlike Action.String they tell
// the two kinds of replacement apart.
var actionNames = map[Action]string{
	NoOp: "no-op", Create: "create", Read: "read", Update: "update",
	DeleteThenCreate: "delete-then-create", CreateThenDelete: "create-then-delete",
	Delete: "delete", Forget: "forget",
}

func parseAction(s string) (Action, error) {
	for a, name := range actionNames {
		if name == s {
			return a, nil
		}
	}
	return NoOp, fmt.Errorf("unknown action %q", s)
}

// WriteFile saves p to path for a later "plumb apply FILE": written to a
// temporary file beside it with mode 0600, synced, then renamed over
// path, so a reader never sees half a plan.
func WriteFile(path string, p *Plan) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := safefile.CheckReplaceable(path); err != nil {
		return fmt.Errorf("saving plan: %w", err)
	}
	// Leftovers of a save that was killed go first.
	if err := safefile.SweepTemps(dir, "."+base+".tmp-", ""); err != nil {
		return fmt.Errorf("saving plan: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving plan: %w", err)
	}
	if err := safefile.HoldTemp(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("saving plan: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	if err := Encode(f, p); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	// Renamed while still open and held, so that another save sweeping
	// leftovers never takes it for one.
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ReadFile loads a plan saved by WriteFile. Its errors name the file and
// wrap ErrNotAPlan, ErrPlanVersion or ErrTruncated when the file is not a
// usable plan.
func ReadFile(path string) (*Plan, error) {
	f, err := safefile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("reading saved plan: %w", err)
	}
	defer f.Close()
	p, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("reading saved plan %s: %w", path, err)
	}
	return p, nil
}

// Encode writes p in the saved-plan format: gzip-compressed JSON whose
// first member is "plumb_plan": FileFormat, with every value stored with
// its type and its unknown parts listed, so Decode restores it exactly.
func Encode(w io.Writer, p *Plan) error {
	doc, err := toFile(p)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(zw, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding plan: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a plan written by Encode.
func Decode(r io.Reader) (*Plan, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if len(head) == 0 && err != nil {
		return nil, fmt.Errorf("%w: the file is empty; %s", ErrTruncated, remedy)
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return nil, fmt.Errorf("%w: %s; pass a file written by %q", ErrNotAPlan, sniff(br), "plumb plan -out FILE")
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %s; %s", ErrTruncated, damage(err), remedy)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s; %s", ErrTruncated, damage(err), remedy)
	}
	var doc filePlan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	jsonErr := dec.Decode(&doc)
	var syntax *json.SyntaxError
	switch {
	case errors.As(jsonErr, &syntax):
		return nil, fmt.Errorf("%w: the compressed content is not plan JSON (%v); %s", ErrNotAPlan, jsonErr, remedy)
	case doc.Format == nil:
		return nil, fmt.Errorf("%w: the compressed content has no %q member; %s", ErrNotAPlan, "plumb_plan", remedy)
	case *doc.Format != FileFormat:
		made := "another version of plumb"
		if doc.PlumbVersion != "" {
			made = "plumb " + doc.PlumbVersion
		}
		return nil, fmt.Errorf("%w: the plan was saved by %s in plan format %d, and this plumb reads format %d; run %q again with this plumb and apply that file",
			ErrPlanVersion, made, *doc.Format, FileFormat, "plumb plan -out FILE")
	case jsonErr != nil:
		return nil, fmt.Errorf("%w: %v; %s", ErrTruncated, jsonErr, remedy)
	}
	p, err := fromFile(&doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v; %s", ErrTruncated, err, remedy)
	}
	return p, nil
}

// damage describes a decompression error.
func damage(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the file ends before the plan does"
	}
	return "the file is damaged (" + err.Error() + ")"
}

// sniff describes what a file that is not gzip data looks like.
func sniff(br *bufio.Reader) string {
	head, _ := br.Peek(512)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '{':
		return "the file holds plain JSON (a state file, or plumb show -json output?)"
	case isText(head):
		return "the file holds plain text (a configuration file?)"
	}
	return "the file is not in the saved-plan format"
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return len(b) > 0
}

func toFile(p *Plan) (*filePlan, error) {
	format := FileFormat
	doc := &filePlan{
		Format: &format, PlumbVersion: p.PlumbVersion, Lineage: p.Lineage, Serial: p.Serial,
		Destroy: p.Destroy, Targets: p.Targets, Excludes: p.Excludes, RefreshOnly: p.RefreshOnly, AllowMass: p.AllowMassChange,
		Created: p.Created, Warnings: p.Warnings,
		SensitiveVariables: p.SensitiveVariables, Checks: p.Checks, RequestCounts: p.RequestCounts,
		Changes: make([]*fileChange, 0, len(p.Changes)),
	}
	var enc valueEncoder
	if len(p.Variables) > 0 {
		doc.Variables = make(map[string]*fileValue, len(p.Variables))
		for name, v := range p.Variables {
			fv, err := enc.encode(v)
			if err != nil {
				return nil, fmt.Errorf("encoding variable %q: %w", name, err)
			}
			doc.Variables[name] = fv
		}
	}
	for _, c := range p.Changes {
		fc := &fileChange{
			Addr: c.Addr, Mode: c.Mode, Type: c.Type, Name: c.Name, Provider: c.Provider, ProviderConfig: c.ProviderConfig,
			Action: actionNames[c.Action], RequiresReplace: c.RequiresReplace,
			Sensitive: c.Sensitive, Keys: c.Keys, Reason: c.Reason, ActionReason: c.ActionReason, ImportID: c.ImportID, Gone: c.Gone, PrevAddr: c.PrevAddr,
			MassChange: c.MassChange,
		}
		var err error
		if fc.Before, err = enc.encode(c.Before); err == nil {
			fc.After, err = enc.encode(c.After)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding the change to %s: %w", c.Addr, err)
		}
		doc.Changes = append(doc.Changes, fc)
	}
	for _, o := range p.Outputs {
		fo := &fileOutput{Name: o.Name, Action: actionNames[o.Action], Sensitive: o.Sensitive}
		var err error
		if fo.Before, err = enc.encode(o.Before); err == nil {
			fo.After, err = enc.encode(o.After)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding output %q: %w", o.Name, err)
		}
		doc.Outputs = append(doc.Outputs, fo)
	}
	doc.Types = enc.table
	return doc, nil
}

func fromFile(doc *filePlan) (*Plan, error) {
	p := &Plan{
		PlumbVersion: doc.PlumbVersion, Lineage: doc.Lineage, Serial: doc.Serial,
		Destroy: doc.Destroy, Targets: doc.Targets, Excludes: doc.Excludes, RefreshOnly: doc.RefreshOnly, AllowMassChange: doc.AllowMass,
		Created: doc.Created, Warnings: doc.Warnings,
		SensitiveVariables: doc.SensitiveVariables, Checks: doc.Checks, RequestCounts: doc.RequestCounts,
	}
	dec := valueDecoder{table: doc.Types}
	if len(doc.Changes) > 0 {
		p.Changes = make([]*Change, 0, len(doc.Changes))
	}
	if len(doc.Variables) > 0 {
		p.Variables = make(map[string]cty.Value, len(doc.Variables))
		for name, fv := range doc.Variables {
			v, err := dec.decode(fv)
			if err != nil {
				return nil, fmt.Errorf("variable %q: %w", name, err)
			}
			p.Variables[name] = v
		}
	}
	for _, fc := range doc.Changes {
		if fc == nil {
			return nil, errors.New("empty change")
		}
		act, err := parseAction(fc.Action)
		if err != nil {
			return nil, fmt.Errorf("change to %s: %w", fc.Addr, err)
		}
		c := &Change{
			Addr: fc.Addr, Mode: fc.Mode, Type: fc.Type, Name: fc.Name, Provider: fc.Provider, ProviderConfig: fc.ProviderConfig,
			Action: act, RequiresReplace: fc.RequiresReplace, Sensitive: fc.Sensitive,
			Keys: fc.Keys, Reason: fc.Reason, ActionReason: fc.ActionReason, ImportID: fc.ImportID, Gone: fc.Gone, PrevAddr: fc.PrevAddr,
			MassChange: fc.MassChange,
		}
		if c.Before, err = dec.decode(fc.Before); err == nil {
			c.After, err = dec.decode(fc.After)
		}
		if err != nil {
			return nil, fmt.Errorf("change to %s: %w", fc.Addr, err)
		}
		p.Changes = append(p.Changes, c)
	}
	for _, fo := range doc.Outputs {
		if fo == nil {
			return nil, errors.New("empty output")
		}
		act, err := parseAction(fo.Action)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", fo.Name, err)
		}
		o := &OutputChange{Name: fo.Name, Action: act, Sensitive: fo.Sensitive}
		if o.Before, err = dec.decode(fo.Before); err == nil {
			o.After, err = dec.decode(fo.After)
		}
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", fo.Name, err)
		}
		p.Outputs = append(p.Outputs, o)
	}
	return p, nil
}
