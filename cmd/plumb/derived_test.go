package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestDerivedAttributesOfSecretsAreDeclared looks at every resource type
// of every provider: where a type has a sensitive attribute, each of its
// computed-only attributes must say what it derives from (DerivedFrom),
// so a hash or a copy of the secret is hidden with it. An attribute that
// derives from nothing secret belongs in independent, with the reason.
func TestDerivedAttributesOfSecretsAreDeclared(t *testing.T) {
	independent := map[string]string{}
	reg := registry()
	checked := 0
	for _, name := range reg.Names() {
		f, _ := reg.Factory(name)
		for typ, res := range f().Resources() {
			s := res.Schema()
			if len(s.SensitivePaths()) == 0 {
				continue
			}
			checked++
			for attr, a := range s.Attributes {
				if !a.Computed || a.Optional || a.Required {
					continue
				}
				if len(a.DerivedFrom) == 0 && independent[typ+"."+attr] == "" {
					t.Errorf("%s.%s is computed beside the sensitive %v and does not say what it derives from", typ, attr, s.SensitivePaths())
				}
				for _, src := range a.DerivedFrom {
					if _, ok := s.Attributes[src]; !ok {
						t.Errorf("%s.%s derives from %q, which %s does not have", typ, attr, src, typ)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no resource type has a sensitive attribute; the test checks nothing")
	}
}

// TestStateShowHidesTheHashOfASecret applies a local_file holding a
// short secret and shows the state: its id and content_sha256, the
// secret's unsalted SHA-256, print as (sensitive).
func TestStateShowHidesTheHashOfASecret(t *testing.T) {
	dir := configDir(t, map[string]string{"main.hcl": `
resource "local_file" "key" {
  filename          = "key.txt"
  sensitive_content = "1234"
}`})
	if r := plumb(t, dir, "apply", "-auto-approve", "-no-color"); r.code != exitOK {
		t.Fatalf("apply:\n%s", r)
	}
	sum := sha256.Sum256([]byte("1234"))
	hash := hex.EncodeToString(sum[:])
	for _, args := range [][]string{{"show"}, {"show", "-format=json"}, {"state", "show", "local_file.key"}, {"plan", "-destroy", "-no-color"}} {
		r := plumb(t, dir, args...)
		if strings.Contains(r.stdout+r.stderr, hash) {
			t.Errorf("plumb %s shows the SHA-256 of the secret:\n%s", strings.Join(args, " "), r)
		}
		if !strings.Contains(r.stdout, "sensitive") {
			t.Errorf("plumb %s does not say (sensitive):\n%s", strings.Join(args, " "), r)
		}
	}
}
