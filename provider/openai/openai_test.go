package openai_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func errorBody(typ, code, msg string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":%q}}`, msg, typ, code)
}

// streamFrames is an OpenAI stream of pieces with usage u.
var streamFrames = providertest.ChatCompletionChunks("gpt-4o")

// Harness is the conformance harness of the OpenAI wire format.
var Harness = providertest.Harness{
	Model: "openai/gpt-4o",
	Options: func(base string) []llm.Option {
		return []llm.Option{llm.WithBaseURL(base + "/v1"), llm.WithAPIKey("sk-test")}
	},
	Completion:        func(text string, u llm.Usage) []byte { return providertest.ChatCompletion("gpt-4o", text, u) },
	StreamFrames:      streamFrames,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte(`data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}` + "\n\n"),
	StreamErrorKind:   llm.KindServer,
	KeyEnv:            "OPENAI_API_KEY",
	ErrorEventFrame:   func(msg string) []byte { return []byte("data: " + errorBody("server_error", "", msg) + "\n\n") },
	MalformedFrame:    []byte("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\n"),
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: errorBody("invalid_request_error", "", "Invalid value for 'temperature'"), Kind: llm.KindInvalidRequest},
		{Name: "400 context", Status: 400, Body: errorBody("invalid_request_error", "context_length_exceeded", "This model's maximum context length is 128000 tokens."), Kind: llm.KindContextWindowExceeded},
		{Name: "400 context by message", Status: 400, Body: errorBody("invalid_request_error", "", "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."), Kind: llm.KindContextWindowExceeded},
		{Name: "400 content policy", Status: 400, Body: errorBody("invalid_request_error", "content_policy_violation", "Your request was rejected as a result of our safety system."), Kind: llm.KindContentPolicy},
		{Name: "400 content filter", Status: 400, Body: errorBody("invalid_request_error", "content_filter", "The response was filtered."), Kind: llm.KindContentPolicy},
		{Name: "401", Status: 401, Body: errorBody("invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-abc***xyz."), Kind: llm.KindAuthentication},
		{Name: "403", Status: 403, Body: errorBody("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported"), Kind: llm.KindPermissionDenied},
		{Name: "404", Status: 404, Body: errorBody("invalid_request_error", "model_not_found", "The model `gpt-9` does not exist"), Kind: llm.KindNotFound},
		{Name: "408", Status: 408, Body: errorBody("timeout", "", "Request timed out."), Kind: llm.KindTimeout},
		{Name: "409", Status: 409, Body: errorBody("invalid_request_error", "", "Conflict"), Kind: llm.KindConflict},
		{Name: "413", Status: 413, Body: errorBody("invalid_request_error", "", "Request too large"), Kind: llm.KindRequestTooLarge},
		{Name: "422", Status: 422, Body: errorBody("invalid_request_error", "", "Unprocessable"), Kind: llm.KindInvalidRequest},
		{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"7"}}, Body: errorBody("requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o"), Kind: llm.KindRateLimit},
		{Name: "429 quota", Status: 429, Body: errorBody("insufficient_quota", "insufficient_quota", "You exceeded your current quota"), Kind: llm.KindQuotaExceeded},
		{Name: "500", Status: 500, Body: errorBody("server_error", "", "The server had an error"), Kind: llm.KindServer},
		{Name: "502", Status: 502, Body: "<html>Bad gateway</html>", Kind: llm.KindServer},
		{Name: "503", Status: 503, Body: errorBody("server_error", "", "The engine is currently overloaded"), Kind: llm.KindOverloaded},
		{Name: "504", Status: 504, Body: "upstream timeout", Kind: llm.KindTimeout},
	},
	EnvelopeBody: errorBody("requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o"),
	EnvelopeKind: llm.KindRateLimit,
	ManyChoices:  func(n int) []byte { return providertest.ChatCompletionChoices("gpt-4o", n) },
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		return providertest.ChatCompletionUnknown("gpt-4o", text, u)
	},
	UnknownFrames: providertest.ChatCompletionUnknownChunks("gpt-4o"),
}

func TestConformance(t *testing.T) {
	providertest.Run(t, Harness)
}

// server is providertest.Server with OpenAI's rate-limit header.
func server(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), contentType string, reply []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	return providertest.Server(t, check, contentType, reply, "X-Ratelimit-Remaining-Requests", "99")
}

func TestRequestWire(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "tools.request.json")
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(wire, &req))
	assert.Equal(t, true, req.Extra["x_custom_flag"] != nil, "unknown fields go to Extra")
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v1/chat/completions", r.URL.Path)
		assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		assert.Equal(t, "org-1", r.Header.Get("OpenAI-Organization"))
		assert.Equal(t, "proj-1", r.Header.Get("OpenAI-Project"))
		assert.Equal(t, "yes", r.Header.Get("X-Extra"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, string(wire), string(body), "the wire body is the OpenAI body, unchanged")
	}, "application/json", providertest.Fixture(t, "tools.response.json"))

	req.Model = "openai/gpt-4o"
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("sk-test"),
		openai.WithOrganization("org-1"), openai.WithProject("proj-1"), llm.WithHeader("X-Extra", "yes"), llm.WithRawResponse())
	require.NoError(t, err)
	require.Len(t, resp.Choices, 1)
	c := resp.Choices[0]
	assert.Equal(t, llm.FinishToolCalls, c.FinishReason)
	require.Len(t, c.Message.ToolCalls, 2)
	assert.Equal(t, llm.ToolCall{ID: "call_def", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Lyon"}`}}, c.Message.ToolCalls[1])
	assert.Equal(t, 1024, resp.Usage.PromptTokensDetails.CachedTokens)
	assert.Equal(t, 1163, resp.Usage.TotalTokens)
	assert.Equal(t, "fp_fc9f1d7035", resp.SystemFingerprint)
	assert.Equal(t, "openai", resp.Meta.Provider)
	assert.Equal(t, "gpt-4o", resp.Meta.Model)
	assert.Equal(t, "99", resp.Meta.Header.Get("X-Ratelimit-Remaining-Requests"))
	assert.JSONEq(t, string(providertest.Fixture(t, "tools.response.json")), string(resp.Meta.Raw))
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "tools.request.json")
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(wire, &req))
	out, err := json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, string(wire), string(out))

	// A stop given as a string decodes as a one-element list.
	var one llm.CompletionRequest
	require.NoError(t, json.Unmarshal([]byte(`{"model":"m","messages":[],"stop":"x","tool_choice":"auto"}`), &one))
	assert.Equal(t, llm.StringList{"x"}, one.Stop)
	assert.Equal(t, "auto", one.ToolChoice.Mode)
}

func TestStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		assert.Equal(t, true, m["stream"])
		assert.Equal(t, map[string]any{"include_usage": true}, m["stream_options"])
	}, "text/event-stream", providertest.Fixture(t, "tools.sse"))
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("weather?")}}
	got, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)

	var want llm.CompletionResponse
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "tools.response.json"), &want))
	assert.Equal(t, want.Choices[0].Message.ToolCalls, got.Choices[0].Message.ToolCalls)
	assert.Equal(t, want.Choices[0].FinishReason, got.Choices[0].FinishReason)
	assert.Equal(t, want.Usage, got.Usage)
	assert.Equal(t, want.ID[:0]+"chatcmpl-1", got.ID)
	assert.Equal(t, "openai", got.Meta.Provider)
}

func TestReasoningModelParams(t *testing.T) {
	t.Parallel()
	var gotBody map[string]any
	srv, hits := server(t, func(t *testing.T, r *http.Request, body []byte) {
		gotBody = nil
		require.NoError(t, json.Unmarshal(body, &gotBody))
	}, "application/json", []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}`))
	req := llm.CompletionRequest{Model: "openai/o3-mini", Messages: []llm.Message{llm.UserText("hi")},
		Temperature: llm.Ptr(0.2), MaxTokens: 100, ReasoningEffort: "high"}
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")}

	_, err := llm.Completion(t.Context(), req, opts...)
	require.ErrorIs(t, err, llm.ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Contains(t, err.Error(), "temperature")
	assert.Equal(t, int32(0), hits.Load(), "no request is sent")

	_, err = llm.Completion(t.Context(), req, append(opts, llm.WithDropUnsupportedParams())...)
	require.NoError(t, err)
	assert.NotContains(t, gotBody, "temperature")
	assert.NotContains(t, gotBody, "max_tokens")
	assert.Equal(t, float64(100), gotBody["max_completion_tokens"])
	assert.Equal(t, "high", gotBody["reasoning_effort"])

	for model, want := range map[string]bool{"o1": true, "o3-mini": true, "o4-mini-2025-04-16": true, "gpt-5": true, "gpt-5-mini": true,
		"gpt-5-chat-latest": false, "gpt-4o": false, "o1x": false} {
		assert.Equal(t, want, openai.IsReasoningModel(model), model)
	}
}

func TestStripsNonOpenAIFields(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		s := string(body)
		for _, f := range []string{"reasoning_content", "thinking_blocks", "cache_control", "provider_specific_fields", "annotations"} {
			assert.NotContains(t, s, f)
		}
	}, "application/json", providertest.ChatCompletion("gpt-4o", "ok", llm.Usage{}))
	msgs := []llm.Message{
		{Role: llm.RoleUser, Content: llm.Parts(llm.Part{Type: llm.PartText, Text: "hi", CacheControl: &llm.CacheControl{Type: "ephemeral"}})},
		{Role: llm.RoleAssistant, Content: llm.Text("hello"), ReasoningContent: "thought", ThinkingBlocks: []llm.ThinkingBlock{{Type: "thinking", Thinking: "t", Signature: "s"}},
			Annotations: []llm.Annotation{{Type: "url_citation"}}},
		llm.UserText("again"),
	}
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "openai/gpt-4o", Messages: msgs,
		Tools: []llm.Tool{{Type: "function", Function: &llm.Function{Name: "f"}, CacheControl: &llm.CacheControl{Type: "ephemeral"}}}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.NotNil(t, msgs[1].ThinkingBlocks, "the caller's request is not modified")
}

func TestTextCompletion(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "/v1/completions", r.URL.Path)
		assert.JSONEq(t, `{"model":"gpt-3.5-turbo-instruct","prompt":["Say this is a test"],"max_tokens":7,"temperature":0}`, string(body))
	}, "application/json", providertest.Fixture(t, "text.response.json"))
	resp, err := llm.TextCompletion(t.Context(), llm.TextCompletionRequest{Model: "openai/gpt-3.5-turbo-instruct",
		Prompt: llm.StringList{"Say this is a test"}, MaxTokens: 7, Temperature: llm.Ptr(0.0)},
		llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, "\n\nThis is indeed a test", resp.Choices[0].Text)
	assert.Equal(t, "length", resp.Choices[0].FinishReason)
	assert.Equal(t, 12, resp.Usage.TotalTokens)
	assert.Equal(t, "openai", resp.Meta.Provider)
}

func TestMissingKeyNamesEnvVar(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL("http://127.0.0.1:1"))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "OPENAI_API_KEY")
}

// The organization and project options win over the environment, for a
// call or a client, and the last one given wins.
func TestOrganizationAndProjectOptions(t *testing.T) {
	var gotOrg, gotProj string
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		gotOrg, gotProj = r.Header.Get("OpenAI-Organization"), r.Header.Get("OpenAI-Project")
	}, "application/json", providertest.ChatCompletion("gpt-4o", "ok", llm.Usage{}))
	t.Setenv("OPENAI_ORGANIZATION", "org-env")
	t.Setenv("OPENAI_PROJECT", "proj-env")
	cl := llm.NewClient(llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("sk-test"), openai.WithOrganization("org-client"))
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}}

	_, err := cl.Completion(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, "org-client", gotOrg)
	assert.Equal(t, "proj-env", gotProj)

	_, err = cl.Completion(t.Context(), req, openai.WithOrganization("org-call"), openai.WithProject("proj-call"))
	require.NoError(t, err)
	assert.Equal(t, "org-call", gotOrg)
	assert.Equal(t, "proj-call", gotProj)
}

func TestEnvFallback(t *testing.T) {
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "Bearer sk-from-env", r.Header.Get("Authorization"))
		assert.Equal(t, "/env/chat/completions", r.URL.Path)
		assert.Equal(t, "org-env", r.Header.Get("OpenAI-Organization"))
	}, "application/json", providertest.ChatCompletion("gpt-4o", "ok", llm.Usage{}))
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/env/")
	t.Setenv("OPENAI_ORGANIZATION", "org-env")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "gpt-4o", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
}

func TestStreamErrorEventNamed(t *testing.T) {
	t.Parallel()
	body := "data: {\"id\":\"1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
		"event: error\ndata: {\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}\n\n"
	srv, _ := server(t, nil, "text/event-stream", []byte(body))
	_, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "Rate limit reached"), err.Error())
}

func TestRetryAfterParsed(t *testing.T) {
	t.Parallel()
	for _, h := range []http.Header{{"Retry-After-Ms": {"1500"}}, {"Retry-After": {"1.5"}}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(429)
			_, _ = w.Write([]byte(errorBody("requests", "rate_limit_exceeded", "slow down")))
		}))
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}},
			llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		srv.Close()
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 1500_000_000, int(le.RetryAfter), "header %v", h)
	}
}
