package netfilter

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Repeat offenders, as fail2ban's bantime.increment and [recidive] treat
// them: a block list remembers in its state how often it blocked each
// address (offences). An address blocked again after its block ended is
// blocked for its base ban (its rule's ban, or timeout) times
// repeat_factor for each earlier offence, at most max_ban. An address
// still blocked and still listed is not a new offence: its requests no
// longer reach the server, so the log lines are the old ones.

// Defaults of the repeat-offender settings.
const (
	defaultRepeatFactor = 2.0
	defaultMaxBan       = 7 * 24 * 3600 // a week, as fail2ban's recidive jail
)

// maxRemembered bounds how many addresses the state remembers offences
// for: past it, those with the fewest offences are forgotten first.
const maxRemembered = 100000

// banFor returns how long to block key for its offence-th offence (1 for
// the first), in seconds; zero means no timeout.
func (s settings) banFor(key string, offence int64) int64 {
	base := s.timeout
	if b, ok := s.bans[key]; ok {
		base = b
	}
	if base == 0 {
		return 0
	}
	t := float64(base) * math.Pow(s.repeatFactor, float64(max(offence, 1)-1))
	limit := float64(max(s.maxBan, base))
	if t > limit || math.IsInf(t, 0) || math.IsNaN(t) {
		t = limit
	}
	return int64(t)
}

// escalation says how an offence's ban came about, for the plan: "repeat
// offence 3: blocked for 4h (1h × 2²)".
func (s settings) escalation(key string, offence int64) string {
	if offence <= 1 {
		return ""
	}
	ban := s.banFor(key, offence)
	if ban == 0 {
		return fmt.Sprintf("; repeat offence %d", offence)
	}
	base := s.timeout
	if b, ok := s.bans[key]; ok {
		base = b
	}
	note := ""
	if ban == max(s.maxBan, base) {
		note = ", the most max_ban allows"
	}
	return fmt.Sprintf("; repeat offence %d: blocked for %s (%s × %s^%d%s)", offence, seconds(ban), seconds(base),
		strconv.FormatFloat(s.repeatFactor, 'f', -1, 64), offence-1, note)
}

// seconds renders a duration in seconds the short way: 4h, 90m, 1h30m.
func seconds(n int64) string {
	d := time.Duration(n) * time.Second
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// countOffences adds an offence for every address newly blocked: listed
// (not kept), not in the sets now, and whose last block had ended by now
// (one removed by hand or by a reboot before its end is put back at the
// same level). It returns the new offence counts, and suffixes the
// evidence of a repeat offender with its escalation.
func (s settings) countOffences(blocked, prior map[string]string, offences map[string]int64, expires map[string]string, now time.Time) map[string]int64 {
	out := make(map[string]int64, len(offences)+len(blocked))
	for k, n := range offences {
		out[k] = n
	}
	for k, v := range blocked {
		if isRetained(v) {
			continue
		}
		_, before := prior[k]
		if end, err := time.Parse(time.RFC3339, expires[k]); !before && (err == nil && end.After(now) || expires[k] == never) && out[k] > 0 {
			before = true // its block should still run: not a new offence
		}
		if !before {
			out[k]++
		} else if out[k] == 0 {
			out[k] = 1 // blocked before plumb remembered offences
		}
		blocked[k] = v + s.escalation(k, out[k])
	}
	return forgetFewest(out, blocked)
}

// forgetFewest keeps the state's memory of offences bounded: it forgets
// the addresses with the fewest offences (never one blocked now).
func forgetFewest(off map[string]int64, blocked map[string]string) map[string]int64 {
	if len(off) <= maxRemembered {
		return off
	}
	for n := int64(1); len(off) > maxRemembered; n++ {
		for k, c := range off {
			if _, now := blocked[k]; c <= n && !now && len(off) > maxRemembered {
				delete(off, k)
			}
		}
		if n > 1<<20 {
			break
		}
	}
	return off
}

// numberMap reads a known map of numbers.
func numberMap(v cty.Value) map[string]int64 {
	out := map[string]int64{}
	if v.IsNull() || !v.IsKnown() {
		return out
	}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		n, _ := e.AsBigFloat().Int64()
		out[k.AsString()] = n
	}
	return out
}

// numberMapVal returns a Go map of numbers as a cty map.
func numberMapVal(m map[string]int64) cty.Value {
	if len(m) == 0 {
		return cty.MapValEmpty(cty.Number)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, n := range m {
		vals[k] = cty.NumberIntVal(n)
	}
	return cty.MapVal(vals)
}
