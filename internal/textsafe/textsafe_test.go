package textsafe

import "testing"

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/index.php?q=1", "/index.php?q=1"},
		{"Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (X11; Linux x86_64)"},
		{"café/ünïcode/日本", "café/ünïcode/日本"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},             // clear the screen
		{"ok\rEVIL", `ok\rEVIL`},                       // overwrite the row
		{"a\nb\tc", `a\nb\tc`},                         // new rows, tabs
		{"\x9b31m", `\x9b31m`},                         // an 8-bit CSI byte (not UTF-8)
		{"\u009b31m", `\u009b31m`},                     // a C1 control as UTF-8
		{"user\u202egnp.exe", `user\u202egnp.exe`},     // right-to-left override
		{"\x7f\x00", `\x7f\x00`},                       // DEL, NUL
		{"\xff\xfe", `\xff\xfe`},                       // invalid UTF-8
		{`C:\path`, `C:\path`},                         // a backslash is kept
		{"\u2066isolate\u2069", `\u2066isolate\u2069`}, // bidi isolates
		{"e\u0301", "e\u0301"},                         // combining marks are printable
		{"tab\u200eLRM", `tab\u200eLRM`},               // direction marks
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEscapeLeavesNoControl(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := Escape(string([]byte{'x', byte(b), 'y'}))
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] == 0x7f {
				t.Fatalf("Escape of byte %#x leaves control byte %#x in %q", b, s[i], s)
			}
		}
	}
}
