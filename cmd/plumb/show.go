package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// runShow renders a saved plan, or the current state when no plan file is
// named. It never contacts a provider.
func runShow(a *app, args []string) int {
	fs := newFlagSet(a, "show", "show [-format=text|json|markdown|html] [PLANFILE]")
	format := fs.String("format", "text", "`text`, json, markdown (for a pull-request comment) or html (a standalone page); markdown and html need a plan file")
	noColor := fs.Bool("no-color", false, "never use colour")
	if !parse(fs, args) {
		return exitError
	}
	if *noColor {
		a.color = false
	}
	if fs.NArg() > 1 {
		return a.errorf("show takes at most one plan file")
	}
	if fs.NArg() == 1 {
		p, err := plan.ReadFile(fs.Arg(0))
		if err != nil {
			return a.errorf("%v", err)
		}
		switch *format {
		case "text":
			err = plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color})
		case "json":
			err = plan.RenderJSON(a.stdout, p)
		case "markdown":
			err = plan.RenderMarkdown(a.stdout, p, plan.MarkdownOptions{})
		case "html":
			err = plan.RenderHTML(a.stdout, p)
		default:
			return a.errorf("unknown -format %q: use text, json, markdown or html", *format)
		}
		if err != nil {
			return a.errorf("%v", err)
		}
		return exitOK
	}
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	switch *format {
	case "text":
		return a.showState(st)
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return a.errorf("%v", err)
		}
		return exitOK
	}
	return a.errorf("unknown -format %q for the state: use text or json (markdown and html render a saved plan)", *format)
}

func (a *app) showState(st *state.State) int {
	if len(st.Resources) == 0 {
		fmt.Fprintln(a.stdout, "The state is empty: plumb manages nothing here yet.")
		return exitOK
	}
	w := bufio.NewWriter(a.stdout)
	defer w.Flush()
	reg := registry()
	for _, addr := range st.SortedAddrs() {
		if err := writeInstance(w, reg, st.Resources[addr]); err != nil {
			return a.errorf("%v", err)
		}
	}
	return exitOK
}

func writeInstance(w io.Writer, reg *providers.Registry, inst *state.Instance) error {
	v, schema, err := reconcile.DecodeInstance(reg, inst)
	if err != nil {
		return fmt.Errorf("%s: %w", inst.Addr, err)
	}
	kind := "resource"
	if inst.Mode == "data" {
		kind = "data"
	}
	fmt.Fprintf(w, "# %s:", inst.Addr)
	if inst.Tainted {
		fmt.Fprint(w, " (tainted)")
	}
	fmt.Fprintf(w, "\n%s %q %q {\n", kind, inst.Type, inst.Name)
	if !v.IsNull() && v.Type().IsObjectType() {
		names := make([]string, 0)
		width := 0
		for name := range v.Type().AttributeTypes() {
			if !v.GetAttr(name).IsNull() {
				names = append(names, name)
				width = max(width, len(name))
			}
		}
		sort.Strings(names)
		for _, name := range names {
			text := plan.FormatValue(v.GetAttr(name))
			if a, ok := schema.Attributes[name]; ok && a.Sensitive {
				text = "(sensitive)"
			}
			fmt.Fprintf(w, "    %-*s = %s\n", width, name, text)
		}
	}
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w)
	return nil
}
