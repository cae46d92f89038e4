package reconcile

import (
	"strings"

	"github.com/plumbhq/plumb/reconcile/plan"
)

// fillActionReasons gives every change whose action needs explaining the
// machine-readable code of its reason (Terraform's action_reason), where
// the planner left it empty. The planner says why in words (Reason); the
// codes follow from the action and those words.
func fillActionReasons(changes []*plan.Change) {
	for _, c := range changes {
		if c.ActionReason == "" {
			c.ActionReason = actionReason(c)
		}
	}
}

func actionReason(c *plan.Change) string {
	switch {
	case c.Action == plan.Read:
		return plan.ReasonReadConfigUnknown
	case c.Action.IsReplace() && strings.Contains(c.Reason, "tainted"):
		return plan.ReasonReplaceTainted
	case c.Action.IsReplace() && len(c.RequiresReplace) > 0:
		return plan.ReasonReplaceCannotUpdate
	case c.Action != plan.Delete:
		return ""
	case strings.Contains(c.Reason, "no longer in the configuration"):
		return plan.ReasonDeleteNoConfig
	case strings.Contains(c.Reason, "no longer in count or for_each"):
		switch {
		case strings.HasSuffix(c.Addr, "]") && strings.HasSuffix(c.Addr, "\"]"):
			return plan.ReasonDeleteEachKey
		case strings.HasSuffix(c.Addr, "]"):
			return plan.ReasonDeleteCountIndex
		}
		return plan.ReasonDeleteRepetition
	}
	return ""
}
