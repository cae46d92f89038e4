package aws

import "github.com/zclconf/go-cty/cty"

// Identity is the zone's normalised name: two aws_route53_zone blocks of
// one configuration must not manage the same zone.
func (r *zoneResource) Identity(config cty.Value) (string, bool) {
	v := config.GetAttr("name")
	if !v.IsKnown() || v.IsNull() {
		return "", false
	}
	origin, err := zoneOrigin(v.AsString())
	if err != nil {
		return "", false
	}
	return "zone " + origin, true
}
