package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/reconcile"
)

func runValidate(a *app, args []string) int {
	fs := newFlagSet(a, "validate", "validate [options]")
	noColor := fs.Bool("no-color", false, "never use colour")
	asJSON := fs.Bool("json", false, "print the result as JSON, in the shape of terraform validate -json")
	if !parse(fs, args) {
		return exitError
	}
	if *noColor {
		a.color = false
	}
	opts := reconcile.Options{Dir: a.dir, Registry: registry(), Inputs: reconcile.Inputs{Env: os.Environ(), AllowMissing: true}}
	e, diags := reconcile.Load(opts)
	if e != nil {
		a.files = e.Config().Files
		if !diags.HasErrors() {
			diags = append(diags, e.Validate(context.Background())...)
		}
		defer e.Close()
	}
	if *asJSON {
		if err := writeValidateJSON(a.stdout, diags, a.files); err != nil {
			return a.errorf("%v", err)
		}
		if diags.HasErrors() {
			return exitError
		}
		return exitOK
	}
	if a.diags(diags) {
		return exitError
	}
	fmt.Fprintln(a.stdout, "Success! The configuration is valid.")
	return exitOK
}

// validateJSON is the document validate -json prints: Terraform's shape,
// so editors and CI steps written for terraform validate -json read it.
type validateJSON struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []diagnosticJSON `json:"diagnostics"`
}

type diagnosticJSON struct {
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *rangeJSON   `json:"range,omitempty"`
	Snippet  *snippetJSON `json:"snippet,omitempty"`
}

type rangeJSON struct {
	Filename string  `json:"filename"`
	Start    posJSON `json:"start"`
	End      posJSON `json:"end"`
}

type posJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// snippetJSON is the source line a diagnostic points at; the highlight
// offsets are in bytes from the start of code.
type snippetJSON struct {
	Code                 string `json:"code"`
	StartLine            int    `json:"start_line"`
	HighlightStartOffset int    `json:"highlight_start_offset"`
	HighlightEndOffset   int    `json:"highlight_end_offset"`
}

func writeValidateJSON(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) error {
	doc := validateJSON{FormatVersion: "1.0", Diagnostics: []diagnosticJSON{}}
	for _, d := range diags {
		dj := diagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			dj.Severity = "warning"
			doc.WarningCount++
		} else {
			doc.ErrorCount++
		}
		if r := d.Subject; r != nil {
			dj.Range = &rangeJSON{
				Filename: r.Filename,
				Start:    posJSON{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      posJSON{r.End.Line, r.End.Column, r.End.Byte},
			}
			dj.Snippet = snippet(files[r.Filename], *r)
		}
		doc.Diagnostics = append(doc.Diagnostics, dj)
	}
	doc.Valid = doc.ErrorCount == 0
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// snippet returns the lines of f a range covers, with the range's offsets
// within them; nil when the file is not at hand.
func snippet(f *hcl.File, r hcl.Range) *snippetJSON {
	if f == nil || r.Start.Byte > len(f.Bytes) || r.End.Byte > len(f.Bytes) {
		return nil
	}
	src := f.Bytes
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[r.End.Byte:], '\n'); i >= 0 {
		end = r.End.Byte + i
	}
	return &snippetJSON{
		Code:                 string(src[start:end]),
		StartLine:            r.Start.Line,
		HighlightStartOffset: r.Start.Byte - start,
		HighlightEndOffset:   r.End.Byte - start,
	}
}

func runGraph(a *app, args []string) int {
	fs := newFlagSet(a, "graph", "graph")
	if !parse(fs, args) {
		return exitError
	}
	e, ok := a.load(reconcile.Options{Inputs: reconcile.Inputs{Env: os.Environ(), AllowMissing: true}})
	if !ok {
		return exitError
	}
	defer e.Close()
	fmt.Fprint(a.stdout, e.Graph())
	return exitOK
}
