package awstest

import "testing"

func TestCanonicalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "example.com."},
		{"Example.COM.", "example.com."},
		{"*.example.com", `\052.example.com.`},
		{`\052.example.com.`, `\052.example.com.`},
		{`\*.example.com`, `\052.example.com.`},
		{"_dmarc.example.com", "_dmarc.example.com."},
		{"a b.example.com", `a\040b.example.com.`},
		{`\101.example.com`, "a.example.com."},
		{`dot\.inside.example.com`, `dot\056inside.example.com.`},
		{"xn--bcher-kva.example", "xn--bcher-kva.example."},
	}
	for _, tt := range tests {
		if got := canonicalName(tt.in); got != tt.want {
			t.Errorf("canonicalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSortKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"www.example.com.", "com.example.www."},
		{"example.com.", "com.example."},
		{`\052.example.com.`, `com.example.\052.`},
		{"com.", "com."},
	}
	for _, tt := range tests {
		if got := sortKey(tt.in); got != tt.want {
			t.Errorf("sortKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInZone(t *testing.T) {
	tests := []struct {
		name, zone string
		want       bool
	}{
		{"example.com.", "example.com.", true},
		{"a.b.example.com.", "example.com.", true},
		{"badexample.com.", "example.com.", false},
		{"example.org.", "example.com.", false},
	}
	for _, tt := range tests {
		if got := inZone(tt.name, tt.zone); got != tt.want {
			t.Errorf("inZone(%q, %q) = %v, want %v", tt.name, tt.zone, got, tt.want)
		}
	}
}

func BenchmarkCanonicalName(b *testing.B) {
	for b.Loop() {
		canonicalName("*.Www.Example.COM")
	}
}
