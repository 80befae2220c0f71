package gemini_test

import (
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idsHistory is the next turn's request body after the answer of
// testdata/function_ids.response.json, both calls answered. Built from the
// function-calling guide (https://ai.google.dev/gemini-api/docs/function-calling,
// "Always map function IDs": Gemini 3 returns a unique id with every
// functionCall; the functionResponse carries that exact id, and the call is
// sent back with it in the history).
const idsHistory = `{"contents":[
	{"role":"user","parts":[{"text":"Weather in Boston and Paris?"}]},
	{"role":"model","parts":[
		{"functionCall":{"id":"8f2b1c9a","name":"get_weather","args":{"location":"Boston"}},"thoughtSignature":"c2lnLWlk"},
		{"functionCall":{"id":"d41e7f03","name":"get_weather","args":{"location":"Paris"}}}]},
	{"role":"user","parts":[
		{"functionResponse":{"id":"8f2b1c9a","name":"get_weather","response":{"temp_c":4}}},
		{"functionResponse":{"id":"d41e7f03","name":"get_weather","response":{"output":"rain"}}}]}]}`

// TestFunctionCallIDsRoundTrip: the ids Gemini gave its function calls come
// back on the calls and on the answers, streamed or not; ids the translator
// made up (Gemini sent none) are never sent.
func TestFunctionCallIDsRoundTrip(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "function_ids.response.json")
	resp, err := gemini.DecodeResponse(raw, "gemini-3-flash-preview")
	require.NoError(t, err)

	sse := "data: " + strings.ReplaceAll(string(raw), "\n", "") + "\n\n"
	srv := replay(t, nil, "text/event-stream", []byte(sse))
	req := llm.CompletionRequest{Model: "gemini/gemini-3-flash-preview", Messages: []llm.Message{llm.UserText("hi")}}
	streamed, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)

	for name, msg := range map[string]llm.Message{"completion": resp.Choices[0].Message, "stream": streamed.Choices[0].Message} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Len(t, msg.ToolCalls, 2)
			assert.Equal(t, "8f2b1c9a", msg.ToolCalls[0].ID)
			assert.Equal(t, "d41e7f03", msg.ToolCalls[1].ID)
			msgs := []llm.Message{llm.UserText("Weather in Boston and Paris?"), msg,
				llm.ToolResult("8f2b1c9a", `{"temp_c":4}`), llm.ToolResult("d41e7f03", "rain")}
			body, err := gemini.EncodeRequest(&llm.CompletionRequest{Model: "gemini-3-flash-preview", Messages: msgs}, nil)
			require.NoError(t, err)
			assert.JSONEq(t, idsHistory, string(body))
		})
	}
	t.Run("foreign ids", func(t *testing.T) {
		t.Parallel()
		// A history from another provider: its ids are not Gemini's and stay
		// out of the request (Gemini 2.x has no ids to match them against).
		msgs := []llm.Message{llm.UserText("Weather?"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_abc123", Type: "function",
				Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"location":"Boston"}`}}}},
			llm.ToolResult("call_abc123", "sunny")}
		body, err := gemini.EncodeRequest(&llm.CompletionRequest{Model: "gemini-2.5-flash", Messages: msgs}, nil)
		require.NoError(t, err)
		assert.NotContains(t, string(body), `"id"`)
	})
}
