package aws

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/plumbhq/plumb/providers/dns"
)

// Caller references.
//
// Route 53 requires a caller reference on CreateHostedZone and refuses one
// used before, even by a zone since deleted (HostedZoneAlreadyExists). plumb
// derives it from the resource instance's address and the zone's name, so
// a retried or crashed create is recognised instead of making a second
// zone of the same name:
//
//	plumb-<first 32 hex digits of SHA-256(address + NUL + normalised zone name)>
//
// and, when that reference has been used by a zone since deleted (the
// zone was destroyed and is being created again), the same followed by
// "-2", "-3", …, the first one Route 53 accepts. A live zone whose caller
// reference is one of these was made by plumb for this address and name:
// planning a create takes it back into state instead of making another.
// The address is the one the engine hands Plan and Apply
// (aws_route53_zone.site["example.org"]); two configurations that declare
// the same address for the same zone name are taken to mean the same zone.

// callerRefPrefix starts every caller reference plumb makes.
const callerRefPrefix = "plumb-"

// maxCallerRefAttempts bounds the search for an unused caller reference.
const maxCallerRefAttempts = 50

// CallerReference returns the caller reference plumb uses for the attempt
// (1, 2, …) to create the zone named zone for the resource instance at
// addr. The zone name is compared normalised, so "Example.org" and
// "example.org." give the same reference.
func CallerReference(addr, zone string, attempt int) string {
	if n, err := dns.NormalizeName(zone); err == nil {
		zone = n
	}
	sum := sha256.Sum256([]byte(addr + "\x00" + zone))
	ref := callerRefPrefix + hex.EncodeToString(sum[:16])
	if attempt > 1 {
		ref += "-" + strconv.Itoa(attempt)
	}
	return ref
}

// madeFor reports whether ref is one of the caller references plumb uses
// for the zone at addr (any attempt).
func madeFor(ref, addr, zone string) bool {
	base := CallerReference(addr, zone, 1)
	if ref == base {
		return true
	}
	rest, ok := strings.CutPrefix(ref, base+"-")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(rest)
	return err == nil && n > 1 && strconv.Itoa(n) == rest
}
