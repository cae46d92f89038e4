package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestFileFunctions(t *testing.T) {
	runCases(t, "testdata", []exprCase{
		{expr: `file("hello.txt")`, want: cty.StringVal("hello\n")},
		{expr: `file("./tree/../hello.txt")`, want: cty.StringVal("hello\n")},
		{expr: `file("missing.txt")`, wantErr: `no file exists at "missing.txt" (relative to the configuration directory: `},
		{expr: `file("binary.bin")`, wantErr: `the contents of "binary.bin" (relative to the configuration directory: `},
		{expr: `file("binary.bin")`, wantErr: `are not UTF-8 text; use filebase64 to read a binary file`},
		{expr: `file("tree")`, wantErr: `"tree" (relative to the configuration directory: `},
		{expr: `file("tree")`, wantErr: `is a directory, not a file`},
		{expr: `file(var.str)`, want: cty.UnknownVal(cty.String)},
		{expr: `filebase64("binary.bin")`, want: cty.StringVal("//4AYmluYXJ5")},
		{expr: `filebase64("missing.bin")`, wantErr: `no file exists at "missing.bin"`},
		{expr: `fileexists("hello.txt")`, want: cty.True},
		{expr: `fileexists("tree/sub/c.txt")`, want: cty.True},
		{expr: `fileexists("missing.txt")`, want: cty.False},
		{expr: `fileexists("tree")`, wantErr: "is a directory, not a file"},
		{expr: `fileexists(var.str)`, want: cty.UnknownVal(cty.Bool)},
		{expr: `basename("zones/example.org.zone")`, want: cty.StringVal("example.org.zone")},
		{expr: `dirname("zones/sub/example.org.zone")`, want: cty.StringVal("zones/sub")},
		{expr: `dirname("example.org.zone")`, want: cty.StringVal(".")},
		{expr: `abspath("/etc/../etc/hosts")`, want: cty.StringVal("/etc/hosts")},
		{expr: `pathexpand("/srv/svn")`, want: cty.StringVal("/srv/svn")},
		{expr: `pathexpand("~bob/svn")`, wantErr: "cannot expand ~bob: only the current user's home directory (~) is supported"},
	})
}

func TestAbsPathResolvesAgainstBaseDir(t *testing.T) {
	base, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, "testdata", []exprCase{
		{expr: `abspath("hello.txt")`, want: cty.StringVal(filepath.ToSlash(filepath.Join(base, "hello.txt")))},
		{expr: `abspath(".")`, want: cty.StringVal(filepath.ToSlash(base))},
	})
}

func TestPathExpand(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	runCases(t, ".", []exprCase{
		{expr: `pathexpand("~/backups")`, want: cty.StringVal(home + "/backups")},
		{expr: `pathexpand("~")`, want: cty.StringVal(home)},
		{expr: `pathexpand("a/~/b")`, want: cty.StringVal("a/~/b")},
	})
}

func TestFileSet(t *testing.T) {
	runCases(t, "testdata", []exprCase{
		{expr: `fileset("tree", "*")`, want: strSet(".hidden.txt", "a.txt", "b.hcl")},
		{expr: `fileset("tree", "*.txt")`, want: strSet(".hidden.txt", "a.txt")},
		{expr: `fileset("tree", "**/*.txt")`, want: strSet(".hidden.txt", "a.txt", "other/f.txt", "sub/c.txt", "sub/deeper/d.txt")},
		{expr: `fileset("tree", "**")`, want: strSet(".hidden.txt", "a.txt", "b.hcl", "other/f.txt", "sub/c.txt", "sub/deeper/d.txt", "sub/deeper/e.hcl")},
		{expr: `fileset("tree", "sub/**")`, want: strSet("sub/c.txt", "sub/deeper/d.txt", "sub/deeper/e.hcl")},
		{expr: `fileset("tree", "**/deeper/*")`, want: strSet("sub/deeper/d.txt", "sub/deeper/e.hcl")},
		{expr: `fileset("tree", "**/*.hcl")`, want: strSet("b.hcl", "sub/deeper/e.hcl")},
		{expr: `fileset("tree", "{sub,other}/*.txt")`, want: strSet("other/f.txt", "sub/c.txt")},
		{expr: `fileset("tree", "sub/*/?.{hcl,t{x,y}t}")`, want: strSet("sub/deeper/d.txt", "sub/deeper/e.hcl")},
		{expr: `fileset("tree", "[ab].*")`, want: strSet("a.txt", "b.hcl")},
		{expr: `fileset("tree", "./sub/c.txt")`, want: strSet("sub/c.txt")},
		{expr: `fileset("tree", "sub")`, want: strSet()},
		{expr: `fileset("tree", "*.zone")`, want: strSet()},
		{expr: `fileset(".", "tree/sub/*.txt")`, want: strSet("tree/sub/c.txt")},
		{expr: `fileset("tree/sub", "**/*.txt")`, want: strSet("c.txt", "deeper/d.txt")},
		{expr: `fileset(var.str, "*")`, want: cty.UnknownVal(cty.Set(cty.String))},
		{expr: `fileset("tree", "[")`, wantErr: `invalid pattern "[": element "[": syntax error in pattern`},
		{expr: `fileset("tree", "{a,b")`, wantErr: `invalid pattern "{a,b": a { has no matching }`},
		{expr: `fileset("tree", "")`, wantErr: "the pattern is empty"},
		{expr: `fileset("tree", "/etc/*")`, wantErr: "is absolute"},
		{expr: `fileset("tree/sub", "../*.txt")`, wantErr: `climbs out of the directory with ".."`},
		{expr: `fileset("nowhere", "*")`, want: strSet()}, // as in Terraform
		{expr: `fileset("hello.txt", "*")`, wantErr: "is a file, not a directory"},
	})
}

// TestFileSetSymlinks checks that a link to a file is listed and a link
// to a directory is not followed.
func TestFileSetSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "real", "x.txt"), "x")
	writeFile(t, filepath.Join(dir, "y.txt"), "y")
	if err := os.Symlink("y.txt", filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gone.txt", filepath.Join(dir, "dangling.txt")); err != nil {
		t.Fatal(err)
	}
	runCases(t, dir, []exprCase{
		{expr: `fileset(".", "**")`, want: strSet("link.txt", "real/x.txt", "y.txt")},
	})
}

// TestFileReadsOncePerTable checks that a function table keeps the first
// contents it read, so one run sees one version of each file, and that a
// new table reads the file again.
func TestFileReadsOncePerTable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "serial.txt")
	writeFile(t, path, "1")
	funcs := Functions(dir)
	first, diags := evalExpr(t, funcs, `file("serial.txt")`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	writeFile(t, path, "2")
	again, diags := evalExpr(t, funcs, `file("serial.txt")`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !again.RawEquals(first) || first.AsString() != "1" {
		t.Errorf("same table read %#v then %#v, want \"1\" both times", first, again)
	}
	fresh, diags := evalExpr(t, Functions(dir), `file("serial.txt")`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if fresh.AsString() != "2" {
		t.Errorf("new table read %#v, want \"2\"", fresh)
	}
}

// writeFile writes content to path, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
