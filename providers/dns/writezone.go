package dns

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// WriteZone writes the record sets as a BIND zone file for origin: a
// $ORIGIN and $TTL header, then one line per value in Sort order (the SOA
// first), owner names relative to origin ("@" for the apex), each line
// with its TTL and class IN. Records must be normalised; a record outside
// origin is an error and nothing is written.
func WriteZone(w io.Writer, origin string, rs []Record) error {
	zorigin, err := NormalizeName(origin)
	if err != nil {
		return fmt.Errorf("write zone: invalid origin: %w", err)
	}
	width := 1
	for _, r := range rs {
		if !inZone(r.Name, zorigin) {
			return fmt.Errorf("write zone %s: record %s is outside the zone; remove it or write it to its own zone", zorigin, r.Key())
		}
		width = max(width, len(RelativeName(r.Name, zorigin)))
	}
	rs = sorted(rs)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "$ORIGIN %s\n$TTL %d\n", zorigin, commonTTL(rs))
	for _, r := range rs {
		owner := RelativeName(r.Name, zorigin)
		ttl := strconv.FormatUint(uint64(r.TTL), 10)
		for _, v := range r.Values {
			bw.WriteString(owner)
			bw.WriteString(strings.Repeat(" ", width-len(owner)+1))
			bw.WriteString(ttl)
			bw.WriteString("\tIN\t")
			bw.WriteString(r.Type)
			bw.WriteByte('\t')
			bw.WriteString(v)
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write zone %s: %w", zorigin, err)
	}
	return nil
}

// commonTTL returns the TTL most record sets have (the lowest of a tie),
// or 3600 when there are none.
func commonTTL(rs []Record) uint32 {
	if len(rs) == 0 {
		return 3600
	}
	counts := map[uint32]int{}
	for _, r := range rs {
		counts[r.TTL]++
	}
	ttls := make([]uint32, 0, len(counts))
	for t := range counts {
		ttls = append(ttls, t)
	}
	slices.Sort(ttls)
	best := ttls[0]
	for _, t := range ttls[1:] {
		if counts[t] > counts[best] {
			best = t
		}
	}
	return best
}
