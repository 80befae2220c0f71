//go:build unix

package anthropic_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/anthropic"
)

// TestCPURatios measures the CPU time (user + system, from getrusage) of
// each benchmark pair over the same number of iterations, alternating the
// two five times. On a shared machine wall-clock benchmarks swing by 3x from
// run to run; CPU time does not count the time spent waiting for a core.
// Run it with LLMUX_CPU_RATIOS=1 go test -run TestCPURatios -v.
func TestCPURatios(t *testing.T) {
	if os.Getenv("LLMUX_CPU_RATIOS") == "" {
		t.Skip("set LLMUX_CPU_RATIOS=1 to measure")
	}
	body, req := benchStream(), benchRequest()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(benchAnswer())
	}))
	defer srv.Close()
	client := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	hc := &http.Client{}
	creq := *req
	creq.Model = "anthropic/" + creq.Model
	pairs := []struct {
		name       string
		n          int
		ours, base func()
	}{
		{"stream decode", 300, func() { streamOnce(t, body) }, func() { streamFloorOnce(t, body) }},
		{"request encoding", 20000, func() { _, _ = anthropic.EncodeRequest(req, nil, anthropic.EncodeOptions{}) }, func() { encodeFloor(req) }},
		{"non-streamed call", 2000, func() {
			if _, err := client.Completion(t.Context(), creq); err != nil {
				t.Fatal(err)
			}
		}, func() { completionFloor(t, hc, srv.URL, req) }},
	}
	for _, p := range pairs {
		var ours, base time.Duration
		for range 5 {
			ours += cpuTime(p.n, p.ours)
			base += cpuTime(p.n, p.base)
		}
		t.Logf("%s: %.2fx the floor's CPU time", p.name, float64(ours)/float64(base))
	}
}

func cpuTime(n int, f func()) time.Duration {
	runtime.GC()
	usage := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := usage()
	for range n {
		f()
	}
	return usage() - start
}
