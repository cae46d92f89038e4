package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

const modulePath = "github.com/plumbhq/plumb"

// installLine finds the go install line the README documents.
var installLine = regexp.MustCompile(`go install github\.com/plumbhq/plumb/cmd/plumb@(v[0-9][^\s` + "`" + `]*)`)

// TestGoInstallFromProxy publishes the repository as it is now (the
// files git tracks or would, as a tag would hold them) to a module proxy
// in a folder, at the version the README's go install line names, then
// runs that exact line in an empty folder outside the repository, with
// an empty module cache. The proxy is the only source: plumb's
// dependencies come from this machine's module cache's download folder
// (which has the proxy layout, and which Go verified when it filled it);
// the checksum database is off, since it cannot vouch for a version
// nobody published; and every HTTP request goes to a proxy address that
// refuses, so nothing reaches the network and nothing is published.
func TestGoInstallFromProxy(t *testing.T) {
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := installLine.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md documents no go install github.com/plumbhq/plumb/cmd/plumb@vX.Y.Z line")
	}
	line, version := string(m[0]), string(m[1])

	tmp := t.TempDir()
	proxy := filepath.Join(tmp, "proxy")
	publish(t, root, proxy, version)

	realCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	downloads := filepath.Join(strings.TrimSpace(string(realCache)), "cache", "download")
	work := filepath.Join(tmp, "elsewhere")
	os.MkdirAll(work, 0o755)
	env := append(os.Environ(),
		"GOENV=off",
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(downloads),
		"GOSUMDB=off",
		"GOPRIVATE=", "GONOPROXY=",
		"GOMODCACHE="+filepath.Join(tmp, "modcache"),
		"GOPATH="+filepath.Join(tmp, "gopath"),
		"GOBIN="+filepath.Join(tmp, "bin"),
		"GOTOOLCHAIN=local",
		// The release's build settings, so the build cache is shared.
		"GOFLAGS=-modcacherw -trimpath -buildvcs=false", "CGO_ENABLED=0",
		"HTTP_PROXY=http://127.0.0.1:1", "HTTPS_PROXY=http://127.0.0.1:1", "NO_PROXY=", "no_proxy=",
	)
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir, cmd.Env = work, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	out, err := exec.Command(filepath.Join(tmp, "bin", "plumb"), "version", "-json").Output()
	if err != nil {
		t.Fatalf("the installed plumb version -json: %v", err)
	}
	var v struct {
		Version  string `json:"plumb_version"`
		Platform string
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version != strings.TrimPrefix(version, "v") || v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("the installed plumb says %s (err %v), want version %s", out, err, version)
	}
}

// publish writes the module at root into proxy as version, in the
// layout GOPROXY=file:// reads.
func publish(t *testing.T, root, proxy, version string) {
	t.Helper()
	dir := filepath.Join(proxy, modulePath, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := zip.Create(&buf, module.Version{Path: modulePath, Version: version}, moduleFiles(t, root)); err != nil {
		t.Fatalf("the module does not zip as a release would: %v", err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]any{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, data := range map[string][]byte{
		"list": []byte(version + "\n"), version + ".info": info, version + ".mod": gomod, version + ".zip": buf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// moduleFiles lists the module's files: those git tracks or would track
// (not ignored), without the folders of nested modules.
func moduleFiles(t *testing.T, root string) []zip.File {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var names []string
	nested := []string{}
	for _, name := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if _, err := os.Lstat(filepath.Join(root, name)); err != nil {
			continue // deleted in the working tree
		}
		if path.Base(name) == "go.mod" && name != "go.mod" {
			nested = append(nested, path.Dir(name)+"/")
		}
		names = append(names, name)
	}
	var files []zip.File
	for _, name := range names {
		inNested := false
		for _, n := range nested {
			inNested = inNested || strings.HasPrefix(name, n)
		}
		if !inNested {
			files = append(files, diskFile{root: root, name: name})
		}
	}
	return files
}

// diskFile is a file of the working tree, for zip.Create.
type diskFile struct{ root, name string }

func (f diskFile) Path() string                 { return f.name }
func (f diskFile) Lstat() (os.FileInfo, error)  { return os.Lstat(filepath.Join(f.root, f.name)) }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(filepath.Join(f.root, f.name)) }
