package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the run to the file that
// PLUMB_CPUPROFILE names, for looking into a slow plan with go tool pprof,
// and with PLUMB_MEMPROFILE also a heap profile at the end; the returned
// function ends it. Without the variable it does nothing.
func startProfile(stderr io.Writer) func() {
	path := os.Getenv("PLUMB_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "Warning: PLUMB_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "Warning: PLUMB_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if mem := os.Getenv("PLUMB_MEMPROFILE"); mem != "" {
			if mf, err := os.Create(mem); err == nil {
				pprof.Lookup("heap").WriteTo(mf, 0)
				mf.Close()
			}
		}
	}
}
