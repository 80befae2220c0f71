package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm"
	openaigo "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
)

// TestPeakHeapConcurrentStreams measures the peak live heap while 1,000
// streams of 500 chunks are open at once, for llmux, go-openai, openai-go
// and a floor (net/http reading the bodies into io.Discard). The server
// writes the first half of every stream, then holds all of them open until
// every client has read that half, so that each library's per-stream state
// is alive at the same moment. The in-process server's share is the same
// for every run (the floor shows it). Opt in: LLMUX_PEAK_HEAP=1.
//
//	cd bench && LLMUX_PEAK_HEAP=1 go test -run PeakHeap -v
func TestPeakHeapConcurrentStreams(t *testing.T) {
	if os.Getenv("LLMUX_PEAK_HEAP") == "" {
		t.Skip("set LLMUX_PEAK_HEAP=1 to measure")
	}
	const streams, chunks = 1000, 500
	body := streamBody(chunks)
	frames := bytes.SplitAfter(body, []byte("\n\n"))
	first := bytes.Join(frames[:chunks/2], nil)
	rest := bytes.Join(frames[chunks/2:], nil)

	type run struct {
		name string
		read func(ctx context.Context, url string, hc *http.Client) (int, error)
	}
	runs := []run{
		{"floor (net/http, io.Discard)", func(ctx context.Context, url string, hc *http.Client) (int, error) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/chat/completions", bytes.NewReader([]byte(`{}`)))
			resp, err := hc.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			return int(n), err
		}},
		{"llmux", func(ctx context.Context, url string, hc *http.Client) (int, error) {
			c := llm.NewClient(llm.WithBaseURL(url), llm.WithAPIKey("sk"), llm.WithHTTPClient(hc))
			n := 0
			for ch, err := range c.CompletionStream(ctx, llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText(prompt)}}) {
				if err != nil {
					return n, err
				}
				n += len(ch.Choices)
			}
			return n, nil
		}},
		{"go-openai", func(ctx context.Context, url string, hc *http.Client) (int, error) {
			cfg := goopenai.DefaultConfig("sk")
			cfg.BaseURL, cfg.HTTPClient = url, hc
			s, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletionStream(ctx, goopenai.ChatCompletionRequest{Model: "gpt-4o",
				Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: prompt}}, Stream: true})
			if err != nil {
				return 0, err
			}
			defer s.Close()
			n := 0
			for {
				r, err := s.Recv()
				if errors.Is(err, io.EOF) {
					return n, nil
				}
				if err != nil {
					return n, err
				}
				n += len(r.Choices)
			}
		}},
		{"openai-go", func(ctx context.Context, url string, hc *http.Client) (int, error) {
			c := openaigo.NewClient(option.WithAPIKey("sk"), option.WithBaseURL(url+"/"), option.WithHTTPClient(hc), option.WithMaxRetries(0))
			s := c.Chat.Completions.NewStreaming(ctx, openaigo.ChatCompletionNewParams{Model: "gpt-4o",
				Messages: []openaigo.ChatCompletionMessageParamUnion{openaigo.UserMessage(prompt)}})
			defer s.Close()
			n := 0
			for s.Next() {
				n += len(s.Current().Choices)
			}
			return n, s.Err()
		}},
	}
	for _, r := range runs {
		var started sync.WaitGroup
		started.Add(streams)
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			_, _ = io.Copy(io.Discard, req.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(first)
			w.(http.Flusher).Flush()
			started.Done()
			<-release
			_, _ = w.Write(rest)
		}))
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams}}

		runtime.GC()
		base := liveHeap()
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() { // sampler, ended below
			defer close(sampled)
			for {
				if h := liveHeap(); h > peak.Load() {
					peak.Store(h)
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		var failed atomic.Int32
		for range streams {
			wg.Go(func() {
				if _, err := r.read(t.Context(), srv.URL, hc); err != nil {
					failed.Add(1)
				}
			})
		}
		started.Wait()
		time.Sleep(200 * time.Millisecond) // every client has read the first half
		runtime.GC()
		atHold := liveHeap()
		close(release)
		wg.Wait()
		close(stop)
		<-sampled
		srv.Close()
		hc.CloseIdleConnections()
		if failed.Load() > 0 {
			t.Fatalf("%s: %d streams failed", r.name, failed.Load())
		}
		t.Logf("%-30s live heap with %d streams held open: %6.1f MiB (after GC); sampled peak over the run: %6.1f MiB",
			r.name, streams, float64(atHold-base)/(1<<20), float64(peak.Load()-base)/(1<<20))
	}
}

// liveHeap returns the bytes in live and not-yet-swept heap objects.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
