package router_test

import (
	"strings"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cand(d router.Deployment, s router.Stats) router.Candidate {
	return router.Candidate{Deployment: &d, Stats: s}
}

// pickCounts runs s n times over cands and counts the picks.
func pickCounts(s router.Strategy, cands []router.Candidate, n int) []int {
	counts := make([]int, len(cands))
	for range n {
		counts[s.Pick(cands)]++
	}
	return counts
}

func TestStrategies(t *testing.T) {
	t.Parallel()
	const n = 3000
	tests := []struct {
		name     string
		strategy router.Strategy
		cands    []router.Candidate
		// want is each candidate's expected share of the picks.
		want []float64
	}{
		{"weighted by weight", router.WeightedShuffle(),
			[]router.Candidate{cand(router.Deployment{Weight: 1}, router.Stats{}), cand(router.Deployment{Weight: 3}, router.Stats{})},
			[]float64{0.25, 0.75}},
		{"weighted by rpm", router.WeightedShuffle(),
			[]router.Candidate{cand(router.Deployment{RPM: 100}, router.Stats{}), cand(router.Deployment{RPM: 300}, router.Stats{})},
			[]float64{0.25, 0.75}},
		{"weighted by tpm", router.WeightedShuffle(),
			[]router.Candidate{cand(router.Deployment{TPM: 1000}, router.Stats{}), cand(router.Deployment{TPM: 1000}, router.Stats{})},
			[]float64{0.5, 0.5}},
		{"priority", router.Priority(),
			[]router.Candidate{cand(router.Deployment{}, router.Stats{}), cand(router.Deployment{}, router.Stats{})},
			[]float64{1, 0}},
		{"least busy", router.LeastBusy(),
			[]router.Candidate{cand(router.Deployment{}, router.Stats{InFlight: 3}), cand(router.Deployment{}, router.Stats{InFlight: 1}), cand(router.Deployment{}, router.Stats{InFlight: 1})},
			[]float64{0, 0.5, 0.5}},
		{"usage based", router.UsageBased(),
			[]router.Candidate{cand(router.Deployment{RPM: 10}, router.Stats{RPM: 5}), cand(router.Deployment{RPM: 100}, router.Stats{RPM: 5})},
			[]float64{0, 1}},
		{"usage based tpm", router.UsageBased(),
			[]router.Candidate{cand(router.Deployment{TPM: 1000}, router.Stats{TPM: 100}), cand(router.Deployment{TPM: 1000}, router.Stats{TPM: 900})},
			[]float64{1, 0}},
		{"latency within tolerance", router.LatencyBased(0.1),
			[]router.Candidate{
				cand(router.Deployment{}, router.Stats{Latency: 100 * time.Millisecond}),
				cand(router.Deployment{}, router.Stats{Latency: 105 * time.Millisecond}),
				cand(router.Deployment{}, router.Stats{Latency: 300 * time.Millisecond})},
			[]float64{0.5, 0.5, 0}},
		{"latency unmeasured first", router.LatencyBased(0.1),
			[]router.Candidate{cand(router.Deployment{}, router.Stats{Latency: time.Millisecond}), cand(router.Deployment{}, router.Stats{})},
			[]float64{0, 1}},
		{"cost", router.CostBased(),
			[]router.Candidate{
				{Deployment: &router.Deployment{}, InputPrice: 3e-6, OutputPrice: 15e-6, PriceKnown: true},
				{Deployment: &router.Deployment{}},
				{Deployment: &router.Deployment{}, InputPrice: 1e-6, OutputPrice: 2e-6, PriceKnown: true}},
			[]float64{0, 0, 1}},
		{"cost unknown last", router.CostBased(),
			[]router.Candidate{{Deployment: &router.Deployment{}}, {Deployment: &router.Deployment{}, PriceKnown: true, InputPrice: 1}},
			[]float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := pickCounts(tt.strategy, tt.cands, n)
			for i, share := range tt.want {
				assert.InDelta(t, share*n, float64(got[i]), 0.06*n, "candidate %d: got %d picks of %d, want a share of %.2f", i, got[i], n, share)
			}
		})
	}
}

// Order tiers apply whatever the strategy, and the next tier is used only
// when the whole tier is unavailable.
func TestOrderTiersWithWeightedShuffle(t *testing.T) {
	t.Parallel()
	a, b, c := &script{name: "a"}, &script{name: "b"}, &script{name: "c"}
	r, err := router.New([]router.Deployment{dep("g", a, order(1)), dep("g", b, order(1)), dep("g", c, order(2))})
	require.NoError(t, err)
	for range 200 {
		_, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
	}
	assert.Zero(t, c.calls.Load())
	assert.InDelta(t, 100, a.calls.Load(), 30)
	require.NoError(t, r.Cooldown(t.Context(), "a", time.Now().Add(time.Hour)))
	for range 20 {
		resp, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, "b", resp.Meta.Deployment)
	}
	require.NoError(t, r.Cooldown(t.Context(), "b", time.Now().Add(time.Hour)))
	resp, err := r.Completion(t.Context(), req("g"))
	require.NoError(t, err)
	assert.Equal(t, "c", resp.Meta.Deployment)
}

func TestCostBasedRouting(t *testing.T) {
	t.Parallel()
	cheap, dear, custom := &script{name: "cheap"}, &script{name: "dear"}, &script{name: "custom"}
	prices := map[string][2]float64{"mock/cheap": {1e-6, 2e-6}, "mock/dear": {1e-5, 3e-5}, "mock/custom": {1e-7, 1e-7}}
	r, err := router.New([]router.Deployment{
		dep("g", dear), dep("g", cheap),
		dep("g", custom, func(d *router.Deployment) { d.InputCostPerToken, d.OutputCostPerToken = 1e-3, 1e-3 }),
	}, router.WithStrategy(router.CostBased()), router.WithPriceFunc(func(m string) (float64, float64, bool) {
		p, ok := prices[m]
		return p[0], p[1], ok
	}))
	require.NoError(t, err)
	for range 10 {
		resp, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, "cheap", resp.Meta.Deployment, "custom prices override the table")
	}
}

func TestUsageBasedRouting(t *testing.T) {
	t.Parallel()
	a, b := &script{name: "a"}, &script{name: "b"}
	r, err := router.New([]router.Deployment{
		dep("g", a, func(d *router.Deployment) { d.RPM = 10 }),
		dep("g", b, func(d *router.Deployment) { d.RPM = 30 }),
	}, router.WithStrategy(router.UsageBased()), router.WithClock(func() time.Time { return time.Unix(600, 0) }))
	require.NoError(t, err)
	for range 40 {
		_, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
	}
	// Headroom keeps both at the same fraction of their limits.
	assert.Equal(t, int64(10), a.calls.Load())
	assert.Equal(t, int64(30), b.calls.Load())
	_, err = r.Completion(t.Context(), req("g"))
	assert.ErrorIs(t, err, llm.ErrRateLimit)
}

func TestLeastBusyRouting(t *testing.T) {
	t.Parallel()
	a := &script{name: "a"}
	b := &script{name: "b"}
	r, err := router.New([]router.Deployment{dep("g", a), dep("g", b)}, router.WithStrategy(router.LeastBusy()))
	require.NoError(t, err)
	for range 100 {
		_, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
	}
	assert.Equal(t, int64(100), a.calls.Load()+b.calls.Load())
	assert.Positive(t, a.calls.Load())
	assert.Positive(t, b.calls.Load())
}

// Real model strings (answered by the mock): cost-based routing prefers the
// cheaper model of the table.
func TestCostBasedWithModelTable(t *testing.T) {
	t.Parallel()
	opts := []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok"})}
	r, err := router.New([]router.Deployment{
		{Group: "g", Model: "openai/gpt-4o", Options: opts},
		{Group: "g", Model: "openai/gpt-4o-mini", Options: opts},
	}, router.WithStrategy(router.CostBased()))
	require.NoError(t, err)
	for range 5 {
		resp, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, "g/openai/gpt-4o-mini", resp.Meta.Deployment)
	}
}

// The pre-call check skips a deployment whose model's context window (from
// the table) cannot hold the prompt, counting with the tokenizer near the
// limit.
func TestContextWindowFromModelTable(t *testing.T) {
	t.Parallel()
	opts := []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok"})}
	r, err := router.New([]router.Deployment{
		{Group: "g", Model: "openai/gpt-3.5-turbo", Options: opts, Order: 0},
		{Group: "g", Model: "openai/gpt-4o", Options: opts, Order: 1},
	})
	require.NoError(t, err)
	short, err := r.Completion(t.Context(), req("g"))
	require.NoError(t, err)
	assert.Equal(t, "g/openai/gpt-3.5-turbo", short.Meta.Deployment)

	// About 20,000 tokens: over gpt-3.5-turbo's window, within gpt-4o's.
	long := llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText(strings.Repeat("hello ", 20000))}}
	resp, err := r.Completion(t.Context(), long)
	require.NoError(t, err)
	assert.Equal(t, "g/openai/gpt-4o", resp.Meta.Deployment)

	// About 12,000 tokens whose cheap estimate (bytes/4 = 18,000) exceeds
	// the window but whose real count fits: the tokenizer decides.
	fits := llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText(strings.Repeat("hello ", 12000))}}
	resp, err = r.Completion(t.Context(), fits)
	require.NoError(t, err)
	assert.Equal(t, "g/openai/gpt-3.5-turbo", resp.Meta.Deployment)
}

// A deployment's own prices price its results.
func TestCustomPricesPriceResults(t *testing.T) {
	t.Parallel()
	usage := &llm.Usage{PromptTokens: 1000, CompletionTokens: 100, TotalTokens: 1100}
	r, err := router.New([]router.Deployment{{Group: "g", Model: "openai/gpt-4o", InputCostPerToken: 1e-6, OutputCostPerToken: 1e-5,
		Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok", Usage: usage})}}})
	require.NoError(t, err)
	resp, err := r.Completion(t.Context(), req("g"))
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known)
	assert.InDelta(t, 0.001+0.001, resp.Meta.Cost.Total, 1e-12)

	final, err := llm.Collect(r.CompletionStream(t.Context(), req("g")))
	require.NoError(t, err)
	require.NotNil(t, final.Meta.Cost)
	assert.InDelta(t, 0.002, final.Meta.Cost.Total, 1e-12)

	// Without custom prices the model table's price stands.
	r, err = router.New([]router.Deployment{{Group: "g", Model: "openai/gpt-4o",
		Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok", Usage: usage})}}})
	require.NoError(t, err)
	resp, err = r.Completion(t.Context(), req("g"))
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known)
	assert.NotEqual(t, 0.002, resp.Meta.Cost.Total)
}
