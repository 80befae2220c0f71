package router_test

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A deployment's own prices reach Meta.Cost through an outer llm.Client too.
func TestCustomPricesThroughClient(t *testing.T) {
	t.Parallel()
	u := &llm.Usage{PromptTokens: 1000, CompletionTokens: 100, TotalTokens: 1100}
	r, err := router.New([]router.Deployment{{
		Group: "g", Model: "mock/m", InputCostPerToken: 1e-6, OutputCostPerToken: 2e-6,
		Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok", Usage: u})},
	}})
	require.NoError(t, err)
	// 1000 × 1e-6 + 100 × 2e-6 = 0.0012
	direct, err := r.Completion(t.Context(), llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
	assert.InDelta(t, 0.0012, direct.Meta.Cost.Total, 1e-12)

	cl := llm.NewClient(llm.WithProvider(r.Provider()))
	resp, err := cl.Completion(t.Context(), llm.CompletionRequest{Model: "router/g", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
	assert.InDelta(t, 0.0012, resp.Meta.Cost.Total, 1e-12)
	col, err := llm.Collect(cl.CompletionStream(t.Context(), llm.CompletionRequest{Model: "router/g", Messages: []llm.Message{llm.UserText("hi")}}))
	require.NoError(t, err)
	assert.InDelta(t, 0.0012, col.Meta.Cost.Total, 1e-12)
}
