package openaicompat_test

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MiniMax's M2 models answer with their reasoning inside the content, in
// <think> tags, unless the request sets reasoning_split, which returns it in
// message.reasoning_details instead; the reasoning must go back with the
// history (https://platform.minimax.io/docs/api-reference/text-openai-api).
// The fixtures follow that page's examples.

func TestMiniMaxThinkTags(t *testing.T) {
	t.Parallel()
	const reasoning = "The user greets me and asks how I am. Reply warmly."
	t.Run("response", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, "application/json", providertest.Fixture(t, "minimax.response.json"))
		resp, err := llm.Completion(t.Context(), chatRequest(t, "minimax/MiniMax-M2"), w.client(), llm.WithAPIKey("mm-1"))
		require.NoError(t, err)
		assert.Equal(t, "https://api.minimax.io/v1/chat/completions", w.rw.last())
		assert.Equal(t, "Hi! I'm doing well, thanks for asking.", resp.Text())
		assert.Equal(t, reasoning, resp.Choices[0].Message.ReasoningContent)
	})
	t.Run("reasoning_split", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, "application/json", providertest.Fixture(t, "minimax_split.response.json"))
		req := chatRequest(t, "minimax/MiniMax-M2")
		req.Extra = map[string]any{"reasoning_split": true}
		resp, err := llm.Completion(t.Context(), req, w.client(), llm.WithAPIKey("mm-1"))
		require.NoError(t, err)
		_, body := w.Last()
		assert.Contains(t, string(body), `"reasoning_split":true`)
		assert.Equal(t, "Hi! I'm doing well, thanks for asking.", resp.Text())
		assert.Equal(t, reasoning, resp.Choices[0].Message.ReasoningContent)
	})
	t.Run("stream, tags split across chunks", func(t *testing.T) {
		t.Parallel()
		_, chunks := stream(t, "minimax/MiniMax-M2", "minimax.sse")
		got := collect(chunks)
		assert.Equal(t, "The user greets me\nand asks how I am. Reply warmly.", got.Choices[0].Message.ReasoningContent)
		// A "<" that starts no tag, and a tag begun but never finished,
		// stay text.
		assert.Equal(t, "Hi! I'm doing well, thanks for asking. a<b <think", got.Text())
		for _, c := range chunks {
			for _, ch := range c.Choices {
				assert.NotContains(t, ch.Delta.Content, "think>", "no tag reaches a delta")
			}
		}
		assert.Equal(t, 70, got.Usage.TotalTokens)
	})
	t.Run("history", func(t *testing.T) {
		t.Parallel()
		// The reasoning goes back inside the content, as MiniMax asks.
		w := newWire(t, "application/json", providertest.Fixture(t, "minimax.response.json"))
		req := llm.CompletionRequest{Model: "minimax/MiniMax-M2", Messages: []llm.Message{
			llm.UserText("Hi, how are you?"),
			{Role: llm.RoleAssistant, Content: llm.Text("Hi! I'm doing well."), ReasoningContent: "Reply warmly."},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: "{}"}}}, ReasoningContent: "Call f."},
			{Role: llm.RoleAssistant, Content: llm.Text("<think>\nkept\n</think>\n\nAs sent."), ReasoningContent: "kept"},
			llm.UserText("And now?"),
		}}
		_, err := llm.Completion(t.Context(), req, w.client(), llm.WithAPIKey("mm-1"))
		require.NoError(t, err)
		_, body := w.Last()
		assert.JSONEq(t, `{"model":"MiniMax-M2","messages":[
			{"role":"user","content":"Hi, how are you?"},
			{"role":"assistant","content":"<think>\nReply warmly.\n</think>\n\nHi! I'm doing well."},
			{"role":"assistant","content":"<think>\nCall f.\n</think>\n\n","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
			{"role":"assistant","content":"<think>\nkept\n</think>\n\nAs sent."},
			{"role":"user","content":"And now?"}]}`, string(body))
		assert.Equal(t, "Reply warmly.", req.Messages[1].ReasoningContent, "the caller's request is not changed")
		assert.Equal(t, "Hi! I'm doing well.", req.Messages[1].Content.String())
	})
}
