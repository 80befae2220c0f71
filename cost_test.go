package llm_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/cost"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCostOnEveryResult(t *testing.T) {
	t.Parallel()
	// gpt-4o: $2.50/M input, $1.25/M cached input, $10/M output.
	// 1117 prompt tokens of which 1024 cached, 46 completion tokens:
	// 93 × 2.5e-6 + 1024 × 1.25e-6 + 46 × 1e-5 = 0.0002325 + 0.00128 + 0.00046 = 0.0019725
	u := &llm.Usage{PromptTokens: 1117, CompletionTokens: 46, TotalTokens: 1163}
	u.PromptTokensDetails.CachedTokens = 1024
	script := llm.WithMockResponse(llm.MockResponse{Content: "hi", Usage: u})
	req := userReq("openai/gpt-4o", "hi")

	resp, err := llm.Completion(t.Context(), req, script)
	require.NoError(t, err)
	c := resp.Meta.Cost
	require.NotNil(t, c)
	assert.True(t, c.Known)
	assert.InDelta(t, 0.0019725, c.Total, 1e-12)
	assert.InDelta(t, 0.00128, c.CacheRead, 1e-12)
	assert.InDelta(t, 0.00046, c.Output, 1e-12)

	// The stream's last chunk and Collect carry the same cost.
	var last *llm.Chunk
	for ch, err := range llm.CompletionStream(t.Context(), req, script) {
		require.NoError(t, err)
		last = ch
	}
	require.NotNil(t, last.Meta.Cost)
	assert.InDelta(t, 0.0019725, last.Meta.Cost.Total, 1e-12)
	col, err := llm.Collect(llm.CompletionStream(t.Context(), req, script))
	require.NoError(t, err)
	assert.InDelta(t, 0.0019725, col.Meta.Cost.Total, 1e-12)

	// A model the table does not know: the cost is marked unknown, not $0.
	resp, err = llm.Completion(t.Context(), userReq("mock/whatever", "hi"))
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.False(t, resp.Meta.Cost.Known)
}

func TestPreCallChecks(t *testing.T) {
	t.Parallel()
	// Nothing listens there: a check that lets the call through fails with a
	// connection error instead of the expected kind.
	noNet := []llm.Option{llm.WithPreCallChecks(), llm.WithAPIKey("k"), llm.WithBaseURL("http://127.0.0.1:1"), llm.WithProvider(stubOpenAI{})}

	long := userReq("openai/gpt-4", strings.Repeat("word ", 20000)) // gpt-4: 8,192-token window
	_, err := llm.Completion(t.Context(), long, noNet...)
	require.ErrorIs(t, err, llm.ErrContextWindowExceeded)
	require.ErrorIs(t, err, cost.ErrContextWindow)

	tools := userReq("openai/gpt-5-chat-latest", "hi") // the table says it lacks function calling
	tools.Tools = []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}
	_, err = llm.Collect(llm.CompletionStream(t.Context(), tools, noNet...))
	require.ErrorIs(t, err, llm.ErrUnsupported)

	// Within the window, and without the option, the call goes through.
	_, err = llm.Completion(t.Context(), userReq("openai/gpt-4", "short"), noNet...)
	require.NoError(t, err)
	_, err = llm.Completion(t.Context(), long, llm.WithProvider(stubOpenAI{}))
	require.NoError(t, err)
}

// stubOpenAI stands in for the openai provider (not imported by this package's
// tests) and answers everything.
type stubOpenAI struct{}

func (stubOpenAI) Name() string { return "openai" }

func (stubOpenAI) Completion(_ context.Context, req *llm.CompletionRequest, _ *llm.Config) (*llm.CompletionResponse, error) {
	return &llm.CompletionResponse{Model: req.Model, Choices: []llm.Choice{{Message: llm.AssistantText("ok"), FinishReason: "stop"}}}, nil
}

func (stubOpenAI) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) { yield(nil, errors.New("unreachable")) }
}

func TestCountTokens(t *testing.T) {
	t.Parallel()
	// OpenAI cookbook: each message costs 3 tokens plus its values, the role
	// "user" (1) and "hello world" (2); the reply is primed with 3 more:
	// 3 + 1 + 2 + 3 = 9.
	tc := llm.CountTokens("openai/gpt-4o", &llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hello world")}})
	assert.Equal(t, 9, tc.Tokens)
	assert.False(t, tc.Estimated)
	assert.Equal(t, "o200k_base", tc.Encoding)
	est := llm.CountTokens("anthropic/claude-sonnet-4-20250514", &llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hello world")}})
	assert.True(t, est.Estimated)
}

// pricedProvider sets its own cost, as a router with per-deployment prices does.
type pricedProvider struct{}

func (pricedProvider) Name() string { return "priced" }

func (pricedProvider) Completion(_ context.Context, req *llm.CompletionRequest, _ *llm.Config) (*llm.CompletionResponse, error) {
	r := &llm.CompletionResponse{Model: "gpt-4o", Choices: []llm.Choice{{Message: llm.AssistantText("ok"), FinishReason: "stop"}},
		Usage: &llm.Usage{PromptTokens: 10, CompletionTokens: 1, TotalTokens: 11}}
	r.Meta.Cost = &llm.Cost{Total: 42, Known: true}
	return r, nil
}

func (pricedProvider) CompletionStream(context.Context, *llm.CompletionRequest, *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		m := &llm.Meta{Cost: &llm.Cost{Total: 42, Known: true}}
		yield(&llm.Chunk{Model: "gpt-4o", Choices: []llm.ChunkChoice{}, Usage: &llm.Usage{PromptTokens: 10}, Meta: m}, nil)
	}
}

func TestProviderSetCostIsKept(t *testing.T) {
	t.Parallel()
	c := llm.NewClient(llm.WithProvider(pricedProvider{}))
	resp, err := c.Completion(t.Context(), userReq("priced/x", "hi"))
	require.NoError(t, err)
	assert.Equal(t, 42.0, resp.Meta.Cost.Total)
	col, err := llm.Collect(c.CompletionStream(t.Context(), userReq("priced/x", "hi")))
	require.NoError(t, err)
	assert.Equal(t, 42.0, col.Meta.Cost.Total)
}

// TestMockPricing checks that "mock/<model>" is priced as <model> when the
// model table knows it, so that cost code can be tested offline, and that
// other mock models say that they have no price.
func TestMockPricing(t *testing.T) {
	t.Parallel()
	u := &llm.Usage{PromptTokens: 1000, CompletionTokens: 100, TotalTokens: 1100}
	script := llm.WithMockResponse(llm.MockResponse{Content: "hi", Usage: u})
	want, err := cost.Compute("openai/gpt-4o", cost.Usage{PromptTokens: 1000, CompletionTokens: 100})
	require.NoError(t, err)
	require.Greater(t, want.Total, 0.0)

	for _, model := range []string{"mock/gpt-4o", "mock/openai/gpt-4o"} {
		resp, err := llm.Completion(t.Context(), userReq(model, "hi"), script)
		require.NoError(t, err)
		require.NotNil(t, resp.Meta.Cost, model)
		assert.True(t, resp.Meta.Cost.Known, model)
		assert.InDelta(t, want.Total, resp.Meta.Cost.Total, 1e-12, model)
		assert.Empty(t, resp.Meta.Cost.Reason, model)
		col, err := llm.Collect(llm.CompletionStream(t.Context(), userReq(model, "hi"), script))
		require.NoError(t, err)
		require.NotNil(t, col.Meta.Cost, model)
		assert.InDelta(t, want.Total, col.Meta.Cost.Total, 1e-12, model)
	}

	resp, err := llm.Completion(t.Context(), userReq("mock/demo", "hi"), script)
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.False(t, resp.Meta.Cost.Known)
	assert.Contains(t, resp.Meta.Cost.Reason, `mock model "demo" has no price`)
	col, err := llm.Collect(llm.CompletionStream(t.Context(), userReq("mock/demo", "hi"), script))
	require.NoError(t, err)
	assert.Contains(t, col.Meta.Cost.Reason, `mock model "demo" has no price`)
	tresp, err := llm.TextCompletion(t.Context(), llm.TextCompletionRequest{Model: "mock/demo", Prompt: llm.StringList{"hi"}}, script)
	require.NoError(t, err)
	assert.Contains(t, tresp.Meta.Cost.Reason, `mock model "demo" has no price`)

	// A real model string answered by a script is priced as that model; an
	// unknown one says why it has no price.
	resp, err = llm.Completion(t.Context(), userReq("openai/no-such-model", "hi"), script)
	require.NoError(t, err)
	assert.False(t, resp.Meta.Cost.Known)
	assert.Contains(t, resp.Meta.Cost.Reason, `"openai/no-such-model" is not in the table`)
}

// TestWebSearchCost: server-side web searches reported in Usage.ServerToolUse
// are billed at the table's per-search price, on top of the tokens.
// TestVideoTokenCost checks that video output tokens reach the cost table
// as video, not text: gemini-omni-flash-preview bills them at 1.75e-05, its
// text at 9e-06 (issue 12). 1,000 in * 1.5e-06 = 0.0015; 200 text *
// 9e-06 = 0.0018; 10,000 video * 1.75e-05 = 0.175; total 0.1783 (the text
// rate gave 0.0933).
func TestVideoTokenCost(t *testing.T) {
	t.Parallel()
	u := &llm.Usage{PromptTokens: 1000, CompletionTokens: 10200, TotalTokens: 11200,
		CompletionTokensDetails: llm.CompletionTokensDetails{VideoTokens: 10000}}
	script := llm.WithMockResponse(llm.MockResponse{Content: "hi", Usage: u})
	resp, err := llm.Completion(t.Context(), userReq("mock/gemini/gemini-omni-flash-preview", "hi"), script)
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known)
	assert.InDelta(t, 0.175, resp.Meta.Cost.Video, 1e-12)
	assert.InDelta(t, 0.1783, resp.Meta.Cost.Total, 1e-12)
}

func TestWebSearchCost(t *testing.T) {
	t.Parallel()
	u := &llm.Usage{PromptTokens: 1000, CompletionTokens: 100, TotalTokens: 1100,
		ServerToolUse: &llm.ServerToolUse{WebSearchRequests: 3}}
	script := llm.WithMockResponse(llm.MockResponse{Content: "hi", Usage: u})
	want, err := cost.Compute("anthropic/claude-sonnet-4-20250514", cost.Usage{PromptTokens: 1000, CompletionTokens: 100, WebSearchQueries: 3})
	require.NoError(t, err)
	require.InDelta(t, 0.03, want.WebSearch, 1e-12) // $10 per 1,000 searches

	resp, err := llm.Completion(t.Context(), userReq("mock/anthropic/claude-sonnet-4-20250514", "hi"), script)
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.InDelta(t, want.WebSearch, resp.Meta.Cost.WebSearch, 1e-12)
	assert.InDelta(t, want.Total, resp.Meta.Cost.Total, 1e-12)
}
