package ctyconv

import (
	"fmt"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var record = cty.Object(map[string]cty.Type{"name": cty.String, "type": cty.String, "ttl": cty.Number, "values": cty.List(cty.String)})

func recObj(i int, ttl cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(fmt.Sprintf("h%d.example.", i)), "type": cty.StringVal("A"), "ttl": ttl,
		"values": cty.TupleVal([]cty.Value{cty.StringVal("192.0.2.1")}),
	})
}

// Convert gives what cty's convert.Convert gives, value and error.
func TestAgreesWithConvert(t *testing.T) {
	sensitive := cty.StringVal("s").Mark("sensitive")
	tests := []struct {
		name string
		v    cty.Value
		ty   cty.Type
	}{
		{"tuple of records", cty.TupleVal([]cty.Value{recObj(1, cty.NumberIntVal(300)), recObj(2, cty.StringVal("60"))}), cty.List(record)},
		{"empty tuple", cty.EmptyTupleVal, cty.List(record)},
		{"list already", cty.ListVal([]cty.Value{cty.StringVal("a")}), cty.List(cty.String)},
		{"numbers to strings", cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.True}), cty.List(cty.String)},
		{"set from list", cty.ListVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), cty.Set(cty.String)},
		{"list from set", cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), cty.List(cty.String)},
		{"set from tuple with repeats", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("a")}), cty.Set(cty.String)},
		{"map from object", cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.StringVal("2")}), cty.Map(cty.Number)},
		{"unknown element", cty.TupleVal([]cty.Value{cty.UnknownVal(cty.String), cty.StringVal("x")}), cty.List(cty.String)},
		{"unknown whole", cty.DynamicVal, cty.List(record)},
		{"null", cty.NullVal(cty.DynamicPseudoType), cty.List(record)},
		{"marked element", cty.TupleVal([]cty.Value{sensitive, cty.StringVal("x")}), cty.List(cty.String)},
		{"marked whole", cty.TupleVal([]cty.Value{cty.StringVal("x")}).Mark("sensitive"), cty.List(cty.String)},
		{"bad element", cty.TupleVal([]cty.Value{recObj(1, cty.StringVal("soon"))}), cty.List(record)},
		{"wrong kind", cty.StringVal("x"), cty.List(cty.String)},
		{"nested", cty.TupleVal([]cty.Value{cty.TupleVal([]cty.Value{cty.NumberIntVal(1)})}), cty.List(cty.List(cty.String))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, errWant := convert.Convert(tt.v, tt.ty)
			got, errGot := Convert(tt.v, tt.ty)
			if (errWant == nil) != (errGot == nil) {
				t.Fatalf("convert says %v, ctyconv %v", errWant, errGot)
			}
			if errWant == nil && !got.RawEquals(want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}

// A tuple of n records converts in time proportional to n. The test
// asserts nothing about time (benchmarks measure it); it checks that a
// large conversion finishes and is right.
func TestLarge(t *testing.T) {
	elems := make([]cty.Value, 20000)
	for i := range elems {
		elems[i] = recObj(i, cty.NumberIntVal(300))
	}
	start := time.Now()
	v, err := Convert(cty.TupleVal(elems), cty.List(record))
	if err != nil || v.LengthInt() != len(elems) {
		t.Fatalf("got %d elements, %v", v.LengthInt(), err)
	}
	t.Logf("20,000 records in %v", time.Since(start))
}

func benchConvert(b *testing.B, n int, conv func(cty.Value, cty.Type) (cty.Value, error)) {
	elems := make([]cty.Value, n)
	for i := range elems {
		elems[i] = recObj(i, cty.NumberIntVal(300))
	}
	tuple := cty.TupleVal(elems)
	b.ResetTimer()
	for range b.N {
		if _, err := conv(tuple, cty.List(record)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConvert compares the tuple-to-list conversion of n records,
// this package's against cty's.
func BenchmarkConvert(b *testing.B) {
	for _, n := range []int{2000, 4000, 8000} {
		b.Run(fmt.Sprintf("ctyconv/%d", n), func(b *testing.B) { benchConvert(b, n, Convert) })
		b.Run(fmt.Sprintf("cty/%d", n), func(b *testing.B) { benchConvert(b, n, convert.Convert) })
	}
	b.Run("ctyconv/1000000", func(b *testing.B) { benchConvert(b, 1000000, Convert) })
}
