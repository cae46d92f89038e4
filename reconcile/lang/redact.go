package lang

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// SensitiveText is what messages print in place of a sensitive value.
const SensitiveText = "(sensitive)"

// minRedact is the shortest secret Redact replaces: shorter ones cannot
// be told apart from ordinary words.
const minRedact = 3

// Redact replaces every occurrence of the secrets in s, as they are and
// as Go's %q would escape them, with SensitiveText. Secrets shorter than
// three characters are left alone.
func Redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < minRedact {
			continue
		}
		forms := []string{sec}
		q := strconv.Quote(sec)
		if inner := q[1 : len(q)-1]; inner != sec {
			forms = append(forms, inner)
		}
		slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
		for _, form := range forms {
			s = strings.ReplaceAll(s, form, SensitiveText)
		}
	}
	return s
}

// MarkedStrings lists the text of every marked part of v: its strings,
// and its numbers as they are written.
func MarkedStrings(v cty.Value) []string {
	if !v.ContainsMarked() {
		return nil
	}
	clean, pvm := v.UnmarkDeepWithPaths()
	var out []string
	for _, pm := range pvm {
		if sub, err := pm.Path.Apply(clean); err == nil {
			out = append(out, LeafStrings(sub)...)
		}
	}
	return out
}

// LeafStrings lists the strings and numbers (as written) inside v.
func LeafStrings(v cty.Value) []string {
	var out []string
	v, _ = v.UnmarkDeep()
	_ = cty.Walk(v, func(_ cty.Path, x cty.Value) (bool, error) {
		if x.IsNull() || !x.IsKnown() {
			return false, nil
		}
		switch x.Type() {
		case cty.String:
			out = append(out, x.AsString())
		case cty.Number:
			out = append(out, x.AsBigFloat().Text('f', -1))
		}
		return true, nil
	})
	return out
}

// redactErrors wraps every function of the table so that an error from a
// call with sensitive (marked) arguments does not repeat them: file of a
// sensitive path says "no file exists at (sensitive)", cidrhost of a
// sensitive prefix says why the (sensitive) prefix is invalid. The
// wrapped function is called with the arguments as they are, so it
// handles marks exactly as before.
func redactErrors(funcs map[string]function.Function) {
	for name, f := range funcs {
		funcs[name] = redacting(f)
	}
}

func redacting(f function.Function) function.Function {
	params := f.Params()
	for i := range params {
		params[i].AllowMarked = true
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		c := *vp
		c.AllowMarked = true
		varParam = &c
	}
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			ty, err := f.ReturnTypeForValues(args)
			return ty, redactErr(err, args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			return v, redactErr(err, args)
		},
	})
}

// redactErr removes the marked parts of args from err's message, keeping
// which argument it is about.
func redactErr(err error, args []cty.Value) error {
	if err == nil {
		return nil
	}
	var secrets []string
	for _, a := range args {
		secrets = append(secrets, MarkedStrings(a)...)
	}
	if len(secrets) == 0 {
		return err
	}
	msg := redactQuoted(Redact(err.Error(), secrets), secrets)
	for _, sec := range secrets {
		if sec != "" && len(sec) < minRedact {
			// Too short to find reliably: say nothing of the reason.
			msg = "the reason is not shown because an argument is sensitive"
		}
	}
	var argErr function.ArgError
	if errors.As(err, &argErr) {
		return function.NewArgError(argErr.Index, errors.New(msg))
	}
	return errors.New(msg)
}

// quoted finds text a message quotes: 'x' or "x".
var quoted = regexp.MustCompile(`'[^']*'|"[^"]*"`)

// redactQuoted replaces quoted text that is a piece of a secret, such as
// the one character a JSON parser quotes from where it stopped.
func redactQuoted(msg string, secrets []string) string {
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		inner := q[1 : len(q)-1]
		if inner == "" || inner == SensitiveText {
			return q
		}
		for _, sec := range secrets {
			if strings.Contains(sec, inner) {
				return q[:1] + SensitiveText + q[len(q)-1:]
			}
		}
		return q
	})
}
