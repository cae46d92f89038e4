package lang

import "strings"

// Suggest returns the name in names closest to name, for a "did you mean"
// hint after a call to an unknown function, or "" when none is close. A
// name that differs only in case wins; otherwise the closest name within
// an edit distance of two (one for names of three letters or fewer), the
// alphabetically first on a tie.
func Suggest(name string, names []string) string {
	limit := 2
	if len(name) <= 3 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n
		}
		d := editDistance(name, n)
		if d < bestDist || (d == bestDist && best != "" && n < best) {
			best, bestDist = n, d
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes,
// which is enough for function names.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
