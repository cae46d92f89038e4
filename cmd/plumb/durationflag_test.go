package main

import (
	"strings"
	"testing"
	"time"
)

// TestDurationFlagSpeaksTheDialect checks that command-line durations are
// read as attributes read them: days and weeks included, one error text.
func TestDurationFlagSpeaksTheDialect(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "30s", want: 30 * time.Second},
		{in: "1m0s", want: time.Minute},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "2w", want: 14 * 24 * time.Hour},
		{in: "0", want: 0},
		{in: "1x", bad: true},
		{in: "1.5h", bad: true},
	}
	for _, tt := range tests {
		var d time.Duration
		err := durationFlag{&d}.Set(tt.in)
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "is not a duration") {
				t.Errorf("Set(%q) = %v, want the dialect's error", tt.in, err)
			}
			continue
		}
		if err != nil || d != tt.want {
			t.Errorf("Set(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
		}
	}
}
