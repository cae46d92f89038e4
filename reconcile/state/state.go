// Package state holds the state model (what plumb knows exists, per
// resource instance) and the backends that keep it: the local file, with
// its lock and journal.
package state

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the version of the state file format this plumb writes.
const FormatVersion = 1

// State is everything plumb knows exists.
type State struct {
	// Version is the file format version (FormatVersion).
	Version int `json:"version"`
	// PlumbVersion is the plumb that last wrote the state.
	PlumbVersion string `json:"plumb_version"`
	// Lineage is fixed when a state is created; a state with another
	// lineage is another estate.
	Lineage string `json:"lineage"`
	// Serial grows by one with every write.
	Serial uint64 `json:"serial"`
	// Outputs are the root outputs from the last apply, keyed by name.
	Outputs map[string]*Output `json:"outputs,omitempty"`
	// Resources are keyed by instance address. The file lists them as a
	// JSON array sorted by address.
	Resources map[string]*Instance `json:"-"`
	// Pending are objects an apply began to create and did not record as
	// made: the process died between announcing the create (Recorder.
	// Intend) and recording its outcome. Each may exist, whole or in
	// part, so the next plan reads it and replaces or forgets it. Keyed
	// by instance address; the file lists them under "pending".
	Pending map[string]*Instance `json:"-"`
}

// Output is one root output value.
type Output struct {
	Value     json.RawMessage `json:"value"`
	Type      json.RawMessage `json:"type"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

// Instance is one resource instance as last seen.
type Instance struct {
	// Addr is the instance address, such as plumb_data.r[3].
	Addr string `json:"address"`
	// Mode is "managed" or "data".
	Mode string `json:"mode"`
	// Type, Name and Provider describe the resource.
	Type     string `json:"type"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// Attributes is the object's value as cty JSON; decode it with the
	// resource schema's implied type (Value does).
	Attributes json.RawMessage `json:"attributes"`
	// Dependencies are the configuration addresses (such as
	// local_file.site) this instance depended on when it was last applied,
	// so it can be destroyed in the right order once it has left the
	// configuration.
	Dependencies []string `json:"dependencies,omitempty"`
	// Tainted marks an object whose creation failed part way: it exists,
	// but the next plan replaces it.
	Tainted bool `json:"tainted,omitempty"`
	// Sensitive lists the places in Attributes whose values never print:
	// every rendering of the state shows (sensitive) there.
	Sensitive Paths `json:"sensitive_attributes,omitempty"`
}

// ErrLocked is returned (wrapped) when another run holds the state lock.
var ErrLocked = errors.New("state is locked")

// ErrCorrupt is returned (wrapped) when a state file cannot be parsed.
var ErrCorrupt = errors.New("state file is corrupt")

// LockInfo says who holds a lock, so a waiting or breaking run can name it.
type LockInfo struct {
	ID        string `json:"id"`
	Operation string `json:"operation"`
	// Who is the user name; Holder prints it as user@host.
	Who     string `json:"who"`
	Host    string `json:"host"`
	PID     int    `json:"pid"`
	Created string `json:"created"`
	Path    string `json:"path"`
}

// Backend keeps a state.
type Backend interface {
	// Lock takes the state lock for one run, waiting (with backoff) up to
	// the context's deadline; the error wraps ErrLocked and names the
	// holder when it cannot.
	Lock(ctx context.Context, info LockInfo) error
	// Unlock releases the lock taken by Lock.
	Unlock() error
	// ForceUnlock breaks a lock left by a dead run, given its ID, and
	// returns who held it.
	ForceUnlock(id string) (LockInfo, error)
	// Read returns the stored state; a new empty state when there is
	// none. A state that does not parse is an error wrapping ErrCorrupt.
	Read(ctx context.Context) (*State, error)
	// Recorder opens a recorder to persist changes to st one instance at
	// a time during an apply.
	Recorder(ctx context.Context, st *State) (Recorder, error)
	// Write stores st as a whole, replacing what was there, with Serial
	// increased by one.
	Write(ctx context.Context, st *State) error
}

// Recorder persists changes to a state as they happen, so that a crash
// loses nothing already done. Set and Remove are durable when they return
// and are safe for concurrent use.
type Recorder interface {
	// Set records the instance's new state.
	Set(inst *Instance) error
	// Remove records that the instance no longer exists.
	Remove(addr string) error
	// SetOutputs records the root outputs.
	SetOutputs(outputs map[string]*Output) error
	// Intend records, before the provider is asked, that an object is
	// about to be created as inst (its planned value, unknown parts
	// null): if the process dies before Set or Remove of the same
	// address settles it, the next run finds it in State.Pending instead
	// of forgetting an object that may exist.
	Intend(inst *Instance) error
	// Move records that the instance at from now lives at inst.Addr, as
	// inst, in one durable step: a crash leaves it at one address or the
	// other, never at both or neither.
	Move(from string, inst *Instance) error
	// Close folds everything recorded into the stored state (one Write)
	// and returns the state as written.
	Close(ctx context.Context) (*State, error)
}

// Value decodes the instance's attributes as a value of type ty.
func (i *Instance) Value(ty cty.Type) (cty.Value, error) {
	return decodeValue(i.Attributes, ty)
}

// ValueLike is Value, with the parts equal to like (the instance's
// configuration, say) taken from like: the same value, held once.
func (i *Instance) ValueLike(ty cty.Type, like cty.Value) (cty.Value, error) {
	return decodeValueLike(i.Attributes, ty, like)
}
