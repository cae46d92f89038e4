package awstest

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Faults configures the errors the Route 53 shim injects, so tests can see
// a client cope with what real Route 53 does under load. The zero value
// injects nothing.
type Faults struct {
	// ThrottleEvery answers every Nth matching request (the Nth, 2Nth, …
	// since SetFaults) with Route 53's throttling error: HTTP 400, code
	// "Throttling", message "Rate exceeded". Zero turns it off; 1 throttles
	// every request.
	ThrottleEvery int
	// ThrottlePerSecond, when positive, lets matching requests through a
	// token bucket refilled at this rate (ThrottleBurst deep, at least 1)
	// and throttles the rest, the way Route 53 enforces its per-account
	// limit of about five requests a second.
	ThrottlePerSecond float64
	ThrottleBurst     int
	// Actions limits throttling to these API actions ("CreateHostedZone",
	// "ChangeResourceRecordSets", …); empty means every Route 53 action.
	Actions []string
	// PriorRequestNotCompleteEvery answers every Nth
	// ChangeResourceRecordSets with HTTP 400 "PriorRequestNotComplete",
	// which Route 53 sends while it is still applying an earlier change.
	PriorRequestNotCompleteEvery int
}

// faultState is the shim's running fault injection.
type faultState struct {
	mu      sync.Mutex
	f       Faults
	matched int       // matching requests seen since SetFaults
	changes int       // ChangeResourceRecordSets seen since SetFaults
	tokens  float64   // token bucket level
	last    time.Time // when tokens was last refilled
	now     func() time.Time
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
	s.matched, s.changes = 0, 0
	s.tokens = float64(max(f.ThrottleBurst, 1))
	s.last = s.now()
}

// inject decides whether the request for action is answered with an error
// instead of being served, and which.
func (s *faultState) inject(action string) (code, message string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if action == "ChangeResourceRecordSets" && s.f.PriorRequestNotCompleteEvery > 0 {
		s.changes++
		if s.changes%s.f.PriorRequestNotCompleteEvery == 0 {
			return "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request.", true
		}
	}
	if len(s.f.Actions) > 0 && !slices.Contains(s.f.Actions, action) {
		return "", "", false
	}
	s.matched++
	if s.f.ThrottleEvery > 0 && s.matched%s.f.ThrottleEvery == 0 {
		return "Throttling", "Rate exceeded", true
	}
	if s.f.ThrottlePerSecond > 0 {
		now := s.now()
		burst := float64(max(s.f.ThrottleBurst, 1))
		s.tokens = min(burst, s.tokens+now.Sub(s.last).Seconds()*s.f.ThrottlePerSecond)
		s.last = now
		if s.tokens < 1 {
			return "Throttling", "Rate exceeded", true
		}
		s.tokens--
	}
	return "", "", false
}

// writeFault answers with an injected error in Route 53's format.
func writeFault(w http.ResponseWriter, code, message string) {
	writeError(w, http.StatusBadRequest, code, message)
}
