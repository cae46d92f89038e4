package ctycodec

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/plumbhq/plumb/internal/ctyconv"
)

// record is the shape of a DNS record set in state, the value this codec
// exists for.
var record = cty.Object(map[string]cty.Type{"name": cty.String, "type": cty.String, "ttl": cty.Number, "values": cty.List(cty.String)})

func rec(name string, ttl int64, values ...string) cty.Value {
	vs := make([]cty.Value, len(values))
	for i, v := range values {
		vs[i] = cty.StringVal(v)
	}
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "type": cty.StringVal("TXT"), "ttl": cty.NumberIntVal(ttl), "values": cty.ListVal(vs)})
}

// Every value is written as cty/json writes it, byte for byte, and read
// back as cty/json reads it.
func TestAgreesWithCtyJSON(t *testing.T) {
	big1, _ := new(big.Float).SetString("123456789012345678901234567890.5")
	strs := []string{"", "plain", `quote " backslash \ slash /`, "<html> & co", "tab\tnew\nline\rcr\bbs\fff\x01\x1f\x7f",
		"ünïcødé ✓ 日本", "line\u2028sep\u2029para", "bad utf8 \xff\xfe end", "\"v=DKIM1; k=rsa\""}
	var strVals []cty.Value
	for _, s := range strs {
		strVals = append(strVals, cty.StringVal(s))
	}
	dyn := cty.Object(map[string]cty.Type{"a": cty.DynamicPseudoType, "b": cty.String})
	tests := []struct {
		name string
		v    cty.Value
		ty   cty.Type
	}{
		{"strings", cty.ListVal(strVals), cty.List(cty.String)},
		{"numbers", cty.TupleVal([]cty.Value{cty.NumberIntVal(0), cty.NumberIntVal(-42), cty.NumberIntVal(1 << 62), cty.NumberFloatVal(1.5), cty.NumberFloatVal(-0.001), cty.NumberVal(big1), cty.NumberUIntVal(4294967295)}),
			cty.Tuple([]cty.Type{cty.Number, cty.Number, cty.Number, cty.Number, cty.Number, cty.Number, cty.Number})},
		{"records", cty.ListVal([]cty.Value{rec("a.example.", 300, `"x"`), rec("b.example.", 0, `"y"`, `"z"`)}), cty.List(record)},
		{"empty list", cty.ListValEmpty(record), cty.List(record)},
		{"nulls", cty.ObjectVal(map[string]cty.Value{"name": cty.NullVal(cty.String), "type": cty.StringVal("A"), "ttl": cty.NullVal(cty.Number), "values": cty.NullVal(cty.List(cty.String))}), record},
		{"set and map", cty.ObjectVal(map[string]cty.Value{"s": cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), "m": cty.MapVal(map[string]cty.Value{"z": cty.True, "a": cty.False})}),
			cty.Object(map[string]cty.Type{"s": cty.Set(cty.String), "m": cty.Map(cty.Bool)})},
		{"dynamic part", cty.ObjectVal(map[string]cty.Value{"a": cty.ListVal([]cty.Value{cty.NumberIntVal(1)}), "b": cty.StringVal("x")}), dyn},
		{"null whole", cty.NullVal(record), record},
		{"converted", cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), cty.Set(cty.String)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := ctyjson.Marshal(tt.v, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Marshal(tt.v, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("Marshal:\n got %s\nwant %s", got, want)
			}
			wantV, err := ctyjson.Unmarshal(want, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			gotV, err := Unmarshal(want, tt.ty)
			if err != nil {
				t.Fatal(err)
			}
			if !gotV.RawEquals(wantV) && !gotV.Equals(wantV).True() {
				t.Errorf("Unmarshal:\n got %#v\nwant %#v", gotV, wantV)
			}
		})
	}
}

// Strings are written as encoding/json writes them.
func TestStringsAsEncodingJSON(t *testing.T) {
	for c := 0; c < 0x3000; c++ {
		s := "a" + string(rune(c)) + "b"
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("rune %U: got %s, want %s", c, got, want)
		}
	}
}

// What cty/json refuses, this codec refuses too.
func TestUnmarshalErrors(t *testing.T) {
	for _, in := range []string{``, `[`, `{"name": 1}`, `[{"bogus": "x"}]`, `[1]`, `["a"] x`, `"unterminated`, `[tru]`, `{"name":"a","ttl":"x"}`} {
		_, errWant := ctyjson.Unmarshal([]byte(in), cty.List(record))
		_, errGot := Unmarshal([]byte(in), cty.List(record))
		if (errWant == nil) != (errGot == nil) {
			t.Errorf("%q: cty/json says %v, ctycodec %v", in, errWant, errGot)
		}
	}
}

// FuzzUnmarshal checks that the codec and cty/json agree on any input.
func FuzzUnmarshal(f *testing.F) {
	good, _ := ctyjson.Marshal(cty.ListVal([]cty.Value{rec("a.example.", 300, `"x\u0001"`, "é")}), cty.List(record))
	f.Add(good)
	f.Add([]byte(`[{"name":"\ud83d\ude00","ttl":1e3,"type":null,"values":[]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, errWant := ctyjson.Unmarshal(data, cty.List(record))
		got, errGot := Unmarshal(data, cty.List(record))
		if (errWant == nil) != (errGot == nil) {
			if errWant == nil && strings.Contains(errGot.Error(), "extraneous data") {
				return // cty/json ignores what follows the value; ctycodec refuses it
			}
			t.Fatalf("%q: cty/json says %v, ctycodec %v", data, errWant, errGot)
		}
		if errWant == nil && !got.Equals(want).True() {
			t.Fatalf("%q: cty/json reads %#v, ctycodec %#v", data, want, got)
		}
	})
}

// UnmarshalLike gives what Unmarshal gives, sharing like's memory where
// they agree.
func TestUnmarshalLike(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"records": cty.List(record), "name": cty.String, "n": cty.Number})
	mk := func(recs ...cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"records": cty.ListVal(recs), "name": cty.StringVal("z"), "n": cty.NumberIntVal(7)})
	}
	a, b, c := rec("a.example.", 300, `"x"`), rec("b.example.", 60, "é\"q\""), rec("c.example.", 300, "y")
	stored := mk(a, b, c)
	data, err := Marshal(stored, ty)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		like  cty.Value
		share []bool // whether each record comes from like
	}{
		{"all equal", mk(a, b, c), []bool{true, true, true}},
		{"one changed", mk(a, rec("b.example.", 61, "é\"q\""), c), []bool{true, false, true}},
		{"shorter", mk(a), []bool{true, false, false}},
		{"no like", cty.NilVal, []bool{false, false, false}},
		{"null like", cty.NullVal(ty), []bool{false, false, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalLike(data, ty, tt.like)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := Unmarshal(data, ty)
			if !got.RawEquals(want) {
				t.Fatalf("got %#v\nwant %#v", got, want)
			}
			for i, share := range tt.share {
				g := got.GetAttr("records").Index(cty.NumberIntVal(int64(i)))
				if tt.like == cty.NilVal || tt.like.IsNull() || i >= tt.like.GetAttr("records").LengthInt() {
					continue
				}
				l := tt.like.GetAttr("records").Index(cty.NumberIntVal(int64(i)))
				if got := ctyconv.Identical(g, l); got != share {
					t.Errorf("record %d shared %v, want %v", i, got, share)
				}
			}
		})
	}
}

// An element of like that the stored list lacks is stepped over, and the
// rest still shared.
func TestUnmarshalLikeSkips(t *testing.T) {
	a, b, c := rec("a.example.", 300, "x"), rec("b.example.", 60, "y"), rec("c.example.", 300, "z")
	data, _ := Marshal(cty.ListVal([]cty.Value{b, c}), cty.List(record))
	like := cty.ListVal([]cty.Value{a, b, c})
	got, err := UnmarshalLike(data, cty.List(record), like)
	if err != nil {
		t.Fatal(err)
	}
	if !ctyconv.Identical(got.Index(cty.NumberIntVal(0)), b) || !ctyconv.Identical(got.Index(cty.NumberIntVal(1)), c) {
		t.Errorf("the elements after the skipped one are not shared: %#v", got)
	}
}

// Attribute names that are not plain ASCII, tuples and maps are matched
// as well as plain names and lists.
func TestUnmarshalLikeKeysAndTuples(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{
		"é":     cty.String,
		"a\"b":  cty.Number,
		"tuple": cty.Tuple([]cty.Type{cty.String, cty.Bool}),
		"map":   cty.Map(cty.String),
		"plain": cty.List(cty.String),
	})
	v := cty.ObjectVal(map[string]cty.Value{
		"é":     cty.StringVal("x"),
		"a\"b":  cty.NumberIntVal(3),
		"tuple": cty.TupleVal([]cty.Value{cty.StringVal("t"), cty.True}),
		"map":   cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
		"plain": cty.ListVal([]cty.Value{cty.StringVal("p")}),
	})
	data, err := Marshal(v, ty)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalLike(data, ty, v)
	if err != nil || !got.RawEquals(v) {
		t.Fatalf("got %#v, %v", got, err)
	}
	if !ctyconv.Identical(got, v) && !ctyconv.Identical(got.GetAttr("plain"), v.GetAttr("plain")) {
		t.Errorf("an equal value was built anew, not taken from like")
	}
	other := cty.ObjectVal(map[string]cty.Value{
		"é":     cty.StringVal("y"),
		"a\"b":  cty.NumberIntVal(3),
		"tuple": cty.TupleVal([]cty.Value{cty.StringVal("t"), cty.False}),
		"map":   cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
		"plain": cty.ListVal([]cty.Value{cty.StringVal("p")}),
	})
	got, err = UnmarshalLike(data, ty, other)
	if err != nil || !got.RawEquals(v) {
		t.Fatalf("with a different like: got %#v, %v", got, err)
	}
}

// An error names the path of the value that cannot be written, as
// cty/json's does, though paths are only built once an error is found.
func TestMarshalErrorPath(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"recs": cty.List(cty.Object(map[string]cty.Type{"ttl": cty.Number}))})
	v := cty.ObjectVal(map[string]cty.Value{"recs": cty.ListVal([]cty.Value{
		cty.ObjectVal(map[string]cty.Value{"ttl": cty.NumberIntVal(300)}),
		cty.ObjectVal(map[string]cty.Value{"ttl": cty.UnknownVal(cty.Number)}),
	})})
	_, err := Marshal(v, ty)
	var pe cty.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a cty.PathError", err)
	}
	want := cty.GetAttrPath("recs").Index(cty.NumberIntVal(1)).GetAttr("ttl")
	if !pe.Path.Equals(want) {
		t.Errorf("error path %#v, want %#v", pe.Path, want)
	}
	// Whole numbers are written as cty/json writes them.
	for _, n := range []cty.Value{cty.NumberIntVal(-42), cty.NumberIntVal(1 << 62), cty.NumberFloatVal(2.5), cty.MustParseNumberVal("1e30")} {
		got, err := Marshal(n, cty.Number)
		want, _ := ctyjson.Marshal(n, cty.Number)
		if err != nil || string(got) != string(want) {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", n, got, err, want)
		}
	}
}
