package openaicompat_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/openaicompat"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func errorBody(typ, code, msg string) string {
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":%q}}`, msg, typ, code)
}

// keyEnv returns the first key variable of the named vendor, or "".
func keyEnv(name string) string {
	for _, s := range openaicompat.Specs() {
		if s.Name == name && len(s.KeyEnv) > 0 {
			return s.KeyEnv[0]
		}
	}
	return ""
}

// harness is the conformance harness of one compatible vendor.
func harness(name string) providertest.Harness {
	frames := providertest.ChatCompletionChunks("m")
	for _, s := range openaicompat.Specs() {
		if s.Name == name && s.NoDone {
			frames = noDoneChunks(frames)
		}
	}
	return providertest.Harness{
		Model: name + "/test-model",
		Options: func(base string) []llm.Option {
			return []llm.Option{llm.WithBaseURL(base + "/v1"), llm.WithAPIKey("sk-test")}
		},
		Completion: func(text string, u llm.Usage) []byte { return providertest.ChatCompletion("test-model", text, u) },
		UnknownCompletion: func(text string, u llm.Usage) []byte {
			return providertest.ChatCompletionUnknown("test-model", text, u)
		},
		UnknownFrames:     providertest.ChatCompletionUnknownChunks("test-model"),
		StreamFrames:      frames,
		StreamContentType: "text/event-stream",
		StreamErrorFrame:  []byte(`data: {"error":{"message":"The server had an error.","type":"server_error","param":null,"code":null}}` + "\n\n"),
		StreamErrorKind:   llm.KindServer,
		KeyEnv:            keyEnv(name),
		ErrorEventFrame:   func(msg string) []byte { return []byte("data: " + errorBody("server_error", "", msg) + "\n\n") },
		MalformedFrame:    []byte("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":42}}]}\n\n"),
		EnvelopeBody:      errorBody("requests", "rate_limit_exceeded", "Rate limit reached"),
		EnvelopeKind:      llm.KindRateLimit,
		Errors: []providertest.ErrorCase{
			{Name: "400", Status: 400, Body: errorBody("invalid_request_error", "", "Invalid value for 'temperature'"), Kind: llm.KindInvalidRequest},
			{Name: "400 context", Status: 400, Body: errorBody("invalid_request_error", "context_length_exceeded", "maximum context length is 8192 tokens"), Kind: llm.KindContextWindowExceeded},
			{Name: "401", Status: 401, Body: errorBody("invalid_request_error", "invalid_api_key", "Invalid API Key"), Kind: llm.KindAuthentication},
			{Name: "404 bare", Status: 404, Body: `{"error":"Model not found"}`, Kind: llm.KindNotFound},
			{Name: "422 detail", Status: 422, Body: `{"detail":[{"loc":["body","messages"],"msg":"field required","type":"missing"}]}`, Kind: llm.KindInvalidRequest},
			{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: errorBody("requests", "rate_limit_exceeded", "Rate limit reached"), Kind: llm.KindRateLimit},
			{Name: "500", Status: 500, Body: `{"object":"error","message":"Internal error","type":"InternalServerError","param":null,"code":500}`, Kind: llm.KindServer},
			{Name: "503", Status: 503, Body: "<html>unavailable</html>", Kind: llm.KindOverloaded},
		},
	}
}

// noDoneChunks turns OpenAI's stream into that of an API with NoDone: the
// usage on the finish chunk, no usage-only chunk and no [DONE], so that the
// finish chunk ends the stream.
func noDoneChunks(frames func([]string, llm.Usage) [][]byte) func([]string, llm.Usage) [][]byte {
	return func(pieces []string, u llm.Usage) [][]byte {
		fs := frames(pieces, u)
		fs = fs[:len(fs)-2] // the usage chunk and [DONE]
		usage, _ := json.Marshal(u)
		last := fs[len(fs)-1]
		fs[len(fs)-1] = bytes.Replace(last, []byte(`"usage":null`), append([]byte(`"usage":`), usage...), 1)
		return fs
	}
}

// TestConformance runs the shared contract against every vendor of the
// table, each against its own server.
func TestConformance(t *testing.T) {
	specs := openaicompat.Specs()
	require.GreaterOrEqual(t, len(specs), 25)
	for _, s := range specs {
		t.Run(s.Name, func(t *testing.T) { providertest.Run(t, harness(s.Name)) })
	}
}

// rewriter records each request's URL and sends it to a test server
// instead, so that a test can assert a vendor's default URL on the wire.
type rewriter struct {
	target *url.URL
	mu     sync.Mutex
	urls   []string
}

func (r *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host = r.target.Scheme, r.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

func (r *rewriter) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		return ""
	}
	return r.urls[len(r.urls)-1]
}

// wire is a server that records what it received and answers with a
// fixture, and a client that sends a vendor's default URL to it.
type wire struct {
	*providertest.Recorder
	rw *rewriter
}

func newWire(t *testing.T, contentType string, reply []byte) *wire {
	t.Helper()
	rec := providertest.NewRecorder(t, http.StatusOK, contentType, reply)
	u, _ := url.Parse(rec.URL)
	return &wire{Recorder: rec, rw: &rewriter{target: u}}
}

func (w *wire) client() llm.Option { return llm.WithHTTPClient(&http.Client{Transport: w.rw}) }

func chatRequest(t *testing.T, model string) llm.CompletionRequest {
	t.Helper()
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "chat.request.json"), &req))
	req.Model = model
	return req
}

// clearEnv unsets every environment variable the table reads.
func clearEnv(t *testing.T) {
	for _, s := range openaicompat.Specs() {
		for _, v := range append(append([]string{}, s.KeyEnv...), s.BaseURLEnv...) {
			t.Setenv(v, "")
		}
	}
}

// TestVendorWire checks, for every vendor, the URL its default base URL
// gives, the key read from its first key variable and sent as a bearer
// token, the body on the wire and the decoded answer; and that a missing
// key or base URL is a typed error naming the variable to set.
func TestVendorWire(t *testing.T) {
	for _, s := range openaicompat.Specs() {
		t.Run(s.Name, func(t *testing.T) {
			clearEnv(t)
			w := newWire(t, "application/json", providertest.Fixture(t, "chat.response.json"))
			req := chatRequest(t, s.Name+"/m-1")

			if !s.KeyOptional {
				_, err := llm.Completion(t.Context(), req, w.client(), llm.WithBaseURL("http://unused.example"))
				require.ErrorIs(t, err, llm.ErrAuthentication)
				assert.Contains(t, err.Error(), s.KeyEnv[0], "the error names the key variable")
			}
			want := s.BaseURL
			if s.BaseURL == "" {
				_, err := llm.Completion(t.Context(), req, w.client(), llm.WithAPIKey("k"))
				require.ErrorIs(t, err, llm.ErrInvalidRequest)
				assert.Contains(t, err.Error(), s.BaseURLEnv[0], "the error names the base URL variable")
				want = "http://" + s.Name + ".internal:8000/v1"
				t.Setenv(s.BaseURLEnv[0], want+"/")
			}
			key := "key-" + s.Name + "-0123456789"
			t.Setenv(s.KeyEnv[0], key)

			resp, err := llm.Completion(t.Context(), req, w.client())
			require.NoError(t, err)
			r, body := w.Last()
			assert.Equal(t, want+"/chat/completions", w.rw.last())
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "Bearer "+key, r.Header.Get("Authorization"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, string(providertest.Fixture(t, "chat.request.json")), string(body))
			assert.Equal(t, "Hello!", resp.Text())
			assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
			assert.Equal(t, 15, resp.Usage.TotalTokens)
			assert.Equal(t, s.Name, resp.Meta.Provider)
			assert.Equal(t, "m-1", resp.Meta.Model)
		})
	}
}

// TestKeyOptional checks that the local servers take calls without a key
// and send no Authorization header then.
func TestKeyOptional(t *testing.T) {
	for _, name := range []string{"lm_studio", "hosted_vllm", "openai_like"} {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			w := newWire(t, "application/json", providertest.Fixture(t, "chat.response.json"))
			_, err := llm.Completion(t.Context(), chatRequest(t, name+"/m-1"), w.client(), llm.WithBaseURL("http://localhost:1234/v1"))
			require.NoError(t, err)
			r, _ := w.Last()
			assert.Empty(t, r.Header.Get("Authorization"))
		})
	}
}

func stream(t *testing.T, model, sseFile string, opts ...llm.Option) (*wire, []*llm.Chunk) {
	t.Helper()
	w := newWire(t, "text/event-stream", providertest.Fixture(t, sseFile))
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: model, Messages: []llm.Message{llm.UserText("Say hello.")}},
		append([]llm.Option{w.client(), llm.WithAPIKey("k"), llm.WithBaseURL("http://api.test/v1")}, opts...)...) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.NotEmpty(t, chunks)
	for i, c := range chunks[:len(chunks)-1] {
		assert.Nil(t, c.Usage, "chunk %d of %d carries usage; only the last may", i, len(chunks))
	}
	return w, chunks
}

func collect(chunks []*llm.Chunk) *llm.CompletionResponse {
	var acc llm.Accumulator
	for _, c := range chunks {
		acc.Add(c)
	}
	return acc.Response()
}

func TestGroqReasoningAndUsage(t *testing.T) {
	t.Parallel()
	w, chunks := stream(t, "groq/qwen/qwen3-32b", "groq.sse")
	_, body := w.Last()
	// reasoning_format is Groq's own knob, passed through Extra.
	assert.JSONEq(t, `{"model":"qwen/qwen3-32b","messages":[{"role":"user","content":"Say hello."}],"stream":true,"stream_options":{"include_usage":true}}`, string(body))
	got := collect(chunks)
	assert.Equal(t, "Hello!", got.Text())
	assert.Equal(t, "The user greets; answer briefly.", got.Choices[0].Message.ReasoningContent)
	assert.Equal(t, llm.FinishStop, got.Choices[0].FinishReason)
	require.NotNil(t, got.Usage)
	assert.Equal(t, llm.Usage{PromptTokens: 18, CompletionTokens: 9, TotalTokens: 27}, *got.Usage)
	last := chunks[len(chunks)-1]
	assert.Empty(t, last.Choices, "usage comes on a final chunk of its own")
	assert.Equal(t, "chatcmpl-g1", last.ID)
}

func TestGroqExtraWire(t *testing.T) {
	t.Parallel()
	w := newWire(t, "text/event-stream", providertest.Fixture(t, "groq.sse"))
	req := llm.CompletionRequest{Model: "groq/qwen/qwen3-32b", Messages: []llm.Message{llm.UserText("Say hello.")},
		Extra: map[string]any{"reasoning_format": "parsed"}}
	_, err := llm.Collect(llm.CompletionStream(t.Context(), req, w.client(), llm.WithAPIKey("gsk-1")))
	require.NoError(t, err)
	r, body := w.Last()
	assert.Equal(t, "https://api.groq.com/openai/v1/chat/completions", w.rw.last())
	assert.Equal(t, "Bearer gsk-1", r.Header.Get("Authorization"))
	assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
	assert.JSONEq(t, string(providertest.Fixture(t, "groq.request.json")), string(body))
}

func TestGroqUnsupportedParams(t *testing.T) {
	t.Parallel()
	w := newWire(t, "application/json", providertest.Fixture(t, "chat.response.json"))
	req := chatRequest(t, "groq/m-1")
	req.Logprobs, req.TopLogprobs = true, llm.Ptr(2)
	opts := []llm.Option{w.client(), llm.WithAPIKey("k")}
	_, err := llm.Completion(t.Context(), req, opts...)
	require.ErrorIs(t, err, llm.ErrUnsupported)
	assert.Contains(t, err.Error(), "logprobs")
	r, _ := w.Last()
	assert.Nil(t, r, "no request is sent")

	_, err = llm.Completion(t.Context(), req, append(opts, llm.WithDropUnsupportedParams())...)
	require.NoError(t, err)
	_, body := w.Last()
	assert.JSONEq(t, string(providertest.Fixture(t, "chat.request.json")), string(body), "the parameters are dropped")
}

func TestOpenRouterReasoning(t *testing.T) {
	t.Parallel()
	w := newWire(t, "application/json", providertest.Fixture(t, "openrouter.response.json"))
	resp, err := llm.Completion(t.Context(), chatRequest(t, "openrouter/deepseek/deepseek-r1"), w.client(), llm.WithAPIKey("or-1"),
		llm.WithHeader("HTTP-Referer", "https://example.com"), llm.WithHeader("X-Title", "Example"))
	require.NoError(t, err)
	r, body := w.Last()
	assert.Equal(t, "https://openrouter.ai/api/v1/chat/completions", w.rw.last())
	assert.Equal(t, "https://example.com", r.Header.Get("HTTP-Referer"))
	assert.Equal(t, "Example", r.Header.Get("X-Title"))
	assert.Contains(t, string(body), `"model":"deepseek/deepseek-r1"`)
	assert.Equal(t, "Hello!", resp.Text())
	assert.Equal(t, "A greeting; reply in kind.", resp.Choices[0].Message.ReasoningContent)
	assert.Equal(t, 30, resp.Usage.TotalTokens)
}

func TestMoonshotUsageInChoice(t *testing.T) {
	t.Parallel()
	_, chunks := stream(t, "moonshot/kimi-k2-0905-preview", "moonshot.sse")
	got := collect(chunks)
	assert.Equal(t, "Hello!", got.Text())
	assert.Equal(t, llm.FinishStop, got.Choices[0].FinishReason)
	require.NotNil(t, got.Usage)
	assert.Equal(t, llm.Usage{PromptTokens: 19, CompletionTokens: 2, TotalTokens: 21}, *got.Usage)
}

func TestPerplexityUsageOnEveryChunk(t *testing.T) {
	t.Parallel()
	_, chunks := stream(t, "perplexity/sonar", "perplexity.sse")
	require.Len(t, chunks, 4, "three content chunks and the usage chunk")
	got := collect(chunks)
	assert.Equal(t, "Hello!", got.Text())
	require.NotNil(t, got.Usage)
	assert.Equal(t, 10, got.Usage.TotalTokens, "the latest usage wins")
	assert.Equal(t, "p-1", chunks[3].ID)
}

func TestDeepSeekReasoningContent(t *testing.T) {
	t.Parallel()
	w := newWire(t, "application/json", providertest.Fixture(t, "deepseek.response.json"))
	req := llm.CompletionRequest{Model: "deepseek/deepseek-reasoner", Messages: []llm.Message{
		llm.UserText("Hi"),
		{Role: llm.RoleAssistant, Content: llm.Text("Hello!"), ReasoningContent: "earlier thoughts"},
		llm.UserText("Again."),
	}}
	resp, err := llm.Completion(t.Context(), req, w.client(), llm.WithAPIKey("k"))
	require.NoError(t, err)
	_, body := w.Last()
	assert.Equal(t, "https://api.deepseek.com/chat/completions", w.rw.last())
	assert.JSONEq(t, string(providertest.Fixture(t, "deepseek.request.json")), string(body), "reasoning_content is not sent back")
	assert.Equal(t, "They said hello.", resp.Choices[0].Message.ReasoningContent)
	assert.Equal(t, 25, resp.Usage.CompletionTokensDetails.ReasoningTokens)
}

func TestVLLMReasoningStream(t *testing.T) {
	t.Parallel()
	_, chunks := stream(t, "hosted_vllm/Qwen/Qwen3-8B", "vllm.sse")
	got := collect(chunks)
	assert.Equal(t, "Hello!", got.Text())
	assert.Equal(t, "Short answer.", got.Choices[0].Message.ReasoningContent)
	assert.Equal(t, 14, got.Usage.TotalTokens)
}

func TestHuggingFace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, base, want string
	}{
		{"router", "", "https://router.huggingface.co/v1/chat/completions"},
		{"dedicated endpoint", "https://xyz.us-east-1.aws.endpoints.huggingface.cloud", "https://xyz.us-east-1.aws.endpoints.huggingface.cloud/v1/chat/completions"},
		{"tgi with v1", "http://tgi:8080/v1/", "http://tgi:8080/v1/chat/completions"},
		{"full url", "http://tgi:8080/v1/chat/completions", "http://tgi:8080/v1/chat/completions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t, "application/json", providertest.Fixture(t, "chat.response.json"))
			opts := []llm.Option{w.client(), llm.WithAPIKey("hf_abc")}
			if c.base != "" {
				opts = append(opts, llm.WithBaseURL(c.base))
			}
			resp, err := llm.Completion(t.Context(), chatRequest(t, "huggingface/meta-llama/Llama-3.1-8B-Instruct:novita"), opts...)
			require.NoError(t, err)
			r, body := w.Last()
			assert.Equal(t, c.want, w.rw.last())
			assert.Equal(t, "Bearer hf_abc", r.Header.Get("Authorization"))
			assert.Contains(t, string(body), `"model":"meta-llama/Llama-3.1-8B-Instruct:novita"`)
			assert.Equal(t, "Hello!", resp.Text())
		})
	}
}

func TestHuggingFaceTGIError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":"Model is overloaded","error_type":"overloaded"}`))
	}))
	defer srv.Close()
	_, err := llm.Completion(t.Context(), chatRequest(t, "huggingface/tgi"), llm.WithBaseURL(srv.URL), llm.WithAPIKey("hf_abc"))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindOverloaded, le.Kind)
	assert.Equal(t, "overloaded", le.Code)
	assert.Equal(t, "Model is overloaded", le.Message)
}

func TestLookupAndNew(t *testing.T) {
	t.Parallel()
	s, ok := openaicompat.Lookup("groq")
	require.True(t, ok)
	assert.Equal(t, "GROQ_API_KEY", s.KeyEnv[0])
	s.KeyEnv[0] = "CHANGED"
	again, _ := openaicompat.Lookup("groq")
	assert.Equal(t, "GROQ_API_KEY", again.KeyEnv[0], "Lookup returns a copy")
	_, ok = openaicompat.Lookup("nope")
	assert.False(t, ok)
	assert.Nil(t, openaicompat.New("nope"))
	assert.Equal(t, "xai", openaicompat.New("xai").Name())

	names := llm.Providers()
	for _, s := range openaicompat.Specs() {
		assert.Contains(t, names, s.Name)
		assert.NotEmpty(t, s.KeyEnv, s.Name)
		assert.NotEmpty(t, s.BaseURLEnv, s.Name)
		if s.BaseURL != "" {
			assert.True(t, strings.HasPrefix(s.BaseURL, "https://") || strings.HasPrefix(s.BaseURL, "http://localhost"), s.Name)
		}
	}
	var _ *openai.Provider = openaicompat.New("groq")
}

// TestDocsListEveryVendor keeps docs/vendors.md in step with the table.
func TestDocsListEveryVendor(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/vendors.md")
	require.NoError(t, err)
	for _, s := range openaicompat.Specs() {
		assert.Contains(t, string(doc), "`"+s.Name+"/", "docs/vendors.md lists %s", s.Name)
		for _, v := range append(append([]string{}, s.KeyEnv...), s.BaseURLEnv...) {
			assert.Contains(t, string(doc), v, "docs/vendors.md names %s's variable", s.Name)
		}
		if s.BaseURL != "" {
			assert.Contains(t, string(doc), s.BaseURL, "docs/vendors.md gives %s's base URL", s.Name)
		}
	}
}
