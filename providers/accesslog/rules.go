package accesslog

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rule catches one kind of attack, in the sense of fail2ban's jails and
// CrowdSec's scenarios: the requests that match it, and how many of them
// within how long make a client an offender. The window slides over the
// log's own timestamps: a client is caught when any stretch of Within
// holds Requests matching requests of it, wherever that stretch is in
// the log.
type Rule struct {
	// Name names the rule in reports and evidence.
	Name string
	// Methods, when set, match the request's method (any case).
	Methods []string
	// URI, when set, must match the request's target (path and query).
	URI *regexp.Regexp
	// Statuses, when set, match the response status: a number such as
	// 404, or a class such as "4xx".
	Statuses []string
	// Agent, when set, must match the user agent.
	Agent *regexp.Regexp
	// Requests within Within catch a client.
	Requests int64
	Within   time.Duration
	// Ban is how long a caught client is blocked; zero leaves it to the
	// block list's timeout.
	Ban time.Duration

	methods  [][]byte
	statuses []statusMatch
	prefix   []byte // a literal the URI must start with (from URI)
}

// statusMatch matches a status exactly, or its hundreds (4xx).
type statusMatch struct {
	code  uint16
	class bool
}

// CheckRule validates a rule and readies it for matching. Its errors say
// what to write instead.
func CheckRule(r *Rule) error {
	if r.Name == "" {
		return ruleErrorf("name", "a rule needs a name")
	}
	if len(r.Methods) == 0 && r.URI == nil && len(r.Statuses) == 0 && r.Agent == nil {
		return ruleErrorf("", "rule %q matches every request; give method, uri, status or agent (a threshold counts every request already)", r.Name)
	}
	if r.Requests < 1 {
		return ruleErrorf("requests", "rule %q: requests must be at least 1", r.Name)
	}
	if r.Within < time.Second {
		return ruleErrorf("within", "rule %q: within must be at least a second, such as \"1m\"", r.Name)
	}
	if r.Ban < 0 {
		return ruleErrorf("ban", "rule %q: ban must not be negative", r.Name)
	}
	r.methods = nil
	for _, m := range r.Methods {
		if m == "" || strings.ContainsAny(m, " \t\"") {
			return ruleErrorf("method", "rule %q: method %q is not an HTTP method, such as POST", r.Name, m)
		}
		r.methods = append(r.methods, []byte(strings.ToUpper(m)))
	}
	r.statuses = nil
	for _, s := range r.Statuses {
		sm, ok := parseStatusMatch(s)
		if !ok {
			return ruleErrorf("status", "rule %q: status %q is not a status code (404) or class (4xx)", r.Name, s)
		}
		r.statuses = append(r.statuses, sm)
	}
	if r.URI != nil {
		if p, _ := r.URI.LiteralPrefix(); strings.HasPrefix(r.URI.String(), "^") && p != "" {
			r.prefix = []byte(p)
		}
	}
	return nil
}

func parseStatusMatch(s string) (statusMatch, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 3 && s[1:] == "xx" && s[0] >= '1' && s[0] <= '5' {
		return statusMatch{code: uint16(s[0]-'0') * 100, class: true}, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 999 {
		return statusMatch{}, false
	}
	return statusMatch{code: uint16(n)}, true
}

// matches reports whether a request matches the rule. The cheap tests
// come first; the expressions run last.
func (r *Rule) matches(method []byte, status uint16, uri, agent []byte) bool {
	if len(r.methods) > 0 {
		ok := false
		for _, m := range r.methods {
			if bytes.EqualFold(m, method) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.statuses) > 0 {
		ok := false
		for _, s := range r.statuses {
			if s.code == status || s.class && s.code == status/100*100 {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if r.prefix != nil && !bytes.HasPrefix(uri, r.prefix) {
		return false
	}
	if r.URI != nil && !r.URI.Match(uri) {
		return false
	}
	return r.Agent == nil || r.Agent.Match(agent)
}

// event is one request that matched a rule: the client, the second (Unix
// time) and the rule.
type event struct {
	client addrKey
	t      uint32
	rule   uint16
}

// eventBytes is the memory one event takes.
const eventBytes = 24

// RuleResult is what one rule found.
type RuleResult struct {
	Name string `json:"name"`
	// Matched is how many requests matched the rule; Clients how many
	// distinct clients sent them.
	Matched int64 `json:"matched"`
	Clients int64 `json:"clients"`
	// Caught are the clients the rule caught, most matching requests in
	// a window first.
	Caught []Catch `json:"caught"`
	// Requests, Within and Ban restate the rule.
	Requests int64         `json:"requests"`
	Within   time.Duration `json:"within"`
	Ban      time.Duration `json:"ban,omitempty"`
}

// Catch is a client a rule caught: the busiest window of Within (From to
// To, both included) and its matching requests in all.
type Catch struct {
	Key      string    `json:"key"`
	InWindow int64     `json:"in_window"`
	Total    int64     `json:"total"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
}

// judge runs the sliding window over one client's matching requests of
// one rule (times sorted): the most in any window of the rule's length,
// and where that window is.
func judge(times []int64, within int64) (most int64, from, to int64) {
	j := 0
	for i := range times {
		for times[i]-times[j] >= within {
			j++
		}
		if n := int64(i - j + 1); n > most {
			most, from, to = n, times[j], times[i]
		}
	}
	return most, from, to
}

// ruleTally accumulates a rule's results over the passes.
type ruleTally struct {
	matched, clients int64
	caught           []Catch
	cut              bool
}

// eventOrder sorts events by rule, client and time.
func eventOrder(a, b event) int {
	if a.rule != b.rule {
		return int(a.rule) - int(b.rule)
	}
	if c := bytes.Compare(a.client[:], b.client[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.t, b.t)
}

// judgeEvents judges every client of every rule from a pass's events,
// one list per worker: each list is sorted in place, and the lists are
// read together in order, so no copy of them all is made.
func (res *results) judgeEvents(lists [][]event, rules []Rule) {
	for _, l := range lists {
		slices.SortFunc(l, eventOrder)
	}
	var times []int64
	for {
		// The lowest (rule, client) at the head of a list.
		var e event
		found := false
		for _, l := range lists {
			if len(l) > 0 && (!found || eventOrder(l[0], e) < 0) {
				e, found = l[0], true
			}
		}
		if !found {
			return
		}
		times = times[:0]
		for i, l := range lists {
			j := 0
			for j < len(l) && l[j].rule == e.rule && l[j].client == e.client {
				times = append(times, int64(l[j].t))
				j++
			}
			lists[i] = l[j:]
		}
		slices.Sort(times)
		t := &res.rules[e.rule]
		t.matched += int64(len(times))
		t.clients++
		r := &rules[e.rule]
		if int64(len(times)) < r.Requests {
			continue
		}
		most, from, to := judge(times, int64(r.Within/time.Second))
		if most < r.Requests {
			continue
		}
		if len(t.caught) >= maxListed {
			t.cut = true
			continue
		}
		t.caught = append(t.caught, Catch{Key: keyAddr(e.client), InWindow: most, Total: int64(len(times)),
			From: time.Unix(from, 0).UTC(), To: time.Unix(to, 0).UTC()})
	}
}

// ruleResults renders the rules' tallies.
func (res *results) ruleResults(rules []Rule) []RuleResult {
	var out []RuleResult
	for i, r := range rules {
		t := res.rules[i]
		caught := slices.Clone(t.caught)
		slices.SortFunc(caught, func(a, b Catch) int {
			if a.InWindow != b.InWindow {
				return cmp.Compare(b.InWindow, a.InWindow)
			}
			if a.Total != b.Total {
				return cmp.Compare(b.Total, a.Total)
			}
			return cmp.Compare(a.Key, b.Key)
		})
		if caught == nil {
			caught = []Catch{}
		}
		out = append(out, RuleResult{Name: r.Name, Matched: t.matched, Clients: t.clients, Caught: caught,
			Requests: r.Requests, Within: r.Within, Ban: r.Ban})
	}
	return out
}

// Evidence says why a rule caught a client: "rule wp_login: 12 matching
// requests within 1m (22:01:03 to 22:01:58 UTC), 37 in all".
func (c Catch) Evidence(r RuleResult) string {
	return fmt.Sprintf("rule %s: %d matching requests within %s (%s to %s), %d in all",
		r.Name, c.InWindow, shortDuration(r.Within), c.From.Format(time.RFC3339), c.To.Format("15:04:05"), c.Total)
}

// ShortDuration writes a duration the way rules are written: 1m0s as 1m,
// 1h0m0s as 1h.
func ShortDuration(d time.Duration) string { return shortDuration(d) }

// shortDuration writes 1m0s as 1m and 1h0m0s as 1h.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0s"
	}
	return s
}
