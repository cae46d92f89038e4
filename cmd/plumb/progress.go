package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// progress reports an apply as it goes: a JSON object per line with
// -json, a single updating line on a terminal for long runs, and a plain
// line per operation otherwise.
type progress struct {
	a      *app
	asJSON bool

	mu       sync.Mutex
	bar      bool
	total    int
	finished int
	failed   int
	counts   map[plan.Action]int
	last     time.Time
}

// barThreshold is the number of changes from which a terminal shows a
// progress line instead of a line per operation.
const barThreshold = 50

func newProgress(a *app, asJSON bool) *progress {
	return &progress{a: a, asJSON: asJSON, counts: map[plan.Action]int{}}
}

func (u *progress) jsonLine(v map[string]any) {
	v["@timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	b, _ := json.Marshal(v)
	u.a.stdout.Write(append(b, '\n'))
}

// plan shows the plan before it is applied.
func (u *progress) plan(p *plan.Plan) error {
	if !u.asJSON {
		return plan.RenderText(u.a.stdout, p, plan.TextOptions{Color: u.a.color})
	}
	var buf bytes.Buffer
	if err := plan.RenderJSON(&buf, p); err != nil {
		return err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, buf.Bytes()); err != nil {
		return err
	}
	u.jsonLine(map[string]any{"type": "plan", "plan": json.RawMessage(compact.Bytes())})
	return nil
}

func (u *progress) start(p *plan.Plan) {
	n := p.Count()
	u.total = n.Add + n.Change + n.Destroy - n.Replace
	u.bar = u.a.tty && !u.asJSON && u.total >= barThreshold
}

var verbs = map[plan.Action][2]string{
	plan.Create:           {"Creating...", "Creation complete"},
	plan.Update:           {"Modifying...", "Modifications complete"},
	plan.DeleteThenCreate: {"Replacing...", "Replacement complete"},
	plan.CreateThenDelete: {"Replacing...", "Replacement complete"},
	plan.Delete:           {"Destroying...", "Destruction complete"},
	plan.Read:             {"Reading...", "Read complete"},
}

// event hears of each operation; it may be called from many goroutines.
func (u *progress) event(ev reconcile.Event) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if ev.Action == plan.Read && !u.asJSON {
		return
	}
	if ev.Done && ev.Action != plan.Read {
		u.finished++
		if ev.Err != nil {
			u.failed++
		} else {
			u.counts[ev.Action]++
		}
	}
	switch {
	case u.asJSON:
		m := map[string]any{"address": ev.Addr, "action": ev.Action.String()}
		switch {
		case !ev.Done:
			m["type"] = "operation_start"
		case ev.Err != nil:
			m["type"], m["error"], m["elapsed_seconds"] = "operation_errored", ev.Err.Error(), ev.Elapsed.Seconds()
		default:
			m["type"], m["elapsed_seconds"] = "operation_complete", ev.Elapsed.Seconds()
		}
		u.jsonLine(m)
	case u.bar:
		if ev.Err != nil {
			fmt.Fprintf(u.a.stdout, "\r\033[K%s: failed\n", ev.Addr)
		}
		if now := time.Now(); ev.Err != nil || now.Sub(u.last) > 100*time.Millisecond || u.finished == u.total {
			u.last = now
			fmt.Fprintf(u.a.stdout, "\r\033[KApplying: %d/%d done (%d%%), %d failed", u.finished, u.total, 100*u.finished/max(u.total, 1), u.failed)
		}
	default:
		v := verbs[ev.Action]
		switch {
		case !ev.Done:
			fmt.Fprintf(u.a.stdout, "%s: %s\n", ev.Addr, v[0])
		case ev.Err != nil:
			fmt.Fprintf(u.a.stdout, "%s: failed after %s\n", ev.Addr, round(ev.Elapsed))
		default:
			fmt.Fprintf(u.a.stdout, "%s: %s after %s\n", ev.Addr, v[1], round(ev.Elapsed))
		}
	}
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

func (u *progress) finish() {
	if u.bar {
		fmt.Fprintln(u.a.stdout)
	}
}

// summary prints the outcome of an apply.
func (u *progress) summary(p *plan.Plan, d hcl.Diagnostics, final *state.State) {
	added := u.counts[plan.Create] + u.counts[plan.DeleteThenCreate] + u.counts[plan.CreateThenDelete]
	changed := u.counts[plan.Update]
	destroyed := u.counts[plan.Delete] + u.counts[plan.DeleteThenCreate] + u.counts[plan.CreateThenDelete]
	if u.asJSON {
		m := map[string]any{"type": "apply_summary", "added": added, "changed": changed, "destroyed": destroyed, "failed": u.failed, "errors": len(errorsOf(d))}
		if final != nil {
			m["serial"] = final.Serial
		}
		u.jsonLine(m)
		return
	}
	if d.HasErrors() {
		fmt.Fprintf(u.a.stdout, "\nApply failed: %d added, %d changed, %d destroyed before the errors above. State holds everything that was done; fix the errors and run plumb apply again.\n", added, changed, destroyed)
		return
	}
	verb := "Apply"
	if p.Destroy {
		verb = "Destroy"
	}
	fmt.Fprintf(u.a.stdout, "\n%s complete! Resources: %d added, %d changed, %d destroyed.\n", verb, added, changed, destroyed)
}

func errorsOf(d hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			out = append(out, x)
		}
	}
	return out
}

// requestCounts prints the API requests a run made, one service a line,
// when a provider counted any.
func (a *app) requestCounts(e *reconcile.Engine) {
	counts := e.RequestCounts()
	if len(counts) == 0 {
		return
	}
	byService := map[string][]string{}
	for k, n := range counts {
		service, op, _ := strings.Cut(k, ":")
		byService[service] = append(byService[service], fmt.Sprintf("%s %d", op, n))
	}
	fmt.Fprintln(a.stderr, "\nAPI requests:")
	for _, s := range sortedKeys(byService) {
		ops := byService[s]
		sort.Strings(ops)
		fmt.Fprintf(a.stderr, "  %s: %s\n", s, strings.Join(ops, ", "))
	}
}
