package main

import "strings"

// Shell words for bash completion: bash hands the completion function the
// command line as typed, quotes and backslashes included, and inserts
// what the function returns as typed text. These split a line into the
// words the command would receive and quote candidates back.

// shellLine is a command line split into words, up to the cursor.
type shellLine struct {
	// words are the words as the command receives them, quotes
	// removed; the last is the one being typed ("" after a space).
	words []string
	// rawLast is the last word as typed.
	rawLast string
}

// splitShellLine splits line as a POSIX shell would (single quotes,
// double quotes, backslashes), allowing it to end inside a quote, as a
// line being completed may.
func splitShellLine(line string) shellLine {
	var (
		words   []string
		cur     strings.Builder
		start   = 0
		inWord  = false
		quote   byte // 0, '\'' or '"'
		escaped = false
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case escaped:
			// Inside double quotes a backslash escapes only these.
			if quote == '"' && !strings.ContainsRune("\"\\$`\n", rune(c)) {
				cur.WriteByte('\\')
			}
			if c != '\n' {
				cur.WriteByte(c)
			}
			escaped = false
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\\':
			escaped = true
			if !inWord {
				inWord, start = true, i
			}
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			if !inWord {
				inWord, start = true, i
			}
			if c == '\'' || c == '"' {
				quote = c
			} else {
				cur.WriteByte(c)
			}
		}
	}
	if !inWord {
		return shellLine{words: append(words, ""), rawLast: ""}
	}
	return shellLine{words: append(words, cur.String()), rawLast: line[start:]}
}

// bashInsertions turns candidates for the word being typed into what
// bash should put in place of the part of it readline replaces. rlWord
// is that part: the word after the last of bash's word-break characters
// (COMP_WORDBREAKS: = and : among them), so for -target=aws_ it is
// aws_. Each insertion is quoted the way rlWord starts: in single
// quotes, in double quotes, or with backslashes.
func bashInsertions(line shellLine, rlWord string, candidates []string) []string {
	keep := 0 // bytes of rawLast before rlWord, which stay as typed
	if strings.HasSuffix(line.rawLast, rlWord) {
		keep = len(line.rawLast) - len(rlWord)
	}
	kept := splitShellLine(line.rawLast[:keep]).words
	prefix := kept[len(kept)-1]
	var out []string
	for _, c := range candidates {
		if !strings.HasPrefix(c, prefix) || strings.ContainsAny(c, "\n\x00") {
			continue
		}
		rest := c[len(prefix):]
		switch {
		case strings.HasPrefix(rlWord, "'"):
			out = append(out, "'"+strings.ReplaceAll(rest, "'", `'\''`)+"'")
		case strings.HasPrefix(rlWord, `"`):
			out = append(out, `"`+escapeWith(rest, "\"\\$`")+`"`)
		default:
			out = append(out, escapeWith(rest, " \t\"'\\$`<>|&;()[]*?!{}#~"))
		}
	}
	return out
}

// escapeWith puts a backslash before every byte of s that is in special.
func escapeWith(s, special string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
