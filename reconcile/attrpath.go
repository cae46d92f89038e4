package reconcile

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// locateAttrs points each diagnostic that names an attribute
// (providers.AttributePath) and has no range yet at where body writes
// that attribute, so an error about interval is shown on interval's line,
// not the block's first. A path the body does not write (a default, a
// value that came from elsewhere) is left for the caller to place.
func locateAttrs(diags hcl.Diagnostics, body hcl.Body) {
	if body == nil {
		return
	}
	for _, d := range diags {
		if p, ok := d.Extra.(providers.AttributePath); ok && d.Subject == nil {
			d.Subject = attrRange(body, string(p))
		}
	}
}

// pathStep is one step of an attribute path: a name, and for a block
// type that may appear more than once, which one.
type pathStep struct {
	name    string
	index   int
	indexed bool // the path gave an index
}

// parsePath reads an attribute path: names joined by dots, each
// optionally followed by an index, such as "interval",
// "remote_retention.age", "copy[1].retain" or "ssh.port".
func parsePath(path string) []pathStep {
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		st := pathStep{name: part}
		if i := strings.IndexByte(part, '['); i > 0 && strings.HasSuffix(part, "]") {
			if n, err := strconv.Atoi(part[i+1 : len(part)-1]); err == nil && n >= 0 {
				st = pathStep{name: part[:i], index: n, indexed: true}
			}
		}
		steps = append(steps, st)
	}
	return steps
}

// attrRange returns where body writes the attribute at path: the value
// of an attribute, the definition line of a nested block, or, when only
// the start of the path is written, the nearest part that is. nil when
// nothing of it is written.
func attrRange(body hcl.Body, path string) *hcl.Range {
	steps := parsePath(path)
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		attrs, _ := body.JustAttributes()
		if a, ok := attrs[steps[0].name]; ok {
			return a.Expr.Range().Ptr()
		}
		return nil
	}
	var found *hcl.Range
	for i, st := range steps {
		if a, ok := sb.Attributes[st.name]; ok {
			return exprRange(a.Expr, st, steps[i+1:]).Ptr()
		}
		n := 0
		var next *hclsyntax.Body
		for _, b := range sb.Blocks {
			if b.Type != st.name {
				continue
			}
			if n == st.index {
				r := b.DefRange()
				found, next = &r, b.Body
				break
			}
			n++
		}
		if next == nil {
			return found
		}
		sb = next
	}
	return found
}

// exprRange follows a path into a value written in place: an element of
// a list (records[3]) and the items of objects (remote_retention = { age
// = "7d" }), as far as it is written there. at is the attribute's own
// step, whose index picks a list element.
func exprRange(expr hclsyntax.Expression, at pathStep, rest []pathStep) hcl.Range {
	expr = element(expr, at)
	for _, st := range rest {
		obj, ok := expr.(*hclsyntax.ObjectConsExpr)
		if !ok {
			break
		}
		var item hclsyntax.Expression
		for _, it := range obj.Items {
			if objectKey(it.KeyExpr) == st.name {
				item = it.ValueExpr
				break
			}
		}
		if item == nil {
			break
		}
		expr = element(item, st)
	}
	return expr.Range()
}

// element is the element of a list written in place that st's index
// names, or expr itself.
func element(expr hclsyntax.Expression, st pathStep) hclsyntax.Expression {
	if list, ok := expr.(*hclsyntax.TupleConsExpr); ok && st.indexed && st.index < len(list.Exprs) {
		return list.Exprs[st.index]
	}
	return expr
}

// objectKey is the name an object item's key writes, or "".
func objectKey(key hclsyntax.Expression) string {
	if name := hcl.ExprAsKeyword(key); name != "" {
		return name
	}
	v, diags := key.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
