package lang

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"golang.org/x/crypto/bcrypt"
)

// bcryptFunc is bcrypt(str, cost = 10): the Blowfish hash of a password,
// for an .htpasswd line or a config file. Its salt is random, as it must
// be, so every call gives a different hash: keep the attribute that holds
// it under lifecycle { ignore_changes }, or the plan changes every run (the
// same advice Terraform gives).
var bcryptFunc = function.New(&function.Spec{
	Description: "Returns the bcrypt hash of the string with a random salt, at the given cost (default 10).",
	Params:      []function.Parameter{{Name: "str", Type: cty.String}},
	VarParam:    &function.Parameter{Name: "cost", Type: cty.Number},
	Type:        function.StaticReturnType(cty.String),
	RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
		return b.NotNull().StringPrefixFull("$2a$")
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		cost := bcrypt.DefaultCost
		switch len(args) {
		case 1:
		case 2:
			n, err := integer(1, args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if !n.IsInt64() || n.Int64() < int64(bcrypt.MinCost) || n.Int64() > int64(bcrypt.MaxCost) {
				return cty.NilVal, function.NewArgErrorf(1, "the cost must be between %d and %d", bcrypt.MinCost, bcrypt.MaxCost)
			}
			cost = int(n.Int64())
		default:
			return cty.NilVal, errors.New("bcrypt takes a string and at most one cost")
		}
		h, err := bcrypt.GenerateFromPassword([]byte(args[0].AsString()), cost)
		if err != nil {
			// The input is left out: it is a password.
			return cty.NilVal, function.NewArgErrorf(0, "cannot hash the string: %v", bcryptReason(err))
		}
		return cty.StringVal(string(h)), nil
	},
})

// bcryptReason describes a bcrypt error without repeating its input.
func bcryptReason(err error) string {
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "bcrypt takes at most 72 bytes"
	}
	return err.Error()
}

// uuidNamespaces are the names uuidv5 accepts for RFC 4122's predefined
// namespaces.
var uuidNamespaces = map[string]uuid.UUID{
	"dns":  uuid.NameSpaceDNS,
	"url":  uuid.NameSpaceURL,
	"oid":  uuid.NameSpaceOID,
	"x500": uuid.NameSpaceX500,
}

// uuidV5Func is uuidv5(namespace, name): the name-based UUID of name in
// namespace. It is a hash, so the same arguments always give the same
// UUID (unlike uuid, which plumb leaves out).
var uuidV5Func = function.New(&function.Spec{
	Description: `Returns the version 5 (SHA-1, name-based) UUID of the name in the namespace: "dns", "url", "oid", "x500" or a UUID.`,
	Params: []function.Parameter{
		{Name: "namespace", Type: cty.String},
		{Name: "name", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		nsName := args[0].AsString()
		ns, ok := uuidNamespaces[nsName]
		if !ok {
			var err error
			ns, err = uuid.Parse(nsName)
			if err != nil {
				return cty.NilVal, function.NewArgError(0, fmt.Errorf("%q is neither dns, url, oid, x500 nor a UUID", nsName))
			}
		}
		return cty.StringVal(uuid.NewSHA1(ns, []byte(args[1].AsString())).String()), nil
	},
})
