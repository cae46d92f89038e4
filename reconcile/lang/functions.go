package lang

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Functions returns every function available to configuration, keyed by
// the name expressions call it by. Relative paths given to the file and
// path functions are resolved against baseDir, the configuration
// directory; an empty baseDir means the working directory. plantimestamp
// is unknown in this table: it is for validation, before there is a plan.
//
// The map is new on each call and holds the caches of the file functions,
// so call it once per run and share the result; it is safe for concurrent
// use by any number of evaluations.
func Functions(baseDir string) map[string]function.Function {
	return FunctionsAt(baseDir, time.Time{})
}

// CoreNamespace is the prefix under which every built-in function can
// also be called, as in Terraform: core::upper("x") is upper("x"). It lets
// configuration name a built-in unambiguously.
const CoreNamespace = "core::"

// FunctionsAt is Functions for a plan made at planTime, which
// plantimestamp returns.
func FunctionsAt(baseDir string, planTime time.Time) map[string]function.Function {
	funcs, _ := FunctionTable(baseDir, planTime)
	return funcs
}

// FunctionTable is FunctionsAt, with the Warnings its functions record
// while configuration is evaluated, for the run to show (Warnings.Drain).
func FunctionTable(baseDir string, planTime time.Time) (map[string]function.Function, *Warnings) {
	fs := newFileScope(baseDir)
	funcs := stdlibFunctions()
	maps.Copy(funcs, map[string]function.Function{
		"alltrue":          allTrueFunc,
		"anytrue":          anyTrueFunc,
		"coalesce":         coalesceFunc,
		"index":            indexFunc,
		"length":           lengthFunc,
		"lookup":           lookupFunc,
		"matchkeys":        matchKeysFunc,
		"one":              oneFunc,
		"sum":              sumFunc,
		"transpose":        transposeFunc,
		"replace":          replaceFunc,
		"startswith":       startsWithFunc,
		"endswith":         endsWithFunc,
		"strcontains":      strContainsFunc,
		"base64encode":     base64EncodeFunc,
		"base64decode":     base64DecodeFunc,
		"base64gzip":       base64GzipFunc,
		"base64gunzip":     base64GunzipFunc,
		"base64sha256":     base64SHA256Func,
		"base64sha512":     base64SHA512Func,
		"textencodebase64": textEncodeBase64Func,
		"textdecodebase64": textDecodeBase64Func,
		"urlencode":        urlEncodeFunc,
		"urldecode":        urlDecodeFunc,
		"yamlencode":       yamlEncodeFunc,
		"yamldecode":       yamlDecodeFunc,
		"md5":              md5Func,
		"sha1":             sha1Func,
		"sha256":           sha256Func,
		"sha512":           sha512Func,
		"bcrypt":           bcryptFunc,
		"uuidv5":           uuidV5Func,
		"sensitive":        sensitiveFunc,
		"nonsensitive":     nonsensitiveFunc,
		"issensitive":      isSensitiveFunc,
		"plantimestamp":    planTimestampFunc(planTime),
		"timecmp":          timeCmpFunc,
		"cidrhost":         cidrHostFunc,
		"cidrsubnet":       cidrSubnetFunc,
		"cidrsubnets":      cidrSubnetsFunc,
		"cidrnetmask":      cidrNetmaskFunc,
		"cidrcontains":     cidrContainsFunc,
		"basename":         basenameFunc,
		"dirname":          dirnameFunc,
		"pathexpand":       pathExpandFunc,
		"abspath":          fs.absPathFunc(),
		"file":             fs.fileFunc(),
		"filebase64":       fs.fileBase64Func(),
		"fileexists":       fs.fileExistsFunc(),
		"fileset":          fs.fileSetFunc(),
		"zonefile":         fs.zoneFileFunc(),
	})
	maps.Copy(funcs, fs.fileHashFuncs())

	// Templates see the same functions, except that templatefile and
	// templatestring explain why they cannot be called there instead of
	// being unknown.
	inner := maps.Clone(funcs)
	inner["templatefile"] = nestedTemplateFunc
	inner["templatestring"] = nestedTemplateFunc
	withCore(inner)
	funcs["templatefile"] = fs.templateFileFunc(inner)
	funcs["templatestring"] = templateStringFunc(inner)
	redactErrors(funcs)
	withCore(funcs)
	return funcs, &fs.warnings
}

// withCore adds every function of m again under its core:: name.
func withCore(m map[string]function.Function) {
	for _, name := range slices.Collect(maps.Keys(m)) {
		if !strings.HasPrefix(name, CoreNamespace) {
			m[CoreNamespace+name] = m[name]
		}
	}
}

// stdlibFunctions returns the functions taken as they are from cty's
// standard library and HCL's tryfunc extension.
func stdlibFunctions() map[string]function.Function {
	return map[string]function.Function{
		// Numbers.
		"abs":      stdlib.AbsoluteFunc,
		"ceil":     stdlib.CeilFunc,
		"floor":    stdlib.FloorFunc,
		"log":      stdlib.LogFunc,
		"max":      stdlib.MaxFunc,
		"min":      stdlib.MinFunc,
		"pow":      stdlib.PowFunc,
		"signum":   stdlib.SignumFunc,
		"parseint": stdlib.ParseIntFunc,

		// Strings.
		"chomp":      stdlib.ChompFunc,
		"format":     stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc,
		"indent":     stdlib.IndentFunc,
		"join":       stdlib.JoinFunc,
		"lower":      stdlib.LowerFunc,
		"upper":      stdlib.UpperFunc,
		"regex":      stdlib.RegexFunc,
		"regexall":   stdlib.RegexAllFunc,
		"split":      stdlib.SplitFunc,
		"strrev":     stdlib.ReverseFunc,
		"substr":     stdlib.SubstrFunc,
		"title":      stdlib.TitleFunc,
		"trim":       stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc,
		"trimspace":  stdlib.TrimSpaceFunc,

		// Collections.
		"chunklist":       stdlib.ChunklistFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"keys":            stdlib.KeysFunc,
		"merge":           stdlib.MergeFunc,
		"range":           stdlib.RangeFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,

		// Type conversion.
		"tostring": stdlib.MakeToFunc(cty.String),
		"tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool":   stdlib.MakeToFunc(cty.Bool),
		"tolist":   stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":    stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":    stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),

		// Dates and encodings.
		"formatdate": stdlib.FormatDateFunc,
		"timeadd":    stdlib.TimeAddFunc,
		"csvdecode":  stdlib.CSVDecodeFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc,

		// Error handling.
		"can": tryfunc.CanFunc,
		"try": tryfunc.TryFunc,
	}
}

// FunctionNames returns the names in m without their core:: twins, sorted,
// for diagnostics that list or suggest functions.
func FunctionNames(m map[string]function.Function) []string {
	var out []string
	for name := range m {
		if !strings.HasPrefix(name, CoreNamespace) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Scope is what evaluating the configuration of one directory needs from
// this package: the directory and its function table.
type Scope struct {
	// BaseDir is the configuration directory relative paths resolve against.
	BaseDir string
	// Functions is the table built by Functions(BaseDir).
	Functions map[string]function.Function
}

// NewScope builds the scope of the configuration in baseDir.
func NewScope(baseDir string) *Scope {
	return &Scope{BaseDir: filepath.Clean(baseDir), Functions: Functions(baseDir)}
}

// EvalContext returns an evaluation context holding the scope's functions
// and the given variables (for example "var", "local" and resource types).
func (s *Scope) EvalContext(vars map[string]cty.Value) *hcl.EvalContext {
	return &hcl.EvalContext{Variables: vars, Functions: s.Functions}
}

// refineNotNull tells the caller that an unknown result will never be null.
func refineNotNull(b *cty.RefinementBuilder) *cty.RefinementBuilder {
	return b.NotNull()
}
