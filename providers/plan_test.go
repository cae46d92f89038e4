package providers

import "testing"

func TestJoinFirst(t *testing.T) {
	lines := []string{"a", "b", "c", "d"}
	cases := []struct {
		shown int
		hint  string
		want  string
	}{
		{4, "", "a\nb\nc\nd"},
		{10, " (see below)", "a\nb\nc\nd"},
		{3, "", "a\nb\nc\n… and 1 more"},
		{2, " (see withheld in the plan)", "a\nb\n… and 2 more (see withheld in the plan)"},
	}
	for _, c := range cases {
		if got := JoinFirst(lines, c.shown, c.hint); got != c.want {
			t.Errorf("JoinFirst(%d lines, %d, %q) = %q, want %q", len(lines), c.shown, c.hint, got, c.want)
		}
	}
	if got := JoinFirst(nil, 10, ""); got != "" {
		t.Errorf("JoinFirst(nil) = %q, want empty", got)
	}
}
