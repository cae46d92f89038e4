package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"

	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// runShow renders a saved plan, or the current state when no plan file is
// named. It never contacts a provider.
func runShow(a *app, args []string) int {
	fs := newFlagSet(a, "show", "show [-format=text|json|markdown|html] [-json] [-for WHERE] [-max-bytes N] [-title TEXT] [PLANFILE]")
	format := fs.String("format", "text", "`text`, json, markdown (for a pull-request comment) or html (a standalone page); markdown and html need a plan file")
	asJSON := fs.Bool("json", false, "the same as -format=json, as Terraform users type it")
	noColor := fs.Bool("no-color", false, "never use colour")
	var size sizeFlags
	size.register(fs, "")
	if !parse(fs, args) {
		return exitError
	}
	mdOpts, err := size.options()
	if err != nil {
		return a.errorf("%v", err)
	}
	if *asJSON {
		*format = "json"
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
			err = plan.RenderMarkdown(a.stdout, p, mdOpts)
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
		red, err := redactState(st, registry())
		if err != nil {
			return a.errorf("%v", err)
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(red); err != nil {
			return a.errorf("%v", err)
		}
		return exitOK
	}
	return a.errorf("unknown -format %q for the state: use text or json (markdown and html render a saved plan)", *format)
}

func (a *app) showState(st *state.State) int {
	if len(st.Resources) == 0 && len(st.Pending) == 0 {
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
	if len(st.Pending) > 0 {
		fmt.Fprintf(w, "# Pending: an apply was interrupted while creating these; the next plan reads\n# each one and replaces it if it exists, or creates it if not.\n\n")
		for _, addr := range slices.Sorted(maps.Keys(st.Pending)) {
			if err := writeInstance(w, reg, st.Pending[addr]); err != nil {
				return a.errorf("%v", err)
			}
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
		secret := reconcile.SensitiveNames(schema, inst)
		for _, name := range names {
			text := plan.FormatValue(v.GetAttr(name))
			if slices.Contains(secret, name) || slices.Contains(secret, "*") {
				text = plan.SensitiveValue
			}
			fmt.Fprintf(w, "    %-*s = %s\n", width, name, text)
		}
	}
	fmt.Fprintln(w, "}")
	fmt.Fprintln(w)
	return nil
}

// redactState returns a copy of st for display: the value of every
// sensitive output, and of every attribute its schema or the state marks
// sensitive, is replaced by "(sensitive)". plumb state pull is the one
// command that prints the state as it is.
func redactState(st *state.State, reg *providers.Registry) (*state.State, error) {
	out := st.DeepCopy()
	secretJSON, _ := json.Marshal(plan.SensitiveValue)
	for _, o := range out.Outputs {
		if o.Sensitive {
			o.Value = secretJSON
			o.Type, _ = json.Marshal("string")
		}
	}
	for _, inst := range out.Resources {
		var schema providers.Schema
		if _, s, err := reconcile.DecodeInstance(reg, inst); err == nil {
			schema = s
		}
		secret := reconcile.SensitiveNames(schema, inst)
		if len(secret) == 0 {
			continue
		}
		if slices.Contains(secret, "*") {
			inst.Attributes = secretJSON
			continue
		}
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(inst.Attributes, &attrs); err != nil {
			return nil, fmt.Errorf("%s: attributes: %w", inst.Addr, err)
		}
		for _, name := range secret {
			if v, ok := attrs[name]; ok && string(v) != "null" {
				attrs[name] = secretJSON
			}
		}
		raw, err := json.Marshal(attrs)
		if err != nil {
			return nil, fmt.Errorf("%s: attributes: %w", inst.Addr, err)
		}
		inst.Attributes = raw
	}
	return out, nil
}
