package main

import (
	"github.com/plumbhq/plumb/providers"
	"github.com/plumbhq/plumb/providers/accesslog"
	"github.com/plumbhq/plumb/providers/apache"
	"github.com/plumbhq/plumb/providers/aws"
	"github.com/plumbhq/plumb/providers/bind"
	"github.com/plumbhq/plumb/providers/builtin"
	"github.com/plumbhq/plumb/providers/dnsquery"
	"github.com/plumbhq/plumb/providers/netfilter"
	"github.com/plumbhq/plumb/providers/svn"
)

// registry builds the one registry of every provider this plumb has, so a
// reader sees them all in one place.
func registry() *providers.Registry {
	r := providers.NewRegistry()
	r.Register("plumb", builtin.New)
	r.Register("aws", aws.New)
	r.Register("bind", bind.New)
	r.Register(apache.Name, apache.New)
	r.Register(dnsquery.Name, dnsquery.New)
	r.Register(svn.Name, svn.New)
	r.Register(accesslog.Name, accesslog.New)
	r.Register(netfilter.Name, netfilter.New)
	return r
}
