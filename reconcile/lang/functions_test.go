package lang

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// wantNames is every function the configuration language promises.
var wantNames = strings.Fields(`
	abs ceil floor log max min pow signum parseint
	chomp format formatlist indent join lower upper regex regexall replace split
	strrev substr title trim trimprefix trimsuffix trimspace
	alltrue anytrue chunklist coalesce coalescelist compact concat contains
	distinct element flatten index keys length lookup merge one range reverse
	setintersection setproduct setsubtract setunion slice sort sum values zipmap
	tostring tonumber tobool tolist toset tomap
	formatdate timeadd base64encode base64decode csvdecode jsondecode jsonencode
	sha1 sha256 sha512 md5 startswith endswith strcontains can try
	file filebase64 fileexists fileset templatefile zonefile
	abspath basename dirname pathexpand
	cidrhost cidrsubnet cidrnetmask cidrcontains
	base64gzip base64gunzip base64sha256 base64sha512 bcrypt cidrsubnets
	filebase64sha256 filebase64sha512 filemd5 filesha1 filesha256 filesha512
	issensitive sensitive nonsensitive matchkeys transpose templatestring
	textencodebase64 textdecodebase64 urlencode urldecode uuidv5
	yamlencode yamldecode plantimestamp timecmp
`)

func TestFunctionsHasEveryName(t *testing.T) {
	funcs := Functions(".")
	for _, name := range wantNames {
		if _, ok := funcs[name]; !ok {
			t.Errorf("Functions has no %q", name)
		}
	}
	for name := range funcs {
		if !slices.Contains(wantNames, strings.TrimPrefix(name, CoreNamespace)) {
			t.Errorf("Functions has %q, which the language does not promise", name)
		}
		if !strings.HasPrefix(name, CoreNamespace) {
			if _, ok := funcs[CoreNamespace+name]; !ok {
				t.Errorf("Functions has %q but not %s%s", name, CoreNamespace, name)
			}
		}
	}
}

func TestNoNondeterministicFunctions(t *testing.T) {
	funcs := Functions(".")
	for _, name := range []string{"timestamp", "uuid", "core::timestamp", "core::uuid"} {
		if _, ok := funcs[name]; ok {
			t.Errorf("Functions has %q, which would make plans differ between runs", name)
		}
	}
}

func TestFunctionNames(t *testing.T) {
	funcs := Functions(".")
	names := FunctionNames(funcs)
	if 2*len(names) != len(funcs) {
		t.Fatalf("FunctionNames gave %d names for %d functions (each also under core::)", len(names), len(funcs))
	}
	if !slices.IsSorted(names) {
		t.Errorf("FunctionNames is not sorted: %v", names)
	}
	if names[0] != "abs" || names[len(names)-1] != "zonefile" {
		t.Errorf("FunctionNames runs %q to %q, want abs to zonefile", names[0], names[len(names)-1])
	}
}

func TestSuggest(t *testing.T) {
	names := FunctionNames(Functions("."))
	for _, tc := range []struct{ name, want string }{
		{"uper", "upper"},
		{"Upper", "upper"},
		{"fileexist", "fileexists"},
		{"cidrhosts", "cidrhost"},
		{"templatefil", "templatefile"},
		{"jsondecod", "jsondecode"},
		{"lenght", "length"},
		{"mx", "max"},
		{"timestamp", ""},
		{"zonefil", "zonefile"},
		{"xyz", ""},
		{"", ""},
	} {
		if got := Suggest(tc.name, names); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"upper", "upper", 0},
		{"lenght", "length", 2},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestScope(t *testing.T) {
	s := NewScope("testdata")
	if s.BaseDir != "testdata" {
		t.Errorf("BaseDir = %q, want testdata", s.BaseDir)
	}
	ctx := s.EvalContext(testVars())
	if ctx.Variables["var"].GetAttr("a").AsString() != "web" {
		t.Errorf("EvalContext lost the variables")
	}
	got, err := ctx.Functions["file"].Call([]cty.Value{cty.StringVal("hello.txt")})
	if err != nil || got.AsString() != "hello\n" {
		t.Errorf("file through the scope = %#v, %v; want \"hello\\n\"", got, err)
	}
}

// TestUnknownArgumentsGiveUnknown calls every function through HCL with
// unknown arguments, both of the parameter's type and of no known type, and
// checks each answers with an unknown value and no error or panic.
func TestUnknownArgumentsGiveUnknown(t *testing.T) {
	funcs := Functions("testdata")
	for _, name := range FunctionNames(funcs) {
		if name == "can" || name == "try" {
			continue // they take expressions, not values; TestTryAndCan covers them
		}
		if name == "issensitive" {
			continue // marks are known before apply; TestSensitiveFunctions covers it
		}
		f := funcs[name]
		for _, dynamic := range []bool{false, true} {
			args := unknownArgs(f, dynamic)
			names := make([]string, len(args))
			vars := make(map[string]cty.Value, len(args))
			for i, a := range args {
				names[i] = fmt.Sprintf("a%d", i)
				vars[names[i]] = a
			}
			src := name + "(" + strings.Join(names, ", ") + ")"
			t.Run(fmt.Sprintf("%s/dynamic=%t", src, dynamic), func(t *testing.T) {
				expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				got, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: funcs})
				if diags.HasErrors() {
					t.Fatalf("%s with %v failed: %s", src, args, diags.Error())
				}
				if got.IsKnown() {
					t.Errorf("%s with %v = %#v, want unknown", src, args, got)
				}
			})
		}
	}
}

// unknownArgs returns one unknown argument per parameter of f, plus one for
// its variadic parameter: of the parameter's type, or of no known type.
func unknownArgs(f function.Function, dynamic bool) []cty.Value {
	params := f.Params()
	if vp := f.VarParam(); vp != nil {
		params = append(params, *vp)
	}
	args := make([]cty.Value, len(params))
	for i, p := range params {
		if dynamic {
			args[i] = cty.DynamicVal
		} else {
			args[i] = cty.UnknownVal(p.Type)
		}
	}
	return args
}
