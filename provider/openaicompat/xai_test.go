package openaicompat_test

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestXAIReasoningTokens checks that xAI's usage is brought to OpenAI's
// meaning. xAI counts reasoning tokens beside completion_tokens, not inside
// it: Google's documentation of Grok on Vertex says "the reasoning token
// count is outputted in the reasoning_tokens field, separated from the
// completion_tokens", and its example answer, testdata/xai.response.json
// (https://docs.cloud.google.com/vertex-ai/generative-ai/docs/partner-models/grok/capabilities/reasoning),
// has 663 prompt + 50 completion + 124 reasoning = 837 total. Read as
// OpenAI's, the 124 reasoning tokens would be capped at the 50 completion
// tokens and mostly go unbilled; normalised, completion_tokens is 174 and
// the cost prices all of them.
func TestXAIReasoningTokens(t *testing.T) {
	t.Parallel()
	want := llm.Usage{PromptTokens: 663, CompletionTokens: 174, TotalTokens: 837,
		PromptTokensDetails:     llm.PromptTokensDetails{CachedTokens: 654, TextTokens: 663},
		CompletionTokensDetails: llm.CompletionTokensDetails{ReasoningTokens: 124}}
	// grok-4-1-fast-reasoning: $0.20/M in, $0.05/M cached, $0.50/M out.
	const wantCost = 9*0.2e-6 + 654*0.05e-6 + (50+124)*0.5e-6

	t.Run("response", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, "application/json", providertest.Fixture(t, "xai.response.json"))
		resp, err := llm.Completion(t.Context(), chatRequest(t, "xai/grok-4-1-fast-reasoning"), w.client(), llm.WithAPIKey("xai-1"))
		require.NoError(t, err)
		assert.Equal(t, "https://api.x.ai/v1/chat/completions", w.rw.last())
		require.NotNil(t, resp.Usage)
		assert.Equal(t, want, *resp.Usage)
		require.NotNil(t, resp.Meta.Cost)
		assert.True(t, resp.Meta.Cost.Known)
		assert.InDelta(t, wantCost, resp.Meta.Cost.Total, 1e-12)
		assert.InDelta(t, 124*0.5e-6, resp.Meta.Cost.Reasoning, 1e-12)
	})
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		_, chunks := stream(t, "xai/grok-4-1-fast-reasoning", "xai.sse")
		got := collect(chunks)
		assert.Equal(t, "I am Grok, an AI assistant built by xAI...", got.Text())
		assert.Equal(t, "The user asks who I am.", got.Choices[0].Message.ReasoningContent)
		require.NotNil(t, got.Usage)
		assert.Equal(t, want, *got.Usage)
		last := chunks[len(chunks)-1]
		require.NotNil(t, last.Meta)
		require.NotNil(t, last.Meta.Cost)
		assert.InDelta(t, wantCost, last.Meta.Cost.Total, 1e-12)
	})
	t.Run("already OpenAI's meaning", func(t *testing.T) {
		t.Parallel()
		// Through a gateway that normalised it already (total =
		// prompt + completion), the usage is left as it is.
		body := `{"id":"1","object":"chat.completion","created":1,"model":"grok-4-1-fast-reasoning","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":163,"completion_tokens":241,"total_tokens":404,"completion_tokens_details":{"reasoning_tokens":204}}}`
		w := newWire(t, "application/json", []byte(body))
		resp, err := llm.Completion(t.Context(), chatRequest(t, "xai/grok-4-1-fast-reasoning"), w.client(), llm.WithAPIKey("xai-1"))
		require.NoError(t, err)
		assert.Equal(t, 241, resp.Usage.CompletionTokens)
		assert.Equal(t, 404, resp.Usage.TotalTokens)
	})
}
