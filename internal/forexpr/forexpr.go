// Package forexpr evaluates simple for-expressions over large collections
// without HCL's cost per element. HCL evaluates
//
//	[for r in zonefile("big.db", "example.com") : r if r.type != "SOA"]
//
// by making a child evaluation context for every element, and evaluating
// r.type != "SOA" as a call of cty's NotEqual function, with conversions
// of both operands and a fresh "SOA" string: about 3.5 µs an element, 3.5 s
// of a plan over a zone of a million records.
//
// Wrap recognises for-expressions made of what is cheap to evaluate
// directly: traversals of attributes of the iteration variables, literals,
// references to other variables, ==, !=, &&, || and !. Everything else is
// left to HCL. Even a recognised expression is evaluated by HCL as soon as
// anything is out of the ordinary (an unknown, null or sensitive value
// where a condition needs a plain one, a missing attribute, an operand of
// the wrong type): HCL then gives the result, and the diagnostics, it
// always gives. So the result is HCL's in every case, which
// TestAgreesWithHCL checks over many expressions and values.
package forexpr

import (
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/ctyconv"
)

// Wrap returns, if e is a for-expression that this package evaluates
// faster, an expression evaluating it so, and true; otherwise e and
// false. The result behaves as e in every other respect (range,
// variables).
func Wrap(e hcl.Expression) (hcl.Expression, bool) {
	f, ok := e.(*hclsyntax.ForExpr)
	if !ok || f.KeyExpr != nil || f.Group {
		return e, false
	}
	c := &compiler{f: f}
	x := &expr{ForExpr: f}
	if f.CondExpr != nil {
		if x.cond = c.compile(f.CondExpr); x.cond == nil {
			return e, false
		}
	}
	x.val = c.compile(f.ValExpr) // nil: HCL evaluates it, element by element
	x.consts = c.consts
	x.usesKey = c.usesKey
	return x, true
}

// expr is a for-expression producing a tuple, with its compiled parts.
type expr struct {
	*hclsyntax.ForExpr
	cond, val node
	consts    []hclsyntax.Expression // evaluated once for every Value
	usesKey   bool
}

// Value evaluates the for-expression as e.ForExpr.Value does.
func (x *expr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	f := x.ForExpr
	coll, diags := f.CollExpr.Value(ctx)
	if v, ok := x.fast(ctx, coll, diags); ok {
		return v, diags
	}
	// HCL evaluates it, with the collection as evaluated already: its
	// expression may call functions, which should run once.
	slow := *f
	slow.CollExpr = &hclsyntax.LiteralValueExpr{Val: coll, SrcRange: f.CollExpr.Range()}
	v, more := slow.Value(ctx)
	return v, append(diags, more...)
}

// fast evaluates the for-expression over coll, or reports false if HCL has
// to.
func (x *expr) fast(ctx *hcl.EvalContext, coll cty.Value, collDiags hcl.Diagnostics) (cty.Value, bool) {
	if collDiags.HasErrors() {
		return cty.NilVal, false
	}
	// An empty collection is HCL's too: HCL evaluates the condition once
	// without elements, to report its errors even then, which the checks
	// made element by element here stand for otherwise.
	elems, ok := ctyconv.ElementsOf(coll)
	if !ok || elems.Len() == 0 {
		return cty.NilVal, false
	}
	env := &env{consts: make([]cty.Value, len(x.consts))}
	for i, c := range x.consts {
		v, diags := c.Value(ctx)
		if len(diags) > 0 || !v.IsWhollyKnown() || v.ContainsMarked() {
			return cty.NilVal, false
		}
		env.consts[i] = v
	}
	f := x.ForExpr
	vals := make([]cty.Value, 0, elems.Len())
	for i := range elems.Len() {
		env.val = elems.At(i)
		if x.usesKey {
			env.key = cty.NumberIntVal(int64(i))
		}
		if x.cond != nil {
			v, ok := x.cond.eval(env)
			if !ok {
				return cty.NilVal, false
			}
			include, ok := ctyconv.BoolOf(v)
			if !ok {
				return cty.NilVal, false
			}
			if !include {
				continue
			}
		}
		if x.val != nil {
			v, ok := x.val.eval(env)
			if !ok {
				return cty.NilVal, false
			}
			vals = append(vals, v)
			continue
		}
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{}
		if f.KeyVar != "" {
			child.Variables[f.KeyVar] = cty.NumberIntVal(int64(i))
		}
		child.Variables[f.ValVar] = env.val
		v, diags := f.ValExpr.Value(child)
		if len(diags) > 0 {
			return cty.NilVal, false
		}
		vals = append(vals, v)
	}
	fastEvals.Add(1)
	return cty.TupleVal(vals), true
}

// fastEvals counts the evaluations done here, not by HCL, for tests.
var fastEvals atomic.Int64

// env is what the nodes of one element read.
type env struct {
	key, val cty.Value
	consts   []cty.Value
}

// node is a compiled part of the expression; eval reports false where HCL
// has to evaluate the whole for-expression.
type node interface {
	eval(*env) (cty.Value, bool)
}

type compiler struct {
	f       *hclsyntax.ForExpr
	consts  []hclsyntax.Expression
	usesKey bool
}

// compile returns the node evaluating e, or nil if e is not one this
// package evaluates.
func (c *compiler) compile(e hclsyntax.Expression) node {
	switch e := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return c.compile(e.Expression)
	case *hclsyntax.LiteralValueExpr:
		return c.constant(e)
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if _, ok := p.(*hclsyntax.LiteralValueExpr); !ok {
				return nil
			}
		}
		return c.constant(e)
	case *hclsyntax.ScopeTraversalExpr:
		root := e.Traversal.RootName()
		key := c.f.KeyVar != "" && root == c.f.KeyVar
		if root != c.f.ValVar && !key {
			// Another variable: the same for every element. (Only
			// plain references: their values cannot depend on when they
			// are evaluated, as a function call's could.)
			return c.constant(e)
		}
		if root == c.f.ValVar {
			key = false // the value variable hides a key variable of its name
		}
		var names []string
		for _, step := range e.Traversal[1:] {
			a, ok := step.(hcl.TraverseAttr)
			if !ok {
				return nil
			}
			names = append(names, cty.NormalizeString(a.Name))
		}
		if key {
			c.usesKey = true
		}
		return &traversal{key: key, names: names}
	case *hclsyntax.BinaryOpExpr:
		var op binaryOp
		switch e.Op {
		case hclsyntax.OpEqual:
			op = opEqual
		case hclsyntax.OpNotEqual:
			op = opNotEqual
		case hclsyntax.OpLogicalAnd:
			op = opAnd
		case hclsyntax.OpLogicalOr:
			op = opOr
		default:
			return nil
		}
		l, r := c.compile(e.LHS), c.compile(e.RHS)
		if l == nil || r == nil {
			return nil
		}
		return &binary{op: op, l: l, r: r}
	case *hclsyntax.UnaryOpExpr:
		if e.Op != hclsyntax.OpLogicalNot {
			return nil
		}
		v := c.compile(e.Val)
		if v == nil {
			return nil
		}
		return &not{v: v}
	}
	return nil
}

func (c *compiler) constant(e hclsyntax.Expression) node {
	c.consts = append(c.consts, e)
	return constant(len(c.consts) - 1)
}

// constant is a part evaluated once, before the elements.
type constant int

func (c constant) eval(env *env) (cty.Value, bool) { return env.consts[c], true }

// traversal reads attributes of the element (or its key).
type traversal struct {
	key   bool
	names []string
}

func (t *traversal) eval(env *env) (cty.Value, bool) {
	v := env.val
	if t.key {
		v = env.key
	}
	for _, name := range t.names {
		// HCL's GetAttr for a known, unmarked object with the attribute;
		// anything else (maps, nulls, unknowns, errors) is HCL's to do.
		a, ok := ctyconv.Attr(v, name)
		if !ok {
			return cty.NilVal, false
		}
		v = a
	}
	return v, true
}

type binaryOp int

const (
	opEqual binaryOp = iota
	opNotEqual
	opAnd
	opOr
)

// binary is ==, !=, && or ||, as cty's stdlib functions of those names,
// which HCL calls, compute them for known, unmarked operands.
type binary struct {
	op   binaryOp
	l, r node
}

func (b *binary) eval(env *env) (cty.Value, bool) {
	l, ok := b.l.eval(env)
	if !ok {
		return cty.NilVal, false
	}
	r, ok := b.r.eval(env)
	if !ok {
		return cty.NilVal, false
	}
	switch b.op {
	case opEqual, opNotEqual:
		// cty's Equals is the function's implementation, which HCL
		// calls with the operands' marks, however deep, taken off and put
		// on the result.
		if !l.IsKnown() || !r.IsKnown() || ctyconv.ContainsMarked(l) || ctyconv.ContainsMarked(r) {
			return cty.NilVal, false
		}
		var eq bool
		if l.Type() == cty.String && r.Type() == cty.String && !l.IsNull() && !r.IsNull() {
			eq = l.AsString() == r.AsString() // what Equals compares
		} else {
			v := l.Equals(r)
			if eq, ok = ctyconv.BoolOf(v); !ok {
				return cty.NilVal, false
			}
		}
		return cty.BoolVal(eq != (b.op == opNotEqual)), true
	}
	lb, ok := ctyconv.BoolOf(l)
	if !ok {
		return cty.NilVal, false
	}
	rb, ok := ctyconv.BoolOf(r)
	if !ok {
		return cty.NilVal, false
	}
	if b.op == opAnd {
		return cty.BoolVal(lb && rb), true
	}
	return cty.BoolVal(lb || rb), true
}

// not is !, for a known, unmarked bool.
type not struct{ v node }

func (n *not) eval(env *env) (cty.Value, bool) {
	v, ok := n.v.eval(env)
	if !ok {
		return cty.NilVal, false
	}
	b, ok := ctyconv.BoolOf(v)
	if !ok {
		return cty.NilVal, false
	}
	return cty.BoolVal(!b), true
}
