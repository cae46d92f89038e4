// Package zonegen writes large zone files for benchmarks: one zone of n
// records in the mix of a big hosting zone (addresses, IPv6, aliases, mail
// and TXT), deterministic for a given n, valid for BIND.
package zonegen

import (
	"bufio"
	"fmt"
	"io"
)

// Write writes a zone file for origin (without the trailing dot) holding
// an SOA, two NS records and n more records, one record set each: six in
// ten A, then AAAA, CNAME, MX and TXT (with its own TTL).
func Write(w io.Writer, origin string, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "$ORIGIN %s.\n$TTL 3600\n", origin)
	fmt.Fprintf(bw, "@ IN SOA ns1.example.net. hostmaster.%s. 2026010100 7200 3600 1209600 3600\n", origin)
	fmt.Fprintf(bw, "@ IN NS ns1.example.net.\n@ IN NS ns2.example.net.\n")
	for i := range n {
		switch i % 10 {
		case 6:
			fmt.Fprintf(bw, "h%d IN AAAA 2001:db8::%x:%x\n", i, i>>16, i&0xffff)
		case 7:
			fmt.Fprintf(bw, "h%d IN CNAME h%d\n", i, i-1)
		case 8:
			fmt.Fprintf(bw, "h%d IN MX 10 h%d\n", i, i-2)
		case 9:
			fmt.Fprintf(bw, "h%d 300 IN TXT \"v=spf1 ip4:10.0.0.%d -all\"\n", i, i%256)
		default:
			fmt.Fprintf(bw, "h%d IN A 10.%d.%d.%d\n", i, (i>>16)&255, (i>>8)&255, i&255)
		}
	}
	return bw.Flush()
}
