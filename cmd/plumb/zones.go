package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/zonesimport"
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/aws"
)

// runZones dispatches plumb zones import.
func runZones(a *app, args []string) int {
	if len(args) == 0 || args[0] != "import" {
		return a.errorf("usage: plumb zones import [options] DIR, or plumb zones import -from route53")
	}
	fs := newFlagSet(a, "zones import", "zones import [-type aws_route53_zone|bind_zone] [-mode for_each|blocks] DIR\n       plumb zones import -from route53 [-endpoint URL] [-region R] [-profile P]")
	from := fs.String("from", "", "read zones from a service instead of a folder: route53")
	typ := fs.String("type", zonesimport.TypeRoute53, "resource type to write: aws_route53_zone or bind_zone")
	mode := fs.String("mode", zonesimport.ModeForEach, "for_each (one block over every file) or blocks (one block per zone)")
	name := fs.String("name", "zone", "resource name, with -mode for_each")
	dir := fs.String("directory", "", "with -type bind_zone: where plumb writes the zones (default build/zones)")
	endpoint := fs.String("endpoint", "", "with -from route53: API endpoint (for an emulator)")
	region := fs.String("region", "", "with -from route53: AWS region")
	profile := fs.String("profile", "", "with -from route53: AWS profile")
	if !parse(fs, args[1:]) {
		return exitError
	}
	if *from != "" {
		if *from != "route53" {
			return a.errorf("-from %q: the only service is route53", *from)
		}
		return a.zonesFromRoute53(*endpoint, *region, *profile)
	}
	if fs.NArg() != 1 {
		return a.errorf("name one folder of zone files: plumb zones import DIR")
	}
	out, err := zonesimport.FromDir(fs.Arg(0), zonesimport.Options{Type: *typ, Mode: *mode, Name: *name, Directory: *dir})
	a.stdout.Write(out)
	var skipped *zonesimport.SkippedError
	if errors.As(err, &skipped) {
		if skipped.Generated > 0 {
			a.errorf("%v\nThe configuration above covers the zones that parse; fix the files listed and run the import again for them.", err)
		} else {
			a.errorf("%v", err)
		}
		return exitError
	}
	if err != nil {
		return a.errorf("%v", err)
	}
	return exitOK
}

// zonesFromRoute53 writes HCL and import blocks for the zones already in
// Route 53.
func (a *app) zonesFromRoute53(endpoint, region, profile string) int {
	p := aws.New()
	cfg := nullAttrs(p.Schema())
	set := func(k, v string) {
		if v != "" {
			cfg[k] = cty.StringVal(v)
		}
	}
	set("endpoint", endpoint)
	set("region", region)
	set("profile", profile)
	ctx := context.Background()
	resp := p.Configure(ctx, providers.ConfigureRequest{Config: cty.ObjectVal(cfg)})
	if a.diags(resp.Diagnostics) {
		return exitError
	}
	zones, err := aws.ExportZones(ctx, p.(*aws.Provider))
	if err != nil {
		return a.errorf("reading Route 53: %v", err)
	}
	live := make([]zonesimport.LiveZone, len(zones))
	skipped := 0
	for i, z := range zones {
		live[i] = zonesimport.LiveZone{Name: z.Name, ID: z.ID, Records: z.Records}
		skipped += z.Skipped
	}
	a.stdout.Write(zonesimport.FromLive(live))
	if skipped > 0 {
		fmt.Fprintf(a.stderr, "Note: %d record sets (aliases, routing policies, unsupported types) were left out; plumb leaves them alone.\n", skipped)
	}
	fmt.Fprintf(a.stderr, "Wrote %d zones with import blocks.\n", len(zones))
	return exitOK
}

// nullAttrs is a configuration with every attribute of s null.
func nullAttrs(s providers.Schema) map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, attr := range s.ImpliedType().AttributeTypes() {
		out[name] = cty.NullVal(attr)
	}
	return out
}
