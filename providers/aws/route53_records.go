package aws

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/plumbhq/plumb/providers/dns"
)

// How record sets cross between Route 53 and plumb's record model.
//
// Route 53 writes every byte of a name other than a-z, 0-9, hyphen and
// underscore as a backslash and three OCTAL digits ("*" comes back as
// "\052"), and may do the same inside values. Zone-file presentation form,
// which package dns speaks, uses three DECIMAL digits for the same escape.
// So names and values are converted both ways (fromRoute53Text,
// toRoute53Text) before dns.Normalize sees them or Route 53 is sent them.

// route53TypeList lists the record types Route 53 serves, alphabetically.
var route53TypeList = []string{
	"A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR",
	"SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT",
}

// Route53Types holds the record types Route 53 serves; aws_route53_zone
// refuses any other, naming it.
var Route53Types = func() map[string]bool {
	m := make(map[string]bool, len(route53TypeList))
	for _, t := range route53TypeList {
		m[t] = true
	}
	return m
}()

// liveRecords is a zone's record sets as Route 53 holds them, sorted out
// the way aws_route53_zone looks at them.
type liveRecords struct {
	// managed are the sets plumb's record model can express, normalised,
	// in dns.Sort order, without the apex SOA and (unless the apex NS is
	// managed) the apex NS.
	managed []dns.Record
	// apexNS is the apex NS set, normalised; nil when the zone has none.
	apexNS *dns.Record
	// raw are every set except the apex SOA and NS, exactly as Route 53
	// returned them, keyed by dns.Record.Key for the sets in managed (for
	// DELETEs, which must repeat the values exactly).
	raw map[string]types.ResourceRecordSet
	// foreign are the sets plumb leaves alone: alias records, sets with a
	// routing policy (SetIdentifier), types plumb does not support, and
	// values it cannot read.
	foreign []types.ResourceRecordSet
}

// fetchRecords lists every record set of the zone (one request per 300
// sets) and sorts them out. manageApexNS puts the apex NS among managed.
func fetchRecords(ctx context.Context, c *route53.Client, zoneID, origin string, manageApexNS bool) (liveRecords, error) {
	sets, err := listRecordSets(ctx, c, zoneID)
	if err != nil {
		return liveRecords{}, err
	}
	return sortOut(sets, origin, manageApexNS), nil
}

// listRecordSets pages through ListResourceRecordSets.
func listRecordSets(ctx context.Context, c *route53.Client, zoneID string) ([]types.ResourceRecordSet, error) {
	var out []types.ResourceRecordSet
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		page, err := c.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the record sets of hosted zone %s: %w", zoneID, err)
		}
		out = append(out, page.ResourceRecordSets...)
		if !page.IsTruncated {
			return out, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

// sortOut converts Route 53's sets into liveRecords.
func sortOut(sets []types.ResourceRecordSet, origin string, manageApexNS bool) liveRecords {
	l := liveRecords{raw: make(map[string]types.ResourceRecordSet, len(sets))}
	for _, rs := range sets {
		r, ok := fromRoute53(rs)
		if !ok {
			l.foreign = append(l.foreign, rs)
			continue
		}
		if r.Name == origin {
			switch r.Type {
			case "SOA":
				continue
			case "NS":
				ns := r
				l.apexNS = &ns
				if !manageApexNS {
					continue
				}
				l.managed = append(l.managed, r)
				continue
			}
		}
		l.managed = append(l.managed, r)
		l.raw[r.Key()] = rs
	}
	dns.Sort(l.managed)
	return l
}

// fromRoute53 converts a record set to plumb's model; ok is false for a
// set plumb leaves alone (alias, routing policy, unsupported type, or a
// value it cannot read).
func fromRoute53(rs types.ResourceRecordSet) (dns.Record, bool) {
	if rs.AliasTarget != nil || rs.SetIdentifier != nil || rs.TTL == nil || len(rs.ResourceRecords) == 0 {
		return dns.Record{}, false
	}
	if *rs.TTL < 0 || *rs.TTL > 1<<31-1 {
		return dns.Record{}, false
	}
	r := dns.Record{
		Name:   fromRoute53Text(aws.ToString(rs.Name)),
		Type:   string(rs.Type),
		TTL:    uint32(*rs.TTL),
		Values: make([]string, len(rs.ResourceRecords)),
	}
	for i, v := range rs.ResourceRecords {
		r.Values[i] = fromRoute53Text(aws.ToString(v.Value))
	}
	n, err := dns.Normalize(r)
	if err != nil {
		return dns.Record{}, false
	}
	return n, true
}

// toRoute53 returns the record set to send for r.
func toRoute53(r dns.Record) types.ResourceRecordSet {
	rs := types.ResourceRecordSet{
		Name:            aws.String(toRoute53Text(r.Name)),
		Type:            types.RRType(r.Type),
		TTL:             aws.Int64(int64(r.TTL)),
		ResourceRecords: make([]types.ResourceRecord, len(r.Values)),
	}
	for i, v := range r.Values {
		rs.ResourceRecords[i] = types.ResourceRecord{Value: aws.String(toRoute53Text(v))}
	}
	return rs
}

// fromRoute53Text turns Route 53's octal escapes (\ooo) into presentation
// form: the character itself for letters, digits, '*', '-' and '_', else a
// decimal escape (\DDD). Other escapes (\" \\) are kept.
func fromRoute53Text(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isOctalDigit(s[i+1]) && isOctalDigit(s[i+2]) && isOctalDigit(s[i+3]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			i += 3
			if isPlainByte(v) {
				b.WriteByte(v)
			} else {
				fmt.Fprintf(&b, `\%03d`, v)
			}
			continue
		}
		b.WriteByte(c)
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

// toRoute53Text turns presentation form's decimal escapes (\DDD) into the
// octal ones Route 53 reads. Other escapes are kept.
func toRoute53Text(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDecimalDigit(s[i+1]) && isDecimalDigit(s[i+2]) && isDecimalDigit(s[i+3]) {
			if v, err := strconv.Atoi(s[i+1 : i+4]); err == nil && v <= 255 {
				fmt.Fprintf(&b, `\%03o`, v)
				i += 3
				continue
			}
		}
		b.WriteByte(c)
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isOctalDigit(c byte) bool   { return c >= '0' && c <= '7' }
func isDecimalDigit(c byte) bool { return c >= '0' && c <= '9' }

// isPlainByte reports whether c stands for itself in a domain name.
func isPlainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '-' || c == '_'
}

// isNoSuchZone reports whether err says the hosted zone does not exist.
func isNoSuchZone(err error) bool {
	var nsz *types.NoSuchHostedZone
	return errors.As(err, &nsz)
}

// describeSets names up to five foreign record sets for a message.
func describeSets(sets []types.ResourceRecordSet) string {
	var names []string
	for i, rs := range sets {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(sets)-5))
			break
		}
		desc := fromRoute53Text(aws.ToString(rs.Name)) + " " + string(rs.Type)
		if rs.SetIdentifier != nil {
			desc += " (set " + *rs.SetIdentifier + ")"
		}
		if rs.AliasTarget != nil {
			desc += " (alias)"
		}
		names = append(names, desc)
	}
	return strings.Join(names, ", ")
}
