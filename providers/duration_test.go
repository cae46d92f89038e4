package providers

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	good := map[string]time.Duration{
		"30s": 30 * time.Second, "15m": 15 * time.Minute, "24h": 24 * time.Hour, "7d": 7 * day, "2w": 14 * day,
		"1d12h": 36 * time.Hour, "1w2d3h4m5s": 9*day + 3*time.Hour + 4*time.Minute + 5*time.Second, "500ms": 500 * time.Millisecond,
		"720h": 30 * day, "0s": 0, "90m": 90 * time.Minute, "1h1d": 25 * time.Hour,
	}
	for in, want := range good {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7", "d", "1.5h", "-1h", "1 h", "1h ", "daily", "3y", "7D", "1e3s", "99999999999999999999s", "15300w"} {
		_, err := ParseDuration(in)
		if err == nil {
			t.Errorf("ParseDuration(%q) succeeded", in)
			continue
		}
		if want := strconv.Quote(in) + " is not a duration: write " + DurationForms; err.Error() != want {
			t.Errorf("ParseDuration(%q): %v; every mistake must give the one error", in, err)
		}
	}
}

func TestDurationAttr(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"retain": cty.StringVal("a week"), "interval": cty.StringVal("1d"), "timeout": cty.NullVal(cty.String)})
	if d, diags := DurationAttr(obj, "interval", "interval"); d != 24*time.Hour || diags.HasErrors() {
		t.Errorf("interval: %v, %v", d, diags)
	}
	if d, diags := DurationAttr(obj, "timeout", "timeout"); d != 0 || diags != nil {
		t.Errorf("null timeout: %v, %v", d, diags)
	}
	_, diags := DurationAttr(obj, "retain", "copy[0].retain")
	if len(diags) != 1 || diags[0].Summary != "Invalid duration" || diags[0].Extra != AttributePath("copy[0].retain") ||
		!strings.HasPrefix(diags[0].Detail, `retain = "a week" is not a duration: write `) {
		t.Errorf("bad retain: %#v", diags)
	}
}
