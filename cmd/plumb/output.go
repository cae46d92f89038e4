package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// runOutput prints root outputs from state: all of them, or one by name;
// -raw prints a string as it is, for scripts; -json prints JSON.
func runOutput(a *app, args []string) int {
	fs := newFlagSet(a, "output", "output [-json|-raw] [NAME]")
	asJSON := fs.Bool("json", false, "print as JSON")
	raw := fs.Bool("raw", false, "print one string, number or bool output as it is, without quotes")
	if !parse(fs, args) {
		return exitError
	}
	st, err := a.backend().Read(context.Background())
	if err != nil {
		return a.errorf("%v", err)
	}
	if fs.NArg() == 1 {
		name := fs.Arg(0)
		o, ok := st.Outputs[name]
		if !ok {
			return a.errorf("no output named %q in state. Declare it with an output block and run plumb apply.", name)
		}
		v, err := o.Decode()
		if err != nil {
			return a.errorf("output %s: %v", name, err)
		}
		switch {
		case *raw:
			return a.printRaw(name, v)
		case *asJSON:
			b, err := ctyjson.Marshal(v, v.Type())
			if err != nil {
				return a.errorf("%v", err)
			}
			fmt.Fprintln(a.stdout, string(b))
		default:
			fmt.Fprintln(a.stdout, plan.FormatValue(v))
		}
		return exitOK
	}
	if *raw {
		return a.errorf("-raw needs the name of one output")
	}
	if *asJSON {
		return a.outputsJSON(st)
	}
	for _, name := range sortedKeys(st.Outputs) {
		o := st.Outputs[name]
		text := "(sensitive)"
		if !o.Sensitive {
			v, err := o.Decode()
			if err != nil {
				return a.errorf("output %s: %v", name, err)
			}
			text = plan.FormatValue(v)
		}
		fmt.Fprintf(a.stdout, "%s = %s\n", name, text)
	}
	return exitOK
}

func (a *app) printRaw(name string, v cty.Value) int {
	if v.IsNull() || !v.IsKnown() {
		return a.errorf("output %s is null", name)
	}
	switch v.Type() {
	case cty.String:
		fmt.Fprint(a.stdout, v.AsString())
	case cty.Number:
		fmt.Fprint(a.stdout, v.AsBigFloat().Text('f', -1))
	case cty.Bool:
		fmt.Fprint(a.stdout, v.True())
	default:
		return a.errorf("output %s is %s; -raw prints only strings, numbers and bools. Use -json.", name, v.Type().FriendlyName())
	}
	return exitOK
}

// outputsJSON prints every output as JSON. A sensitive one prints as
// "(sensitive)", as in every other listing; plumb output -json NAME
// prints its value, for a script that asks for exactly that one.
func (a *app) outputsJSON(st *state.State) int {
	out := map[string]any{}
	for name, o := range st.Outputs {
		if o.Sensitive {
			out[name] = map[string]any{"sensitive": true, "type": "string", "value": plan.SensitiveValue}
			continue
		}
		out[name] = map[string]any{"sensitive": false, "type": json.RawMessage(o.Type), "value": json.RawMessage(o.Value)}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return a.errorf("%v", err)
	}
	fmt.Fprintln(a.stdout, string(b))
	return exitOK
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
