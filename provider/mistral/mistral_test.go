package mistral_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/mistral"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamFrames is a Mistral stream: a role chunk, a chunk per piece, and a
// finish chunk carrying the usage, then [DONE].
func streamFrames(pieces []string, u llm.Usage) [][]byte {
	base := func(delta map[string]any, finish any, usage any) []byte {
		m := map[string]any{"id": "cmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "mistral-small-latest",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
		if usage != nil {
			m["usage"] = usage
		}
		return providertest.SSE(m)
	}
	frames := [][]byte{base(map[string]any{"role": "assistant", "content": ""}, nil, nil)}
	for _, p := range pieces {
		frames = append(frames, base(map[string]any{"content": p}, nil, nil))
	}
	frames = append(frames, base(map[string]any{"content": ""}, "stop", u))
	return append(frames, []byte("data: [DONE]\n\n"))
}

// unknownChunk is a content chunk of a type Mistral may add: the
// conformance suite checks that it fails nothing and is kept raw under
// "content_chunks".
var unknownChunk = providertest.UnknownBlock()

// unknownFrames are stream events with what this translator does not know:
// a delta whose content is a list holding an unknown chunk only, with
// unknown fields at every level, and an event of an unknown name.
func unknownFrames() [][]byte {
	return [][]byte{
		providertest.SSE(map[string]any{"id": "cmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "mistral-small-latest",
			providertest.UnknownType: 1, "choices": []any{map[string]any{"index": 0, "finish_reason": nil, providertest.UnknownType: true,
				"delta": map[string]any{"content": []any{unknownChunk}, providertest.UnknownType: "x"}}}}),
		append([]byte("event: "+providertest.UnknownType+"\n"), providertest.SSE(map[string]any{"id": "cmpl-1", "object": providertest.UnknownType, "choices": []any{}})...),
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		UnknownCompletion: func(text string, u llm.Usage) []byte {
			b, _ := json.Marshal(map[string]any{
				"id": "cmpl-1", "object": "chat.completion", "created": 1, "model": "mistral-small-latest", providertest.UnknownType: 1,
				"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant",
					"content": []any{map[string]any{"type": "text", "text": text}, unknownChunk}, "tool_calls": nil}}},
				"usage": u,
			})
			return b
		},
		UnknownFrames: unknownFrames,
		UnknownKey:    "content_chunks",
		Model:         "mistral/mistral-small-latest",
		Options: func(base string) []llm.Option {
			return []llm.Option{llm.WithBaseURL(base + "/v1"), llm.WithAPIKey("mistral-test-key")}
		},
		Completion: func(text string, u llm.Usage) []byte {
			b, _ := json.Marshal(map[string]any{
				"id": "cmpl-1", "object": "chat.completion", "created": 1, "model": "mistral-small-latest",
				"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text, "tool_calls": nil}, "finish_reason": "stop"}},
				"usage":   u,
			})
			return b
		},
		StreamFrames:      streamFrames,
		StreamContentType: "text/event-stream",
		StreamErrorFrame:  []byte(`data: {"object":"error","message":"Service tier capacity exceeded for this model.","type":"service_tier_capacity_exceeded","param":null,"code":"3505"}` + "\n\n"),
		KeyEnv:            "MISTRAL_API_KEY",
		ErrorEventFrame: func(msg string) []byte {
			return providertest.SSE(map[string]any{"object": "error", "message": msg, "type": "internal_error", "code": "1000"})
		},
		StreamErrorKind: llm.KindServer,
		MalformedFrame:  []byte("data: {\"id\":\"cmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\n"),
		EnvelopeBody:    `{"object":"error","message":"Service unavailable.","type":"service_unavailable","param":null,"code":"1000"}`,
		EnvelopeKind:    llm.KindOverloaded,
		ManyChoices:     func(n int) []byte { return providertest.ChatCompletionChoices("mistral-large-latest", n) },
		Errors: []providertest.ErrorCase{
			{Name: "400", Status: 400, Body: `{"object":"error","message":"Invalid model: mistral-huge","type":"invalid_model","param":null,"code":"1500"}`, Kind: llm.KindInvalidRequest},
			{Name: "400 context", Status: 400, Body: `{"object":"error","message":"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":null}`, Kind: llm.KindContextWindowExceeded},
			{Name: "401", Status: 401, Body: `{"message":"Unauthorized","request_id":"abc"}`, Kind: llm.KindAuthentication},
			{Name: "404", Status: 404, Body: `{"object":"error","message":"Not Found","type":"invalid_request_error","param":null,"code":null}`, Kind: llm.KindNotFound},
			{Name: "422", Status: 422, Body: string(mustRead("testdata/validation.error.json")), Kind: llm.KindInvalidRequest},
			{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"2"}}, Body: `{"message":"Requests rate limit exceeded"}`, Kind: llm.KindRateLimit},
			{Name: "500", Status: 500, Body: `{"object":"error","message":"Internal server error","type":"internal_server_error","param":null,"code":null}`, Kind: llm.KindServer},
			{Name: "503", Status: 503, Body: `{"object":"error","message":"Service unavailable","type":"service_unavailable","param":null,"code":null}`, Kind: llm.KindOverloaded},
		},
	})
}

func mustRead(name string) []byte {
	b, _ := os.ReadFile(name)
	return b
}

// wire is a recording Mistral server.
type wire struct{ *providertest.Recorder }

func newWire(t *testing.T, status int, contentType string, reply []byte) *wire {
	t.Helper()
	return &wire{providertest.NewRecorder(t, status, contentType, reply)}
}

func (w *wire) opts() []llm.Option {
	return []llm.Option{llm.WithBaseURL(w.URL + "/v1"), llm.WithAPIKey("mistral-key-1")}
}

func toolsRequest() llm.CompletionRequest {
	return llm.CompletionRequest{
		Model: "mistral/mistral-large-latest",
		Messages: []llm.Message{
			llm.SystemText("You are a weather bot."),
			llm.UserText("Weather in Paris?"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_abc123", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}},
			llm.ToolResult("call_abc123", "18C, cloudy"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "D681PevKs", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Lyon"}`}}}},
			llm.ToolResult("D681PevKs", "21C, sunny"),
		},
		Tools:               []llm.Tool{llm.FunctionTool("get_weather", "Current weather", `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
		ToolChoice:          llm.ToolChoiceAuto,
		ResponseFormat:      &llm.ResponseFormat{Type: "json_object"},
		Temperature:         llm.Ptr(0.3),
		Seed:                llm.Ptr[int64](42),
		MaxCompletionTokens: 200,
		Extra:               map[string]any{"safe_prompt": true},
	}
}

func TestToolsWire(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "application/json", providertest.Fixture(t, "tools.response.json"))
	req := toolsRequest()
	resp, err := llm.Completion(t.Context(), req, w.opts()...)
	require.NoError(t, err)

	r, body := w.Last()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v1/chat/completions", r.URL.Path)
	assert.Equal(t, "Bearer mistral-key-1", r.Header.Get("Authorization"))
	mapped := mistral.ToolCallID("call_abc123")
	want := strings.ReplaceAll(string(providertest.Fixture(t, "tools.request.json")), "%CALL1%", mapped)
	assert.JSONEq(t, want, string(body), "seed is random_seed, max_completion_tokens is max_tokens, ids are Mistral's, safe_prompt from Extra")
	assert.Equal(t, "call_abc123", req.Messages[2].ToolCalls[0].ID, "the caller's request is not modified")

	require.Len(t, resp.Choices, 1)
	c := resp.Choices[0]
	assert.Equal(t, llm.FinishToolCalls, c.FinishReason)
	assert.Equal(t, []llm.ToolCall{
		{ID: "aB3dE5gH7", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city": "Nice"}`}},
		{ID: "Zz9Yy8Xx7", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Lille"}`}},
	}, c.Message.ToolCalls, "object arguments become a JSON string")
	assert.Equal(t, llm.Usage{PromptTokens: 83, CompletionTokens: 25, TotalTokens: 108}, *resp.Usage)
	assert.Equal(t, "mistral", resp.Meta.Provider)
}

func TestToolCallID(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[a-zA-Z0-9]{9}$`)
	for _, id := range []string{"call_abc123", "toolu_01A09q90qw90lq917835lq9", "x", "", "call_ABC-123_ünïcode", "D681PevKs"} {
		got := mistral.ToolCallID(id)
		assert.Regexp(t, valid, got, "id %q", id)
		assert.Equal(t, got, mistral.ToolCallID(id), "stable for %q", id)
	}
	assert.Equal(t, "D681PevKs", mistral.ToolCallID("D681PevKs"), "a Mistral id is kept")
	assert.NotEqual(t, mistral.ToolCallID("call_1"), mistral.ToolCallID("call_2"))
}

func TestUnsupportedParams(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "application/json", providertest.Fixture(t, "magistral.response.json"))
	req := llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{llm.UserText("hi")}, User: "u-1", Logprobs: true}
	_, err := llm.Completion(t.Context(), req, w.opts()...)
	require.ErrorIs(t, err, llm.ErrUnsupported)
	assert.Contains(t, err.Error(), "logprobs")
	r, _ := w.Last()
	assert.Nil(t, r, "no request is sent")

	_, err = llm.Completion(t.Context(), req, append(w.opts(), llm.WithDropUnsupportedParams())...)
	require.NoError(t, err)
	_, body := w.Last()
	assert.JSONEq(t, `{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}]}`, string(body))
}

func TestMagistralReasoning(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "application/json", providertest.Fixture(t, "magistral.response.json"))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "mistral/magistral-medium-latest",
		Messages: []llm.Message{llm.UserText("2+2?")}, Extra: map[string]any{"prompt_mode": "reasoning"}}, w.opts()...)
	require.NoError(t, err)
	_, body := w.Last()
	assert.JSONEq(t, `{"model":"magistral-medium-latest","messages":[{"role":"user","content":"2+2?"}],"prompt_mode":"reasoning"}`, string(body))
	assert.Equal(t, "The answer is 4.", resp.Text())
	assert.Equal(t, "2 and 2 make 4.", resp.Choices[0].Message.ReasoningContent)
	assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
}

func streamAll(t *testing.T, w *wire, req llm.CompletionRequest) []*llm.Chunk {
	t.Helper()
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), req, w.opts()...) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.NotEmpty(t, chunks)
	for i, c := range chunks[:len(chunks)-1] {
		assert.Nil(t, c.Usage, "chunk %d carries usage; only the last may", i)
	}
	return chunks
}

func collect(chunks []*llm.Chunk) *llm.CompletionResponse {
	var acc llm.Accumulator
	for _, c := range chunks {
		acc.Add(c)
	}
	return acc.Response()
}

func TestMagistralStream(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "text/event-stream", providertest.Fixture(t, "magistral.sse"))
	chunks := streamAll(t, w, llm.CompletionRequest{Model: "mistral/magistral-medium-latest", Messages: []llm.Message{llm.UserText("2+2?")}})
	_, body := w.Last()
	assert.JSONEq(t, `{"model":"magistral-medium-latest","messages":[{"role":"user","content":"2+2?"}],"stream":true}`, string(body), "no stream_options")
	got := collect(chunks)
	assert.Equal(t, "The answer is 4.", got.Text())
	assert.Equal(t, "2 and 2 make 4.", got.Choices[0].Message.ReasoningContent)
	assert.Equal(t, llm.FinishStop, got.Choices[0].FinishReason)
	assert.Equal(t, 80, got.Usage.TotalTokens)
	assert.Empty(t, chunks[len(chunks)-1].Choices, "usage moves to a final chunk of its own")
}

func TestToolsStream(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "text/event-stream", providertest.Fixture(t, "tools.sse"))
	chunks := streamAll(t, w, toolsRequest())
	got := collect(chunks)
	assert.Equal(t, llm.FinishToolCalls, got.Choices[0].FinishReason)
	assert.Equal(t, []llm.ToolCall{
		{ID: "aB3dE5gH7", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city": "Nice"}`}},
		{ID: "Zz9Yy8Xx7", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city": "Lille"}`}},
	}, got.Choices[0].Message.ToolCalls, "two whole calls in one delta, both sent with index 0")
	assert.Equal(t, 108, got.Usage.TotalTokens)
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	w := newWire(t, 422, "application/json", providertest.Fixture(t, "validation.error.json"))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{llm.UserText("hi")}}, w.opts()...)
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindInvalidRequest, le.Kind)
	assert.Equal(t, 422, le.StatusCode)
	assert.Contains(t, le.Message, "Extra inputs are not permitted")
	assert.JSONEq(t, `[{"type":"extra_forbidden","loc":["body","stream_options"],"msg":"Extra inputs are not permitted","input":{"include_usage":true}}]`, string(le.Detail))
}

func TestMissingKey(t *testing.T) {
	t.Setenv("MISTRAL_API_KEY", "")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{llm.UserText("hi")}})
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "MISTRAL_API_KEY")
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"tools.response.json", "magistral.response.json"} {
		f.Add(mustRead("testdata/" + name))
	}
	for _, name := range []string{"magistral.sse", "tools.sse"} {
		for _, line := range strings.Split(string(mustRead("testdata/"+name)), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				f.Add([]byte(d))
			}
		}
	}
	f.Add([]byte(`{"choices":[{"index":-3,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"x"}]}],"tool_calls":[{"index":-1,"function":{"arguments":{"a":1}}}]}}]}`))
	// Content chunks of other types, kept raw (TestUnknownContentChunks).
	f.Add([]byte(`{"choices":[{"index":0,"message":{"content":[{"type":"reference","reference_ids":[1]},{"type":"hologram"},"bare",7]},"delta":{"content":[{"type":"text","text":"a"},{"type":42}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var acc llm.Accumulator
		if c, err := mistral.Spec.DecodeChunk(data); err == nil {
			acc.Add(c)
			_ = acc.Response()
		}
		if r, err := mistral.Spec.DecodeResponse(data); err == nil {
			_ = r.Text()
		}
	})
}

func TestNoTextCompletion(t *testing.T) {
	t.Parallel()
	w := newWire(t, 200, "application/json", []byte(`{}`))
	_, err := llm.TextCompletion(t.Context(), llm.TextCompletionRequest{Model: "mistral/codestral-latest", Prompt: llm.StringList{"def f("}}, w.opts()...)
	require.ErrorIs(t, err, llm.ErrUnsupported)
	r, _ := w.Last()
	assert.Nil(t, r, "no request is sent")
}
