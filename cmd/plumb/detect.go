package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/plumbhq/plumb/internal/textsafe"
	"github.com/plumbhq/plumb/providers/accesslog"
)

// detectMemoryLimit is the heap size past which the garbage collector
// works harder during plumb detect.
const detectMemoryLimit = 120 << 20

// detectFlags are the options of plumb detect.
type detectFlags struct {
	window       time.Duration
	since, until string
	top          int
	threshold    int64
	by           string
	connections  bool
	port         uint
	states       string
	procNet      string
	excludeURIs  multiFlag
	excludeAgent multiFlag
	format       string
	host         hostFlags
	journal      multiFlag
	journalDir   string
	proxies      multiFlag
	rules        string
}

// runDetect reads access logs (or standard input) and prints who sends
// the most requests: top clients, networks, URIs, pairs and user agents,
// optionally with live TCP connection counts, as text, JSON or a ready
// nftables_blocklist block.
func runDetect(a *app, args []string) int {
	fs := newFlagSet(a, "detect", "detect [options] [FILE...]   (no FILE, or -, reads standard input)")
	var f detectFlags
	fs.Var(durationFlag{&f.window}, "window", "count only the last `DURATION` of the log (such as 10m), back from its newest timestamp")
	fs.StringVar(&f.since, "since", "", "count requests at or after `TIME` (RFC 3339, or as in the log: 23/Nov/2024:22:00:00 +0000)")
	fs.StringVar(&f.until, "until", "", "count requests before `TIME`")
	fs.IntVar(&f.top, "top", 10, "show the top `N` of each list")
	fs.Int64Var(&f.threshold, "threshold", 0, "mark clients with at least `N` requests as offenders (0: none)")
	fs.StringVar(&f.by, "by", "ip", "find offenders by `MODE`: ip (each address) or prefix (each /24 and /64 network)")
	fs.BoolVar(&f.connections, "connections", false, "add live TCP connection counts per remote address (from /proc/net/tcp, tcp6)")
	fs.UintVar(&f.port, "port", 0, "with -connections, count only connections to local `PORT`")
	fs.StringVar(&f.states, "states", "", "with -connections, count only these `STATES` (comma-separated, such as ESTABLISHED,SYN_RECV); default all but LISTEN")
	fs.StringVar(&f.procNet, "proc-net", accesslog.DefaultProcNet, "with -connections, read tcp and tcp6 from `DIR`")
	fs.Var(&f.excludeURIs, "exclude-uri", "leave out requests whose URI starts with `PREFIX` (repeatable)")
	fs.Var(&f.excludeAgent, "exclude-agent", "leave out requests whose user agent contains `TEXT` (repeatable)")
	fs.StringVar(&f.format, "format", "text", "output `FORMAT`: text, json, or hcl (an nftables_blocklist block; needs -threshold)")
	fs.Var(&f.journal, "journal", "read the access log from journald: the entries of systemd `UNIT`, such as nginx.service (repeatable; with FILEs, both are read)")
	fs.StringVar(&f.journalDir, "journal-dir", "", "with -journal, read the journal files in `DIR` instead of the system's journal")
	fs.StringVar(&f.rules, "rules", "", "apply the attack rules of HCL `FILE` (rule blocks, as in access_log_offenders) and print whom each caught")
	fs.Var(&f.proxies, "trusted-proxy", "count requests from this reverse proxy (`ADDRESS` or CIDR; repeatable) for the client its X-Forwarded-For names, read from the right")
	f.host.register(fs)
	if !parse(fs, args) {
		return exitError
	}
	// The scanner's tables are bounded; a soft limit keeps the garbage
	// collector from letting the heap double past them.
	debug.SetMemoryLimit(detectMemoryLimit)
	opts, err := f.options()
	if err != nil {
		return a.errorf("%v", err)
	}
	if f.rules != "" {
		src, err := os.ReadFile(f.rules)
		if err != nil {
			return a.errorf("-rules: %v", err)
		}
		rules, diags := accesslog.ParseRulesFile(f.rules, src)
		if a.diags(diags) {
			return exitError
		}
		opts.Rules = rules
	}
	ctx := context.Background()
	h, err := f.host.dial(ctx)
	if err != nil {
		return a.errorf("%v", err)
	}
	defer h.Close()
	var sources []accesslog.Source
	files := fs.Args()
	switch {
	case len(files) == 0 && len(f.journal) > 0:
	case len(files) == 0 || len(files) == 1 && files[0] == "-":
		if f.host.target != "" {
			return a.errorf("-host reads log files on that host: name them, such as /var/log/apache2/access.log*")
		}
		sources = []accesslog.Source{accesslog.StreamSource("-", a.stdin)}
	default:
		if sources, err = accesslog.FileSourcesOn(ctx, h, files); err != nil {
			return a.errorf("%v", err)
		}
	}
	if len(f.journal) > 0 {
		sources = append(sources, accesslog.JournalSourceOn(h, accesslog.Journal{Units: f.journal, Directory: f.journalDir}))
	}
	r, err := accesslog.Scan(ctx, sources, opts)
	if err != nil {
		return a.errorf("%v", err)
	}
	var conns []accesslog.Count
	if f.connections {
		all, err := accesslog.ReadConnectionsOn(ctx, h, f.procNet)
		if err != nil {
			return a.errorf("%v (-connections reads the kernel's socket tables; on Linux they are in /proc/net)", err)
		}
		conns = accesslog.CountConnections(all, accesslog.ConnFilter{Port: uint16(f.port), States: splitStates(f.states)})
	}
	d := &detection{r: r, f: f, conns: conns}
	switch f.format {
	case "json":
		err = d.json(a.stdout)
	case "hcl":
		err = d.hcl(a.stdout)
	default:
		err = d.text(a.stdout)
	}
	if err != nil {
		return a.errorf("%v", err)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(a.stderr, "Warning: %s\n", textsafe.Escape(w))
	}
	return exitOK
}

// options checks the flags and turns them into scan options.
func (f *detectFlags) options() (accesslog.Options, error) {
	var o accesslog.Options
	switch f.format {
	case "text", "json":
	case "hcl":
		if f.threshold < 1 && f.rules == "" {
			return o, fmt.Errorf("-format hcl prints the offenders as a block list: give -threshold N (such as -threshold 45) or -rules FILE")
		}
	default:
		return o, fmt.Errorf("-format %q: use text, json or hcl", f.format)
	}
	if f.by != "ip" && f.by != "prefix" {
		return o, fmt.Errorf("-by %q: use ip or prefix", f.by)
	}
	if f.top < 1 {
		return o, fmt.Errorf("-top %d: show at least 1", f.top)
	}
	if f.port > 65535 {
		return o, fmt.Errorf("-port %d is not a TCP port", f.port)
	}
	for _, s := range splitStates(f.states) {
		if !accesslog.ValidState(s) {
			return o, fmt.Errorf("-states: %q is not a TCP state (ESTABLISHED, SYN_RECV, TIME_WAIT, ...)", s)
		}
	}
	if f.window < 0 {
		return o, fmt.Errorf("-window %s is negative", f.window)
	}
	o.Window = f.window
	var err error
	if o.Since, err = parseWhen("-since", f.since); err != nil {
		return o, err
	}
	if o.Until, err = parseWhen("-until", f.until); err != nil {
		return o, err
	}
	o.ExcludeURIPrefixes, o.ExcludeAgents = f.excludeURIs, f.excludeAgent
	o.Top, o.Threshold = f.top, f.threshold
	if f.journalDir != "" && len(f.journal) == 0 {
		return o, fmt.Errorf("-journal-dir says where the journal files are; name the units to read with -journal, such as -journal nginx.service")
	}
	for _, p := range f.proxies {
		n, err := parseNet(p)
		if err != nil {
			return o, fmt.Errorf("-trusted-proxy %q: %v", p, err)
		}
		o.TrustedProxies = append(o.TrustedProxies, n)
	}
	return o, nil
}

// parseNet reads an address or a network in CIDR form.
func parseNet(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("not an address or a network; write it as 10.0.0.5 or 10.0.0.0/24")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseWhen reads a time in RFC 3339 or in the log's own format.
func parseWhen(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "02/Jan/2006:15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: write the time as 2024-11-23T22:00:00Z or as in the log, 23/Nov/2024:22:00:00 +0000", flag, s)
}

func splitStates(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToUpper(p))
		}
	}
	return out
}

// detection is a finished scan and how to show it.
type detection struct {
	r     *accesslog.Report
	f     detectFlags
	conns []accesslog.Count
}

// row is one line of a top list.
type row struct {
	Key         string  `json:"key"`
	Count       int64   `json:"count"`
	Share       float64 `json:"share"`
	Rate        float64 `json:"requests_per_second"`
	Connections *int64  `json:"connections,omitempty"`
	Offender    bool    `json:"offender,omitempty"`
}

// networkRow is one line of the network list: who is inside.
type networkRow struct {
	row
	Clients int64             `json:"clients"`
	Members []accesslog.Count `json:"members"`
	Spread  bool              `json:"spread"`
}

// window is the relative window as the user wrote it, for evidence.
func (d *detection) window() string {
	if d.f.window > 0 {
		return d.f.window.String()
	}
	return ""
}

// offenders are what a block list should take: the clients (or
// networks) at the threshold and those the rules caught, with their
// evidence.
func (d *detection) offenders() ([]accesslog.Count, map[string]string) {
	var off []accesslog.Count
	evidence := map[string]string{}
	if d.f.threshold > 0 {
		off, evidence = d.r.Offenders(d.f.threshold, d.f.by == "prefix", d.window())
	}
	return accesslog.MergeOffenders(off, d.r.Caught(), evidence), evidence
}

// rows returns the first n of list with shares, rates and, for addresses,
// connection counts; offender marks those a block list takes.
func (d *detection) rows(list []accesslog.Count, n int, offending map[string]string, withConns bool) []row {
	var conns map[string]int64
	if withConns && d.conns != nil {
		conns = map[string]int64{}
		for _, c := range d.conns {
			conns[c.Key] = c.Count
		}
	}
	out := make([]row, 0, min(n, len(list)))
	for _, c := range list[:min(n, len(list))] {
		r := row{Key: c.Key, Count: c.Count, Share: d.r.Share(c.Count), Rate: d.r.Rate(c.Count)}
		_, r.Offender = offending[c.Key]
		if conns != nil {
			k := conns[c.Key]
			r.Connections = &k
		}
		out = append(out, r)
	}
	return out
}

func (d *detection) networkRows(n int, offending map[string]string) []networkRow {
	var out []networkRow
	for _, nw := range d.r.Prefixes[:min(n, len(d.r.Prefixes))] {
		r := d.rows([]accesslog.Count{nw.Count}, 1, offending, false)[0]
		out = append(out, networkRow{row: r, Clients: nw.Clients, Members: nw.Members, Spread: nw.Spread})
	}
	return out
}

func (d *detection) text(w io.Writer) error {
	r := d.r
	fmt.Fprintf(w, "Read %d lines from %d input(s): %d requests", r.Lines, len(r.Sources), r.Requests)
	if r.Requests > 0 {
		fmt.Fprintf(w, " from %s to %s (%s), %.1f requests/s", r.Oldest.Format(time.RFC3339), r.Newest.Format(time.RFC3339), r.Span(), r.Rate(r.Requests))
	}
	fmt.Fprintln(w, ".")
	if r.OutsideWindow > 0 || r.Excluded > 0 {
		fmt.Fprintf(w, "Not counted: %d outside the window, %d excluded.\n", r.OutsideWindow, r.Excluded)
	}
	if r.Malformed > 0 {
		var why []string
		for k, n := range r.MalformedBy {
			why = append(why, fmt.Sprintf("%s: %d", k, n))
		}
		slices.Sort(why)
		fmt.Fprintf(w, "Skipped %d malformed lines (%s).\n", r.Malformed, strings.Join(why, "; "))
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  %s:%d: %s: %s\n", textsafe.Escape(s.Source), s.Line, s.Reason, s.Text)
		}
	}
	switch {
	case r.Incomplete:
		fmt.Fprintln(w, "Some counts are missing: the input has more distinct keys than plumb counts exactly in bounded memory (see the warning).")
	case r.Passes > 1:
		fmt.Fprintf(w, "Every count is exact; the input was read %d times to keep them so in bounded memory.\n", r.Passes)
	default:
		fmt.Fprintln(w, "Every count is exact.")
	}
	if r.ListCut {
		fmt.Fprintf(w, "More clients reached the threshold than a report lists; those with the most requests are shown.\n")
	}
	off, evidence := d.offenders()
	sections := []struct {
		title, col string
		list       []accesslog.Count
		conns      bool
	}{
		{"Top clients", "ADDRESS", r.Clients, true},
		{"Top URIs", "URI", r.URIs, false},
		{"Top (client, URI) pairs", "ADDRESS URI", r.Pairs, false},
		{"Top user agents", "USER AGENT", r.Agents, false},
	}
	for i, s := range sections {
		rows := d.rows(s.list, d.f.top, evidence, s.conns)
		head := []string{"REQUESTS", "SHARE", "REQ/S"}
		withConns := s.conns && d.conns != nil
		if withConns {
			head = append(head, "CONNS")
		}
		cells := [][]string{append(head, s.col)}
		for _, x := range rows {
			line := []string{fmt.Sprint(x.Count), fmt.Sprintf("%.1f%%", 100*x.Share), fmt.Sprintf("%.2f", x.Rate)}
			if withConns {
				line = append(line, fmt.Sprint(*x.Connections))
			}
			key := x.Key
			if x.Offender {
				key += "  (offender)"
			}
			cells = append(cells, append(line, key))
		}
		fmt.Fprintf(w, "\n%s\n", s.title)
		writeTable(w, cells)
		if i == 0 {
			d.networkText(w, evidence)
		}
	}
	if d.conns != nil {
		fmt.Fprintf(w, "\nTop TCP connections by remote address\n")
		cells := [][]string{{"CONNS", "ADDRESS"}}
		for _, c := range d.conns[:min(d.f.top, len(d.conns))] {
			cells = append(cells, []string{fmt.Sprint(c.Count), c.Key})
		}
		writeTable(w, cells)
	}
	d.rulesText(w)
	if d.f.threshold > 0 || len(r.Rules) > 0 {
		what := []string{}
		if d.f.threshold > 0 {
			what = append(what, fmt.Sprintf("at least %d requests (by %s)", d.f.threshold, d.f.by))
		}
		if len(r.Rules) > 0 {
			what = append(what, "caught by a rule")
		}
		fmt.Fprintf(w, "\n%d offender(s): %s.", len(off), strings.Join(what, " or "))
		if len(off) > 0 {
			fmt.Fprint(w, " For a block list: plumb detect -format hcl with the same options.")
		}
		fmt.Fprintln(w)
	}
	return nil
}

// rulesText prints what each rule matched and whom it caught.
func (d *detection) rulesText(w io.Writer) {
	for _, rr := range d.r.Rules {
		ban := ""
		if rr.Ban > 0 {
			ban = ", ban " + accesslog.ShortDuration(rr.Ban)
		}
		fmt.Fprintf(w, "\nRule %s (%d requests within %s%s): %d matching requests from %d clients; %d caught\n",
			textsafe.Escape(rr.Name), rr.Requests, accesslog.ShortDuration(rr.Within), ban, rr.Matched, rr.Clients, len(rr.Caught))
		if len(rr.Caught) == 0 {
			continue
		}
		cells := [][]string{{"IN WINDOW", "MATCHING", "FROM", "TO", "ADDRESS"}}
		for _, c := range rr.Caught[:min(d.f.top, len(rr.Caught))] {
			cells = append(cells, []string{fmt.Sprint(c.InWindow), fmt.Sprint(c.Total), c.From.Format(time.RFC3339), c.To.Format("15:04:05"), c.Key})
		}
		writeTable(w, cells)
		if len(rr.Caught) > d.f.top {
			fmt.Fprintf(w, "  … and %d more\n", len(rr.Caught)-d.f.top)
		}
	}
}

// networkText prints the networks with who is inside each: how many
// addresses, and the busiest.
func (d *detection) networkText(w io.Writer, offending map[string]string) {
	fmt.Fprintf(w, "\nTop networks (/24 and /64), with who is inside\n")
	cells := [][]string{{"REQUESTS", "SHARE", "REQ/S", "ADDRESSES", "NETWORK  BUSIEST ADDRESSES"}}
	for _, x := range d.networkRows(d.f.top, offending) {
		var members []string
		for _, m := range x.Members {
			members = append(members, fmt.Sprintf("%s %d", m.Key, m.Count))
		}
		key := x.Key + "  " + strings.Join(members, ", ")
		if x.Clients > int64(len(x.Members)) {
			key += ", …"
		}
		switch {
		case x.Offender:
			key += "  (offender)"
		case d.f.by == "prefix" && d.f.threshold > 0 && x.Count >= d.f.threshold:
			key += "  (not spread: its addresses are listed one by one)"
		}
		cells = append(cells, []string{fmt.Sprint(x.Count), fmt.Sprintf("%.1f%%", 100*x.Share), fmt.Sprintf("%.2f", x.Rate), fmt.Sprint(x.Clients), key})
	}
	writeTable(w, cells)
}

func (d *detection) json(w io.Writer) error {
	r := d.r
	off, evidence := d.offenders()
	out := struct {
		*accesslog.Report
		Seconds   float64                `json:"seconds"`
		Rate      float64                `json:"requests_per_second"`
		Threshold int64                  `json:"threshold,omitempty"`
		Clients   []row                  `json:"clients"`
		Prefixes  []networkRow           `json:"prefixes"`
		URIs      []row                  `json:"uris"`
		Pairs     []row                  `json:"pairs"`
		Agents    []row                  `json:"agents"`
		Offenders []row                  `json:"offenders"`
		Rules     []accesslog.RuleResult `json:"rules,omitempty"`
		Evidence  map[string]string      `json:"evidence,omitempty"`
		Conns     []accesslog.Count      `json:"connections,omitempty"`
	}{
		Report: r, Seconds: r.Span().Seconds(), Rate: r.Rate(r.Requests), Threshold: d.f.threshold,
		Clients: d.rows(r.Clients, d.f.top, evidence, true), Prefixes: d.networkRows(d.f.top, evidence),
		URIs: d.rows(r.URIs, d.f.top, nil, false), Pairs: d.rows(r.Pairs, d.f.top, nil, false), Agents: d.rows(r.Agents, d.f.top, nil, false),
		Offenders: d.rows(off, len(off), evidence, true), Evidence: evidence, Conns: d.conns, Rules: r.Rules,
	}
	if out.Offenders == nil {
		out.Offenders = []row{}
	}
	if out.Prefixes == nil {
		out.Prefixes = []networkRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// hcl prints the offenders as an nftables_blocklist resource block.
func (d *detection) hcl(w io.Writer) error {
	off, ev := d.offenders()
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	// File names go into the comment quoted, so a name holding a newline
	// cannot end the comment and write HCL of its own.
	names := make([]string, len(d.r.Sources))
	for i, s := range d.r.Sources {
		names[i] = strconv.Quote(s)
	}
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Bytes: []byte(fmt.Sprintf(
		"# %d offender(s) with at least %d requests, found by plumb detect in %s.\n# Review before applying: everything listed is dropped for the timeout.\n",
		len(off), d.f.threshold, strings.Join(names, ", ")))}})
	block := body.AppendNewBlock("resource", []string{"nftables_blocklist", "detected"}).Body()
	block.SetAttributeValue("table", cty.StringVal("plumb_blocklist"))
	block.SetAttributeValue("timeout", cty.StringVal("1h"))
	if bans := d.r.Caught().Bans(); len(bans) > 0 {
		vals := map[string]cty.Value{}
		for k, v := range bans {
			vals[k] = cty.StringVal(v)
		}
		block.SetAttributeValue("bans", cty.MapVal(vals))
	}
	addrs := make([]cty.Value, len(off))
	counts := map[string]cty.Value{}
	evidence := map[string]cty.Value{}
	for i, o := range off {
		addrs[i] = cty.StringVal(o.Key)
		counts[o.Key] = cty.NumberIntVal(o.Count)
		evidence[o.Key] = cty.StringVal(ev[o.Key])
	}
	if len(off) == 0 {
		block.SetAttributeValue("addresses", cty.ListValEmpty(cty.String))
	} else {
		block.SetAttributeValue("addresses", cty.ListVal(addrs))
		block.SetAttributeValue("counts", cty.MapVal(counts))
		block.SetAttributeValue("evidence", cty.MapVal(evidence))
	}
	_, err := w.Write(hclwrite.Format(f.Bytes()))
	return err
}

// writeTable prints rows of cells: every column but the last right-
// aligned, the last (the key, which may be long) as it is. Cells come from
// logs an attacker wrote, so control characters are escaped.
func writeTable(w io.Writer, cells [][]string) {
	for _, r := range cells {
		for i := range r {
			r[i] = textsafe.Escape(r[i])
		}
	}
	width := make([]int, len(cells[0]))
	for _, r := range cells {
		for i, c := range r[:len(r)-1] {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range cells {
		var b strings.Builder
		for i, c := range r[:len(r)-1] {
			b.WriteString(strings.Repeat(" ", 2+width[i]-len([]rune(c))))
			b.WriteString(c)
		}
		b.WriteString("  ")
		b.WriteString(r[len(r)-1])
		fmt.Fprintln(w, b.String())
	}
}
