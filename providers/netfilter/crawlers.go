package netfilter

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"
)

// Verified crawlers. never_block may name search engines' crawlers
// ("googlebot", "bingbot", ...). A listed address is then let through
// only when forward-confirmed reverse DNS proves it is one: its PTR name
// ends in one of the crawler's domains, and that name resolves back to
// the address. The search engines document this check; a user agent
// proves nothing, since anyone can send one, so an address whose user
// agent claims Googlebot but whose DNS does not confirm it is blocked like
// anyone else.

// crawler is a search engine's crawler and the domains its hosts are in.
type crawler struct {
	name, label string
	domains     []string
}

// crawlers are the crawlers never_block can name.
var crawlers = []crawler{
	{"googlebot", "Googlebot", []string{"googlebot.com", "google.com", "googleusercontent.com"}},
	{"bingbot", "Bingbot", []string{"search.msn.com"}},
	{"applebot", "Applebot", []string{"applebot.apple.com"}},
	{"yandexbot", "YandexBot", []string{"yandex.ru", "yandex.net", "yandex.com"}},
}

// crawlerNamed returns the crawler a never_block entry names.
func crawlerNamed(s string) (crawler, bool) {
	for _, c := range crawlers {
		if strings.EqualFold(s, c.name) {
			return c, true
		}
	}
	return crawler{}, false
}

// crawlerNames lists the names never_block accepts, for messages.
func crawlerNames() string {
	var n []string
	for _, c := range crawlers {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

// verifier checks addresses with forward-confirmed reverse DNS, a few at
// a time, remembering answers for the run.
type verifier struct {
	resolver *net.Resolver
	mu       sync.Mutex
	cache    map[netip.Addr]string // PTR name confirmed, or "" when none
}

// lookupTimeout bounds each DNS question.
const lookupTimeout = 3 * time.Second

// maxLookups is how many addresses are checked at once.
const maxLookups = 16

// confirmed returns the host name that forward-confirms a, or "".
func (v *verifier) confirmed(ctx context.Context, a netip.Addr) string {
	v.mu.Lock()
	if name, ok := v.cache[a]; ok {
		v.mu.Unlock()
		return name
	}
	v.mu.Unlock()
	name := v.lookup(ctx, a)
	v.mu.Lock()
	if v.cache == nil {
		v.cache = map[netip.Addr]string{}
	}
	v.cache[a] = name
	v.mu.Unlock()
	return name
}

func (v *verifier) lookup(ctx context.Context, a netip.Addr) string {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	names, err := v.resolver.LookupAddr(ctx, a.String())
	if err != nil {
		return ""
	}
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		addrs, err := v.resolver.LookupNetIP(ctx, "ip", n)
		if err != nil {
			continue
		}
		for _, b := range addrs {
			if b.Unmap() == a {
				return n
			}
		}
	}
	return ""
}

// verifyCrawlers checks every single address of want against the
// crawlers named, and returns the verified ones with the reason each is
// let through.
func (v *verifier) verifyCrawlers(ctx context.Context, want []wanted, named []crawler) map[string]string {
	out := map[string]string{}
	if len(named) == 0 {
		return out
	}
	var mu sync.Mutex
	sem := make(chan struct{}, maxLookups)
	var wg sync.WaitGroup
	for _, w := range want {
		if !w.net.IsSingleIP() {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(w wanted) {
			defer wg.Done()
			defer func() { <-sem }()
			name := v.confirmed(ctx, w.net.Addr())
			if name == "" {
				return
			}
			for _, c := range named {
				for _, d := range c.domains {
					if name == d || strings.HasSuffix(name, "."+d) {
						mu.Lock()
						out[w.key] = fmt.Sprintf("not blocked: verified %s (%s resolves back to it; never_block names %s)", c.label, name, c.name)
						mu.Unlock()
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	return out
}

// newResolver returns the system resolver, or one that asks server
// ("IP:PORT") only.
func newResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
