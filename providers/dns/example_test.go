package dns_test

import (
	"fmt"
	"strings"

	"github.com/plumbhq/plumb/providers/dns"
)

func ExampleParseZone() {
	zone := `$TTL 300
@    IN SOA ns1.example.net. hostmaster 1 7200 3600 1209600 300
@    IN NS  ns1.example.net.
@    IN MX  10 mail
mail IN A   192.0.2.25
www  IN CNAME @
`
	res, err := dns.ParseZone(strings.NewReader(zone), "example.org.zone", "example.org", dns.ParseOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Records {
		fmt.Println(r.Key(), r.TTL, r.Values)
	}
	// Output:
	// example.org. SOA 300 [ns1.example.net. hostmaster.example.org. 1 7200 3600 1209600 300]
	// example.org. NS 300 [ns1.example.net.]
	// example.org. MX 300 [10 mail.example.org.]
	// mail.example.org. A 300 [192.0.2.25]
	// www.example.org. CNAME 300 [example.org.]
}

func ExampleParseZone_error() {
	zone := "$ORIGIN example.org.\nwww IN AAAAA 192.0.2.1\n"
	_, err := dns.ParseZone(strings.NewReader(zone), "zones/example.org.zone", "example.org", dns.ParseOptions{})
	fmt.Println(err)
	// Output:
	// zones/example.org.zone:2:8: unknown record type "AAAAA"; check the spelling, or write an unknown type as TYPEnnn with generic data (\# LENGTH HEX)
}

func ExampleDiff() {
	existing := []dns.Record{
		{Name: "example.org.", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}},
		{Name: "old.example.org.", Type: "A", TTL: 300, Values: []string{"192.0.2.9"}},
	}
	desired := []dns.Record{
		{Name: "example.org.", Type: "A", TTL: 300, Values: []string{"192.0.2.2"}},
		{Name: "new.example.org.", Type: "A", TTL: 300, Values: []string{"192.0.2.3"}},
	}
	c := dns.Diff(existing, desired)
	fmt.Println("create:", c.Create[0].Key())
	fmt.Println("update:", c.UpdateFrom[0].Values, "->", c.Update[0].Values)
	fmt.Println("delete:", c.Delete[0].Key())
	// Output:
	// create: new.example.org. A
	// update: [192.0.2.1] -> [192.0.2.2]
	// delete: old.example.org. A
}
