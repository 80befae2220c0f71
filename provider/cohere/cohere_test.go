package cohere_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/cohere"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(v map[string]any) []byte {
	b, _ := json.Marshal(v)
	return []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", v["type"], b))
}

func msgDelta(m map[string]any) map[string]any { return map[string]any{"message": m} }

func streamFrames(pieces []string, u llm.Usage) [][]byte {
	frames := [][]byte{
		frame(map[string]any{"type": "message-start", "id": "abc", "delta": msgDelta(map[string]any{"role": "assistant", "content": []any{}, "tool_calls": []any{}})}),
		frame(map[string]any{"type": "content-start", "index": 0, "delta": msgDelta(map[string]any{"content": map[string]any{"type": "text", "text": ""}})}),
	}
	for _, p := range pieces {
		frames = append(frames, frame(map[string]any{"type": "content-delta", "index": 0, "delta": msgDelta(map[string]any{"content": map[string]any{"text": p}})}))
	}
	return append(frames,
		frame(map[string]any{"type": "content-end", "index": 0}),
		frame(map[string]any{"type": "message-end", "delta": map[string]any{"finish_reason": "COMPLETE",
			"usage": map[string]any{"billed_units": map[string]any{"input_tokens": 3, "output_tokens": u.CompletionTokens},
				"tokens": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}}}}))
}

func errorBody(msg string) string {
	b, _ := json.Marshal(map[string]string{"id": "e7b1c2", "message": msg})
	return string(b)
}

// unknownFrames are stream events with what this translator does not know:
// an event of a new type (with fields of known events' names in other
// shapes), kept under PSFUnknown, and a content item (index 1) of a new
// type with a delta of a new shape.
func unknownFrames() [][]byte {
	return [][]byte{
		frame(map[string]any{"type": providertest.UnknownType, "index": "zero", "delta": 5, providertest.UnknownType: 1}),
		frame(map[string]any{"type": "content-start", "index": 1, "delta": msgDelta(map[string]any{"content": providertest.UnknownBlock()})}),
		frame(map[string]any{"type": "content-delta", "index": 1, "delta": msgDelta(map[string]any{"content": map[string]any{"text": "not the answer", providertest.UnknownType: []any{1}}})}),
		frame(map[string]any{"type": "content-end", "index": 1, providertest.UnknownType: 1}),
	}
}

var harness = providertest.Harness{
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"id": "abc", "finish_reason": "COMPLETE", providertest.UnknownType: 1,
			"message": map[string]any{"role": "assistant", "content": []any{providertest.UnknownBlock(), map[string]any{"type": "text", "text": text}}},
			"usage":   map[string]any{"tokens": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}}})
		return b
	},
	UnknownFrames: unknownFrames,
	UnknownKey:    cohere.PSFUnknown,
	Model:         "cohere/command-a-03-2025",
	Options: func(base string) []llm.Option {
		return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey("co-test")}
	},
	Completion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"id": "abc", "finish_reason": "COMPLETE",
			"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": text}}},
			"usage":   map[string]any{"tokens": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}}})
		return b
	},
	StreamFrames:      streamFrames,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte("event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\",\"error\":\"internal generation error\"}}\n\n"),
	StreamErrorKind:   llm.KindServer,
	KeyEnv:            "COHERE_API_KEY",
	ErrorEventFrame: func(msg string) []byte {
		b, _ := json.Marshal(map[string]any{"type": "message-end", "delta": map[string]any{"finish_reason": "ERROR", "error": msg}})
		return []byte("event: message-end\ndata: " + string(b) + "\n\n")
	},
	MalformedFrame: []byte("event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":42}}}}\n\n"),
	EnvelopeBody:   errorBody("too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4154."),
	EnvelopeKind:   llm.KindContextWindowExceeded,
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: errorBody("invalid request: message must be at least 1 token long"), Kind: llm.KindInvalidRequest},
		{Name: "400 too many tokens", Status: 400, Body: errorBody("too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4154. Try using a shorter preamble or fewer chat turns."), Kind: llm.KindContextWindowExceeded},
		{Name: "401", Status: 401, Body: errorBody("invalid api token"), Kind: llm.KindAuthentication},
		{Name: "402", Status: 402, Body: errorBody("Please add or update your payment method at https://dashboard.cohere.com/billing"), Kind: llm.KindQuotaExceeded},
		{Name: "403", Status: 403, Body: errorBody("You do not have access to this model"), Kind: llm.KindPermissionDenied},
		{Name: "404", Status: 404, Body: errorBody("model 'command-z' not found, make sure the correct model ID was used and that you have access to the model."), Kind: llm.KindNotFound},
		{Name: "422", Status: 422, Body: errorBody("invalid json"), Kind: llm.KindInvalidRequest},
		{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"5"}}, Body: errorBody("You are using a Trial key, which is limited to 10 API calls / minute."), Kind: llm.KindRateLimit},
		{Name: "498", Status: 498, Body: errorBody("blocked output: please adjust your prompt and try again"), Kind: llm.KindContentPolicy},
		{Name: "499", Status: 499, Body: errorBody("request cancelled by user"), Kind: llm.KindCanceled},
		{Name: "500", Status: 500, Body: errorBody("internal server error"), Kind: llm.KindServer},
		{Name: "501", Status: 501, Body: errorBody("not implemented"), Kind: llm.KindUnsupported},
		{Name: "503", Status: 503, Body: errorBody("service unavailable"), Kind: llm.KindOverloaded},
		{Name: "504", Status: 504, Body: errorBody("gateway timeout"), Kind: llm.KindTimeout},
		{Name: "502 html", Status: 502, Body: "<html>bad gateway</html>", Kind: llm.KindServer},
	},
}

func TestConformance(t *testing.T) {
	providertest.Run(t, harness)
}

func fullRequest() llm.CompletionRequest {
	strict := true
	return llm.CompletionRequest{
		Model: "cohere/command-a-03-2025",
		Messages: []llm.Message{
			llm.SystemText("You are a helpful assistant."),
			llm.UserParts(llm.Part{Type: llm.PartText, Text: "What is in this image, and what's the weather in Toronto?"},
				llm.Part{Type: llm.PartImageURL, ImageURL: &llm.ImageURL{URL: "https://example.com/cat.png", Detail: "low"}}),
			{Role: llm.RoleAssistant, ReasoningContent: "I will look up the weather in Toronto.",
				ProviderSpecificFields: map[string]any{cohere.PSFToolPlan: "I will look up the weather in Toronto."}, ToolCalls: []llm.ToolCall{
					{ID: "get_weather_1byjy32y4hvq", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"location":"Toronto"}`}}}},
			llm.ToolResult("get_weather_1byjy32y4hvq", `{"temperature": 11}`),
			llm.AssistantText("It is 11°C in Toronto."),
			llm.UserText("Thanks! Cite the docs for the cat."),
		},
		Tools: []llm.Tool{{Type: "function", Function: &llm.Function{Name: "get_weather", Description: "Gets the weather of a given location",
			Parameters: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}`), Strict: &strict}}},
		ToolChoice: llm.ToolChoiceRequired,
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "answer",
			Schema: json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string"}}}`)}},
		MaxTokens: 300, Stop: llm.StringList{"END"}, Temperature: llm.Ptr(0.3), Seed: llm.Ptr(int64(7)),
		FrequencyPenalty: llm.Ptr(0.1), PresencePenalty: llm.Ptr(0.2), TopP: llm.Ptr(0.75), ReasoningEffort: "medium",
		Extra: map[string]any{"k": 40, "documents": []any{map[string]any{"id": "doc-1", "data": map[string]any{"title": "Cats", "snippet": "Cats are small felines."}}}},
	}
}

func TestRequestWire(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "chat.request.json")
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v2/chat", r.URL.Path)
		assert.Equal(t, "Bearer co-key", r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "yes", r.Header.Get("X-Extra"))
		assert.JSONEq(t, string(wire), string(body))
	}, "application/json", providertest.Fixture(t, "chat.response.json"))
	req := fullRequest()
	before, _ := json.Marshal(req)
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("co-key"), llm.WithHeader("X-Extra", "yes"), llm.WithRawResponse())
	require.NoError(t, err)
	after, _ := json.Marshal(req)
	assert.JSONEq(t, string(before), string(after), "the caller's request is not modified")

	assert.Equal(t, "c14c80c3-18eb-4519-9460-6c92edd8cfb4", resp.ID)
	assert.Equal(t, "command-a-03-2025", resp.Model)
	assert.Equal(t, `{"answer": "A cat, a small feline."}`, resp.Text())
	c := resp.Choices[0]
	assert.Equal(t, llm.FinishStop, c.FinishReason)
	assert.Equal(t, "The document says cats are small felines.", c.Message.ReasoningContent)
	assert.Equal(t, &llm.Usage{PromptTokens: 1330, CompletionTokens: 40, TotalTokens: 1370,
		PromptTokensDetails: llm.PromptTokensDetails{CachedTokens: 1024}}, resp.Usage)
	assert.Equal(t, cohere.BilledUnits{InputTokens: 120, OutputTokens: 14}, c.Message.ProviderSpecificFields["billed_units"])
	cites, ok := c.Message.ProviderSpecificFields["citations"].([]cohere.Citation)
	require.True(t, ok)
	require.Len(t, cites, 1)
	assert.Equal(t, "a small feline.", cites[0].Text)
	assert.Equal(t, "TEXT_CONTENT", cites[0].Type)
	assert.Equal(t, "cohere", resp.Meta.Provider)
	assert.JSONEq(t, string(providertest.Fixture(t, "chat.response.json")), string(resp.Meta.Raw))
}

func TestStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"chat", "tools"} {
		stream, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
			assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
			var m map[string]any
			require.NoError(t, json.Unmarshal(body, &m))
			assert.Equal(t, true, m["stream"])
		}, "text/event-stream", providertest.Fixture(t, name+".sse"))
		whole, _ := providertest.Server(t, nil, "application/json", providertest.Fixture(t, name+".response.json"))
		req := llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.UserText("hi")}}
		opts := []llm.Option{llm.WithAPIKey("k")}
		got, err := llm.Collect(llm.CompletionStream(t.Context(), req, append(opts, llm.WithBaseURL(stream.URL))...))
		require.NoError(t, err, name)
		want, err := llm.Completion(t.Context(), req, append(opts, llm.WithBaseURL(whole.URL))...)
		require.NoError(t, err, name)
		assert.Equal(t, want.Choices, got.Choices, name)
		assert.Equal(t, want.Usage, got.Usage, name)
		assert.Equal(t, want.ID, got.ID, name)
		assert.Equal(t, want.Model, got.Model, name)
	}
}

func TestStreamTools(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, nil, "text/event-stream", providertest.Fixture(t, "tools.sse"))
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	var starts []llm.ToolCallDelta
	for i, c := range chunks {
		if i < len(chunks)-1 {
			assert.Nil(t, c.Usage, "usage on the last chunk only")
		}
		for _, d := range c.Choices[0].Delta.ToolCalls {
			if d.ID != "" {
				starts = append(starts, d)
			}
		}
	}
	require.Len(t, starts, 2)
	assert.Equal(t, llm.ToolCallDelta{Index: 0, ID: "get_weather_1byjy32y4hvq", Type: "function", Function: llm.FunctionCallDelta{Name: "get_weather"}}, starts[0])
	assert.Equal(t, 1, starts[1].Index)
	last := chunks[len(chunks)-1]
	assert.Equal(t, llm.FinishToolCalls, last.Choices[0].FinishReason)
	assert.Equal(t, 996, last.Usage.TotalTokens)
}

func TestFinishReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason string
		want   string
		kind   llm.Kind
	}{
		{"COMPLETE", llm.FinishStop, 0},
		{"STOP_SEQUENCE", llm.FinishStop, 0},
		{"MAX_TOKENS", llm.FinishLength, 0},
		{"TOOL_CALL", llm.FinishToolCalls, 0},
		{"ERROR", "", llm.KindServer},
		{"TIMEOUT", "", llm.KindTimeout},
	}
	for _, tc := range cases {
		body := fmt.Sprintf(`{"id":"x","finish_reason":%q,"message":{"role":"assistant","content":[{"type":"text","text":"partial"}]}}`, tc.reason)
		sse := "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"x\"}\n\n" +
			"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"partial\"}}}}\n\n" +
			fmt.Sprintf("event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":%q}}\n\n", tc.reason)
		whole, _ := providertest.Server(t, nil, "application/json", []byte(body))
		stream, _ := providertest.Server(t, nil, "text/event-stream", []byte(sse))
		req := llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}}
		resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"))
		sresp, serr := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL), llm.WithAPIKey("k")))
		if tc.kind != 0 {
			assert.Equal(t, tc.kind, llm.KindOf(err), tc.reason)
			assert.Equal(t, tc.kind, llm.KindOf(serr), tc.reason)
			assert.Equal(t, "partial", sresp.Text(), "the text before the error is kept")
			continue
		}
		require.NoError(t, err, tc.reason)
		require.NoError(t, serr, tc.reason)
		assert.Equal(t, tc.want, resp.Choices[0].FinishReason, tc.reason)
		assert.Equal(t, tc.want, sresp.Choices[0].FinishReason, tc.reason)
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	hits := 0
	srv, _ := providertest.Server(t, func(*testing.T, *http.Request, []byte) { hits++ }, "application/json", providertest.Fixture(t, "chat.response.json"))
	user := llm.UserText("hi")
	cases := []struct {
		name string
		req  llm.CompletionRequest
		kind llm.Kind
	}{
		{"named tool choice", llm.CompletionRequest{Messages: []llm.Message{user}, Tools: []llm.Tool{llm.FunctionTool("f", "", "")},
			ToolChoice: llm.ToolChoiceFunction("f")}, llm.KindUnsupported},
		{"n", llm.CompletionRequest{Messages: []llm.Message{user}, N: 3}, llm.KindUnsupported},
		{"web search (a server tool Cohere lacks)", llm.CompletionRequest{Messages: []llm.Message{user}, WebSearchOptions: &llm.WebSearchOptions{}}, llm.KindUnsupported},
		{"top_logprobs", llm.CompletionRequest{Messages: []llm.Message{user}, Logprobs: true, TopLogprobs: llm.Ptr(2)}, llm.KindUnsupported},
		{"audio", llm.CompletionRequest{Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartInputAudio, InputAudio: &llm.InputAudio{Data: "AA", Format: "wav"}})}}, llm.KindUnsupported},
		{"image in system", llm.CompletionRequest{Messages: []llm.Message{{Role: llm.RoleSystem, Content: llm.Parts(llm.Part{Type: llm.PartImageURL, ImageURL: &llm.ImageURL{URL: "https://x/y.png"}})}}}, llm.KindInvalidRequest},
	}
	for _, tc := range cases {
		tc.req.Model = "cohere/command-r"
		_, err := llm.Completion(t.Context(), tc.req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		assert.Equal(t, tc.kind, llm.KindOf(err), "%s: %v", tc.name, err)
	}
	assert.Zero(t, hits)
}

func TestMissingKey(t *testing.T) {
	t.Setenv("COHERE_API_KEY", "")
	t.Setenv("CO_API_KEY", "")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL("http://127.0.0.1:1"))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "COHERE_API_KEY")
}

func TestEnv(t *testing.T) {
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "Bearer co-from-env", r.Header.Get("Authorization"))
		assert.Equal(t, "/proxy/v2/chat", r.URL.Path)
	}, "application/json", providertest.Fixture(t, "chat.response.json"))
	t.Setenv("COHERE_API_KEY", "")
	t.Setenv("CO_API_KEY", "co-from-env")
	t.Setenv("COHERE_API_BASE", srv.URL+"/proxy/")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
}

func TestTruncatedStream(t *testing.T) {
	t.Parallel()
	b := providertest.Fixture(t, "tools.sse")
	srv, _ := providertest.Server(t, nil, "text/event-stream", b[:len(b)-300])
	_, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF) || llm.KindOf(err) == llm.KindBadResponse, err)
}

func TestErrorIn200(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, nil, "application/json", []byte(errorBody("too many tokens: prompt is too long")))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "cohere/command-r", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	assert.ErrorIs(t, err, llm.ErrContextWindowExceeded)
}
