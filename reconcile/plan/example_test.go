package plan_test

import (
	"fmt"
	"os"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/reconcile/plan"
)

func record(name, typ string, ttl int64) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl),
	})
}

func ExampleDiff() {
	zone := func(wwwTTL int64, allow ...string) cty.Value {
		var ips []cty.Value
		for _, ip := range allow {
			ips = append(ips, cty.StringVal(ip))
		}
		return cty.ObjectVal(map[string]cty.Value{
			"records": cty.ListVal([]cty.Value{record("@", "MX", 3600), record("www", "A", wwwTTL)}),
			"allow":   cty.SetVal(ips),
		})
	}
	before := zone(300, "192.0.2.1")
	after := zone(60, "192.0.2.1", "192.0.2.9")
	c := &plan.Change{
		Before: before, After: after,
		Keys: map[string][]string{"records": {"name", "type"}},
	}
	for _, d := range plan.Diff(c) {
		fmt.Println(d.Action.Symbol(), d.Path, plan.FormatValue(d.Before), "->", plan.FormatValue(d.After))
	}
	// Output:
	// + allow[+] null -> "192.0.2.9"
	// ~ records[name="www",type="A"].ttl 300 -> 60
}

func ExampleRenderText() {
	ty := cty.Object(map[string]cty.Type{"content": cty.String, "id": cty.String})
	p := &plan.Plan{Changes: []*plan.Change{{
		Addr: "local_file.site", Mode: plan.Managed, Type: "local_file", Name: "site",
		Action: plan.Create, Before: cty.NullVal(ty),
		After: cty.ObjectVal(map[string]cty.Value{"content": cty.StringVal("hello"), "id": cty.UnknownVal(cty.String)}),
	}}}
	if err := plan.RenderText(os.Stdout, p, plan.TextOptions{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// plumb will perform the following actions:
	//
	//   # local_file.site will be created
	//   + resource "local_file" "site" {
	//       + content = "hello"
	//       + id      = (known after apply)
	//     }
	//
	// Plan: 1 to add, 0 to change, 0 to destroy.
}
