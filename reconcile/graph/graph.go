// Package graph is a directed acyclic graph of named nodes: cycle
// detection that names every member of a cycle, and a bounded parallel
// walk that runs each node once its dependencies are done and skips the
// dependents of a node that failed.
package graph

import (
	"context"
	"errors"
	"sort"
	"sync"
)

// Graph holds nodes and "depends on" edges between them. The zero value is
// not usable; call New.
type Graph struct {
	deps  map[string]map[string]struct{}
	order []string
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{deps: map[string]map[string]struct{}{}}
}

// Add adds a node; adding it again does nothing.
func (g *Graph) Add(node string) {
	if _, ok := g.deps[node]; !ok {
		g.deps[node] = map[string]struct{}{}
		g.order = append(g.order, node)
	}
}

// Has reports whether the node exists.
func (g *Graph) Has(node string) bool {
	_, ok := g.deps[node]
	return ok
}

// Connect records that from depends on to, adding both nodes if needed.
func (g *Graph) Connect(from, to string) {
	g.Add(from)
	g.Add(to)
	if from != to {
		g.deps[from][to] = struct{}{}
	}
}

// Nodes lists the nodes in the order they were added.
func (g *Graph) Nodes() []string { return append([]string(nil), g.order...) }

// DependsOn lists the direct dependencies of node, sorted.
func (g *Graph) DependsOn(node string) []string {
	out := make([]string, 0, len(g.deps[node]))
	for d := range g.deps[node] {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Cycles returns every cycle in the graph as the sorted list of its
// members, cycles sorted by their first member (Tarjan's algorithm).
func (g *Graph) Cycles() [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var visit func(n string)
	visit = func(n string) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, d := range g.DependsOn(n) {
			if _, seen := index[d]; !seen {
				visit(d)
				low[n] = min(low[n], low[d])
			} else if onStack[d] {
				low[n] = min(low[n], index[d])
			}
		}
		if low[n] != index[n] {
			return
		}
		var scc []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			scc = append(scc, top)
			if top == n {
				break
			}
		}
		if len(scc) > 1 {
			sort.Strings(scc)
			out = append(out, scc)
		}
	}
	nodes := g.Nodes()
	sort.Strings(nodes)
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Reachable returns the nodes that start depends on, directly or not,
// including start itself.
func (g *Graph) Reachable(start ...string) map[string]bool {
	seen := map[string]bool{}
	work := append([]string(nil), start...)
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		for d := range g.deps[n] {
			work = append(work, d)
		}
	}
	return seen
}

// Dependents returns the nodes that depend on any of start, directly or
// not, start excluded unless it depends on another of start; sorted.
func (g *Graph) Dependents(start ...string) []string {
	rev := map[string][]string{}
	for n, deps := range g.deps {
		for d := range deps {
			rev[d] = append(rev[d], n)
		}
	}
	seen := map[string]bool{}
	work := append([]string(nil), start...)
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		for _, up := range rev[n] {
			if !seen[up] {
				seen[up] = true
				work = append(work, up)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrSkipped is the result of a node that did not run because a node it
// depends on failed or was skipped, or because the walk was stopped.
var ErrSkipped = errors.New("skipped")

// Walk calls visit for every node, each only after all its dependencies
// returned nil, at most parallelism at a time. A node whose dependency
// failed is not visited; its result is ErrSkipped, and so on down. Once
// stop is closed no further node starts; nodes already running finish.
// Walk returns each node's result. The graph must have no cycles.
func (g *Graph) Walk(ctx context.Context, parallelism int, stop <-chan struct{}, visit func(ctx context.Context, node string) error) map[string]error {
	if parallelism < 1 {
		parallelism = 1
	}
	waiting := make(map[string]int, len(g.deps))
	dependents := make(map[string][]string, len(g.deps))
	for n, ds := range g.deps {
		waiting[n] = len(ds)
		for d := range ds {
			dependents[d] = append(dependents[d], n)
		}
	}
	results := make(map[string]error, len(g.deps))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelism)

	stopped := func() bool {
		select {
		case <-stop:
			return true
		case <-ctx.Done():
			return true
		default:
			return false
		}
	}
	var finish func(n string, err error)
	var start func(n string)
	// finish records a result and starts the dependents that are ready;
	// it is called with mu held.
	finish = func(n string, err error) {
		results[n] = err
		for _, d := range dependents[n] {
			if _, done := results[d]; done {
				continue
			}
			if err != nil {
				finish(d, ErrSkipped)
				continue
			}
			waiting[d]--
			if waiting[d] == 0 {
				start(d)
			}
		}
	}
	start = func(n string) {
		if stopped() {
			finish(n, ErrSkipped)
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			var err error
			if stopped() {
				err = ErrSkipped
			} else {
				err = visit(ctx, n)
			}
			<-sem
			mu.Lock()
			finish(n, err)
			mu.Unlock()
		}()
	}
	mu.Lock()
	for _, n := range g.order {
		if waiting[n] == 0 {
			if _, done := results[n]; !done {
				start(n)
			}
		}
	}
	mu.Unlock()
	wg.Wait()
	return results
}
