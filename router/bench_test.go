package router

import (
	"context"
	"testing"

	"github.com/llmux/llm"
)

func benchRouter(b *testing.B, opts ...Option) *Router {
	b.Helper()
	var deps []Deployment
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		deps = append(deps, Deployment{ID: id, Group: "g", Model: "mock/" + id, RPM: 1 << 30, Weight: 1,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "hi"})}})
	}
	r, err := New(deps, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkDecision measures one routing decision in memory over five
// deployments: plan, pick, acquire and release (no call).
func BenchmarkDecision(b *testing.B) {
	for _, s := range []struct {
		name     string
		strategy Strategy
	}{
		{"WeightedShuffle", WeightedShuffle()},
		{"LeastBusy", LeastBusy()},
		{"LatencyBased", LatencyBased(0.1)},
		{"UsageBased", UsageBased()},
	} {
		b.Run(s.name, func(b *testing.B) {
			r := benchRouter(b, WithStrategy(s.strategy))
			req := &llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hello")}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				p, err := r.newPlan(req, callOptions{})
				if err != nil {
					b.Fatal(err)
				}
				d, g, err := p.next(ctx)
				if err != nil {
					b.Fatal(err)
				}
				p.succeed(ctx, d, g, 1, nil)
				releasePlan(p)
			}
		})
	}
}

// BenchmarkCall compares a routed mock call with a direct one.
func BenchmarkCall(b *testing.B) {
	req := llm.CompletionRequest{Model: "mock/a", Messages: []llm.Message{llm.UserText("hello")}}
	ctx := context.Background()
	b.Run("Direct", func(b *testing.B) {
		cl := llm.NewClient()
		opt := llm.WithMockResponse(llm.MockResponse{Content: "hi"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cl.Completion(ctx, req, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Routed", func(b *testing.B) {
		r := benchRouter(b)
		req := req
		req.Model = "g"
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Completion(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
