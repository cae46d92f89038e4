package graph

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
)

func build(edges [][2]string, nodes ...string) *Graph {
	g := New()
	for _, n := range nodes {
		g.Add(n)
	}
	for _, e := range edges {
		g.Connect(e[0], e[1])
	}
	return g
}

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		edges [][2]string
		want  [][]string
	}{
		{"none", [][2]string{{"a", "b"}, {"b", "c"}}, nil},
		{"two", [][2]string{{"a", "b"}, {"b", "a"}}, [][]string{{"a", "b"}}},
		{"three and a tail", [][2]string{{"x", "a"}, {"a", "b"}, {"b", "c"}, {"c", "a"}}, [][]string{{"a", "b", "c"}}},
		{"two separate", [][2]string{{"a", "b"}, {"b", "a"}, {"p", "q"}, {"q", "p"}}, [][]string{{"a", "b"}, {"p", "q"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := build(tt.edges).Cycles()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Cycles() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWalkOrderAndFailure(t *testing.T) {
	// c depends on b depends on a; e depends on d; f depends on c and e.
	g := build([][2]string{{"b", "a"}, {"c", "b"}, {"e", "d"}, {"f", "c"}, {"f", "e"}}, "lone")
	var mu sync.Mutex
	var order []string
	boom := errors.New("boom")
	res := g.Walk(context.Background(), 3, nil, func(_ context.Context, n string) error {
		mu.Lock()
		order = append(order, n)
		mu.Unlock()
		if n == "b" {
			return boom
		}
		return nil
	})
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	if pos["a"] > pos["b"] || pos["d"] > pos["e"] {
		t.Errorf("dependencies ran after their dependents: %v", order)
	}
	want := map[string]error{"a": nil, "b": boom, "c": ErrSkipped, "d": nil, "e": nil, "f": ErrSkipped, "lone": nil}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("results = %v, want %v", res, want)
	}
	if _, ran := pos["c"]; ran {
		t.Errorf("c ran although b failed")
	}
}

func TestWalkStop(t *testing.T) {
	g := build([][2]string{{"b", "a"}, {"c", "b"}})
	stop := make(chan struct{})
	res := g.Walk(context.Background(), 1, stop, func(_ context.Context, n string) error {
		if n == "a" {
			close(stop)
		}
		return nil
	})
	if res["a"] != nil || res["b"] != ErrSkipped || res["c"] != ErrSkipped {
		t.Fatalf("after stop: %v", res)
	}
}

func TestWalkBoundsParallelism(t *testing.T) {
	g := New()
	for i := 0; i < 50; i++ {
		g.Add(string(rune('A' + i)))
	}
	var mu sync.Mutex
	cur, peak := 0, 0
	g.Walk(context.Background(), 4, nil, func(context.Context, string) error {
		mu.Lock()
		cur++
		peak = max(peak, cur)
		mu.Unlock()
		for i := 0; i < 10000; i++ {
			_ = i * i
		}
		mu.Lock()
		cur--
		mu.Unlock()
		return nil
	})
	if peak > 4 {
		t.Fatalf("peak concurrency %d exceeds 4", peak)
	}
}

func TestReachable(t *testing.T) {
	g := build([][2]string{{"b", "a"}, {"c", "b"}, {"e", "d"}})
	got := g.Reachable("c")
	want := map[string]bool{"a": true, "b": true, "c": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Reachable(c) = %v, want %v", got, want)
	}
}

func TestDependents(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	g.Connect("c", "b")
	g.Connect("d", "a")
	g.Connect("e", "x")
	if got := g.Dependents("a"); !slices.Equal(got, []string{"b", "c", "d"}) {
		t.Errorf("Dependents(a) = %v, want [b c d]", got)
	}
	if got := g.Dependents("c"); len(got) != 0 {
		t.Errorf("Dependents(c) = %v, want none", got)
	}
}
