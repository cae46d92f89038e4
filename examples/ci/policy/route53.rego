# Policies for plumb plans, in the form conftest users write them for
# Terraform: plumb show -json writes Terraform's plan representation, so
#
#   plumb show -json plan.bin > plan.json
#   conftest test plan.json -p examples/ci/policy
#
# fails the job with one line per rule broken. (Without conftest:
#   opa eval -d examples/ci/policy -i plan.json -f pretty 'data.main.deny'.)
package main

import rego.v1

# A hosted zone holds a domain's delegation: deleting it (or replacing it,
# which deletes it first or last) takes every record and the name servers
# the registrar points at with it. Nobody should do that in a pull request
# by accident.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "aws_route53_zone"
	"delete" in rc.change.actions
	msg := sprintf("%s would be deleted (%s): hosted zones are deleted by hand, after the registrar stops pointing at them", [rc.address, concat("+", rc.change.actions)])
}

# A condition (check block, precondition, postcondition) that failed is a
# warning in the plan; here it fails the review.
deny contains msg if {
	some check in input.checks
	check.status == "fail"
	msg := sprintf("%s failed", [check.address.to_display])
}
