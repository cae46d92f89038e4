package ec2shim

import (
	"slices"
	"sync"
)

// Faults configures the RequestLimitExceeded errors (HTTP 503, "Request
// limit exceeded.") the shim injects, the way EC2 throttles an account
// that calls too fast. The zero value injects nothing.
type Faults struct {
	// Every throttles every Nth matching request (the Nth, 2Nth, … since
	// SetFaults); 1 throttles all of them, 0 none. A client that retries
	// gets through.
	Every int
	// After, when positive, lets the first After matching requests
	// through and throttles every later one: throttling that outlasts any
	// retries, to see what a client does when it gives up part way.
	After int
	// Actions limits the faults to these actions ("CreateSnapshot", …);
	// empty means every action the shim serves.
	Actions []string
}

// faultState is the shim's running fault injection.
type faultState struct {
	mu      sync.Mutex
	f       Faults
	matched int
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	s.matched = 0
}

// inject reports whether the request for action is to be throttled.
func (s *faultState) inject(action string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f.Every <= 0 && s.f.After <= 0 {
		return false
	}
	if len(s.f.Actions) > 0 && !slices.Contains(s.f.Actions, action) {
		return false
	}
	s.matched++
	return s.f.Every > 0 && s.matched%s.f.Every == 0 || s.f.After > 0 && s.matched > s.f.After
}
