package llm_test

import (
	"testing"

	"github.com/llmux/llm"
)

// The benchmarks below measure the client's own path (resolve, validate,
// dispatch, Meta and cost) with the mock provider, which does no I/O.

func BenchmarkMockCompletion(b *testing.B) {
	req := userReq("mock/bench", "Say hello to the benchmark")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := llm.Completion(ctx, req)
		if err != nil || resp.Meta.Provider != "mock" {
			b.Fatalf("got %v, %v", resp, err)
		}
	}
}

func BenchmarkMockStream(b *testing.B) {
	req := userReq("mock/bench", "Say hello to the benchmark")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for chunk, err := range llm.CompletionStream(ctx, req) {
			if err != nil {
				b.Fatal(err)
			}
			_ = chunk
			n++
		}
		if n == 0 {
			b.Fatal("no chunks")
		}
	}
}

func BenchmarkMockTextCompletion(b *testing.B) {
	req := textReq("mock/bench", "Say hello to the benchmark")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := llm.TextCompletion(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMockTextStream(b *testing.B) {
	req := textReq("mock/bench", "Say hello to the benchmark")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range llm.TextCompletionStream(ctx, req) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
