package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every command reaches its flag parsing before doing anything: the
// tree reads each one's flags that way, and a command that did work
// first would do it on every tab key.
func TestCommandTreeFlags(t *testing.T) {
	nodes := map[string]*cmdNode{}
	for _, n := range commandTree() {
		nodes[n.name()] = n
		for _, s := range n.subs {
			nodes[s.name()] = s
		}
	}
	for name, n := range nodes {
		c := n.flags()
		switch {
		case len(n.subs) > 0 || n.flagless:
			if c != nil {
				t.Errorf("%s is flagless but gave a flag set", name)
			}
		case c == nil:
			t.Errorf("%s did not reach its flag parsing when run with -h", name)
		case !strings.HasPrefix(c.usage, name):
			t.Errorf("%s: usage line %q does not start with the command", name, c.usage)
		}
	}
	for name := range commandArgs {
		if nodes[name] == nil {
			t.Errorf("commandArgs names %q, which is no command", name)
		}
	}
	for name := range flaglessCommands {
		if nodes[name] == nil {
			t.Errorf("flaglessCommands names %q, which is no command", name)
		}
	}
	// Each flag with known values is a flag of some command, and each
	// value appears in its help, so a changed flag shows here.
	for key, spec := range flagValues {
		cmd, name, _ := strings.Cut(key, "-")
		cmd = strings.TrimSpace(cmd)
		found := false
		for nodeName, n := range nodes {
			if cmd != "" && nodeName != cmd {
				continue
			}
			c := n.flags()
			if c == nil {
				continue
			}
			f := c.fs.Lookup(name)
			if f == nil {
				continue
			}
			found = true
			for _, v := range spec.values {
				if !strings.Contains(f.Usage, v) {
					t.Errorf("%s -%s: value %q is not in its help %q", nodeName, name, v, f.Usage)
				}
			}
		}
		if !found && name != "chdir" {
			t.Errorf("flagValues names %q, which no command has", key)
		}
	}
}

// completionConfig has instances with keys that need quoting on a
// command line, a module, an output, and (after the apply) a resource
// not in state yet.
var completionConfig = map[string]string{
	"main.hcl": `
resource "plumb_data" "site" {
  for_each = toset(["a b", "c"])
  input    = each.key
}

resource "plumb_data" "one" {
  input = 1
}

module "web" {
  source = "./web"
}

output "greeting" {
  value = "hi"
}
`,
	"web/main.hcl": `resource "plumb_data" "inner" { input = 1 }` + "\n",
}

// completionDir is a configuration applied once, then given a resource
// the state does not have.
func completionDir(t *testing.T) string {
	t.Helper()
	dir := configDir(t, completionConfig)
	if r := plumb(t, dir, "apply", "-auto-approve"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	f, err := os.OpenFile(filepath.Join(dir, "main.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "\nresource \"plumb_data\" \"later\" {\n  input = 2\n}\n")
	f.Close()
	return dir
}

func TestComplete(t *testing.T) {
	dir := completionDir(t)
	inState := []string{`module.web.plumb_data.inner`, `plumb_data.one`, `plumb_data.site["a b"]`, `plumb_data.site["c"]`}
	tests := []struct {
		words []string
		want  completion
	}{
		{[]string{""}, completion{words: []string{"apply", "completion", "console", "destroy", "detect", "fmt", "force-unlock", "graph", "import", "init", "output", "plan", "restore", "show", "state", "svn", "taint", "test", "unban", "untaint", "validate", "version", "zones"}}},
		{[]string{"st"}, completion{words: []string{"state"}}},
		{[]string{"-"}, completion{words: []string{"-chdir="}}},
		{[]string{"-chdir", ""}, completion{dirs: true}},
		{[]string{"state", ""}, completion{words: []string{"list", "show", "rm", "mv", "pull", "push"}}},
		{[]string{"state", "show", ""}, completion{words: inState}},
		{[]string{"state", "show", `plumb_data.site[`}, completion{words: inState[2:]}},
		{[]string{"state", "rm", "plumb_data.one", "plumb_data.o"}, completion{words: []string{"plumb_data.one"}}},
		{[]string{"state", "rm", "plumb_data.one", "-"}, completion{}},
		{[]string{"state", "mv", "plumb_data.one", ""}, completion{}},
		{[]string{"state", "push", ""}, completion{files: true}},
		{[]string{"taint", "-lock=false", "plumb_data.s"}, completion{words: inState[2:]}},
		{[]string{"plan", "-ta"}, completion{words: []string{"-target="}}},
		{[]string{"plan", "-refresh"}, completion{words: []string{"-refresh", "-refresh-only"}}},
		{[]string{"plan", "--no-c"}, completion{words: []string{"--no-color"}}},
		{[]string{"plan", "-target=plumb_data.l"}, completion{words: []string{"-target=plumb_data.later"}}},
		{[]string{"plan", "-target", "module."}, completion{words: []string{"module.web", "module.web.plumb_data.inner"}}},
		{[]string{"apply", "-exclude=plumb_data.site"}, completion{words: []string{"-exclude=plumb_data.site", `-exclude=plumb_data.site["a b"]`, `-exclude=plumb_data.site["c"]`}}},
		{[]string{"plan", "-replace", "plumb_data.o"}, completion{words: []string{"plumb_data.one"}}},
		{[]string{"plan", "-out", ""}, completion{files: true}},
		{[]string{"plan", "-var-file="}, completion{files: true}},
		{[]string{"plan", "-json", "-out", "p.bin", "-target=plumb_data.o"}, completion{words: []string{"-target=plumb_data.one"}}},
		{[]string{"show", "-format="}, completion{words: []string{"-format=text", "-format=json", "-format=markdown", "-format=html"}}},
		{[]string{"show", "-format", "m"}, completion{words: []string{"markdown"}}},
		{[]string{"detect", "-format", ""}, completion{words: []string{"text", "json", "hcl"}}},
		{[]string{"plan", "-review-format="}, completion{words: []string{"-review-format=markdown", "-review-format=html", "-review-format=text"}}},
		{[]string{"zones", "import", "-type="}, completion{words: []string{"-type=aws_route53_zone", "-type=bind_zone"}}},
		{[]string{"import", ""}, completion{words: []string{"plumb_data.later"}}},
		{[]string{"import", "plumb_data.later", ""}, completion{}},
		{[]string{"output", ""}, completion{words: []string{"greeting"}}},
		{[]string{"completion", ""}, completion{words: []string{"bash", "zsh", "fish"}}},
		{[]string{"apply", ""}, completion{files: true}},
		{[]string{"nosuch", ""}, completion{}},
	}
	for _, tt := range tests {
		a := newApp(dir, strings.NewReader(""), io.Discard, io.Discard)
		got := a.complete(tt.words)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(completion{})); diff != "" {
			t.Errorf("complete(%q) (-want +got):\n%s", tt.words, diff)
		}
	}
	// -chdir names the folder whose state is read.
	a := newApp(t.TempDir(), strings.NewReader(""), io.Discard, io.Discard)
	if got := a.complete([]string{"-chdir=" + dir, "state", "show", ""}); !slices.Equal(got.words, inState) {
		t.Errorf("with -chdir, state show offers %q, want %q", got.words, inState)
	}
	if got := a.complete([]string{"-chdir", dir, "untaint", ""}); !slices.Equal(got.words, inState) {
		t.Errorf("with -chdir DIR, untaint offers %q, want %q", got.words, inState)
	}
	if got := a.complete([]string{"state", "show", ""}); len(got.words) != 0 {
		t.Errorf("a folder with no state offers %q", got.words)
	}
}

func TestBashInsertions(t *testing.T) {
	cands := []string{`-target=plumb_data.site["a b"]`, `-target=plumb_data.one`}
	tests := []struct {
		line, rlWord string
		cands        []string
		want         []string
	}{
		// bash breaks -target=plu at the =: readline replaces plu.
		{"plumb plan -target=plu", "plu", cands, []string{`plumb_data.site\[\"a\ b\"\]`, `plumb_data.one`}},
		{"plumb plan -target=", "", cands, []string{`plumb_data.site\[\"a\ b\"\]`, `plumb_data.one`}},
		{"plumb plan -ta", "-ta", []string{"-target="}, []string{"-target="}},
		{`plumb state show 'plumb_data.site["a`, `'plumb_data.site["a`, []string{`plumb_data.site["a b"]`}, []string{`'plumb_data.site["a b"]'`}},
		{`plumb state show "plumb_data.site[\"a`, `"plumb_data.site[\"a`, []string{`plumb_data.site["a b"]`}, []string{`"plumb_data.site[\"a b\"]"`}},
		{`plumb state show plumb_data.site\[\"a`, `plumb_data.site\[\"a`, []string{`plumb_data.site["a b"]`}, []string{`plumb_data.site\[\"a\ b\"\]`}},
		{`plumb state show 'it'\''s`, `'it'\''s`, []string{`it's here`}, []string{`'it'\''s here'`}},
	}
	for _, tt := range tests {
		line := splitShellLine(tt.line)
		if got := bashInsertions(line, tt.rlWord, tt.cands); !slices.Equal(got, tt.want) {
			t.Errorf("bashInsertions(%q, %q) = %q, want %q", tt.line, tt.rlWord, got, tt.want)
		}
	}
}

func TestSplitShellLine(t *testing.T) {
	tests := []struct {
		line    string
		words   []string
		rawLast string
	}{
		{"plumb plan ", []string{"plumb", "plan", ""}, ""},
		{"plumb  state show x", []string{"plumb", "state", "show", "x"}, "x"},
		{`plumb show 'a b' "c \"d\" \e" f\ g`, []string{"plumb", "show", "a b", `c "d" \e`, "f g"}, `f\ g`},
		{`plumb state show 'plumb_data.site["a`, []string{"plumb", "state", "show", `plumb_data.site["a`}, `'plumb_data.site["a`},
		{`x "it's`, []string{"x", "it's"}, `"it's`},
	}
	for _, tt := range tests {
		got := splitShellLine(tt.line)
		if !slices.Equal(got.words, tt.words) || got.rawLast != tt.rawLast {
			t.Errorf("splitShellLine(%q) = %q, %q; want %q, %q", tt.line, got.words, got.rawLast, tt.words, tt.rawLast)
		}
	}
}

// binDir is a folder holding the test's plumb as "plumb", for shells
// that look it up on PATH.
func binDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(plumbBin, filepath.Join(dir, "plumb")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// bash's completion function, driven as bash drives it: COMP_WORDS split
// at bash's word-break characters, COMP_CWORD, COMP_LINE and COMP_POINT,
// then _plumb, whose COMPREPLY is what bash would insert.
func TestBashCompletionFunction(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed (Debian package bash)")
	}
	dir := completionDir(t)
	bin := binDir(t)
	tests := []struct {
		words []string // COMP_WORDS as bash splits the line
		want  []string
	}{
		{[]string{"plumb", "sta"}, []string{"state"}},
		{[]string{"plumb", "state", "show", ""}, []string{`module.web.plumb_data.inner`, `plumb_data.one`, `plumb_data.site\[\"a\ b\"\]`, `plumb_data.site\[\"c\"\]`}},
		{[]string{"plumb", "plan", "-target", "=", ""}, nil}, // never happens: bash gives "=" as the word
		{[]string{"plumb", "plan", "-target", "="}, []string{`module.web`, `module.web.plumb_data.inner`, `plumb_data.later`, `plumb_data.one`, `plumb_data.site`, `plumb_data.site\[\"a\ b\"\]`, `plumb_data.site\[\"c\"\]`}},
		{[]string{"plumb", "plan", "-target", "=", "plumb_data.o"}, []string{"plumb_data.one"}},
		{[]string{"plumb", "state", "show", `'plumb_data.site["a`}, []string{`'plumb_data.site["a b"]'`}},
		{[]string{"plumb", "show", "-format", "=", "m"}, []string{"markdown"}},
		{[]string{"plumb", "plan", "-var-f"}, []string{"-var-file="}},
		{[]string{"plumb", "import", ""}, []string{"plumb_data.later"}},
		{[]string{"plumb", "completion", "z"}, []string{"zsh"}},
	}
	for _, tt := range tests {
		line := strings.Join(tt.words, " ")
		// bash puts no spaces around the = it breaks at.
		line = strings.ReplaceAll(strings.ReplaceAll(line, " = ", "="), " =", "=")
		if tt.words[len(tt.words)-1] == "" && !strings.HasSuffix(line, " ") {
			line += " "
		}
		quoted := make([]string, len(tt.words))
		for i, w := range tt.words {
			quoted[i] = shQuote(w)
		}
		script := `source <(plumb completion bash) || exit 1
complete -p plumb
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=` + shQuote(line) + `
COMP_POINT=${#COMP_LINE}
_plumb
printf '%s\n' "${COMPREPLY[@]}"
`
		cmd := exec.Command("bash", "--norc", "--noprofile", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if lines[0] != "complete -F _plumb plumb" {
			t.Fatalf("complete -p plumb says %q, want the function _plumb", lines[0])
		}
		got := lines[1:]
		if len(got) == 1 && got[0] == "" {
			got = nil
		}
		if tt.want == nil && tt.words[3] == "=" {
			continue // the impossible split above: only check it does not fail
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("COMP_LINE %q: COMPREPLY = %q, want %q", line, got, tt.want)
		}
	}
}

// The scripts at a real prompt: keys typed into an interactive bash and
// zsh on a terminal, tab included, and then the line run through printf
// shows the arguments the completed line gives plumb.
func TestCompletionAtThePrompt(t *testing.T) {
	dir := completionDir(t)
	bin := binDir(t)
	shells := map[string][]string{
		"bash": {"bash", "--norc", "--noprofile", "-i"},
		"zsh":  {"zsh", "-f", "-i"},
	}
	setup := map[string]string{
		"bash": "PS1='$ '; source <(plumb completion bash)\n",
		"zsh":  "PS1='$ '; autoload -U compinit; compinit -u -D; source <(plumb completion zsh)\n",
	}
	// typed is what is typed before tab; want the arguments after
	// "plumb" once completed.
	keys := []struct {
		typed string
		want  []string
	}{
		{"plumb state show plumb_data.o\t", []string{"state", "show", "plumb_data.one"}},
		{"plumb state show 'plumb_data.site[\"a\t", []string{"state", "show", `plumb_data.site["a b"]`}},
		{"plumb state show \"plumb_data.site[\\\"c\t", []string{"state", "show", `plumb_data.site["c"]`}},
		{"plumb taint plumb_data.s\tc\t", []string{"taint", `plumb_data.site["c"]`}},
		{"plumb plan -target=module.web.\t", []string{"plan", "-target=module.web.plumb_data.inner"}},
		{"plumb show -format=ma\t", []string{"show", "-format=markdown"}},
		{"plumb plan -var-file=ma\t", []string{"plan", "-var-file=main.hcl"}},
		{"plumb sta\tsh\t", []string{"state", "show"}},
	}
	for _, sh := range []string{"bash", "zsh"} {
		t.Run(sh, func(t *testing.T) {
			if _, err := exec.LookPath(sh); err != nil {
				t.Fatalf("%s is needed (Debian package %s; scripts/deps.sh installs it)", sh, sh)
			}
			cmd := exec.Command(shells[sh][0], shells[sh][1:]...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "HOME="+t.TempDir(), "TERM=dumb")
			r := startCommandInTTY(t, cmd)
			r.answer(t, setup[sh]+"echo READY''")
			r.waitFor(t, "READY\r\n")
			for i, k := range keys {
				// Ctrl-A goes to the start of the line to put printf in
				// front, which prints each argument between < and >.
				io.WriteString(r.master, k.typed+"\x01printf '<%s>\\n' \n")
				marker := "DONE" + string(rune('A'+i))
				r.answer(t, "echo "+marker+"''")
				r.waitFor(t, marker+"\r\n")
			}
			r.answer(t, "exit")
			out := strings.ReplaceAll(r.output(), "\r", "")
			for i, k := range keys {
				start := "DONE" + string(rune('A'+i-1)) + "\n"
				if i == 0 {
					start = "READY\n"
				}
				_, after, _ := strings.Cut(out, start)
				block, _, _ := strings.Cut(after, "DONE"+string(rune('A'+i))+"\n")
				var got []string
				for _, l := range strings.Split(block, "\n") {
					if strings.HasPrefix(l, "<") && strings.HasSuffix(l, ">") && !strings.Contains(l, "%s") {
						got = append(got, strings.TrimSuffix(strings.TrimPrefix(l, "<"), ">"))
					}
				}
				if len(got) > 0 && got[0] == "plumb" {
					got = got[1:]
				}
				if !slices.Equal(got, k.want) {
					t.Errorf("%q then tab: the line gave plumb %q, want %q\n%s", k.typed, got, k.want, block)
				}
			}
		})
	}
}

// fish's own completion machinery (complete -C) with the script loaded.
func TestFishCompletion(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Fatal("fish is needed (Debian package fish; scripts/deps.sh installs it)")
	}
	dir := completionDir(t)
	bin := binDir(t)
	tests := []struct {
		line string
		want []string
	}{
		{"plumb state show plumb_data.s", []string{`plumb_data.site["a b"]`, `plumb_data.site["c"]`}},
		{"plumb plan -target=plumb_data.l", []string{"-target=plumb_data.later"}},
		{"plumb show -format=", []string{"-format=html", "-format=json", "-format=markdown", "-format=text"}},
		{"plumb plan -var-file=mai", []string{"-var-file=main.hcl"}},
		{"plumb sta", []string{"state"}},
	}
	for _, tt := range tests {
		cmd := exec.Command("fish", "--no-config", "-c", "plumb completion fish | source; complete -C "+shQuote(tt.line))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			c, _, _ := strings.Cut(l, "\t") // fish adds a description after a tab
			got = append(got, c)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("fish complete -C %q = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestCompletionCommand(t *testing.T) {
	for sh, first := range map[string]string{"bash": "# bash completion for plumb.", "zsh": "#compdef plumb", "fish": "# fish completion for plumb."} {
		r := runBinary(t, nil, "completion", sh)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, first) {
			t.Errorf("plumb completion %s:\n%s", sh, r)
		}
	}
	if r := runBinary(t, nil, "completion", "tcsh"); r.code != exitError || !strings.Contains(r.stderr, "usage: plumb completion bash|zsh|fish") {
		t.Errorf("plumb completion tcsh:\n%s", r)
	}
	if _, err := exec.LookPath("zsh"); err == nil {
		if out, err := exec.Command("zsh", "-n", "completion/_plumb").CombinedOutput(); err != nil {
			t.Errorf("zsh -n _plumb: %v\n%s", err, out)
		}
	}
}
