//go:build unix

package gemini_test

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/llmux/llm/provider/gemini"
)

// processCPU is the CPU time (user + system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPURatio compares the CPU time of each hot path with its floor's over
// the same iterations, alternating them. On a loaded machine wall-clock
// benchmarks drift with the load; CPU time does not count waiting for a
// core. Opt in with LLMUX_CPU_RATIOS=1.
func TestCPURatio(t *testing.T) {
	if os.Getenv("LLMUX_CPU_RATIOS") == "" {
		t.Skip("set LLMUX_CPU_RATIOS=1 to measure")
	}
	body := benchStream()
	req := benchRequest()
	srv := benchServer(t)
	ctx := context.Background()
	call, floorCall := completionCall(srv.URL), completionFloorCall(srv.URL)
	pairs := []struct {
		name        string
		iters       int
		ours, floor func() error
	}{
		{"stream decode", 300, func() error { return streamDecode(body) }, func() error { return streamDecodeFloor(body) }},
		{"encode request", 20000, func() error { _, err := gemini.EncodeRequest(req, nil); return err },
			func() error { _, err := floorBody(req); return err }},
		{"completion", 3000, func() error { return call(ctx) }, func() error { return floorCall(ctx) }},
	}
	measure := func(n int, f func() error) time.Duration {
		runtime.GC()
		start := processCPU()
		for range n {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		return processCPU() - start
	}
	for _, p := range pairs {
		var ours, floor time.Duration
		for range 5 {
			ours += measure(p.iters, p.ours)
			floor += measure(p.iters, p.floor)
		}
		t.Logf("%s: %.2fx the floor's CPU time", p.name, float64(ours)/float64(floor))
	}
}
