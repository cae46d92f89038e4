package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/plumbhq/plumb/reconcile"
	"github.com/plumbhq/plumb/reconcile/config"
	"github.com/plumbhq/plumb/reconcile/lang"
	"github.com/plumbhq/plumb/reconcile/plan"
	"github.com/plumbhq/plumb/reconcile/state"
)

// TestFileSuffix ends the names of test files: *.plumbtest.hcl in the
// configuration folder or its tests/ folder, as Terraform's
// *.tftest.hcl. Configuration loading skips them.
const TestFileSuffix = config.TestFileSuffix

// runTest runs the configuration's test files, as terraform test does:
// each file's run blocks in order against a state of its own, plans or
// applies, checks its assert blocks, then destroys what the file made.
func runTest(a *app, args []string) int {
	fs := newFlagSet(a, "test", "test [-filter=FILE] [-var NAME=VALUE] [-var-file FILE] [-verbose]")
	var filters multiFlag
	fs.Var(&filters, "filter", "run only the test `FILE` (repeatable)")
	var vars []reconcile.VarArg
	fs.Var(varArgFlag{list: &vars}, "var", "set a variable for every run: -var 'NAME=VALUE'")
	fs.Var(varArgFlag{list: &vars, file: true}, "var-file", "read variables for every run from `FILE`")
	verbose := fs.Bool("verbose", false, "print the plan or the state of every run")
	noColor := fs.Bool("no-color", false, "never use colour")
	if !parse(fs, args) {
		return exitError
	}
	if *noColor {
		a.color = false
	}
	files, err := testFiles(a.dir, filters)
	if err != nil {
		return a.errorf("%v", err)
	}
	if len(files) == 0 {
		fmt.Fprintf(a.stdout, "No tests: there are no *%s files here or in tests/.\n", TestFileSuffix)
		return exitOK
	}
	ctx, stop, done := signals(a)
	defer done()
	t := &tester{a: a, ctx: ctx, stop: stop, vars: vars, verbose: *verbose}
	for _, f := range files {
		t.runFile(f)
	}
	fmt.Fprintln(a.stdout)
	if t.failed > 0 {
		fmt.Fprintf(a.stdout, "Failure! %d passed, %d failed.\n", t.passed, t.failed)
		return exitError
	}
	fmt.Fprintf(a.stdout, "Success! %d passed, 0 failed.\n", t.passed)
	return exitOK
}

// testFiles lists the test files of dir and dir/tests, in name order,
// limited to filters when given.
func testFiles(dir string, filters []string) ([]string, error) {
	var out []string
	for _, d := range []string{dir, filepath.Join(dir, "tests")} {
		m, err := filepath.Glob(filepath.Join(d, "*"+TestFileSuffix))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		for _, f := range m {
			rel, _ := filepath.Rel(dir, f)
			if len(filters) == 0 || contains(filters, rel) {
				out = append(out, rel)
			}
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// testFile is a parsed test file.
type testFile struct {
	variables hcl.Attributes
	runs      []*testRun
}

// testRun is a run "NAME" block.
type testRun struct {
	name      string
	command   string // "plan" or "apply"
	variables hcl.Attributes
	asserts   []*config.Validation
	expect    []hcl.Traversal
	rng       hcl.Range
}

var (
	testFileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variables"}, {Type: "run", LabelNames: []string{"name"}},
	}}
	testRunSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "command"}, {Name: "expect_failures"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "variables"}, {Type: "assert"}},
	}
	testAssertSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true}, {Name: "error_message", Required: true},
	}}
)

// parseTestFile reads a test file; its diagnostics name file and line.
func parseTestFile(path string, src []byte) (*testFile, *hcl.File, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, f, diags
	}
	content, d := f.Body.Content(testFileSchema)
	diags = append(diags, d...)
	tf := &testFile{variables: hcl.Attributes{}}
	for _, b := range content.Blocks {
		switch b.Type {
		case "variables":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for k, v := range attrs {
				tf.variables[k] = v
			}
		case "run":
			r, d := parseRun(b)
			diags = append(diags, d...)
			if r != nil {
				tf.runs = append(tf.runs, r)
			}
		}
	}
	return tf, f, diags
}

func parseRun(b *hcl.Block) (*testRun, hcl.Diagnostics) {
	content, diags := b.Body.Content(testRunSchema)
	r := &testRun{name: b.Labels[0], command: "apply", variables: hcl.Attributes{}, rng: b.DefRange}
	if a, ok := content.Attributes["command"]; ok {
		switch kw := hcl.ExprAsKeyword(a.Expr); kw {
		case "plan", "apply":
			r.command = kw
		default:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid command",
				Detail: "command is plan or apply (without quotes).", Subject: a.Expr.Range().Ptr()})
		}
	}
	if a, ok := content.Attributes["expect_failures"]; ok {
		exprs, d := hcl.ExprList(a.Expr)
		diags = append(diags, d...)
		for _, e := range exprs {
			t, d := hcl.AbsTraversalForExpr(e)
			diags = append(diags, d...)
			if !d.HasErrors() {
				r.expect = append(r.expect, t)
			}
		}
	}
	for _, bb := range content.Blocks {
		switch bb.Type {
		case "variables":
			attrs, d := bb.Body.JustAttributes()
			diags = append(diags, d...)
			r.variables = attrs
		case "assert":
			ac, d := bb.Body.Content(testAssertSchema)
			diags = append(diags, d...)
			if !d.HasErrors() {
				r.asserts = append(r.asserts, &config.Validation{
					Condition: ac.Attributes["condition"].Expr, ErrorMessage: ac.Attributes["error_message"].Expr, DeclRange: bb.DefRange,
				})
			}
		}
	}
	return r, diags
}

// tester runs test files and counts runs.
type tester struct {
	a       *app
	ctx     context.Context
	stop    <-chan struct{}
	vars    []reconcile.VarArg
	verbose bool

	passed, failed int
}

// fileRun is what one file's runs share: its state, and the outputs of
// the runs so far (run.NAME.OUTPUT).
type fileRun struct {
	backend  state.Backend
	outputs  map[string]cty.Value
	applied  bool
	lastVals map[string]cty.Value
}

func (t *tester) runFile(path string) {
	a := t.a
	fmt.Fprintf(a.stdout, "%s... in progress\n", path)
	src, err := os.ReadFile(filepath.Join(a.dir, path))
	if err != nil {
		a.errorf("%v", err)
		t.failed++
		return
	}
	tf, f, diags := parseTestFile(path, src)
	t.withFile(path, f, func() { a.diags(diags) })
	if diags.HasErrors() {
		fmt.Fprintf(a.stdout, "%s... fail\n", path)
		t.failed++
		return
	}
	tmp, err := os.MkdirTemp("", "plumb-test-")
	if err != nil {
		a.errorf("%v", err)
		t.failed++
		return
	}
	defer os.RemoveAll(tmp)
	fr := &fileRun{backend: state.NewLocal(filepath.Join(tmp, "plumb.state")), outputs: map[string]cty.Value{}}
	ok := true
	for _, r := range tf.runs {
		pass := t.runOne(path, f, tf, r, fr)
		status := "pass"
		if !pass {
			status, ok = "fail", false
			t.failed++
		} else {
			t.passed++
		}
		fmt.Fprintf(a.stdout, "  run %q... %s\n", r.name, status)
	}
	if fr.applied {
		fmt.Fprintf(a.stdout, "%s... tearing down\n", path)
		if !t.teardown(fr) {
			ok = false
		}
	}
	if ok {
		fmt.Fprintf(a.stdout, "%s... pass\n", path)
	} else {
		fmt.Fprintf(a.stdout, "%s... fail\n", path)
	}
}

// withFile runs fn with the test file's source known to the diagnostic
// printer, so messages show its lines.
func (t *tester) withFile(path string, f *hcl.File, fn func()) {
	if f == nil {
		fn()
		return
	}
	saved := t.a.files
	files := map[string]*hcl.File{path: f}
	for k, v := range saved {
		files[k] = v
	}
	t.a.files = files
	fn()
	t.a.files = saved
}

// runOne plans (and, for command = apply, applies) one run and checks its
// assertions; it reports whether the run passed.
func (t *tester) runOne(path string, f *hcl.File, tf *testFile, r *testRun, fr *fileRun) bool {
	a := t.a
	runCtx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"run": cty.ObjectVal(fr.outputs)},
		Functions: lang.Functions(a.dir),
	}
	values := map[string]cty.Value{}
	var diags hcl.Diagnostics
	for _, attrs := range []hcl.Attributes{tf.variables, r.variables} {
		for name, at := range attrs {
			v, d := at.Expr.Value(runCtx)
			diags = append(diags, d...)
			values[name] = v
		}
	}
	if diags.HasErrors() {
		t.withFile(path, f, func() { a.diags(diags) })
		return false
	}
	opts := reconcile.Options{Dir: a.dir, Registry: registry(), Stop: t.stop,
		Inputs: reconcile.Inputs{Args: t.vars, Env: os.Environ(), Values: values}}
	e, diags := reconcile.Load(opts)
	if e != nil {
		defer e.Close()
		a.files = e.Config().Files
	}
	var p *plan.Plan
	var st *state.State
	if !diags.HasErrors() {
		var err error
		st, err = fr.backend.Read(t.ctx)
		if err != nil {
			a.errorf("%v", err)
			return false
		}
		var pd hcl.Diagnostics
		p, pd = e.Plan(t.ctx, st)
		diags = append(diags, pd...)
	}
	expected, unexpected := splitExpected(diags, r.expect)
	expectedChecks(p, r.expect, expected)
	if len(r.expect) > 0 {
		return t.judgeExpected(path, f, r, expected, unexpected)
	}
	if unexpected.HasErrors() {
		t.withFile(path, f, func() { a.diags(unexpected) })
		return false
	}
	fr.lastVals = values
	view := testView{vars: e.Variables(), plan: p}
	if r.command == "apply" {
		final, d := e.Apply(t.ctx, st, p, fr.backend)
		fr.applied = true
		if a.diags(d) || final == nil {
			return false
		}
		view.state = final
	}
	if t.verbose {
		if err := plan.RenderText(a.stdout, p, plan.TextOptions{Color: a.color}); err != nil {
			a.errorf("%v", err)
		}
	}
	ctx, err := view.evalContext(a.dir)
	if err != nil {
		a.errorf("run %q: %v", r.name, err)
		return false
	}
	fr.outputs[r.name] = view.outputs()
	ok := true
	for _, as := range r.asserts {
		if d := checkAssert(ctx, r, as); d != nil {
			ok = false
			t.withFile(path, f, func() { a.diags(hcl.Diagnostics{d}) })
		}
	}
	return ok
}

// splitExpected separates the errors that expect_failures names (a
// variable's validation, by the variable) from the others.
func splitExpected(diags hcl.Diagnostics, expect []hcl.Traversal) (map[string]bool, hcl.Diagnostics) {
	found := map[string]bool{}
	var rest hcl.Diagnostics
	for _, d := range diags {
		matched := false
		for _, t := range expect {
			if name, ok := traversalName(t); ok && d.Severity == hcl.DiagError && expectedBy(d, name) {
				found[name] = true
				matched = true
			}
		}
		if !matched {
			rest = append(rest, d)
		}
	}
	return found, rest
}

// expectedBy reports whether the failure d is the one that name expects:
// var.x the validation of variable x, output.x its preconditions, TYPE.NAME
// the preconditions and postconditions of a resource.
func expectedBy(d *hcl.Diagnostic, name string) bool {
	if v, ok := strings.CutPrefix(name, "var."); ok {
		return d.Summary == "Invalid value for variable "+v
	}
	switch d.Summary {
	case "Output precondition failed", "Resource precondition failed", "Resource postcondition failed":
		return strings.HasPrefix(d.Detail, name+":") || strings.HasPrefix(d.Detail, name+"[")
	}
	return false
}

// expectedChecks adds to found the check blocks expect_failures names
// (check.x) that failed in the plan: a check's failure is a warning, so it
// is found among the plan's checks, not its errors.
func expectedChecks(p *plan.Plan, expect []hcl.Traversal, found map[string]bool) {
	if p == nil {
		return
	}
	for _, t := range expect {
		name, ok := traversalName(t)
		if !ok || !strings.HasPrefix(name, "check.") {
			continue
		}
		for _, c := range p.FailedChecks() {
			if c.Addr == name {
				found[name] = true
			}
		}
	}
}

func traversalName(t hcl.Traversal) (string, bool) {
	if len(t) != 2 {
		return "", false
	}
	attr, ok := t[1].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	return t.RootName() + "." + attr.Name, true
}

// judgeExpected decides a run with expect_failures: each named object
// must have failed, and nothing else.
func (t *tester) judgeExpected(path string, f *hcl.File, r *testRun, found map[string]bool, rest hcl.Diagnostics) bool {
	ok := true
	for _, tr := range r.expect {
		name, _ := traversalName(tr)
		if !found[name] {
			ok = false
			rng := tr.SourceRange()
			t.withFile(path, f, func() {
				t.a.diags(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing expected failure",
					Detail: fmt.Sprintf("The run expected %s to fail, and it did not.", name), Subject: &rng}})
			})
		}
	}
	if rest.HasErrors() {
		ok = false
		t.withFile(path, f, func() { t.a.diags(rest) })
	}
	return ok
}

// checkAssert evaluates one assert block; nil when it holds.
func checkAssert(ctx *hcl.EvalContext, r *testRun, as *config.Validation) *hcl.Diagnostic {
	cond, diags := as.Condition.Value(ctx)
	if diags.HasErrors() {
		return diags[0]
	}
	cond, _ = cond.Unmark()
	if cond, err := convert.Convert(cond, cty.Bool); err != nil || cond.IsNull() {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid condition", Detail: "An assert condition must be true or false.", Subject: as.Condition.Range().Ptr()}
	} else if !cond.IsKnown() {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown condition value",
			Detail:  fmt.Sprintf("The condition depends on values known only after apply, so run %q cannot check it with command = %s. Use command = apply.", r.name, r.command),
			Subject: as.Condition.Range().Ptr()}
	} else if cond.True() {
		return nil
	}
	msg := "The condition is false."
	if m, d := as.ErrorMessage.Value(ctx); !d.HasErrors() && m.Type() == cty.String && m.IsKnown() && !m.IsNull() {
		m, _ = m.Unmark()
		msg = m.AsString()
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Test assertion failed", Detail: msg, Subject: as.Condition.Range().Ptr()}
}

// teardown destroys what the file's runs applied, with the variables of
// the last run.
func (t *tester) teardown(fr *fileRun) bool {
	a := t.a
	opts := reconcile.Options{Dir: a.dir, Registry: registry(), Destroy: true,
		Inputs: reconcile.Inputs{Args: t.vars, Env: os.Environ(), Values: fr.lastVals}}
	e, diags := reconcile.Load(opts)
	if a.diags(diags) {
		return false
	}
	defer e.Close()
	st, err := fr.backend.Read(t.ctx)
	if err != nil {
		a.errorf("%v", err)
		return false
	}
	p, d := e.Plan(t.ctx, st)
	if a.diags(d) {
		return false
	}
	final, d := e.Apply(t.ctx, st, p, fr.backend)
	if a.diags(d) {
		return false
	}
	if len(final.Resources) > 0 {
		a.errorf("the teardown left %d objects in the test's state; they still exist", len(final.Resources))
		return false
	}
	return true
}
