package zonesimport

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbhq/plumb/providers/dns"
)

// zoneFile is one zone file found in the directory.
type zoneFile struct {
	// name is the file's name in the directory.
	name string
	// pattern is the glob that names it after its domain ("*.zone"), or ""
	// when its origin does not follow from its name.
	pattern string
	// origin is the zone's origin, normalised, without the trailing dot.
	origin string
	// data is the file's content, kept until it has been parsed.
	data []byte
}

// suffixes are the file name endings that mark a zone file named after
// its domain, in the order generated configuration lists their patterns.
// A .txt file counts only when the rest of its name is a domain name.
var suffixes = []string{".zone", ".db", ".txt"}

// notZones are endings of files that look like domain names but are not
// zone files (BIND's configuration, journals, keys, signed zones, notes).
var notZones = []string{
	".conf", ".jnl", ".key", ".private", ".signed", ".keys", ".bak", ".orig", ".swp", ".tmp",
	".log", ".md", ".hcl", ".json", ".yaml", ".yml", ".sh", ".html", ".xml", ".pem", ".csv",
}

// candidate returns, for a file name, the zone origin its name gives and
// the pattern it is found by, and whether it is a zone file at all:
//
//   - NAME.zone and NAME.db are zone files of the domain NAME, whatever
//     NAME looks like (their origin may come from $ORIGIN instead);
//   - NAME.txt is the zone file of NAME when NAME is a domain name;
//   - db.DOMAIN (Debian's naming) is the zone file of DOMAIN;
//   - a file named like a domain (two or more labels of letters, digits
//     and hyphens, the last of letters) is that domain's zone file, unless
//     its ending says it is something else (.conf, .jnl, .key, .signed, …).
//
// Hidden files are never zone files.
func candidate(name string) (origin, pattern string, ok bool) {
	if strings.HasPrefix(name, ".") {
		return "", "", false
	}
	for _, s := range suffixes {
		stem, found := strings.CutSuffix(name, s)
		if !found || stem == "" {
			continue
		}
		if s == ".txt" && !looksLikeDomain(stem) {
			return "", "", false
		}
		return stem, "*" + s, true
	}
	for _, s := range notZones {
		if strings.HasSuffix(name, s) {
			return "", "", false
		}
	}
	if d, found := strings.CutPrefix(name, "db."); found {
		// BIND's own db.local, db.127, db.root, … are not a domain's.
		if !looksLikeDomain(d) {
			return "", "", false
		}
		return d, "", true
	}
	if looksLikeDomain(name) {
		return name, "", true
	}
	return "", "", false
}

// looksLikeDomain reports whether s is a host name of two or more labels
// whose last label is letters only: "example.org", not "README" or "a.1".
func looksLikeDomain(s string) bool {
	s = strings.TrimSuffix(s, ".")
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i] | 0x20
			if !('a' <= c && c <= 'z' || '0' <= l[i] && l[i] <= '9' || l[i] == '-' || l[i] == '_') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	for i := 0; i < len(tld); i++ {
		if c := tld[i] | 0x20; c < 'a' || c > 'z' {
			return tld[:min(4, len(tld))] == "xn--"
		}
	}
	return true
}

// firstOrigin returns the argument of the zone file's first $ORIGIN that
// comes before any record, or "".
func firstOrigin(data []byte) string {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(string(line))
		switch {
		case len(f) == 0:
			continue
		case strings.EqualFold(f[0], "$ORIGIN") && len(f) > 1:
			return f[1]
		case strings.HasPrefix(f[0], "$"):
			continue
		}
		return ""
	}
	return ""
}

// scan lists the zone files directly in dir, in name order, with their
// origins: from the first $ORIGIN, else from the name, and the names of
// all regular files in dir. Files that are zone files by name but whose
// origin cannot be told are returned as problems.
func scan(dir string) (files []zoneFile, names []string, problems []Problem, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading the zone directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() {
			// A symbolic link to a regular file counts, as in fileset().
			info, err := os.Stat(filepath.Join(dir, name))
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
		}
		names = append(names, name)
		fromName, pattern, ok := candidate(name)
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			problems = append(problems, Problem{File: path, Err: err})
			continue
		}
		origin := fromName
		if o := firstOrigin(data); o != "" && o != "." && o != "@" {
			origin = o
		}
		// The SOA's owner is the zone's origin, whatever the $ORIGIN lines
		// say on the way to it ("$ORIGIN ." in a file named dumps).
		if soa := dns.SOAOwner(data, fromName, dir); soa != "" {
			origin = soa
		}
		n, err := dns.NormalizeName(origin)
		if err != nil {
			problems = append(problems, Problem{File: path, Err: fmt.Errorf(
				"cannot tell the zone's origin (%v): name the file DOMAIN.zone or start it with $ORIGIN DOMAIN.", err)})
			continue
		}
		if fn, err := dns.NormalizeName(fromName); err == nil && fn == n && strings.ContainsRune(n, '\\') {
			// Spaces, quotes or control characters in a name that only
			// the file's name gives: not a domain anyone meant.
			problems = append(problems, Problem{File: path, Err: fmt.Errorf(
				"cannot tell the zone's origin: the file's name, %q, is not a domain name; name the file DOMAIN.zone or start it with $ORIGIN DOMAIN.", fromName)})
			continue
		}
		if n != "." {
			n = strings.TrimSuffix(n, ".")
		}
		fromNameNorm, err := dns.NormalizeName(fromName)
		if err != nil || strings.TrimSuffix(fromNameNorm, ".") != n || fromName != n {
			pattern = ""
		}
		files = append(files, zoneFile{name: name, pattern: pattern, origin: n, data: data})
	}
	slices.SortFunc(files, func(a, b zoneFile) int { return strings.Compare(a.name, b.name) })
	return files, names, problems, nil
}
