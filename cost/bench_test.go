package cost

import (
	"testing"
)

// BenchmarkCompute measures pricing one call: the lookup of the model name
// in the default table and the arithmetic.
func BenchmarkCompute(b *testing.B) {
	for _, bm := range []struct {
		name, model string
		usage       Usage
	}{
		{"gpt-4o", "gpt-4o", Usage{PromptTokens: 10000, CachedTokens: 6000, CompletionTokens: 500}},
		{"claude-cache-writes", "anthropic/claude-sonnet-4-20250514", Usage{PromptTokens: 10000, CachedTokens: 3000, CacheWriteTokens: 5000, CacheWrite1hTokens: 2000, CompletionTokens: 1000}},
		{"gemini-above-200k", "gemini/gemini-2.5-pro", Usage{PromptTokens: 250000, CompletionTokens: 2000, ReasoningTokens: 1000}},
		{"gpt-5.4-priority-272k", "gpt-5.4", Usage{PromptTokens: 300000, CompletionTokens: 1000, ServiceTier: "priority"}},
		// Resolved by a rule (Bedrock geography prefix), not the index.
		{"bedrock-geo-alias", "bedrock/apac.anthropic.claude-3-opus-20240229-v1:0", Usage{PromptTokens: 1000, CompletionTokens: 100}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			if _, err := Compute(bm.model, bm.usage); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				c, _ := Compute(bm.model, bm.usage)
				if !c.Known {
					b.Fatal("unknown")
				}
			}
		})
	}
}

// BenchmarkLookup measures resolving a name to a copy of its entry.
func BenchmarkLookup(b *testing.B) {
	Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Lookup("claude-sonnet-4-20250514"); !ok {
			b.Fatal("not found")
		}
	}
}

// BenchmarkLoadTable measures the first-use load of the embedded table:
// parsing it and building the index.
func BenchmarkLoadTable(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embedded)))
	for b.Loop() {
		if _, err := parseTable(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountMessages measures counting a typical request: six
// messages and a tool.
func BenchmarkCountMessages(b *testing.B) {
	CountMessages("gpt-4o", cookbookMessages, cookbookTools) // load the encoding
	b.ReportAllocs()
	for b.Loop() {
		if n := CountMessages("gpt-4o", cookbookMessages, cookbookTools); n.Tokens == 0 {
			b.Fatal("no tokens")
		}
	}
}
