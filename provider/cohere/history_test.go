package cohere_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/cohere"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThinkingRoundTrip replays the documented tool-use answer of a
// reasoning model (cohere-openapi.yaml, POST /v2/chat, example "Tools": a
// thinking content block beside tool_calls, no tool_plan) and sends the
// history back: each assistant turn's reasoning goes back as a thinking
// content block (AssistantMessageV2 content takes text and thinking), with
// or without tool calls, never as a tool_plan the model did not write.
func TestThinkingRoundTrip(t *testing.T) {
	t.Parallel()
	first, _ := providertest.Server(t, nil, "application/json", providertest.Fixture(t, "thinking.response.json"))
	opts := []llm.Option{llm.WithAPIKey("k")}
	user := llm.UserText("Can you provide a sales summary for 29th September 2023, and also give me some details about the products in the 'Electronics' category, for example their prices and stock levels?")
	req := llm.CompletionRequest{Model: "cohere/command-a-reasoning-08-2025", Messages: []llm.Message{user}}
	resp, err := llm.Completion(t.Context(), req, append(opts, llm.WithBaseURL(first.URL))...)
	require.NoError(t, err)
	turn := resp.Choices[0].Message
	require.Len(t, turn.ToolCalls, 2)

	wire := providertest.Fixture(t, "thinking.request.json")
	second, _ := providertest.Server(t, func(t *testing.T, _ *http.Request, body []byte) {
		assert.JSONEq(t, string(wire), string(body))
	}, "application/json", providertest.Fixture(t, "chat.response.json"))
	req.Messages = append(req.Messages, turn,
		llm.ToolResult("query_daily_sales_report_hgxxmkby3wta", `{"total_sales_amount": 10000, "total_units_sold": 250}`),
		llm.ToolResult("query_product_catalog_rpg0z5h8yyz2", `{"products": [{"name": "Laptop", "price": 999.99}]}`),
		llm.Message{Role: llm.RoleAssistant, ReasoningContent: "The tools returned the sales and the catalog.",
			Content: llm.Text("On 29 September 2023 sales were $10,000 (250 units); a Laptop costs $999.99.")},
		llm.UserText("And the day before?"))
	_, err = llm.Completion(t.Context(), req, append(opts, llm.WithBaseURL(second.URL))...)
	require.NoError(t, err)
}

// TestToolPlanRoundTrip: a tool_plan (older command models) comes back as
// reasoning and is kept in ProviderSpecificFields["tool_plan"], so that it
// goes back as tool_plan, not as thinking content, streamed or not.
func TestToolPlanRoundTrip(t *testing.T) {
	t.Parallel()
	const plan = "I will look up the weather in Toronto and Paris."
	whole, _ := providertest.Server(t, nil, "application/json", providertest.Fixture(t, "tools.response.json"))
	stream, _ := providertest.Server(t, nil, "text/event-stream", providertest.Fixture(t, "tools.sse"))
	req := llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("weather?")}}
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	for _, r := range []*llm.CompletionResponse{resp, sresp} {
		m := r.Choices[0].Message
		assert.Equal(t, plan, m.ReasoningContent)
		assert.Equal(t, plan, m.ProviderSpecificFields[cohere.PSFToolPlan])
		back, _ := providertest.Server(t, func(t *testing.T, _ *http.Request, body []byte) {
			var w struct {
				Messages []json.RawMessage `json:"messages"`
			}
			require.NoError(t, json.Unmarshal(body, &w))
			require.Len(t, w.Messages, 2)
			var a map[string]any
			require.NoError(t, json.Unmarshal(w.Messages[1], &a))
			assert.Equal(t, plan, a["tool_plan"])
			assert.Nil(t, a["content"], "no thinking block repeats the plan")
		}, "application/json", providertest.Fixture(t, "chat.response.json"))
		next := req
		next.Messages = append([]llm.Message{req.Messages[0]}, m)
		_, err := llm.Completion(t.Context(), next, llm.WithBaseURL(back.URL), llm.WithAPIKey("k"))
		require.NoError(t, err)
	}
}

// TestLenientAnswers: the v2 contract requires id, finish_reason and
// message, but an answer that has a message and lacks the others is still
// an answer: tool calls with no finish reason finish with tool_calls, text
// with stop; a body with no message object is refused.
func TestLenientAnswers(t *testing.T) {
	t.Parallel()
	calls := `"tool_calls":[{"id":"get_weather_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Toronto\"}"}}]`
	cases := []struct {
		name, body, finish string
		kind               llm.Kind
	}{
		{"tool calls, no finish_reason", `{"id":"a","message":{"role":"assistant",` + calls + `}}`, llm.FinishToolCalls, 0},
		{"tool calls, no id, no finish_reason", `{"message":{"role":"assistant",` + calls + `}}`, llm.FinishToolCalls, 0},
		{"text, no id", `{"finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"hi"}]}}`, llm.FinishStop, 0},
		{"text, no id, no finish_reason", `{"message":{"role":"assistant","content":[{"type":"text","text":"hi"}]}}`, llm.FinishStop, 0},
		{"no message", `{"id":"a","finish_reason":"COMPLETE"}`, "", llm.KindBadResponse},
		{"empty object", `{}`, "", llm.KindBadResponse},
		{"message not an object", `{"id":"a","finish_reason":"COMPLETE","message":[1]}`, "", llm.KindBadResponse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := providertest.Server(t, nil, "application/json", []byte(tc.body))
			resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}},
				llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
			if tc.kind != 0 {
				require.Error(t, err)
				assert.Equal(t, tc.kind, llm.KindOf(err), "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.finish, resp.Choices[0].FinishReason)
		})
	}
}

// TestStreamToolCallsWithoutFinishReason: a stream whose message-end has
// no finish_reason after tool calls finishes with tool_calls.
func TestStreamToolCallsWithoutFinishReason(t *testing.T) {
	t.Parallel()
	sse := "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"x\"}\n\n" +
		"event: tool-call-start\ndata: {\"type\":\"tool-call-start\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}}}}\n\n" +
		"event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{}}\n\n"
	srv, _ := providertest.Server(t, nil, "text/event-stream", []byte(sse))
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, llm.FinishToolCalls, resp.Choices[0].FinishReason)
}

// TestUnknownContentKept: a content block or stream event of a type this
// translator does not know does not fail the call; it is kept raw in
// ProviderSpecificFields[PSFUnknown].
func TestUnknownContentKept(t *testing.T) {
	t.Parallel()
	body := `{"id":"a","finish_reason":"COMPLETE","message":{"role":"assistant","content":[` +
		`{"type":"text","text":"hi"},{"type":"hologram","hologram":{"frames":[1,2]},"text":{"not":"a string"}}]}}`
	sse := "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"a\"}\n\n" +
		"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"hi\"}}}}\n\n" +
		"event: hologram-delta\ndata: {\"type\":\"hologram-delta\",\"delta\":{\"message\":{\"content\":{\"text\":{\"not\":\"a string\"}}}}}\n\n" +
		"event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\"}}\n\n"
	whole, _ := providertest.Server(t, nil, "application/json", []byte(body))
	stream, _ := providertest.Server(t, nil, "text/event-stream", []byte(sse))
	req := llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}}
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, "hi", resp.Text())
	raw, ok := resp.Choices[0].Message.ProviderSpecificFields[cohere.PSFUnknown].([]json.RawMessage)
	require.True(t, ok, "%#v", resp.Choices[0].Message.ProviderSpecificFields)
	require.Len(t, raw, 1)
	assert.JSONEq(t, `{"type":"hologram","hologram":{"frames":[1,2]},"text":{"not":"a string"}}`, string(raw[0]))

	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, "hi", sresp.Text())
	raw, ok = sresp.Choices[0].Message.ProviderSpecificFields[cohere.PSFUnknown].([]json.RawMessage)
	require.True(t, ok)
	require.Len(t, raw, 1)
	assert.Contains(t, string(raw[0]), "hologram-delta")
}
