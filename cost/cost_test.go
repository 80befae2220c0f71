package cost

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// delta is the tolerance of cost comparisons: the arithmetic is a handful
// of float64 products, exact to about 1e-17 dollars at these magnitudes.
const delta = 1e-12

// TestComputeEmbedded prices calls with the embedded table. Every expected
// number is worked out by hand from the source data's prices, quoted in the
// comments.
func TestComputeEmbedded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		model string
		usage Usage
		want  Cost
	}{
		{
			// gpt-4o: input 2.5e-06, cache read 1.25e-06, output 1e-05.
			// 4,000 uncached * 2.5e-06 = 0.01; 6,000 cached * 1.25e-06 =
			// 0.0075; 500 out * 1e-05 = 0.005; total 0.0225.
			name:  "gpt-4o with cached tokens",
			model: "gpt-4o",
			usage: Usage{PromptTokens: 10000, CachedTokens: 6000, CompletionTokens: 500},
			want:  Cost{Input: 0.01, CacheRead: 0.0075, Output: 0.005, Total: 0.0225},
		},
		{
			// gpt-4o priority: input 4.25e-06, output 1.7e-05, cache read
			// 2.125e-06. 1,000 * 4.25e-06 = 0.00425; 1,000 cached *
			// 2.125e-06 = 0.002125; 100 * 1.7e-05 = 0.0017; total 0.008075.
			name:  "gpt-4o priority tier",
			model: "openai/gpt-4o",
			usage: Usage{PromptTokens: 2000, CachedTokens: 1000, CompletionTokens: 100, ServiceTier: "priority"},
			want:  Cost{Input: 0.00425, CacheRead: 0.002125, Output: 0.0017, Total: 0.008075},
		},
		{
			// gpt-4o batch: input 1.25e-06, output 5e-06; no batch cache
			// price, so cached tokens keep the standard 1.25e-06.
			// 1,000 * 1.25e-06 = 0.00125; 1,000 cached * 1.25e-06 =
			// 0.00125; 1,000 out * 5e-06 = 0.005; total 0.0075.
			name:  "gpt-4o batch",
			model: "gpt-4o",
			usage: Usage{PromptTokens: 2000, CachedTokens: 1000, CompletionTokens: 1000, Batch: true},
			want:  Cost{Input: 0.00125, CacheRead: 0.00125, Output: 0.005, Total: 0.0075},
		},
		{
			// claude-sonnet-4-20250514: input 3e-06, cache read 3e-07,
			// 5-minute write 3.75e-06, 1-hour write 6e-06, output 1.5e-05.
			// Prompt 10,000 = 2,000 plain + 3,000 read + 5,000 written
			// (2,000 of them for an hour).
			// 2,000 * 3e-06 = 0.006; 3,000 * 3e-07 = 0.0009;
			// 3,000 * 3.75e-06 + 2,000 * 6e-06 = 0.01125 + 0.012 = 0.02325;
			// 1,000 * 1.5e-05 = 0.015; total 0.04515.
			name:  "claude with 5-minute and 1-hour cache writes",
			model: "anthropic/claude-sonnet-4-20250514",
			usage: Usage{PromptTokens: 10000, CachedTokens: 3000, CacheWriteTokens: 5000, CacheWrite1hTokens: 2000, CompletionTokens: 1000},
			want:  Cost{Input: 0.006, CacheRead: 0.0009, CacheWrite: 0.02325, Output: 0.015, Total: 0.04515},
		},
		{
			// claude web search: search_context_cost_per_query 0.01 for
			// every size. 100 * 3e-06 = 0.0003; 10 * 1.5e-05 = 0.00015;
			// 3 * 0.01 = 0.03; total 0.03045.
			name:  "claude web search",
			model: "claude-sonnet-4-20250514",
			usage: Usage{PromptTokens: 100, CompletionTokens: 10, WebSearchQueries: 3},
			want:  Cost{Input: 0.0003, Output: 0.00015, WebSearch: 0.03, Total: 0.03045},
		},
		{
			// gemini-2.5-pro at 200,000 prompt tokens is not above the
			// 200k tier: input 1.25e-06, output 1e-05.
			// 200,000 * 1.25e-06 = 0.25; 2,000 * 1e-05 = 0.02; total 0.27.
			name:  "gemini 2.5 pro at the 200k threshold",
			model: "gemini/gemini-2.5-pro",
			usage: Usage{PromptTokens: 200000, CompletionTokens: 2000},
			want:  Cost{Input: 0.25, Output: 0.02, Total: 0.27},
		},
		{
			// Above 200k the whole call moves to the tier: input 2.5e-06,
			// cache read 2.5e-07, output 1.5e-05.
			// 200,001 * 2.5e-06 = 0.5000025; 50,000 * 2.5e-07 = 0.0125;
			// 2,000 * 1.5e-05 = 0.03; total 0.5425025.
			name:  "gemini 2.5 pro above 200k",
			model: "gemini/gemini-2.5-pro",
			usage: Usage{PromptTokens: 250001, CachedTokens: 50000, CompletionTokens: 2000},
			want:  Cost{Input: 0.5000025, CacheRead: 0.0125, Output: 0.03, Total: 0.5425025},
		},
		{
			// o3 has no reasoning price: reasoning tokens are output tokens
			// at 8e-06, shown apart. 1,000 * 2e-06 = 0.002; 1,000 * 8e-06 =
			// 0.008; 4,000 * 8e-06 = 0.032; total 0.042.
			name:  "o3 with reasoning tokens",
			model: "o3",
			usage: Usage{PromptTokens: 1000, CompletionTokens: 5000, ReasoningTokens: 4000},
			want:  Cost{Input: 0.002, Output: 0.008, Reasoning: 0.032, Total: 0.042},
		},
		{
			// o3 flex: input 1e-06, output 4e-06.
			// 1,000 * 1e-06 = 0.001; 100 * 4e-06 = 0.0004; total 0.0014.
			name:  "o3 flex tier",
			model: "o3",
			usage: Usage{PromptTokens: 1000, CompletionTokens: 100, ServiceTier: "flex"},
			want:  Cost{Input: 0.001, Output: 0.0004, Total: 0.0014},
		},
		{
			// qwen-plus-2025-07-28 prices reasoning apart (tiered_pricing,
			// range 0-256k): input 4e-07, output 1.2e-06, reasoning 4e-06.
			// 1,000 * 4e-07 = 0.0004; 1,000 * 1.2e-06 = 0.0012;
			// 2,000 * 4e-06 = 0.008; total 0.0096.
			name:  "reasoning price of its own",
			model: "dashscope/qwen-plus-2025-07-28",
			usage: Usage{PromptTokens: 1000, CompletionTokens: 3000, ReasoningTokens: 2000},
			want:  Cost{Input: 0.0004, Output: 0.0012, Reasoning: 0.008, Total: 0.0096},
		},
		{
			// Its range above 256k: input 1.2e-06, reasoning 1.2e-05.
			// 300,000 * 1.2e-06 = 0.36; 1,000 * 1.2e-05 = 0.012; total 0.372.
			name:  "tiered pricing range above 256k",
			model: "dashscope/qwen-plus-2025-07-28",
			usage: Usage{PromptTokens: 300000, CompletionTokens: 1000, ReasoningTokens: 1000},
			want:  Cost{Input: 0.36, Reasoning: 0.012, Total: 0.372},
		},
		{
			// gpt-5.4 above 272k at priority: input 2.5e-06 -> tier 5e-06
			// -> priority 5e-06; output 1.5e-05 -> tier 2.25e-05 ->
			// priority 3e-05 (no combined rate in the data).
			// 300,000 * 5e-06 = 1.5; 1,000 * 3e-05 = 0.03; total 1.53.
			name:  "long-prompt tier with priority",
			model: "gpt-5.4",
			usage: Usage{PromptTokens: 300000, CompletionTokens: 1000, ServiceTier: "priority"},
			want:  Cost{Input: 1.5, Output: 0.03, Total: 1.53},
		},
		{
			// gpt-4o-audio-preview: input 2.5e-06, audio in 4e-05,
			// output 1e-05, audio out 8e-05.
			// 400 * 2.5e-06 = 0.001; 600 * 4e-05 = 0.024 (audio in);
			// 100 * 1e-05 = 0.001; 400 * 8e-05 = 0.032 (audio out);
			// audio 0.056; total 0.058.
			name:  "audio tokens",
			model: "gpt-4o-audio-preview",
			usage: Usage{PromptTokens: 1000, AudioInputTokens: 600, CompletionTokens: 500, AudioOutputTokens: 400},
			want:  Cost{Input: 0.001, Output: 0.001, Audio: 0.056, Total: 0.058},
		},
		{
			// gpt-image-1: input 5e-06, image out 4e-05 per token.
			// 100 * 5e-06 = 0.0005; 4,160 * 4e-05 = 0.1664; total 0.1669.
			name:  "image output tokens",
			model: "gpt-image-1",
			usage: Usage{PromptTokens: 100, CompletionTokens: 4160, ImageOutputTokens: 4160},
			want:  Cost{Input: 0.0005, Image: 0.1664, Total: 0.1669},
		},
		{
			// text-embedding-3-small: 2e-08 per token.
			// 1,000,000 * 2e-08 = 0.02.
			name:  "embedding",
			model: "text-embedding-3-small",
			usage: Usage{PromptTokens: 1000000},
			want:  Cost{Input: 0.02, Total: 0.02},
		},
		{
			// Batch: 1e-08 per token. 1,000,000 * 1e-08 = 0.01.
			name:  "embedding batch",
			model: "openai/text-embedding-3-small",
			usage: Usage{PromptTokens: 1000000, Batch: true},
			want:  Cost{Input: 0.01, Total: 0.01},
		},
		{
			// hd/1024-x-1792/dall-e-3: input_cost_per_pixel 6.539e-08.
			// 1024 * 1792 = 1,835,008 px * 6.539e-08 = 0.11999117312.
			name:  "dall-e-3 hd 1024x1792",
			model: "dall-e-3",
			usage: Usage{Images: 1, ImageSize: "1024x1792", ImageQuality: "hd"},
			want:  Cost{Image: 0.11999117312, Total: 0.11999117312},
		},
		{
			// standard/1024-x-1024/dall-e-3: 3.81469e-08 per pixel.
			// 2 * 1,048,576 px * 3.81469e-08 = 0.0799998476288.
			name:  "dall-e-3 standard (quality unset) 1024x1024",
			model: "openai/dall-e-3",
			usage: Usage{Images: 2, ImageSize: "1024x1024"},
			want:  Cost{Image: 0.0799998476288, Total: 0.0799998476288},
		},
		{
			// No size: the flat input_cost_per_image 0.04.
			name:  "dall-e-3 flat price",
			model: "dall-e-3",
			usage: Usage{Images: 3},
			want:  Cost{Image: 0.12, Total: 0.12},
		},
		{
			// whisper-1: input_cost_per_second 0.0001.
			// 90.5 s * 0.0001 = 0.00905.
			name:  "whisper per second",
			model: "whisper-1",
			usage: Usage{AudioSeconds: 90.5},
			want:  Cost{Audio: 0.00905, Total: 0.00905},
		},
		{
			// tts-1: input_cost_per_character 1.5e-05.
			// 1,000 * 1.5e-05 = 0.015.
			name:  "tts per character",
			model: "tts-1",
			usage: Usage{Characters: 1000},
			want:  Cost{Input: 0.015, Total: 0.015},
		},
		{
			// openai/sora-2: output_cost_per_video_per_second 0.1.
			// 8 s * 0.1 = 0.8.
			name:  "sora per second of video",
			model: "openai/sora-2",
			usage: Usage{VideoSeconds: 8},
			want:  Cost{Video: 0.8, Total: 0.8},
		},
		{
			// gemini/veo-3.1-generate-preview: output_cost_per_second 0.4 on
			// a video model. 5 s * 0.4 = 2.
			name:  "veo per second of video",
			model: "gemini/veo-3.1-generate-preview",
			usage: Usage{VideoSeconds: 5},
			want:  Cost{Video: 2, Total: 2},
		},
		{
			// cohere rerank-english-v3.0: input_cost_per_query 0.002.
			// 3 * 0.002 = 0.006.
			name:  "rerank per query",
			model: "cohere/rerank-english-v3.0",
			usage: Usage{Queries: 3},
			want:  Cost{Query: 0.006, Total: 0.006},
		},
		{
			// Ollama models are priced at 0 in the source data: free, and
			// known.
			name:  "free local model",
			model: "ollama/llama3",
			usage: Usage{PromptTokens: 5000, CompletionTokens: 500},
			want:  Cost{Total: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Compute(tt.model, tt.usage)
			require.NoError(t, err)
			assert.True(t, got.Known, "Known")
			assert.NotEmpty(t, got.Model, "Model")
			assertCost(t, tt.want, got)
		})
	}
}

func assertCost(t *testing.T, want, got Cost) {
	t.Helper()
	parts := []struct {
		name      string
		want, got float64
	}{
		{"Total", want.Total, got.Total},
		{"Input", want.Input, got.Input},
		{"CacheRead", want.CacheRead, got.CacheRead},
		{"CacheWrite", want.CacheWrite, got.CacheWrite},
		{"Output", want.Output, got.Output},
		{"Reasoning", want.Reasoning, got.Reasoning},
		{"Audio", want.Audio, got.Audio},
		{"Image", want.Image, got.Image},
		{"Video", want.Video, got.Video},
		{"WebSearch", want.WebSearch, got.WebSearch},
		{"Query", want.Query, got.Query},
	}
	for _, p := range parts {
		assert.InDelta(t, p.want, p.got, delta, "%s: got %v, want %v", p.name, p.got, p.want)
	}
	sum := got.Input + got.CacheRead + got.CacheWrite + got.Output + got.Reasoning +
		got.Audio + got.Image + got.Video + got.WebSearch + got.Query
	assert.InDelta(t, got.Total, sum, delta, "parts add up to Total")
}

func TestComputeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		model        string
		usage        Usage
		unknownModel bool
		partial      float64 // the priced part, a lower bound
	}{
		{name: "model not in the table", model: "acme/unknown-model-1", usage: Usage{PromptTokens: 10}, unknownModel: true},
		{name: "bare name not in the table", model: "no-such-model", usage: Usage{PromptTokens: 10}, unknownModel: true},
		// github_copilot/gpt-4o is in the table with no prices.
		{name: "entry without prices", model: "github_copilot/gpt-4o", usage: Usage{PromptTokens: 10}},
		// whisper-1 is priced per second, not per token.
		{name: "unit the entry does not price", model: "whisper-1", usage: Usage{PromptTokens: 10}},
		// gpt-4o has token prices but no web search price: the tokens
		// are priced (100 * 2.5e-06 = 0.00025), the search is not.
		{name: "priced tokens, unpriced search", model: "gpt-4o", usage: Usage{PromptTokens: 100, WebSearchQueries: 1}, partial: 0.00025},
		// gpt-image-1 prices sizes it lists; 256x256 is not one of them
		// and it has no flat price.
		{name: "image size without a price", model: "gpt-image-1", usage: Usage{Images: 1, ImageSize: "256x256", ImageQuality: "high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Compute(tt.model, tt.usage)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnknownPrice)
			assert.Equal(t, tt.unknownModel, errors.Is(err, ErrUnknownModel), "errors.Is(err, ErrUnknownModel)")
			assert.False(t, got.Known, "Known")
			assert.InDelta(t, tt.partial, got.Total, delta)
			assert.Contains(t, err.Error(), "unknown price")
			assert.Equal(t, strings.TrimPrefix(err.Error(), "cost: unknown price: "), got.Reason, "Reason")
			sum := got.Add(Cost{Known: true, Total: 1})
			assert.False(t, sum.Known, "Known of a sum")
			assert.Equal(t, got.Reason, sum.Reason, "Reason of a sum")
		})
	}
}

func TestZeroUsageIsKnownAndFree(t *testing.T) {
	t.Parallel()
	got, err := Compute("gpt-4o", Usage{})
	require.NoError(t, err)
	assert.True(t, got.Known)
	assert.Zero(t, got.Total)
}

// TestPricesCost checks the arithmetic rules on hand-made prices.
func TestPricesCost(t *testing.T) {
	t.Parallel()
	base := Prices{Rates: Rates{Input: 1, Output: 10}}
	tests := []struct {
		name   string
		prices Prices
		usage  Usage
		want   Cost
	}{
		{
			// Without their own rates, cache reads and writes, audio and
			// image tokens cost plain input; reasoning, audio and image
			// output cost plain output. Each part still shows them apart.
			name:   "fallback rates",
			prices: base,
			usage: Usage{PromptTokens: 15, CachedTokens: 1, CacheWriteTokens: 5, CacheWrite1hTokens: 2,
				AudioInputTokens: 3, ImageInputTokens: 4, CompletionTokens: 9, ReasoningTokens: 1, AudioOutputTokens: 2, ImageOutputTokens: 3},
			// input 15-1-5-3-4 = 2 -> 2; read 1; write 5; audio 3+2*10=23;
			// image 4+3*10=34; output (9-1-2-3=3)*10=30; reasoning 10.
			want: Cost{Input: 2, CacheRead: 1, CacheWrite: 5, Audio: 23, Image: 34, Output: 30, Reasoning: 10, Total: 105},
		},
		{
			// A one-hour write without its own rate costs the five-minute
			// rate.
			name:   "1h write falls back to 5m write",
			prices: Prices{Rates: Rates{Input: 1, CacheWrite: 2}},
			usage:  Usage{PromptTokens: 10, CacheWriteTokens: 10, CacheWrite1hTokens: 4},
			want:   Cost{CacheWrite: 20, Total: 20},
		},
		{
			// Parts beyond their total are cut to fit: 8 cached + 8
			// written of 10 is 8 read + 2 written, no plain input.
			name:   "parts cut to their total",
			prices: Prices{Rates: Rates{Input: 1, CacheRead: 0.5, CacheWrite: 2}},
			usage:  Usage{PromptTokens: 10, CachedTokens: 8, CacheWriteTokens: 8},
			want:   Cost{CacheRead: 4, CacheWrite: 4, Total: 8},
		},
		{
			name:   "negative counts count as zero",
			prices: base,
			usage:  Usage{PromptTokens: 3, CachedTokens: -5, CompletionTokens: -1},
			want:   Cost{Input: 3, Total: 3},
		},
		{
			// The highest threshold below the prompt applies.
			name: "highest tier below the prompt",
			prices: Prices{Rates: Rates{Input: 1, Output: 1}, Tiers: []Tier{
				{Above: 100, Rates: Rates{Input: 2}},
				{Above: 200, Rates: Rates{Input: 3, Output: 3}},
			}},
			usage: Usage{PromptTokens: 150, CompletionTokens: 1},
			want:  Cost{Input: 300, Output: 1, Total: 301},
		},
		{
			name: "unknown service tier is standard",
			prices: Prices{Rates: Rates{Input: 1}, Tiers: []Tier{
				{Level: LevelPriority, Rates: Rates{Input: 2}},
			}},
			usage: Usage{PromptTokens: 1, ServiceTier: "scale"},
			want:  Cost{Input: 1, Total: 1},
		},
		{
			name:   "web search by context size",
			prices: Prices{WebSearch: SearchPrices{Low: 1, Medium: 2, High: 3}},
			usage:  Usage{WebSearchQueries: 2, WebSearchContext: "high"},
			want:   Cost{WebSearch: 6, Total: 6},
		},
		{
			name:   "declared free tokens",
			prices: Prices{Units: UnitToken},
			usage:  Usage{PromptTokens: 100, CompletionTokens: 100},
			want:   Cost{Total: 0},
		},
		{
			name: "image variant by size and quality",
			prices: Prices{PerImage: 1, ImageVariants: []ImagePrice{
				{Quality: "hd", Size: "1024x1024", Price: 5},
				{Size: "1024x1024", Price: 2},
			}},
			usage: Usage{Images: 2, ImageSize: "1024-x-1024", ImageQuality: "standard"},
			want:  Cost{Image: 4, Total: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.prices.Cost(tt.usage)
			require.NoError(t, err)
			assert.True(t, got.Known)
			assertCost(t, tt.want, got)
		})
	}
}

func TestPricesCostUnpricedUnit(t *testing.T) {
	t.Parallel()
	p := Prices{Rates: Rates{Input: 1}}
	got, err := p.Cost(Usage{PromptTokens: 2, Images: 1})
	require.ErrorIs(t, err, ErrUnknownPrice)
	assert.False(t, errors.Is(err, ErrUnknownModel))
	assert.Contains(t, err.Error(), "image")
	assert.False(t, got.Known)
	assert.InDelta(t, 2.0, got.Total, delta)

	// Zero prices without Units price nothing: the cost is unknown.
	var zero Prices
	got, err = zero.Cost(Usage{PromptTokens: 1})
	require.ErrorIs(t, err, ErrUnknownPrice)
	assert.False(t, got.Known)
}

func TestRatesFor(t *testing.T) {
	t.Parallel()
	p := Prices{
		Rates: Rates{Input: 1, Output: 10, CacheRead: 0.1},
		Tiers: []Tier{
			{Above: 1000, Rates: Rates{Input: 2, Output: 20}},
			{Level: LevelPriority, Rates: Rates{Input: 3}},
			{Level: LevelPriority, Above: 1000, Rates: Rates{Input: 4}},
			{Level: LevelBatch, Rates: Rates{Input: 0.5, Output: 5}},
		},
	}
	tests := []struct {
		level  string
		prompt int
		want   Rates
	}{
		{LevelStandard, 1000, Rates{Input: 1, Output: 10, CacheRead: 0.1}},
		{LevelStandard, 1001, Rates{Input: 2, Output: 20, CacheRead: 0.1}},
		{LevelPriority, 10, Rates{Input: 3, Output: 10, CacheRead: 0.1}},
		{LevelPriority, 1001, Rates{Input: 4, Output: 20, CacheRead: 0.1}},
		{LevelBatch, 1001, Rates{Input: 0.5, Output: 5, CacheRead: 0.1}},
		{LevelFlex, 10, Rates{Input: 1, Output: 10, CacheRead: 0.1}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.RatesFor(tt.level, tt.prompt), "level %q prompt %d", tt.level, tt.prompt)
	}
}

func TestCostAdd(t *testing.T) {
	t.Parallel()
	a := Cost{Input: 1, Output: 2, Total: 3, Known: true, Model: "m"}
	b := Cost{Input: 0.5, Total: 0.5, Known: true, Model: "m"}
	var sum Cost
	sum = sum.Add(a).Add(b)
	assert.Equal(t, Cost{Input: 1.5, Output: 2, Total: 3.5, Known: true, Model: "m"}, sum)

	unknown := Cost{Total: 1, Model: "n"}
	s := sum.Add(unknown)
	assert.False(t, s.Known, "a sum with an unknown part is unknown")
	assert.Empty(t, s.Model)
	assert.InDelta(t, 4.5, s.Total, delta)
}

func TestCostString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "$0.004750", Cost{Total: 0.00475, Known: true}.String())
	assert.Equal(t, "unknown (at least $0.000000)", Cost{}.String())
}

// TestComputeAllocs checks that pricing a call does not allocate.
func TestComputeAllocs(t *testing.T) {
	u := Usage{PromptTokens: 250001, CachedTokens: 1000, CompletionTokens: 2000, ReasoningTokens: 500}
	Default() // load outside the measurement
	for _, model := range []string{"gpt-4o", "gemini/gemini-2.5-pro", "anthropic/claude-sonnet-4-20250514"} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Compute(model, u); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "%s: allocations per Compute", model)
	}
}
