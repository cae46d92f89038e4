package host

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Slot holds the host a provider acts on: this machine until Configure
// finds an ssh block in the provider's configuration. A provider keeps
// one Slot and hands it to its resources, which call Get for every
// operation; the zero Slot is ready to use.
type Slot struct {
	mu sync.RWMutex
	h  Host
}

// Get returns the host.
func (s *Slot) Get() Host {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return Local()
	}
	return s.h
}

// Configure builds the host from the provider's configuration with
// FromConfig and keeps it, closing the one it held before. When that
// fails, the slot holds a host on which every operation fails with the
// same error: a provider whose host cannot be reached must never fall
// back to acting on this machine.
func (s *Slot) Configure(ctx context.Context, config cty.Value) hcl.Diagnostics {
	h, diags := FromConfig(ctx, config)
	if diags.HasErrors() {
		s.Set(Unreachable(errors.New(diagText(diags))))
		return diags
	}
	s.Set(h)
	return diags
}

func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			parts = append(parts, strings.TrimSuffix(d.Summary+": "+d.Detail, ": "))
		}
	}
	return strings.Join(parts, "; ")
}

// Set keeps h, closing the host held before.
func (s *Slot) Set(h Host) {
	s.mu.Lock()
	old := s.h
	s.h = h
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// Close closes the host (an SSH connection closes with its last user).
func (s *Slot) Close() error {
	s.mu.Lock()
	h := s.h
	s.h = nil
	s.mu.Unlock()
	if h == nil {
		return nil
	}
	return h.Close()
}
