package reconcile

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestAttrRange(t *testing.T) {
	src := `interval = "24h"
copy {
  region = "eu-central-1"
}
copy {
  region = "us-west-2"
  retain = "30d"
}
remote_retention = {
  age   = "7d"
  "count" = 3
}
records = [
  { name = "a", values = ["1"] },
  { name = "b",
    values = ["2"] },
]
ssh {
  host = "web1"
}
`
	f, diags := hclsyntax.ParseConfig([]byte(src), "main.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	tests := map[string]int{ // path → line, 0 for none
		"interval":               1,
		"copy":                   2,
		"copy[0].region":         3,
		"copy[1].region":         6,
		"copy[1].retain":         7,
		"copy[0].retain":         2, // not written: the block
		"copy[2].region":         0,
		"remote_retention.age":   10,
		"remote_retention.count": 11,
		"remote_retention.x":     9, // the object
		"ssh.port":               18,
		"records":                13,
		"records[1]":             15,
		"records[1].values":      16,
		"records[7].values":      13,
		"tags":                   0,
	}
	for path, want := range tests {
		got := attrRange(f.Body, path)
		switch {
		case want == 0 && got != nil:
			t.Errorf("%s: line %d, want none", path, got.Start.Line)
		case want != 0 && (got == nil || got.Start.Line != want):
			t.Errorf("%s: %v, want line %d", path, got, want)
		}
	}
}
