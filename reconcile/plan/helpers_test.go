package plan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

var (
	fileType = cty.Object(map[string]cty.Type{
		"content": cty.String, "filename": cty.String, "mode": cty.String, "id": cty.String,
	})
	recordType = cty.Object(map[string]cty.Type{
		"name": cty.String, "type": cty.String, "ttl": cty.Number, "values": cty.List(cty.String),
	})
	zoneType = cty.Object(map[string]cty.Type{
		"name": cty.String, "records": cty.List(recordType), "tags": cty.Map(cty.String),
		"allow": cty.Set(cty.String), "api_key": cty.String, "id": cty.String,
	})
)

func fileVal(content, filename, mode string, id cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"content": cty.StringVal(content), "filename": cty.StringVal(filename),
		"mode": cty.StringVal(mode), "id": id,
	})
}

func record(name, typ string, ttl int64, values ...string) cty.Value {
	vs := cty.ListValEmpty(cty.String)
	if len(values) > 0 {
		elems := make([]cty.Value, len(values))
		for i, v := range values {
			elems[i] = cty.StringVal(v)
		}
		vs = cty.ListVal(elems)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(name), "type": cty.StringVal(typ), "ttl": cty.NumberIntVal(ttl), "values": vs,
	})
}

// records returns n A records www0..www<n-1>.
func records(n int) []cty.Value {
	out := make([]cty.Value, n)
	for i := range out {
		out[i] = record(fmt.Sprintf("www%d", i), "A", 300, fmt.Sprintf("192.0.2.%d", i%250))
	}
	return out
}

func strs(ss ...string) []cty.Value {
	out := make([]cty.Value, len(ss))
	for i, s := range ss {
		out[i] = cty.StringVal(s)
	}
	return out
}

func zoneVal(recs []cty.Value, tags map[string]string, allow []string, key string) cty.Value {
	tm := map[string]cty.Value{}
	for k, v := range tags {
		tm[k] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("example.org"), "records": cty.ListVal(recs), "tags": cty.MapVal(tm),
		"allow": cty.SetVal(strs(allow...)), "api_key": cty.StringVal(key), "id": cty.StringVal("Z123"),
	})
}

// samplePlan exercises every action and most renderings.
func samplePlan() *Plan {
	zoneBefore := zoneVal(
		[]cty.Value{record("@", "MX", 3600, "10 mail.example.org."), record("www", "A", 300, "192.0.2.1"), record("old", "CNAME", 300, "www")},
		map[string]string{"env": "prod", "team": "web"}, []string{"198.51.100.1", "198.51.100.2"}, "s3cret")
	zoneAfter := zoneVal(
		[]cty.Value{record("@", "MX", 3600, "10 mail.example.org."), record("www", "A", 600, "192.0.2.1", "192.0.2.2"), record("new", "TXT", 300, "hello")},
		map[string]string{"env": "staging", "team": "web", "owner": "ops"}, []string{"198.51.100.2", "198.51.100.3"}, "n3w-s3cret")
	keep := fileVal("same", "same.txt", "0644", cty.StringVal("f-same"))
	return &Plan{
		PlumbVersion: "0.1.0-test",
		Lineage:      "8d3c1a52-0000-4000-8000-000000000001",
		Serial:       7,
		Variables:    map[string]cty.Value{"region": cty.StringVal("eu-west-1")},
		Created:      time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Warnings:     []string{"Resource targeting is in effect: the plan may be incomplete."},
		Targets:      []string{"local_file.site"},
		Changes: []*Change{
			{
				Addr: "aws_route53_zone.site", Mode: Managed, Type: "aws_route53_zone", Name: "site", Provider: "aws",
				Action: Update, Before: zoneBefore, After: zoneAfter, Sensitive: []string{"api_key"},
				Keys: map[string][]string{"records": {"name", "type"}},
			},
			{
				Addr: "data.dns_addresses.office", Mode: Data, Type: "dns_addresses", Name: "office", Provider: "dns",
				Action: Read, Before: cty.NullVal(cty.Object(map[string]cty.Type{"host": cty.String, "addresses": cty.List(cty.String)})),
				After:  cty.ObjectVal(map[string]cty.Value{"host": cty.StringVal("office.example.org"), "addresses": cty.UnknownVal(cty.List(cty.String))}),
				Reason: "its configuration depends on values known only after apply",
			},
			{
				Addr: "local_file.keep", Mode: Managed, Type: "local_file", Name: "keep", Provider: "builtin",
				Action: NoOp, Before: keep, After: keep,
			},
			{
				Addr: "local_file.old", Mode: Managed, Type: "local_file", Name: "old", Provider: "builtin",
				Action: Delete, Before: fileVal("bye\n", "old.txt", "0644", cty.StringVal("f-old")), After: cty.NullVal(fileType),
				Reason: "no longer in configuration",
			},
			{
				Addr: `local_file.site["a"]`, Mode: Managed, Type: "local_file", Name: "site", Provider: "builtin",
				Action: Create, Before: cty.NullVal(fileType), After: fileVal("hello \"world\"\n${x}", "site/a.html", "0644", cty.UnknownVal(cty.String)),
			},
			{
				Addr: "plumb_data.cbd", Mode: Managed, Type: "plumb_data", Name: "cbd", Provider: "builtin",
				Action:          CreateThenDelete,
				Before:          cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("v1"), "output": cty.StringVal("v1"), "id": cty.StringVal("d-1")}),
				After:           cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("v2"), "output": cty.UnknownVal(cty.String), "id": cty.UnknownVal(cty.String)}),
				RequiresReplace: []string{"input"},
			},
			{
				Addr: "plumb_data.x", Mode: Managed, Type: "plumb_data", Name: "x", Provider: "builtin",
				Action:          DeleteThenCreate,
				Before:          cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("a"), "output": cty.StringVal("a"), "id": cty.StringVal("d-2")}),
				After:           cty.ObjectVal(map[string]cty.Value{"input": cty.StringVal("b"), "output": cty.StringVal("a"), "id": cty.StringVal("d-2")}),
				RequiresReplace: []string{"input"},
			},
		},
		Outputs: []*OutputChange{
			{Name: "gone", Action: Delete, Before: cty.StringVal("x"), After: cty.NullVal(cty.String)},
			{Name: "id", Action: Create, Before: cty.NullVal(cty.String), After: cty.UnknownVal(cty.String)},
			{Name: "same", Action: NoOp, Before: cty.StringVal("s"), After: cty.StringVal("s")},
			{Name: "token", Action: Update, Before: cty.StringVal("t1"), After: cty.StringVal("t2"), Sensitive: true},
			{Name: "url", Action: Update, Before: cty.StringVal("http://a/"), After: cty.StringVal("http://b/")},
		},
	}
}
