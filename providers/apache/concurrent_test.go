package apache

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/providers"
)

// TestConcurrentBlocksInOneFile has many resources write, change and
// delete their blocks in one file at the same time, as parallel applies
// (or two plumb runs) do: no block may be lost and none may survive its
// delete.
func TestConcurrentBlocksInOneFile(t *testing.T) {
	const n = 24
	file := filepath.Join(htdir(t), ".htaccess")
	writeFile(t, file, "Options -Indexes\n", 0o644)
	r := resourceUnderTest()
	null := cty.NullVal(r.Schema().ImpliedType())
	states := make([]cty.Value, n)
	run := func(step func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = step(i)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("resource %d: %v", i, err)
			}
		}
	}
	change := func(i int, prior cty.Value, config cty.Value) (cty.Value, error) {
		ctx := context.Background()
		var p providers.PlanResponse
		if config.IsNull() {
			p.Planned = null
		} else {
			p = r.Plan(ctx, providers.PlanRequest{Prior: prior, Config: config})
		}
		if p.Diagnostics.HasErrors() {
			return null, fmt.Errorf("plan: %s", diagText(p.Diagnostics))
		}
		resp := r.Apply(ctx, providers.ApplyRequest{Prior: prior, Planned: p.Planned, Config: config})
		if resp.Diagnostics.HasErrors() {
			return null, fmt.Errorf("apply: %s", diagText(resp.Diagnostics))
		}
		return resp.State, nil
	}
	config := func(i int, last byte) cty.Value {
		return cfg(file, map[string]cty.Value{"marker": cty.StringVal(fmt.Sprintf("site%02d", i)), "allow": strs(fmt.Sprintf("192.0.2.%d", last))})
	}
	run(func(i int) (err error) { states[i], err = change(i, null, config(i, 1)); return })
	run(func(i int) (err error) { states[i], err = change(i, states[i], config(i, byte(100+i))); return })
	got := readFile(t, file)
	if !strings.HasPrefix(got, "Options -Indexes\n") {
		t.Errorf("the hand-written line moved or went:\n%s", got)
	}
	for i := 0; i < n; i++ {
		want := fmt.Sprintf("# BEGIN plumb site%02d\n<RequireAny>\n    Require ip 192.0.2.%d\n</RequireAny>\n# END plumb site%02d\n", i, 100+i, i)
		if !strings.Contains(got, want) {
			t.Errorf("block %d is lost or stale; the file holds:\n%s", i, got)
		}
	}
	run(func(i int) error {
		if i%2 == 1 {
			return nil
		}
		_, err := change(i, states[i], null)
		return err
	})
	got = readFile(t, file)
	for i := 0; i < n; i++ {
		if has := strings.Contains(got, fmt.Sprintf("# BEGIN plumb site%02d\n", i)); has != (i%2 == 1) {
			t.Errorf("block %d present = %v after deleting the even ones:\n%s", i, has, got)
		}
	}
	wantNoLitter(t, filepath.Dir(file))
}

// TestSymlinkedFile edits the file a symbolic link names and keeps the
// link.
func TestSymlinkedFile(t *testing.T) {
	dir := htdir(t)
	target := filepath.Join(dir, "shared.htaccess")
	link := filepath.Join(dir, ".htaccess")
	writeFile(t, target, "Options -Indexes\n", 0o644)
	if err := os.Symlink("shared.htaccess", link); err != nil {
		t.Fatal(err)
	}
	r := resourceUnderTest()
	apply(t, r, "", cty.NullVal(r.Schema().ImpliedType()), allowCfg(link, "192.0.2.1"))
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file (%v)", err)
	}
	if got := readFile(t, target); !strings.Contains(got, "Options -Indexes\n# BEGIN plumb site\n") {
		t.Errorf("the link's target holds:\n%s", got)
	}
}

// helperEnv, when set in the environment, makes the test binary a helper
// process that adds blocks to a file (see TestMain).
const helperEnv = "PLUMB_APACHE_TEST_WRITER"

// TestMain runs the helper process of TestBlocksAcrossProcesses when asked
// to, and the tests otherwise.
func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(writerProcess(spec))
	}
	os.Exit(m.Run())
}

// writerProcess adds blocks NAME-0 ... NAME-(N-1) to FILE, one apply each;
// spec is "FILE|NAME|N".
func writerProcess(spec string) int {
	parts := strings.Split(spec, "|")
	var n int
	fmt.Sscan(parts[2], &n)
	r := resourceUnderTest()
	null := cty.NullVal(r.Schema().ImpliedType())
	for i := 0; i < n; i++ {
		config := r.Schema().Complete(cty.ObjectVal(map[string]cty.Value{
			"path": cty.StringVal(parts[0]), "marker": cty.StringVal(fmt.Sprintf("%s-%d", parts[1], i)), "allow": strs("192.0.2.1")}))
		p := r.Plan(context.Background(), providers.PlanRequest{Prior: null, Config: config})
		resp := r.Apply(context.Background(), providers.ApplyRequest{Prior: null, Planned: p.Planned, Config: config})
		if diags := append(p.Diagnostics, resp.Diagnostics...); diags.HasErrors() {
			fmt.Fprintln(os.Stderr, diagText(diags))
			return 1
		}
	}
	return 0
}

// TestBlocksAcrossProcesses has several processes add blocks to one file
// at once, as concurrent plumb runs would: the flock beside the file must
// keep every block.
func TestBlocksAcrossProcesses(t *testing.T) {
	const procs, each = 4, 15
	file := filepath.Join(htdir(t), ".htaccess")
	cmds := make([]*exec.Cmd, procs)
	for p := range cmds {
		cmds[p] = exec.Command(os.Args[0], "-test.run=^$")
		cmds[p].Env = append(os.Environ(), fmt.Sprintf("%s=%s|proc%d|%d", helperEnv, file, p, each))
		cmds[p].Stderr = os.Stderr
		if err := cmds[p].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for p, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer process %d: %v", p, err)
		}
	}
	got := readFile(t, file)
	for p := 0; p < procs; p++ {
		for i := 0; i < each; i++ {
			if !strings.Contains(got, fmt.Sprintf("# BEGIN plumb proc%d-%d\n", p, i)) {
				t.Errorf("block proc%d-%d was lost", p, i)
			}
		}
	}
	if _, err := parseFile([]byte(got)); err != nil {
		t.Errorf("the file's markers are broken: %v", err)
	}
}
