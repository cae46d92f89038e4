package svn

import "testing"

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"*.php", "index.php", true},
		{"*.php", "trunk/src/a b.php", true},
		{"*.php", "trunk/src/café.php", true},
		{"*.php", "trunk/src/index.phtml", false},
		{"*.php", "trunk/php/readme", false},
		{"/*.php", "trunk/a.php", true}, // a leading slash is the root, still a base-name pattern
		{"trunk/*.php", "trunk/a.php", true},
		{"trunk/*.php", "trunk/src/a.php", false},
		{"trunk/**/*.php", "trunk/a.php", true},
		{"trunk/**/*.php", "trunk/src/deep/a.php", true},
		{"trunk/**/*.php", "branches/x/a.php", false},
		{"**/node_modules/**", "trunk/node_modules", true},
		{"**/node_modules/**", "trunk/node_modules/x/y.js", true},
		{"**/node_modules/**", "node_modules", true},
		{"**/node_modules/**", "trunk/node_modulesx/y.js", false},
		{"secrets/*.key", "secrets/db.key", true},
		{"[ab].txt", "x/a.txt", true},
		{"[ab].txt", "x/c.txt", false},
		{"?.log", "x/ab.log", false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.path); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestCheckGlob(t *testing.T) {
	tests := []struct {
		pattern string
		ok      bool
	}{
		{"*.php", true},
		{"trunk/**/x", true},
		{"", false},
		{"  ", false},
		{"[a-", false},
		{"a//b", false},
		{"a/", false},
	}
	for _, tt := range tests {
		if err := checkGlob(tt.pattern); (err == nil) != tt.ok {
			t.Errorf("checkGlob(%q) = %v, want ok %v", tt.pattern, err, tt.ok)
		}
	}
}
