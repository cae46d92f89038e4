package providers

import (
	"fmt"
	"sort"
)

// Factory makes a new, unconfigured instance of a provider.
type Factory func() Provider

// Registry maps provider names to factories and resource and data source
// type names to the provider that serves them. cmd/plumb builds the one
// registry, so a reader sees every provider in one place.
type Registry struct {
	factories map[string]Factory
	resources map[string]string
	data      map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: map[string]Factory{}, resources: map[string]string{}, data: map[string]string{}}
}

// Register adds a provider under name. It panics when a name or a type name
// is registered twice, which is a programming error.
func (r *Registry) Register(name string, f Factory) {
	if _, dup := r.factories[name]; dup {
		panic(fmt.Sprintf("provider %q registered twice", name))
	}
	r.factories[name] = f
	p := f()
	for t := range p.Resources() {
		if other, dup := r.resources[t]; dup {
			panic(fmt.Sprintf("resource type %q served by both %q and %q", t, other, name))
		}
		r.resources[t] = name
	}
	for t := range p.DataSources() {
		if other, dup := r.data[t]; dup {
			panic(fmt.Sprintf("data source type %q served by both %q and %q", t, other, name))
		}
		r.data[t] = name
	}
}

// Factory returns the factory registered under name.
func (r *Registry) Factory(name string) (Factory, bool) {
	f, ok := r.factories[name]
	return f, ok
}

// ResourceProvider names the provider that serves a resource type.
func (r *Registry) ResourceProvider(typeName string) (string, bool) {
	p, ok := r.resources[typeName]
	return p, ok
}

// DataSourceProvider names the provider that serves a data source type.
func (r *Registry) DataSourceProvider(typeName string) (string, bool) {
	p, ok := r.data[typeName]
	return p, ok
}

// Names lists the registered provider names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ResourceTypes lists every registered resource type, sorted.
func (r *Registry) ResourceTypes() []string {
	out := make([]string, 0, len(r.resources))
	for t := range r.resources {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
