package dns

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// ParseZoneFiles reads many zone files at once: paths[i] for the zone
// origins[i], with up to parallelism files in flight (zero or less means
// GOMAXPROCS). Results are in the order of paths; a file that fails has a
// partial or empty result, and the error joins every file's error in that
// order. It stops early, with ctx's error, when ctx is cancelled.
func ParseZoneFiles(ctx context.Context, paths, origins []string, opts ParseOptions, parallelism int) ([]ParseResult, error) {
	if len(paths) != len(origins) {
		return nil, fmt.Errorf("parse zone files: %d paths but %d origins; give one origin per file", len(paths), len(origins))
	}
	if parallelism <= 0 {
		parallelism = runtime.GOMAXPROCS(0)
	}
	parallelism = min(parallelism, len(paths))
	results := make([]ParseResult, len(paths))
	errs := make([]error, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				results[i], errs[i] = ParseZoneFile(paths[i], origins[i], opts)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("parse zone files: %w", err)
	}
	return results, errors.Join(errs...)
}
