package azure_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/azure"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamFrames is an Azure OpenAI stream: the prompt-filter chunk with no
// choices, content chunks with filter results, a finish chunk, a usage
// chunk and [DONE].
func streamFrames(pieces []string, u llm.Usage) [][]byte {
	safe := map[string]any{"hate": map[string]any{"filtered": false, "severity": "safe"}}
	frames := [][]byte{providertest.SSE(map[string]any{"choices": []any{}, "created": 0, "id": "", "model": "", "object": "",
		"prompt_filter_results": []any{map[string]any{"prompt_index": 0, "content_filter_results": safe}}})}
	chunk := func(delta map[string]any, finish any, usage any) []byte {
		choices := []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "content_filter_results": safe}}
		if delta == nil {
			choices = []any{}
		}
		return providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o", "choices": choices, "usage": usage})
	}
	frames = append(frames, chunk(map[string]any{"role": "assistant", "content": ""}, nil, nil))
	for _, p := range pieces {
		frames = append(frames, chunk(map[string]any{"content": p}, nil, nil))
	}
	frames = append(frames, chunk(map[string]any{}, "stop", nil), chunk(nil, nil, u))
	return append(frames, []byte("data: [DONE]\n\n"))
}

func errorBody(code, msg string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":null,"param":null,"code":%q,"status":400}}`, msg, code)
}

// contentFilterError is Azure's answer to a prompt its content filter
// rejected.
var contentFilterError = func() string {
	b, _ := os.ReadFile("testdata/content_filter.error.json")
	return string(b)
}()

func harness(model string) providertest.Harness {
	keyEnv := "AZURE_API_KEY"
	if strings.HasPrefix(model, "azure_ai/") {
		keyEnv = "AZURE_AI_API_KEY"
	}
	return providertest.Harness{
		Model: model,
		Options: func(base string) []llm.Option {
			return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey("azure-key-test")}
		},
		Completion:        func(text string, u llm.Usage) []byte { return providertest.ChatCompletion("gpt-4o", text, u) },
		UnknownCompletion: func(text string, u llm.Usage) []byte { return providertest.ChatCompletionUnknown("gpt-4o", text, u) },
		UnknownFrames:     providertest.ChatCompletionUnknownChunks("gpt-4o"),
		StreamFrames:      streamFrames,
		StreamContentType: "text/event-stream",
		StreamErrorFrame:  []byte(`data: {"error":{"message":"The server had an error processing your request.","type":"server_error","code":null}}` + "\n\n"),
		StreamErrorKind:   llm.KindServer,
		KeyEnv:            keyEnv,
		ErrorEventFrame:   func(msg string) []byte { return []byte("data: " + errorBody("server_error", msg) + "\n\n") },
		MalformedFrame:    []byte("data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":[1]}}]}\n\n"),
		EnvelopeBody:      `{"error":{"code":"content_filter","message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy."}}`,
		EnvelopeKind:      llm.KindContentPolicy,
		ManyChoices:       func(n int) []byte { return providertest.ChatCompletionChoices("gpt-4o", n) },
		Errors: []providertest.ErrorCase{
			{Name: "400", Status: 400, Body: errorBody("BadRequest", "Invalid value"), Kind: llm.KindInvalidRequest},
			{Name: "400 content filter", Status: 400, Body: contentFilterError, Kind: llm.KindContentPolicy},
			{Name: "400 context", Status: 400, Body: errorBody("context_length_exceeded", "This model's maximum context length is 128000 tokens."), Kind: llm.KindContextWindowExceeded},
			{Name: "401", Status: 401, Body: `{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}`, Kind: llm.KindAuthentication},
			{Name: "404 deployment", Status: 404, Body: `{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}`, Kind: llm.KindNotFound},
			{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"12"}}, Body: `{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded call rate limit."}}`, Kind: llm.KindRateLimit},
			{Name: "500", Status: 500, Body: `{"error":{"code":"InternalServerError","message":"Backend returned unexpected response."}}`, Kind: llm.KindServer},
			{Name: "503", Status: 503, Body: "Service Unavailable", Kind: llm.KindOverloaded},
		},
	}
}

func TestConformance(t *testing.T) {
	t.Run("azure", func(t *testing.T) { providertest.Run(t, harness("azure/my-gpt-4o")) })
	t.Run("azure_ai", func(t *testing.T) { providertest.Run(t, harness("azure_ai/Llama-3.3-70B-Instruct")) })
}

func chatRequest(t *testing.T) llm.CompletionRequest {
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "chat.request.json"), &req))
	req.Model = "azure/my-gpt-4o"
	return req
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		base    string // appended to the server URL
		version string
		want    string // path and query
	}{
		{"deployments default version", "", "", "/openai/deployments/my-gpt-4o/chat/completions?api-version=" + azure.DefaultAPIVersion},
		{"deployments given version", "/", "2025-04-01-preview", "/openai/deployments/my-gpt-4o/chat/completions?api-version=2025-04-01-preview"},
		{"base with /openai", "/openai", "2024-10-21", "/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21"},
		{"v1 by version", "", "v1", "/openai/v1/chat/completions"},
		{"v1 by base", "/openai/v1/", "", "/openai/v1/chat/completions"},
		{"v1 preview", "/openai/v1", "preview", "/openai/v1/chat/completions?api-version=preview"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := providertest.NewRecorder(t, 200, "application/json", providertest.Fixture(t, "filtered.response.json"))
			opts := []llm.Option{llm.WithBaseURL(w.URL + c.base), llm.WithAPIKey("azure-key-1")}
			if c.version != "" {
				opts = append(opts, llm.WithAPIVersion(c.version))
			}
			resp, err := llm.Completion(t.Context(), chatRequest(t), opts...)
			require.NoError(t, err)
			r, body := w.Last()
			assert.Equal(t, c.want, r.URL.RequestURI())
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "azure-key-1", r.Header.Get("Api-Key"))
			assert.Empty(t, r.Header.Get("Authorization"))
			assert.JSONEq(t, string(providertest.Fixture(t, "chat.request.json")), string(body))
			assert.Equal(t, "Once upon a", resp.Text())
			assert.Equal(t, llm.FinishContentFilter, resp.Choices[0].FinishReason, "finish_reason content_filter is kept")
			assert.Equal(t, "azure", resp.Meta.Provider)
			assert.Equal(t, "my-gpt-4o", resp.Meta.Model)
		})
	}
}

func TestContentFilterError(t *testing.T) {
	t.Parallel()
	w := providertest.NewRecorder(t, 400, "application/json", providertest.Fixture(t, "content_filter.error.json"))
	_, err := llm.Completion(t.Context(), chatRequest(t), llm.WithBaseURL(w.URL), llm.WithAPIKey("k"))
	require.ErrorIs(t, err, llm.ErrContentPolicy)
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 400, le.StatusCode)
	assert.Equal(t, "content_filter", le.Code)
	assert.Contains(t, le.Message, "content management policy")
	require.NotEmpty(t, le.Detail)
	var inner struct {
		Code   string `json:"code"`
		Result map[string]struct {
			Filtered bool `json:"filtered"`
		} `json:"content_filter_result"`
	}
	require.NoError(t, json.Unmarshal(le.Detail, &inner))
	assert.Equal(t, "ResponsibleAIPolicyViolation", inner.Code)
	assert.True(t, inner.Result["jailbreak"].Filtered)
	assert.False(t, inner.Result["hate"].Filtered)
}

func TestContentFilterErrorSpecShape(t *testing.T) {
	t.Parallel()
	// The shape of Azure's OpenAPI description: inner_error, content_filter_results.
	body := `{"error":{"code":"content_filter","message":"filtered","param":"prompt","inner_error":{"code":"ResponsibleAIPolicyViolation","content_filter_results":{"sexual":{"filtered":true,"severity":"high"}}}}}`
	w := providertest.NewRecorder(t, 400, "application/json", []byte(body))
	_, err := llm.Completion(t.Context(), chatRequest(t), llm.WithBaseURL(w.URL), llm.WithAPIKey("k"))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindContentPolicy, le.Kind)
	assert.JSONEq(t, `{"code":"ResponsibleAIPolicyViolation","content_filter_results":{"sexual":{"filtered":true,"severity":"high"}}}`, string(le.Detail))
}

func TestStream(t *testing.T) {
	t.Parallel()
	w := providertest.NewRecorder(t, 200, "text/event-stream", providertest.Fixture(t, "stream.sse"))
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), chatRequest(t), llm.WithBaseURL(w.URL), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	r, body := w.Last()
	assert.Equal(t, "/openai/deployments/my-gpt-4o/chat/completions", r.URL.Path)
	assert.JSONEq(t, `{"model":"my-gpt-4o","messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":50,"stream":true,"stream_options":{"include_usage":true}}`, string(body))
	require.Len(t, chunks, 5)
	for _, c := range chunks[:4] {
		assert.Nil(t, c.Usage)
	}
	var acc llm.Accumulator
	for _, c := range chunks {
		acc.Add(c)
	}
	got := acc.Response()
	assert.Equal(t, "Once upon", got.Text())
	assert.Equal(t, llm.FinishContentFilter, got.Choices[0].FinishReason)
	assert.Equal(t, 14, got.Usage.TotalTokens)
}

func TestEntraTokenSource(t *testing.T) {
	t.Parallel()
	w := providertest.NewRecorder(t, 200, "application/json", providertest.Fixture(t, "filtered.response.json"))
	calls := 0
	ts := azure.TokenFunc(func(ctx context.Context) (string, error) {
		calls++
		require.NotNil(t, ctx)
		return "entra-token-1", nil
	})
	_, err := llm.Completion(t.Context(), chatRequest(t), llm.WithBaseURL(w.URL), azure.WithTokenSource(ts), llm.WithAPIKey("ignored"))
	require.NoError(t, err)
	r, _ := w.Last()
	assert.Equal(t, "Bearer entra-token-1", r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("Api-Key"), "the token source wins over the key")
	assert.Equal(t, 1, calls)
}

func TestEntraTokenError(t *testing.T) {
	t.Parallel()
	w := providertest.NewRecorder(t, 200, "application/json", providertest.Fixture(t, "filtered.response.json"))
	boom := errors.New("AADSTS700016: application not found")
	ts := azure.TokenFunc(func(context.Context) (string, error) { return "", boom })
	_, err := llm.Completion(t.Context(), chatRequest(t), llm.WithBaseURL(w.URL), azure.WithTokenSource(ts))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	require.ErrorIs(t, err, boom)
	r, _ := w.Last()
	assert.Nil(t, r, "no request is sent")
}

func TestEnv(t *testing.T) {
	for _, v := range []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT", "AZURE_API_VERSION", "OPENAI_API_VERSION", "AZURE_AD_TOKEN"} {
		t.Setenv(v, "")
	}
	req := chatRequest(t)
	_, err := llm.Completion(t.Context(), req, llm.WithAPIKey("k"))
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "AZURE_API_BASE")

	w := providertest.NewRecorder(t, 200, "application/json", providertest.Fixture(t, "filtered.response.json"))
	t.Setenv("AZURE_API_BASE", w.URL)
	_, err = llm.Completion(t.Context(), req)
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "AZURE_API_KEY")

	t.Setenv("AZURE_API_KEY", "env-key-123456")
	t.Setenv("AZURE_API_VERSION", "2025-01-01-preview")
	_, err = llm.Completion(t.Context(), req)
	require.NoError(t, err)
	r, _ := w.Last()
	assert.Equal(t, "env-key-123456", r.Header.Get("Api-Key"))
	assert.Equal(t, "2025-01-01-preview", r.URL.Query().Get("api-version"))

	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_AD_TOKEN", "static-ad-token")
	_, err = llm.Completion(t.Context(), req)
	require.NoError(t, err)
	r, _ = w.Last()
	assert.Equal(t, "Bearer static-ad-token", r.Header.Get("Authorization"))
}

func TestAzureAI(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, base, version, want string }{
		{"models endpoint", "/models", "", "/models/chat/completions?api-version=" + azure.DefaultAIAPIVersion},
		{"serverless endpoint", "", "", "/chat/completions"},
		{"given version", "/models", "2024-08-01-preview", "/models/chat/completions?api-version=2024-08-01-preview"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := providertest.NewRecorder(t, 200, "application/json", providertest.Fixture(t, "filtered.response.json"))
			opts := []llm.Option{llm.WithBaseURL(w.URL + c.base), llm.WithAPIKey("ai-key")}
			if c.version != "" {
				opts = append(opts, llm.WithAPIVersion(c.version))
			}
			req := chatRequest(t)
			req.Model = "azure_ai/Llama-3.3-70B-Instruct"
			_, err := llm.Completion(t.Context(), req, opts...)
			require.NoError(t, err)
			r, body := w.Last()
			assert.Equal(t, c.want, r.URL.RequestURI())
			assert.Equal(t, "ai-key", r.Header.Get("Api-Key"))
			assert.Contains(t, string(body), `"model":"Llama-3.3-70B-Instruct"`)
		})
	}
}

// TestTokensRedacted checks that Entra ID tokens, from a token source or
// AZURE_AD_TOKEN, are scrubbed from errors like API keys (no t.Parallel:
// t.Setenv).
func TestTokensRedacted(t *testing.T) {
	const token = "eyJ0eXAiOiJKV1Qi.entra-secret-token"
	for _, v := range []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_AD_TOKEN"} {
		t.Setenv(v, "")
	}
	w := providertest.NewRecorder(t, 401, "application/json",
		[]byte(`{"error":{"code":"401","message":"Access denied for token `+token+`"}}`))
	cases := map[string][]llm.Option{
		"token source":   {azure.WithTokenSource(azure.TokenFunc(func(context.Context) (string, error) { return token, nil }))},
		"AZURE_AD_TOKEN": nil,
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			if opts == nil {
				t.Setenv("AZURE_AD_TOKEN", token)
			}
			_, err := llm.Completion(t.Context(), chatRequest(t), append(opts, llm.WithBaseURL(w.URL))...)
			require.ErrorIs(t, err, llm.ErrAuthentication)
			r, _ := w.Last()
			require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
			providertest.AssertRedacted(t, err, token)
		})
	}
}
