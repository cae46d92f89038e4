package ec2shim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// namespace is the XML namespace of EC2's 2016-11-15 API.
const namespace = "http://ec2.amazonaws.com/doc/" + APIVersion + "/"

// timeFormat is how EC2 writes timestamps (ISO 8601, UTC, milliseconds).
const timeFormat = "2006-01-02T15:04:05.000Z"

// call is one request the shim serves: its parameters and where the answer
// goes.
type call struct {
	w         http.ResponseWriter
	form      url.Values
	action    string
	region    string // the region the request is signed for
	requestID string
}

// fail answers with an EC2 error document.
func (c *call) fail(status int, code, message string) {
	var x xmlw
	x.b.WriteString(xml.Header)
	x.open("Response")
	x.open("Errors")
	x.open("Error")
	x.text("Code", code)
	x.text("Message", message)
	x.close("Error")
	x.close("Errors")
	x.text("RequestID", c.requestID)
	x.close("Response")
	c.w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	c.w.Header().Set("Content-Length", strconv.Itoa(x.b.Len()))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(x.b.Bytes())
}

// invalid answers HTTP 400 with code and message.
func (c *call) invalid(code, message string) { c.fail(http.StatusBadRequest, code, message) }

// requiredID reads the parameter param, an ID that must start with prefix
// ("snap-"), answering MissingParameter when it is absent or code (such as
// InvalidSnapshotID.Malformed) when it is malformed, and returning false
// then.
func (c *call) requiredID(param, prefix, code string) (string, bool) {
	id := c.form.Get(param)
	if id == "" {
		c.invalid("MissingParameter", "The request must contain the parameter "+param)
		return "", false
	}
	return id, c.wellFormedID(id, prefix, code)
}

// wellFormedID reports whether id starts with prefix ("snap-"), answering
// code (such as InvalidSnapshotID.Malformed) when it does not.
func (c *call) wellFormedID(id, prefix, code string) bool {
	if !strings.HasPrefix(id, prefix) {
		c.invalid(code, "Invalid id: \""+id+"\" (expecting \""+prefix+"...\")")
		return false
	}
	return true
}

// reply answers HTTP 200 with <ActionResponse> holding the request ID and
// whatever body writes.
func (c *call) reply(body func(x *xmlw)) {
	var x xmlw
	x.b.Grow(512)
	x.b.WriteString(xml.Header)
	x.b.WriteString("<" + c.action + `Response xmlns="` + namespace + `">`)
	x.text("requestId", c.requestID)
	if body != nil {
		body(&x)
	}
	x.close(c.action + "Response")
	c.w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	c.w.Header().Set("Content-Length", strconv.Itoa(x.b.Len()))
	_, _ = c.w.Write(x.b.Bytes())
}

// replyTrue answers with <return>true</return>, as EC2's actions that
// return nothing else do.
func (c *call) replyTrue() { c.reply(func(x *xmlw) { x.text("return", "true") }) }

// xmlw builds an XML document by hand: the answers are large (a thousand
// snapshots a page) and fixed in shape, so this is much faster than
// encoding/xml's reflection.
type xmlw struct{ b bytes.Buffer }

func (x *xmlw) open(name string) {
	x.b.WriteByte('<')
	x.b.WriteString(name)
	x.b.WriteByte('>')
}

func (x *xmlw) close(name string) {
	x.b.WriteString("</")
	x.b.WriteString(name)
	x.b.WriteByte('>')
}

// text writes <name>value</name> with value escaped.
func (x *xmlw) text(name, value string) {
	x.open(name)
	if strings.ContainsAny(value, "<>&'\"\r\n\t") {
		_ = xml.EscapeText(&x.b, []byte(value))
	} else {
		x.b.WriteString(value)
	}
	x.close(name)
}

func (x *xmlw) int(name string, n int64) { x.text(name, strconv.FormatInt(n, 10)) }

func (x *xmlw) bool(name string, b bool) { x.text(name, strconv.FormatBool(b)) }

func (x *xmlw) time(name string, t time.Time) { x.text(name, t.UTC().Format(timeFormat)) }

// tagSet writes tags as <tagSet><item><key/><value/></item>…, sorted by key.
func (x *xmlw) tagSet(tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	x.open("tagSet")
	for _, k := range keys {
		x.open("item")
		x.text("key", k)
		x.text("value", tags[k])
		x.close("item")
	}
	x.close("tagSet")
}

// indexes returns, sorted, the N of every parameter named prefix.N or
// prefix.N.…, the way the Query protocol numbers list members from 1.
func indexes(form url.Values, prefix string) []int {
	seen := map[int]bool{}
	p := prefix + "."
	for k := range form {
		if !strings.HasPrefix(k, p) {
			continue
		}
		rest := k[len(p):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// listOf returns the values of a flattened list of strings: prefix.1,
// prefix.2, ….
func listOf(form url.Values, prefix string) []string {
	var out []string
	for _, n := range indexes(form, prefix) {
		out = append(out, form.Get(prefix+"."+strconv.Itoa(n)))
	}
	return out
}

// tagsOf reads a flattened tag list: prefix.N.Key and prefix.N.Value (a
// missing value is the empty string).
func tagsOf(form url.Values, prefix string) ([]tag, bool) {
	var out []tag
	for _, n := range indexes(form, prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		if _, ok := form[p+"Key"]; !ok {
			return nil, false
		}
		out = append(out, tag{key: form.Get(p + "Key"), value: form.Get(p + "Value")})
	}
	return out, true
}

// tag is one key and value.
type tag struct{ key, value string }

// page is the paging a Describe call asked for.
type page struct {
	max   int    // 0: everything
	after string // the last ID of the previous page; "" for the first
}

// paging reads MaxResults and NextToken, answering InvalidParameterValue
// or InvalidPaginationToken and returning false when they are wrong.
// limit is the action's largest MaxResults.
func (c *call) paging(limit int) (page, bool) {
	var p page
	if s := c.form.Get("MaxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 5 || n > limit {
			c.invalid("InvalidParameterValue", "Value ( "+s+" ) for parameter maxResults is invalid. Expecting a value between 5 and "+strconv.Itoa(limit)+".")
			return p, false
		}
		p.max = n
	}
	if tok := c.form.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || !strings.HasPrefix(string(raw), "ec2shim:") {
			c.invalid("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
			return p, false
		}
		p.after = strings.TrimPrefix(string(raw), "ec2shim:")
	}
	return p, true
}

// scan returns the page of the sorted ids that p asks for among those
// keep accepts, and the token of the next page ("" when this is the last).
// It looks only as far as it needs: one page's worth of matches and one
// more to know there is a next page.
func (p page) scan(ids []string, keep func(id string) bool) ([]string, string) {
	if p.after != "" {
		i := sort.SearchStrings(ids, p.after)
		if i < len(ids) && ids[i] == p.after {
			i++
		}
		ids = ids[i:]
	}
	var out []string
	for _, id := range ids {
		if !keep(id) {
			continue
		}
		if p.max > 0 && len(out) == p.max {
			return out, base64.RawURLEncoding.EncodeToString([]byte("ec2shim:" + out[len(out)-1]))
		}
		out = append(out, id)
	}
	return out, ""
}
