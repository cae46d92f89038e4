// Package plan holds the plan model: the changes plumb proposes, as plain
// data with before and after values, and their encodings (the saved-plan
// file, JSON) and renderings (text). It knows nothing of how the graph is
// walked; the engine produces plans and applies them.
package plan

import (
	"strconv"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Action is what a change does to one resource instance.
type Action int

const (
	// NoOp leaves the object as it is.
	NoOp Action = iota
	// Create makes a new object.
	Create
	// Read reads a data source during apply, because its configuration
	// depends on values known only then.
	Read
	// Update changes the object in place.
	Update
	// DeleteThenCreate replaces the object, deleting the old one first.
	DeleteThenCreate
	// CreateThenDelete replaces the object, creating the new one first
	// (lifecycle create_before_destroy).
	CreateThenDelete
	// Delete removes the object.
	Delete
	// Forget removes the object from state and leaves it as it is: a
	// removed block with lifecycle { destroy = false }.
	Forget
)

// actionCount is the number of actions, for arrays indexed by Action.
const actionCount = int(Forget) + 1

// String returns the action's name as used in JSON: "no-op", "create",
// "read", "update", "replace" (either order), "delete".
func (a Action) String() string {
	switch a {
	case NoOp:
		return "no-op"
	case Create:
		return "create"
	case Read:
		return "read"
	case Update:
		return "update"
	case DeleteThenCreate, CreateThenDelete:
		return "replace"
	case Delete:
		return "delete"
	case Forget:
		return "forget"
	}
	return "unknown"
}

// Symbol returns the marker a plan prints before the change: "+", "~",
// "-", "-/+", "+/-", "<=", "." (forget) or " ".
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Read:
		return "<="
	case Update:
		return "~"
	case DeleteThenCreate:
		return "-/+"
	case CreateThenDelete:
		return "+/-"
	case Delete:
		return "-"
	case Forget:
		return "."
	}
	return " "
}

// IsReplace reports whether the action replaces the object.
func (a Action) IsReplace() bool { return a == DeleteThenCreate || a == CreateThenDelete }

// Mode says whether an instance is a managed resource or a data source.
type Mode string

const (
	// Managed is a resource plumb creates, changes and deletes.
	Managed Mode = "managed"
	// Data is a data source plumb only reads.
	Data Mode = "data"
)

// Change is the proposed change to one resource instance.
type Change struct {
	// Addr is the instance address, such as local_file.site["a"].
	Addr string
	// Mode, Type, Name and Provider describe the resource; Provider is the
	// name of the provider serving the type.
	Mode     Mode
	Type     string
	Name     string
	Provider string
	// ProviderConfig is the provider instance that handles the change
	// (provider.aws.eu, provider.apache.web["web1"]); for a delete, the one
	// state recorded.
	ProviderConfig string
	// Action is what applying the change does.
	Action Action
	// Before is the refreshed state; null on create.
	Before cty.Value
	// After is the planned state; null on delete; may hold unknowns.
	After cty.Value
	// RequiresReplace names the attributes that force a replacement.
	RequiresReplace []string
	// Sensitive names the top-level attributes whose values never print.
	Sensitive []string
	// Keys names, for list attributes, the element attributes that
	// identify an element, so renderers show elements that changed.
	Keys map[string][]string
	// Reason says why, where the action alone does not: "no longer in
	// configuration", "deleted outside plumb", ...
	Reason string
	// ActionReason is the same reason as a code that machines read, one of
	// the Reason* constants (Terraform's action_reason values); empty when
	// the action needs no explanation.
	ActionReason string
	// ImportID is set when the object is adopted by an import block; the
	// change then applies to the imported object.
	ImportID string
	// PrevAddr is the address state has the object at when a moved block
	// gives it a new one (Addr): applying the change records the move,
	// whatever else it does.
	PrevAddr string
	// MassChange is set when the change is a mass change a provider would
	// refuse, let through by -allow-mass-change or the resource's
	// allow_mass_change, with the provider's numbers.
	MassChange *MassChange
	// Gone marks a delete of an object that refresh found already gone:
	// applying it only removes the object from state.
	Gone bool
}

// MassChange is a mass change let through: Changed of the Total things
// (records of a zone) change or go. Renderers show it with the numbers
// the refusal would have given.
type MassChange struct {
	Changed int `json:"changed"`
	Total   int `json:"total"`
	// Of names what Total counts: "records of zone big.example".
	Of string `json:"of"`
	// Verb says what the Changed ones do: "change or go".
	Verb string `json:"verb"`
	// AllowedBy is what let it through: "-allow-mass-change" or
	// "allow_mass_change = true".
	AllowedBy string `json:"allowed_by"`
}

// Text says "8 of the 20 records of zone big.example change or go (40%)".
func (m *MassChange) Text() string {
	b := appendCount(nil, m.Changed)
	b = append(b, " of the "...)
	b = appendCount(b, m.Total)
	b = append(b, ' ')
	b = append(b, m.Of...)
	if m.Verb != "" {
		b = append(b, ' ')
		b = append(b, m.Verb...)
	}
	if m.Total > 0 {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(m.Changed*100/m.Total), 10)
		b = append(b, "%)"...)
	}
	return string(b)
}

// OutputChange is the proposed change to one root output value.
type OutputChange struct {
	Name      string
	Action    Action
	Before    cty.Value
	After     cty.Value
	Sensitive bool
}

// Plan is the set of changes proposed for one configuration against one
// state.
type Plan struct {
	// PlumbVersion is the version of plumb that made the plan.
	PlumbVersion string
	// Lineage and Serial identify the state the plan was made against; a
	// saved plan is stale once the state's serial has moved on.
	Lineage string
	Serial  uint64
	// Destroy is set for a plan made by "plumb destroy" or "plan -destroy".
	Destroy bool
	// Targets are the -target addresses the plan was limited to.
	Targets []string
	// Excludes are the -exclude addresses the plan left out.
	Excludes []string
	// RefreshOnly is set for a plan made with -refresh-only: its changes
	// are what changed outside plumb, and applying it only records them
	// in state.
	RefreshOnly bool
	// AllowMassChange records -allow-mass-change: the plan may hold mass
	// changes a provider would otherwise refuse, and applying it allows
	// them again.
	AllowMassChange bool
	// Variables holds the root variable values the plan was made with, so
	// applying a saved plan evaluates the same configuration.
	Variables map[string]cty.Value
	// Changes are sorted by address; no-op changes are kept so renderers
	// can count them.
	Changes []*Change
	// Outputs are sorted by name.
	Outputs []*OutputChange
	// Warnings are messages the plan carries to the reviewer.
	Warnings []string
	// Created is when the plan was made.
	Created time.Time
	// SensitiveVariables names the root variables declared sensitive;
	// renderers never print their values.
	SensitiveVariables []string
	// Checks are the results of the configuration's conditions (check
	// blocks, preconditions, postconditions), sorted by address.
	Checks []*Check
	// RequestCounts are the API requests the providers made while
	// planning, keyed "service:Operation".
	RequestCounts map[string]int
}

// The codes of Change.ActionReason. They are Terraform's action_reason
// values, so tools written for Terraform's plans read them.
const (
	ReasonReplaceCannotUpdate = "replace_because_cannot_update"
	ReasonReplaceTainted      = "replace_because_tainted"
	ReasonReplaceByRequest    = "replace_by_request"
	ReasonReplaceByTriggers   = "replace_by_triggers"
	ReasonDeleteNoConfig      = "delete_because_no_resource_config"
	ReasonDeleteRepetition    = "delete_because_wrong_repetition"
	ReasonDeleteCountIndex    = "delete_because_count_index"
	ReasonDeleteEachKey       = "delete_because_each_key"
	ReasonDeleteNoModule      = "delete_because_no_module"
	ReasonDeleteNoMoveTarget  = "delete_because_no_move_target"
	ReasonReadConfigUnknown   = "read_because_config_unknown"
	ReasonReadDependency      = "read_because_dependency_pending"
	ReasonReadCheckNested     = "read_because_check_nested"
)

// CheckKind says what a condition belongs to.
type CheckKind string

const (
	// CheckResource is a precondition or postcondition of a resource.
	CheckResource CheckKind = "resource"
	// CheckOutput is a precondition of an output value.
	CheckOutput CheckKind = "output_value"
	// CheckBlock is a check block's assertions.
	CheckBlock CheckKind = "check"
)

// CheckStatus is the outcome of a condition.
type CheckStatus string

const (
	// CheckPass means every condition held.
	CheckPass CheckStatus = "pass"
	// CheckFail means a condition did not hold.
	CheckFail CheckStatus = "fail"
	// CheckError means a condition could not be evaluated.
	CheckError CheckStatus = "error"
	// CheckUnknown means a condition depends on values known only after
	// apply.
	CheckUnknown CheckStatus = "unknown"
)

// Check is the result of the conditions of one object instance: a
// resource instance, an output, or a check block.
type Check struct {
	// Config is the configuration address: check.health, local_file.x,
	// output.url (with its module path).
	Config string `json:"config"`
	// Addr is the instance address (local_file.x["a"]); equal to Config
	// for an object without instances.
	Addr   string      `json:"address"`
	Kind   CheckKind   `json:"kind"`
	Status CheckStatus `json:"status"`
	// Problems are the error messages of the conditions that failed.
	Problems []string `json:"problems,omitempty"`
}

// FailedChecks returns the checks that failed or could not be evaluated.
func (p *Plan) FailedChecks() []*Check {
	var out []*Check
	for _, c := range p.Checks {
		if c.Status == CheckFail || c.Status == CheckError {
			out = append(out, c)
		}
	}
	return out
}

// HasChanges reports whether applying the plan would change anything:
// a resource or an output.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp && c.Action != Read || c.ImportID != "" || c.PrevAddr != "" {
			return true
		}
	}
	for _, o := range p.Outputs {
		if o.Action != NoOp {
			return true
		}
	}
	return false
}

// Counts tallies the changes: what the summary line prints.
type Counts struct {
	Add, Change, Destroy, Replace, Read, NoOp, Import int
	// Move counts the objects that change address (moved blocks), whatever
	// else happens to them; Forget those that leave state but stay.
	Move, Forget int
}

// Count tallies the plan's resource changes. A replacement counts as one
// add and one destroy, and in Replace.
func (p *Plan) Count() Counts {
	var n Counts
	for _, c := range p.Changes {
		if c.ImportID != "" {
			n.Import++
		}
		if c.PrevAddr != "" {
			n.Move++
		}
		switch c.Action {
		case NoOp:
			n.NoOp++
		case Create:
			n.Add++
		case Read:
			n.Read++
		case Update:
			n.Change++
		case DeleteThenCreate, CreateThenDelete:
			n.Add++
			n.Destroy++
			n.Replace++
		case Delete:
			n.Destroy++
		case Forget:
			n.Forget++
		}
	}
	return n
}
