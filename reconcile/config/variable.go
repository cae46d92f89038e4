package config

import (
	"errors"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// ErrNullNotAllowed is returned (wrapped) by Variable.Value for a null
// value of a variable with nullable = false and no default.
var ErrNullNotAllowed = errors.New("the variable has nullable = false and no default, so it must be given a value that is not null")

// Value turns a value given for the variable (by -var, a variables file,
// a module call, or its own default) into the variable's value: a null
// value of a variable with nullable = false takes the default, the
// defaults of optional(T, DEFAULT) attributes fill what the value leaves
// null or out, and the result is converted to the type.
func (v *Variable) Value(val cty.Value) (cty.Value, error) {
	if val.IsNull() && !v.Nullable {
		if v.Default == cty.NilVal || v.Default.IsNull() {
			return cty.NilVal, ErrNullNotAllowed
		}
		return v.Default, nil
	}
	return v.Convert(val)
}

// Convert fills in the defaults of optional attributes and converts val
// to the variable's type; it does not apply the variable's own default.
func (v *Variable) Convert(val cty.Value) (cty.Value, error) {
	if v.TypeDefaults != nil && !val.IsNull() {
		val = v.TypeDefaults.Apply(val)
	}
	return convert.Convert(val, v.Type)
}
