package vertex_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/gemini"
	"github.com/llmux/llm/provider/providertest"
	"github.com/llmux/llm/provider/vertex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func geminiFrame(text, finish string, usage map[string]any) []byte {
	c := map[string]any{"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}, "index": 0}
	if finish != "" {
		c["finishReason"] = finish
	}
	b, _ := json.Marshal(map[string]any{"candidates": []any{c}, "usageMetadata": usage, "modelVersion": "gemini-2.5-flash"})
	return b
}

func usageMeta(u llm.Usage) map[string]any {
	return map[string]any{"promptTokenCount": u.PromptTokens, "candidatesTokenCount": u.CompletionTokens, "totalTokenCount": u.TotalTokens}
}

func rpcError(code int, status, msg string) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q}}`, code, msg, status)
}

func anthropicError(typ, msg string) string {
	return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg)
}

func vertexOptions(base string) []llm.Option {
	return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey("ya29.test-token"), vertex.WithProject("proj-1"), vertex.WithLocation("us-east5")}
}

// unknownPart is a Gemini part of a kind the translator does not know.
func unknownPart() map[string]any {
	return map[string]any{providertest.UnknownType: providertest.UnknownBlock()}
}

// GeminiHarness is the conformance harness of Gemini models on Vertex AI.
var GeminiHarness = providertest.Harness{
	Model:   "vertex_ai/gemini-2.5-flash",
	Options: vertexOptions,
	Completion: func(text string, u llm.Usage) []byte {
		return geminiFrame(text, "STOP", usageMeta(u))
	},
	StreamFrames: func(pieces []string, u llm.Usage) [][]byte {
		var frames [][]byte
		for i, p := range pieces {
			finish, um := "", map[string]any{"promptTokenCount": u.PromptTokens}
			if i == len(pieces)-1 {
				finish, um = "STOP", usageMeta(u)
			}
			frames = append(frames, []byte("data: "+string(geminiFrame(p, finish, um))+"\r\n\r\n"))
		}
		return frames
	},
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model",
			"parts": []any{unknownPart(), map[string]any{"text": text}}}, "finishReason": "STOP", "index": 0, providertest.UnknownType: 1}},
			"usageMetadata": usageMeta(u), "modelVersion": "gemini-2.5-flash", providertest.UnknownType: "x"})
		return b
	},
	UnknownFrames: func() [][]byte {
		b, _ := json.Marshal(map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model",
			"parts": []any{unknownPart()}}, "index": 0, providertest.UnknownType: 1}}, "modelVersion": "gemini-2.5-flash", providertest.UnknownType: "x"})
		return [][]byte{[]byte("data: " + string(b) + "\r\n\r\n"), []byte(`data: {"` + providertest.UnknownType + `":{"n":1}}` + "\r\n\r\n")}
	},
	UnknownKey:        gemini.PSFParts,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte("data: " + rpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute") + "\r\n\r\n"),
	ErrorEventFrame:   func(msg string) []byte { return []byte("data: " + rpcError(500, "INTERNAL", msg) + "\r\n\r\n") },
	StreamErrorKind:   llm.KindRateLimit,
	MalformedFrame:    []byte(`data: {"candidates":"none"}` + "\r\n\r\n"),
	EnvelopeBody:      rpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model."),
	EnvelopeKind:      llm.KindRateLimit,
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: rpcError(400, "INVALID_ARGUMENT", "Unable to submit request because it has an empty contents field."), Kind: llm.KindInvalidRequest},
		{Name: "401", Status: 401, Body: rpcError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), Kind: llm.KindAuthentication},
		{Name: "403", Status: 403, Body: rpcError(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied"), Kind: llm.KindPermissionDenied},
		{Name: "404 array", Status: 404, Body: "[" + rpcError(404, "NOT_FOUND", "Publisher Model was not found") + "]", Kind: llm.KindNotFound},
		{Name: "429", Status: 429, Body: rpcError(429, "RESOURCE_EXHAUSTED", "Resource exhausted, please try again later."), Kind: llm.KindRateLimit},
		{Name: "500", Status: 500, Body: rpcError(500, "INTERNAL", "Internal error encountered."), Kind: llm.KindServer},
		{Name: "503", Status: 503, Body: rpcError(503, "UNAVAILABLE", "The service is currently unavailable."), Kind: llm.KindOverloaded},
		{Name: "504", Status: 504, Body: rpcError(504, "DEADLINE_EXCEEDED", "Deadline exceeded."), Kind: llm.KindTimeout},
	},
}

func claudeEvent(typ string, v any) []byte {
	b, _ := json.Marshal(v)
	return []byte("event: " + typ + "\ndata: " + string(b) + "\n\n")
}

// ClaudeHarness is the conformance harness of Claude models on Vertex AI.
var ClaudeHarness = providertest.Harness{
	Model:   "vertex_ai/claude-sonnet-4-5@20250929",
	Options: vertexOptions,
	Completion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
			"content": []any{map[string]any{"type": "text", "text": text}}, "stop_reason": "end_turn",
			"usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
		return b
	},
	StreamFrames: func(pieces []string, u llm.Usage) [][]byte {
		frames := [][]byte{
			claudeEvent("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_1", "type": "message", "role": "assistant",
				"model": "claude-sonnet-4-5-20250929", "content": []any{}, "usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": 1}}}),
			claudeEvent("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}}),
		}
		for _, p := range pieces {
			frames = append(frames, claudeEvent("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]any{"type": "text_delta", "text": p}}))
		}
		return append(frames,
			claudeEvent("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}),
			claudeEvent("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"},
				"usage": map[string]any{"output_tokens": u.CompletionTokens}}),
			claudeEvent("message_stop", map[string]any{"type": "message_stop"}))
	},
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
			"content": []any{providertest.UnknownBlock(), map[string]any{"type": "text", "text": text}}, "stop_reason": "end_turn",
			"usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
		return b
	},
	UnknownFrames: func() [][]byte {
		return [][]byte{
			claudeEvent(providertest.UnknownType, map[string]any{"type": providertest.UnknownType, "index": "zero", "delta": 5}),
			claudeEvent("content_block_start", map[string]any{"type": "content_block_start", "index": 1, "content_block": providertest.UnknownBlock()}),
			claudeEvent("content_block_delta", map[string]any{"type": "content_block_delta", "index": 1,
				"delta": map[string]any{"type": providertest.UnknownType + "_delta", "text": 1}}),
			claudeEvent("content_block_stop", map[string]any{"type": "content_block_stop", "index": 1}),
		}
	},
	UnknownKey:        anthropic.BlocksField,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte("event: error\ndata: " + anthropicError("overloaded_error", "Overloaded") + "\n\n"),
	ErrorEventFrame: func(msg string) []byte {
		return []byte("event: error\ndata: " + anthropicError("api_error", msg) + "\n\n")
	},
	StreamErrorKind: llm.KindOverloaded,
	MalformedFrame:  []byte(`event: content_block_delta` + "\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":42}}` + "\n\n"),
	EnvelopeBody:    anthropicError("overloaded_error", "Overloaded"),
	EnvelopeKind:    llm.KindOverloaded,
	Errors: []providertest.ErrorCase{
		{Name: "400 anthropic", Status: 400, Body: anthropicError("invalid_request_error", "max_tokens: Field required"), Kind: llm.KindInvalidRequest},
		{Name: "400 context", Status: 400, Body: anthropicError("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), Kind: llm.KindContextWindowExceeded},
		{Name: "403 vertex", Status: 403, Body: rpcError(403, "PERMISSION_DENIED", "Permission denied on resource project proj-1."), Kind: llm.KindPermissionDenied},
		{Name: "404 vertex", Status: 404, Body: rpcError(404, "NOT_FOUND", "Publisher Model `claude-x` not found."), Kind: llm.KindNotFound},
		{Name: "429 vertex", Status: 429, Body: rpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for online_prediction_requests_per_base_model"), Kind: llm.KindRateLimit},
		{Name: "429 anthropic", Status: 429, Body: anthropicError("rate_limit_error", "Rate limited"), Kind: llm.KindRateLimit},
		{Name: "500", Status: 500, Body: anthropicError("api_error", "Internal server error"), Kind: llm.KindServer},
		{Name: "529", Status: 529, Body: anthropicError("overloaded_error", "Overloaded"), Kind: llm.KindOverloaded},
	},
}

func TestConformance(t *testing.T) {
	t.Run("gemini", func(t *testing.T) { providertest.Run(t, GeminiHarness) })
	t.Run("claude", func(t *testing.T) { providertest.Run(t, ClaudeHarness) })
}

func comparable(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	delete(m, "created")
	out, _ := json.Marshal(m)
	return string(out)
}

// TestGeminiSharesTranslator sends the Gemini API's fixtures through Vertex
// AI: same body, Vertex's URL and bearer token.
func TestGeminiSharesTranslator(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"text", "tools", "thinking", "grounding"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var req llm.CompletionRequest
			require.NoError(t, json.Unmarshal(providertest.Fixture(t, "../../gemini/testdata/"+name+".input.json"), &req))
			model := strings.TrimPrefix(req.Model, "gemini/")
			req.Model = "vertex_ai/" + model
			for _, stream := range []bool{false, true} {
				method, contentType, reply := ":generateContent", "application/json", providertest.Fixture(t, "../../gemini/testdata/"+name+".response.json")
				if stream {
					method, contentType, reply = ":streamGenerateContent", "text/event-stream", providertest.Fixture(t, "../../gemini/testdata/"+name+".sse")
				}
				srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
					assert.Equal(t, http.MethodPost, r.Method)
					assert.Equal(t, "/v1/projects/proj-1/locations/us-east5/publishers/google/models/"+model+method, r.URL.Path)
					if stream {
						assert.Equal(t, "alt=sse", r.URL.RawQuery)
					}
					assert.Equal(t, "Bearer ya29.test-token", r.Header.Get("Authorization"))
					assert.Empty(t, r.Header.Get("X-Goog-Api-Key"))
					assert.JSONEq(t, string(providertest.Fixture(t, "../../gemini/testdata/"+name+".request.json")), string(body))
				}, contentType, reply)
				var resp *llm.CompletionResponse
				var err error
				if stream {
					resp, err = llm.Collect(llm.CompletionStream(t.Context(), req, vertexOptions(srv.URL)...))
				} else {
					resp, err = llm.Completion(t.Context(), req, vertexOptions(srv.URL)...)
				}
				require.NoError(t, err)
				assert.JSONEq(t, string(providertest.Fixture(t, "../../gemini/testdata/"+name+".want.json")), comparable(t, resp))
				assert.Equal(t, "vertex_ai", resp.Meta.Provider)
			}
		})
	}
}

func TestClaude(t *testing.T) {
	t.Parallel()
	req := llm.CompletionRequest{Model: "vertex_ai/claude-sonnet-4-5@20250929",
		Messages: []llm.Message{llm.SystemText("Be brief."), llm.UserText("Hello, Claude")}, MaxTokens: 1024}
	for _, stream := range []bool{false, true} {
		method, contentType, reply, wire := ":rawPredict", "application/json", providertest.Fixture(t, "claude.response.json"), "claude.request.json"
		if stream {
			method, contentType, reply, wire = ":streamRawPredict", "text/event-stream", providertest.Fixture(t, "claude.sse"), "claude_stream.request.json"
		}
		srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"+method, r.URL.Path)
			assert.Equal(t, "Bearer ya29.test-token", r.Header.Get("Authorization"))
			assert.Empty(t, r.Header.Get("X-Api-Key"))
			assert.Empty(t, r.Header.Get("Anthropic-Version"), "the version is in the body")
			assert.JSONEq(t, string(providertest.Fixture(t, wire)), string(body))
		}, contentType, reply)
		var resp *llm.CompletionResponse
		var err error
		if stream {
			resp, err = llm.Collect(llm.CompletionStream(t.Context(), req, vertexOptions(srv.URL)...))
		} else {
			resp, err = llm.Completion(t.Context(), req, vertexOptions(srv.URL)...)
		}
		require.NoError(t, err)
		assert.JSONEq(t, string(providertest.Fixture(t, "claude.want.json")), comparable(t, resp), "stream %v", stream)
		assert.Equal(t, "vertex_ai", resp.Meta.Provider)
	}
}

func TestClaudeStreamCutShort(t *testing.T) {
	t.Parallel()
	sse := providertest.Fixture(t, "claude.sse")
	cut := sse[:strings.Index(string(sse), "event: message_delta")]
	srv, _ := providertest.Server(t, nil, "text/event-stream", cut)
	_, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "vertex_ai/claude-haiku-4-5",
		Messages: []llm.Message{llm.UserText("hi")}}, vertexOptions(srv.URL)...))
	require.ErrorIs(t, err, llm.ErrBadResponse)
}

func TestProjectAndLocationFromEnv(t *testing.T) {
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "/v1beta1/projects/env-proj/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent", r.URL.Path)
	}, "application/json", providertest.Fixture(t, "../../gemini/testdata/text.response.json"))
	t.Setenv("VERTEXAI_PROJECT", "env-proj")
	t.Setenv("VERTEXAI_LOCATION", "europe-west4")
	req := llm.CompletionRequest{Model: "vertex_ai/gemini-2.5-pro", Messages: []llm.Message{llm.UserText("hi")}}
	_, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("tok"), llm.WithAPIVersion("v1beta1"))
	require.NoError(t, err)

	t.Setenv("VERTEXAI_PROJECT", "")
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	_, err = llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("tok"))
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "VERTEXAI_PROJECT")
}
