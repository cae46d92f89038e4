package dns

// maxTTL is the largest TTL RFC 2181 allows; BIND reads a larger one as 0.
const maxTTL = 1<<31 - 1

// ttlResult is what parseTTL made of a token.
type ttlResult uint8

const (
	ttlOK       ttlResult = iota
	ttlSyntax             // not a TTL at all
	ttlOverflow           // a TTL, but above 2³²-1 seconds
)

// parseTTL reads a TTL as BIND does: a number of seconds ("3600"), or
// numbers each followed by a unit w, d, h, m or s in any case ("1h30m").
// A bare number may only come first and alone.
func parseTTL(s string) (uint32, ttlResult) {
	if s == "" || len(s) > 63 {
		return 0, ttlSyntax
	}
	var total uint64
	for i := 0; i < len(s); {
		start := i
		var n uint64
		for i < len(s) && isDigit(s[i]) {
			n = n*10 + uint64(s[i]-'0')
			if n > 1<<32-1 {
				for i < len(s) && isDigit(s[i]) {
					i++
				}
				if i == len(s) || isTTLUnit(s[i]) {
					return 0, ttlOverflow
				}
				return 0, ttlSyntax
			}
			i++
		}
		if i == start {
			return 0, ttlSyntax
		}
		if i == len(s) {
			if total != 0 {
				return 0, ttlSyntax
			}
			total = n
			break
		}
		switch s[i] | 0x20 {
		case 'w':
			n *= 7 * 24 * 3600
		case 'd':
			n *= 24 * 3600
		case 'h':
			n *= 3600
		case 'm':
			n *= 60
		case 's':
		default:
			return 0, ttlSyntax
		}
		total += n
		i++
	}
	if total > 1<<32-1 {
		return 0, ttlOverflow
	}
	return uint32(total), ttlOK
}

func isTTLUnit(c byte) bool {
	switch c | 0x20 {
	case 'w', 'd', 'h', 'm', 's':
		return true
	}
	return false
}

// isTTL reports whether s reads as a TTL, in range or not.
func isTTL(s string) bool {
	_, r := parseTTL(s)
	return r != ttlSyntax
}
