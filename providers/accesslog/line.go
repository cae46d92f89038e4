package accesslog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"
)

// Reason says why a line could not be read as an access-log entry.
type Reason uint8

// The reasons a line is malformed, in the order the parser checks them.
const (
	ReasonNone    Reason = iota
	ReasonClient         // the first field is not an IP address
	ReasonTime           // no [dd/Mon/yyyy:hh:mm:ss +zzzz] timestamp
	ReasonRequest        // no quoted request line
	ReasonStatus         // no status code and size after the request
	ReasonAgent          // a referer or user agent quote is not closed
	ReasonTooLong        // the line is longer than MaxLineBytes
	numReasons
)

// String names the reason as reports print it.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "ok"
	case ReasonClient:
		return "first field is not an IP address"
	case ReasonTime:
		return "no valid [timestamp]"
	case ReasonRequest:
		return "no quoted request"
	case ReasonStatus:
		return "no status and size after the request"
	case ReasonAgent:
		return "unterminated referer or user agent"
	case ReasonTooLong:
		return "line too long"
	}
	return "unknown"
}

// MaxLineBytes is the longest line the scanner reads; longer lines are
// counted as malformed (ReasonTooLong) and skipped.
const MaxLineBytes = 64 << 10

// maxKeyBytes caps the URI and user agent kept as counting keys, so one
// enormous request cannot take memory meant for many.
const maxKeyBytes = 512

// line is one parsed entry; its slices point into the scanned buffer.
type line struct {
	client addrKey
	unix   int64
	method []byte
	uri    []byte
	status uint16
	agent  []byte
	// vhost is the virtual host of Debian's vhost_combined format
	// ("example.org:443"); empty in the other formats.
	vhost []byte
	// forwarded is the X-Forwarded-For header, when the format logs it:
	// the first quoted field after the user agent, as nginx's "main"
	// format and Apache's "%{X-Forwarded-For}i" put it.
	forwarded []byte
}

// timeCache remembers the last timestamp parsed: consecutive lines of a
// busy log mostly share it.
type timeCache struct {
	k0, k1, k2 uint64
	k3         uint16
	unix       int64
	ok         bool
}

// parseLine reads one Apache or nginx line (b excludes the newline) in
// any of the formats plumb knows:
//
//   - common: host ident user [time] "request" status size
//   - combined: common, then "referer" "user agent"
//   - Debian's vhost_combined: "vhost:port " before the host
//   - nginx's variants: unquoted fields such as $request_time (0.123) or
//     rt=0.123 between the size and the referer, or after the user agent
//   - a quoted X-Forwarded-For after the user agent (nginx's "main")
//
// Fields after these are ignored. Only the timestamp is read when it
// falls outside [from, to) (Unix seconds): inWindow is then false, and
// the rest of the line is not checked.
func parseLine(b []byte, tc *timeCache, from, to int64) (l line, inWindow bool, why Reason) {
	inWindow, why = parseLineInto(&l, b, tc, from, to)
	return l, inWindow, why
}

// parseLineInto is parseLine writing into *l, which it overwrites whole:
// the scan parses each line straight into its place in a batch, with no
// copy of the line made.
func parseLineInto(l *line, b []byte, tc *timeCache, from, to int64) (inWindow bool, why Reason) {
	*l = line{unix: noTime}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return false, ReasonClient
	}
	host := b[:sp]
	// The timestamp: "[" 26 bytes "]", after the ident and user fields.
	br := bytes.IndexByte(b[sp:], '[')
	if br < 0 {
		return false, ReasonTime
	}
	br += sp
	if len(b) < br+28 || b[br-1] != ' ' || b[br+27] != ']' {
		return false, ReasonTime
	}
	ts := b[br+1 : br+27]
	// Compare with the last timestamp as four words: no call, no loop.
	k0, k1, k2 := binary.LittleEndian.Uint64(ts), binary.LittleEndian.Uint64(ts[8:]), binary.LittleEndian.Uint64(ts[16:])
	k3 := binary.LittleEndian.Uint16(ts[24:])
	if !tc.ok || k0 != tc.k0 || k1 != tc.k1 || k2 != tc.k2 || k3 != tc.k3 {
		u, ok := parseTimestamp(ts)
		if !ok {
			return false, ReasonTime
		}
		tc.k0, tc.k1, tc.k2, tc.k3, tc.unix, tc.ok = k0, k1, k2, k3, u, true
	}
	l.unix = tc.unix
	if l.unix < from || l.unix >= to {
		return false, ReasonNone
	}
	var ok bool
	if l.client, ok = parseAddr(host); !ok {
		// vhost_combined: "vhost:port host ident user [time] ..."
		second := b[sp+1 : br]
		if e := bytes.IndexByte(second, ' '); e > 0 && isVhost(host) {
			if l.client, ok = parseAddr(second[:e]); ok {
				l.vhost = host
			}
		}
		if !ok {
			return false, ReasonClient
		}
	}
	rest := b[br+28:]
	if len(rest) < 2 || rest[0] != ' ' || rest[1] != '"' {
		return false, ReasonRequest
	}
	req, rest, ok := quoted(rest[1:])
	if !ok {
		return false, ReasonRequest
	}
	rest, l.status, ok = statusAndSize(rest)
	if !ok {
		return false, ReasonStatus
	}
	rest = skipUnquoted(rest)
	if len(rest) >= 2 && rest[0] == ' ' && rest[1] == '"' {
		if _, rest, ok = quoted(rest[1:]); !ok {
			return false, ReasonAgent
		}
		if len(rest) >= 2 && rest[0] == ' ' && rest[1] == '"' {
			if l.agent, rest, ok = quoted(rest[1:]); !ok {
				return false, ReasonAgent
			}
			rest = skipUnquoted(rest)
			if len(rest) >= 2 && rest[0] == ' ' && rest[1] == '"' {
				l.forwarded, _, _ = quoted(rest[1:])
			}
		}
	}
	l.method, l.uri = requestParts(req)
	if len(l.uri) > maxKeyBytes {
		l.uri = l.uri[:maxKeyBytes]
	}
	if len(l.agent) > maxKeyBytes {
		l.agent = l.agent[:maxKeyBytes]
	}
	return true, ReasonNone
}

// isVhost reports whether b looks like "name:port", the first field of
// vhost_combined.
func isVhost(b []byte) bool {
	c := bytes.LastIndexByte(b, ':')
	if c <= 0 || c == len(b)-1 || len(b)-c-1 > 5 {
		return false
	}
	for _, d := range b[c+1:] {
		if !digit(d) {
			return false
		}
	}
	return true
}

// skipUnquoted skips the fields of b (each after a space) up to the next
// quoted one: nginx's $request_time and key=value fields.
func skipUnquoted(b []byte) []byte {
	for len(b) >= 2 && b[0] == ' ' && b[1] != '"' {
		j := bytes.IndexByte(b[1:], ' ')
		if j < 0 {
			return nil
		}
		b = b[1+j:]
	}
	return b
}

// quoted reads a double-quoted field at the start of b (b[0] == '"'),
// honouring backslash escapes, and returns its content and what follows
// the closing quote.
func quoted(b []byte) (field, rest []byte, ok bool) {
	i := 1
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return nil, nil, false
		}
		j += i
		if b[j-1] != '\\' {
			return b[1:j], b[j+1:], true // nearly every field
		}
		// An odd run of backslashes before the quote escapes it.
		n := 1
		for k := j - 2; k >= 1 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return b[1:j], b[j+1:], true
		}
		i = j + 1
	}
}

// statusAndSize reads " NNN SIZE" after the request, where SIZE is
// digits or "-", and returns what follows and the status.
func statusAndSize(b []byte) ([]byte, uint16, bool) {
	if len(b) < 6 || b[0] != ' ' || !digit(b[1]) || !digit(b[2]) || !digit(b[3]) || b[4] != ' ' {
		return nil, 0, false
	}
	status := uint16(b[1]-'0')*100 + uint16(b[2]-'0')*10 + uint16(b[3]-'0')
	b = b[5:]
	if b[0] == '-' {
		return b[1:], status, len(b) == 1 || b[1] == ' '
	}
	i := 0
	for i < len(b) && digit(b[i]) {
		i++
	}
	if i == 0 || i < len(b) && b[i] != ' ' {
		return nil, 0, false
	}
	return b[i:], status, true
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

// requestParts returns the method and target of a request line "METHOD
// URI PROTOCOL": the target is the part between the first and last
// space. A request without spaces (such as "-", or bytes a scanner sent)
// is its own target, with no method.
func requestParts(req []byte) (method, uri []byte) {
	first := bytes.IndexByte(req, ' ')
	if first < 0 {
		return nil, req
	}
	last := lastSpace(req)
	if last == first {
		return req[:first], req[first+1:]
	}
	return req[:first], req[first+1 : last]
}

// lastSpace is bytes.LastIndexByte(req, ' '), looking first where the
// protocol of nearly every request puts it: eight bytes from the end
// ("HTTP/1.1"). The library's search goes a byte at a time from the end.
func lastSpace(req []byte) int {
	if n := len(req); n >= 9 && req[n-9] == ' ' {
		// No space in the last eight bytes: no zero byte in them once
		// every space is made zero.
		x := binary.LittleEndian.Uint64(req[n-8:]) ^ 0x2020202020202020
		if (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
			return n - 9
		}
	}
	return bytes.LastIndexByte(req, ' ')
}

// monthDays are the days before each month in a common year.
var monthDays = [12]int64{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}

// parseTimestamp reads "02/Jan/2006:15:04:05 -0700" as Unix seconds.
func parseTimestamp(b []byte) (int64, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return 0, false
	}
	num := func(s []byte) (int64, bool) {
		var n int64
		for _, c := range s {
			if !digit(c) {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	day, ok1 := num(b[0:2])
	year, ok2 := num(b[7:11])
	hour, ok3 := num(b[12:14])
	minute, ok4 := num(b[15:17])
	sec, ok5 := num(b[18:20])
	zh, ok6 := num(b[22:24])
	zm, ok7 := num(b[24:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return 0, false
	}
	month := monthIndex(b[3], b[4], b[5])
	if month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 || zh > 23 || zm > 59 || year < 1970 {
		return 0, false
	}
	days := daysSinceEpoch(year, month, day)
	zone := (zh*60 + zm) * 60
	switch b[21] {
	case '+':
		zone = -zone
	case '-':
	default:
		return 0, false
	}
	return days*86400 + hour*3600 + minute*60 + sec + zone, true
}

// daysSinceEpoch counts days from 1970-01-01 to the date (month 0-based).
func daysSinceEpoch(year int64, month int, day int64) int64 {
	y := year - 1
	leapDays := y/4 - y/100 + y/400 - (1969/4 - 1969/100 + 1969/400)
	d := (year-1970)*365 + leapDays + monthDays[month] + day - 1
	if month > 1 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		d++
	}
	return d
}

// monthIndex maps an English month abbreviation to 0-11, or -1.
func monthIndex(a, b, c byte) int {
	switch string([]byte{a | 0x20, b | 0x20, c | 0x20}) {
	case "jan":
		return 0
	case "feb":
		return 1
	case "mar":
		return 2
	case "apr":
		return 3
	case "may":
		return 4
	case "jun":
		return 5
	case "jul":
		return 6
	case "aug":
		return 7
	case "sep":
		return 8
	case "oct":
		return 9
	case "nov":
		return 10
	case "dec":
		return 11
	}
	return -1
}

// Entry is one access-log line as ParseLine reads it.
type Entry struct {
	// Client is the remote address; IPv4-mapped IPv6 addresses are
	// unmapped to IPv4.
	Client netip.Addr
	// Time is the request's timestamp, in UTC.
	Time time.Time
	// URI is the request target, as logged (query string included).
	URI string
	// Agent is the user agent; empty in the common log format.
	Agent string
	// Method is the request's method, such as GET; Status its status.
	Method string
	Status int
	// VHost is the virtual host of the vhost_combined format.
	VHost string
	// Forwarded is the X-Forwarded-For header, when the format logs it.
	Forwarded string
}

// ErrMalformed is wrapped by ParseLine's errors.
var ErrMalformed = errors.New("malformed access-log line")

// ParseLine reads one line of an Apache or nginx access log (without its
// newline) in any format parseLine knows. The error wraps ErrMalformed
// and says what is wrong.
func ParseLine(b []byte) (Entry, error) {
	if len(b) > MaxLineBytes {
		return Entry{}, fmt.Errorf("%w: %s", ErrMalformed, ReasonTooLong)
	}
	var tc timeCache
	l, _, why := parseLine(b, &tc, minUnix, maxUnix)
	if why != ReasonNone {
		return Entry{}, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	return Entry{Client: l.client.addr(), Time: time.Unix(l.unix, 0).UTC(), URI: string(l.uri), Agent: string(l.agent),
		Method: string(l.method), Status: int(l.status), VHost: string(l.vhost), Forwarded: string(l.forwarded)}, nil
}

// noTime marks a line whose timestamp could not be read.
const noTime = math.MinInt64

func indexNL(b []byte) int { return bytes.IndexByte(b, '\n') }

// The widest window: every timestamp the parser accepts is inside it.
const (
	minUnix = -1 << 62
	maxUnix = 1 << 62
)
