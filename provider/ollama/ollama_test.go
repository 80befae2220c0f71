package ollama_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/ollama"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func line(v any) []byte {
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

func streamFrames(pieces []string, u llm.Usage) [][]byte {
	var frames [][]byte
	for _, p := range pieces {
		frames = append(frames, line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00",
			"message": map[string]any{"role": "assistant", "content": p}, "done": false}))
	}
	return append(frames, line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:20Z",
		"message": map[string]any{"role": "assistant", "content": ""}, "done_reason": "stop", "done": true,
		"prompt_eval_count": u.PromptTokens, "eval_count": u.CompletionTokens}))
}

func errorBody(msg string) string {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return string(b)
}

// unknownFrames are stream lines with fields this translator does not know
// (Ollama's NDJSON has no typed blocks or events): one in the message and
// at the top, and a line with no message at all.
func unknownFrames() [][]byte {
	return [][]byte{
		line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00", "done": false, providertest.UnknownType: providertest.UnknownBlock(),
			"message": map[string]any{"role": "assistant", "content": "", providertest.UnknownType: providertest.UnknownBlock()}}),
		line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00", "done": false, providertest.UnknownType: 1}),
	}
}

var harness = providertest.Harness{
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-12-12T14:13:43.416799Z", providertest.UnknownType: providertest.UnknownBlock(),
			"message":     map[string]any{"role": "assistant", "content": text, providertest.UnknownType: providertest.UnknownBlock()},
			"done_reason": "stop", "done": true, "prompt_eval_count": u.PromptTokens, "eval_count": u.CompletionTokens})
		return b
	},
	UnknownFrames: unknownFrames,
	Model:         "ollama/llama3.2",
	Options: func(base string) []llm.Option {
		return []llm.Option{llm.WithBaseURL(base)}
	},
	Completion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-12-12T14:13:43.416799Z",
			"message": map[string]any{"role": "assistant", "content": text}, "done_reason": "stop", "done": true,
			"prompt_eval_count": u.PromptTokens, "eval_count": u.CompletionTokens})
		return b
	},
	StreamFrames:      streamFrames,
	StreamContentType: "application/x-ndjson",
	StreamErrorFrame:  []byte(errorBody("an error was encountered while running the model: unexpected EOF") + "\n"),
	StreamErrorKind:   llm.KindServer,
	KeyEnv:            "OLLAMA_API_KEY",
	ErrorEventFrame:   func(msg string) []byte { return []byte(errorBody(msg) + "\n") },
	MalformedFrame:    []byte(`{"model":"llama3.2","message":{"role":"assistant","content":42},"done":false}` + "\n"),
	EnvelopeBody:      errorBody(`model "llama9" not found, try pulling it first`),
	EnvelopeKind:      llm.KindNotFound,
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: errorBody("invalid options: temperature"), Kind: llm.KindInvalidRequest},
		{Name: "400 no tools", Status: 400, Body: errorBody("registry.ollama.ai/library/llama2:latest does not support tools"), Kind: llm.KindUnsupported},
		{Name: "400 no thinking", Status: 400, Body: errorBody(`"gemma3:1b" does not support thinking`), Kind: llm.KindUnsupported},
		{Name: "401", Status: 401, Body: errorBody("unauthorized"), Kind: llm.KindAuthentication},
		{Name: "403", Status: 403, Body: errorBody("forbidden"), Kind: llm.KindPermissionDenied},
		{Name: "404", Status: 404, Body: errorBody(`model "llama9" not found, try pulling it first`), Kind: llm.KindNotFound},
		{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: errorBody("too many requests"), Kind: llm.KindRateLimit},
		{Name: "500", Status: 500, Body: errorBody("llama runner process has terminated: signal: killed"), Kind: llm.KindServer},
		{Name: "502 html", Status: 502, Body: "<html>Bad gateway</html>", Kind: llm.KindServer},
		{Name: "503", Status: 503, Body: errorBody("server busy, please try again.  maximum pending requests exceeded"), Kind: llm.KindOverloaded},
	},
}

func TestConformance(t *testing.T) {
	providertest.Run(t, harness)
}

func TestConformanceOllamaChat(t *testing.T) {
	h := harness
	h.Model = "ollama_chat/llama3.2"
	providertest.Run(t, h)
}

const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

func fullRequest() llm.CompletionRequest {
	return llm.CompletionRequest{
		Model: "ollama/qwen3:8b",
		Messages: []llm.Message{
			{Role: llm.RoleDeveloper, Content: llm.Text("You are terse.")},
			llm.UserParts(llm.Part{Type: llm.PartText, Text: "What is in this image?"},
				llm.Part{Type: llm.PartImageURL, ImageURL: &llm.ImageURL{URL: "data:image/png;base64," + pixel}},
				llm.Part{Type: llm.PartText, Text: "And what's the weather in Tokyo?"}),
			{Role: llm.RoleAssistant, ReasoningContent: "I should call the tool.", ToolCalls: []llm.ToolCall{
				{ID: "call_0_x", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Tokyo","units":"celsius"}`}}}},
			llm.ToolResult("call_0_x", "11 degrees celsius"),
			llm.UserText("Thanks. Anything else?"),
		},
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Get the weather in a given city",
			`{"type":"object","properties":{"city":{"type":"string"},"units":{"type":"string"}},"required":["city"]}`)},
		ToolChoice: llm.ToolChoiceAuto,
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "answer",
			Schema: json.RawMessage(`{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}`)}},
		Temperature: llm.Ptr(0.2), TopP: llm.Ptr(0.9), MaxTokens: 256, Stop: llm.StringList{"\n\n", "user:"}, Seed: llm.Ptr(int64(42)),
		ReasoningEffort: "high",
		Extra:           map[string]any{"keep_alive": "10m", "options": map[string]any{"num_ctx": 8192, "top_k": 20}},
	}
}

func TestRequestWire(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "chat.request.json")
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/api/chat", r.URL.Path)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "Bearer ollama-key", r.Header.Get("Authorization"))
		assert.Equal(t, "yes", r.Header.Get("X-Extra"))
		assert.JSONEq(t, string(wire), string(body))
	}, "application/json", providertest.Fixture(t, "chat.response.json"))

	req := fullRequest()
	before, _ := json.Marshal(req)
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("ollama-key"),
		llm.WithHeader("X-Extra", "yes"), llm.WithRawResponse())
	require.NoError(t, err)
	after, _ := json.Marshal(req)
	assert.JSONEq(t, string(before), string(after), "the caller's request is not modified")

	require.Len(t, resp.Choices, 1)
	c := resp.Choices[0]
	assert.Equal(t, `{"answer": "It is 11°C in Tokyo."}`, resp.Text())
	assert.Equal(t, "The tool said 11 degrees.", c.Message.ReasoningContent)
	assert.Equal(t, llm.RoleAssistant, c.Message.Role)
	assert.Equal(t, llm.FinishStop, c.FinishReason)
	assert.Equal(t, &llm.Usage{PromptTokens: 94, CompletionTokens: 11, TotalTokens: 105}, resp.Usage)
	assert.Equal(t, "qwen3:8b", resp.Model)
	assert.Equal(t, int64(1751921017), resp.Created)
	assert.True(t, strings.HasPrefix(resp.ID, "chatcmpl-ollama-"), resp.ID)
	assert.Equal(t, "chat.completion", resp.Object)
	assert.Equal(t, "ollama", resp.Meta.Provider)
	assert.JSONEq(t, string(providertest.Fixture(t, "chat.response.json")), string(resp.Meta.Raw))
}

func TestStreamWire(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "application/x-ndjson", r.Header.Get("Accept"))
		assert.Empty(t, r.Header.Get("Authorization"), "no key, no auth header")
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		assert.Equal(t, true, m["stream"])
		assert.Equal(t, "json", m["format"])
		assert.Equal(t, false, m["think"])
		assert.NotContains(t, m, "options")
	}, "application/x-ndjson", providertest.Fixture(t, "text.ndjson"))
	req := llm.CompletionRequest{Model: "ollama/llama3.2", Messages: []llm.Message{llm.UserText("why is the sky blue?")},
		ResponseFormat: &llm.ResponseFormat{Type: "json_object"}, ReasoningEffort: "none"}
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL)) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.Len(t, chunks, 4)
	assert.Equal(t, llm.RoleAssistant, chunks[0].Choices[0].Delta.Role)
	assert.Empty(t, chunks[1].Choices[0].Delta.Role)
	for _, c := range chunks[:3] {
		assert.Nil(t, c.Usage)
		assert.Empty(t, c.Choices[0].FinishReason)
		assert.Equal(t, chunks[0].ID, c.ID, "one id for the stream")
	}
	last := chunks[3]
	assert.Equal(t, llm.FinishLength, last.Choices[0].FinishReason)
	assert.Equal(t, &llm.Usage{PromptTokens: 26, CompletionTokens: 3, TotalTokens: 29}, last.Usage)
}

func TestStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	stream, _ := providertest.Server(t, nil, "application/x-ndjson", providertest.Fixture(t, "tools.ndjson"))
	whole, _ := providertest.Server(t, nil, "application/json", providertest.Fixture(t, "tools.response.json"))
	req := llm.CompletionRequest{Model: "ollama/qwen3:8b", Messages: []llm.Message{llm.UserText("weather in Tokyo and Paris?")},
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "", `{"type":"object","properties":{"city":{"type":"string"}}}`)}}

	got, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL)))
	require.NoError(t, err)
	want, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL))
	require.NoError(t, err)

	assert.Equal(t, want.Choices, got.Choices)
	assert.Equal(t, want.Usage, got.Usage)
	assert.Equal(t, want.Model, got.Model)

	calls := want.ToolCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, llm.FinishToolCalls, want.Choices[0].FinishReason)
	assert.Equal(t, `{"city":"Paris","units":"celsius"}`, calls[1].Function.Arguments)
	assert.True(t, strings.HasPrefix(calls[0].ID, "call_0_"), calls[0].ID)
	assert.True(t, strings.HasPrefix(calls[1].ID, "call_1_"), calls[1].ID)
	assert.NotEqual(t, calls[0].ID, calls[1].ID)
	assert.Equal(t, "The user wants the weather in two cities.", got.Choices[0].Message.ReasoningContent)
}

func TestToolCallIDKept(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, nil, "application/json", []byte(`{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"",
		"tool_calls":[{"id":"call_srv","function":{"index":0,"name":"f","arguments":"{\"a\":1}"}}]},"done":true,"done_reason":"stop"}`))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "ollama/m", Messages: []llm.Message{llm.UserText("x")}}, llm.WithBaseURL(srv.URL))
	require.NoError(t, err)
	assert.Equal(t, []llm.ToolCall{{ID: "call_srv", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: `{"a":1}`}}}, resp.ToolCalls())
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	var hits int
	srv, _ := providertest.Server(t, func(*testing.T, *http.Request, []byte) { hits++ }, "application/json", providertest.Fixture(t, "chat.response.json"))
	user := llm.UserText("hi")
	cases := []struct {
		name string
		req  llm.CompletionRequest
		kind llm.Kind
		want string
	}{
		{"web search (a server tool Ollama lacks)", llm.CompletionRequest{Messages: []llm.Message{user}, WebSearchOptions: &llm.WebSearchOptions{}}, llm.KindUnsupported, "web_search_options"},
		{"invalid arguments", llm.CompletionRequest{Messages: []llm.Message{user, {Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
			{ID: "1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: `{"a":`}}}}}}, llm.KindInvalidRequest, "not a JSON object"},
		{"arguments not an object", llm.CompletionRequest{Messages: []llm.Message{user, {Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
			{ID: "1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: `[1]`}}}}}}, llm.KindInvalidRequest, "not a JSON object"},
		{"http image", llm.CompletionRequest{Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartImageURL,
			ImageURL: &llm.ImageURL{URL: "https://example.com/cat.png"}})}}, llm.KindInvalidRequest, "inline"},
		{"audio", llm.CompletionRequest{Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartInputAudio,
			InputAudio: &llm.InputAudio{Data: "AAAA", Format: "wav"}})}}, llm.KindUnsupported, "input_audio"},
		{"tool_choice required", llm.CompletionRequest{Messages: []llm.Message{user}, Tools: []llm.Tool{llm.FunctionTool("f", "", "")},
			ToolChoice: llm.ToolChoiceRequired}, llm.KindUnsupported, "tool_choice"},
		{"n", llm.CompletionRequest{Messages: []llm.Message{user}, N: 2}, llm.KindUnsupported, "n > 1"},
		{"bad extra options", llm.CompletionRequest{Messages: []llm.Message{user}, Extra: map[string]any{"options": 3}}, llm.KindInvalidRequest, "options"},
	}
	for _, tc := range cases {
		tc.req.Model = "ollama/m"
		_, err := llm.Completion(t.Context(), tc.req, llm.WithBaseURL(srv.URL))
		var le *llm.Error
		require.ErrorAs(t, err, &le, tc.name)
		assert.Equal(t, tc.kind, le.Kind, "%s: %v", tc.name, err)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		_, err = llm.Collect(llm.CompletionStream(t.Context(), tc.req, llm.WithBaseURL(srv.URL)))
		assert.Equal(t, tc.kind, llm.KindOf(err), "%s (stream): %v", tc.name, err)
	}
	assert.Zero(t, hits, "no request is sent")
}

func TestDropUnsupported(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		assert.Contains(t, m, "tools", "required degrades to auto")
	}, "application/json", providertest.Fixture(t, "chat.response.json"))
	req := llm.CompletionRequest{Model: "ollama/m", Messages: []llm.Message{llm.UserText("hi")}, N: 2, LogitBias: map[string]int{"1": 1},
		Tools: []llm.Tool{llm.FunctionTool("f", "", "")}, ToolChoice: llm.ToolChoiceRequired}
	_, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithDropUnsupportedParams())
	require.NoError(t, err)

	none, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.NotContains(t, string(body), `"tools"`, "tool_choice none sends no tools")
	}, "application/json", providertest.Fixture(t, "chat.response.json"))
	req = llm.CompletionRequest{Model: "ollama/m", Messages: []llm.Message{llm.UserText("hi")},
		Tools: []llm.Tool{llm.FunctionTool("f", "", "")}, ToolChoice: llm.ToolChoiceNone}
	_, err = llm.Completion(t.Context(), req, llm.WithBaseURL(none.URL))
	require.NoError(t, err)
}

func TestNotFoundHint(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		_, _ = w.Write([]byte(errorBody(`model "llama9" not found, try pulling it first`)))
	}))
	defer srv.Close()
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "ollama/llama9", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL))
	require.ErrorIs(t, err, llm.ErrNotFound)
	assert.Contains(t, err.Error(), "ollama pull llama9")
}

func TestNotRunning(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	for _, stream := range []bool{false, true} {
		req := llm.CompletionRequest{Model: "ollama/llama3.2", Messages: []llm.Message{llm.UserText("hi")}}
		var err error
		if stream {
			_, err = llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(base)))
		} else {
			_, err = llm.Completion(t.Context(), req, llm.WithBaseURL(base))
		}
		require.ErrorIs(t, err, llm.ErrConnection)
		assert.Contains(t, err.Error(), "Ollama does not appear to be running at "+base)
	}
}

func TestTruncatedStream(t *testing.T) {
	t.Parallel()
	body := providertest.Fixture(t, "text.ndjson")
	cut := body[:strings.LastIndex(string(body), "\n{")+1] // every line but the final (done) one
	srv, _ := providertest.Server(t, nil, "application/x-ndjson", cut)
	text := ""
	var gotErr error
	for c, err := range llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "ollama/llama3.2", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL)) {
		if err != nil {
			gotErr = err
			continue
		}
		text += c.Choices[0].Delta.Content
	}
	assert.Equal(t, "The sky is", text)
	require.ErrorIs(t, gotErr, llm.ErrBadResponse, "a stream that ends cleanly before its done line is cut off")
	assert.True(t, errors.Is(gotErr, io.ErrUnexpectedEOF), gotErr)
}

func TestBaseURLFromEnv(t *testing.T) {
	cases := []struct{ apiBase, host, want string }{
		{"", "", "/api/chat at localhost:11434"},
		{"http://base.example:1/x", "ignored:2", "base.example:1/x"},
		{"", "0.0.0.0", "localhost:11434"},
		{"", "0.0.0.0:9999", "localhost:9999"},
		{"", "gpu-box", "gpu-box:11434"},
		{"", "https://ollama.example.com", "ollama.example.com:443"},
		{"", "http://[::]:8080/", "localhost:8080"},
	}
	for _, tc := range cases {
		t.Setenv("OLLAMA_API_BASE", tc.apiBase)
		t.Setenv("OLLAMA_HOST", tc.host)
		// Nothing listens on these hosts (or they do not resolve): the
		// connection error names the URL tried.
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		}}}
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "ollama/m", Messages: []llm.Message{llm.UserText("hi")}}, llm.WithHTTPClient(hc))
		require.Error(t, err)
		want := tc.want
		if want == "/api/chat at localhost:11434" {
			want = "http://localhost:11434"
		}
		assert.Contains(t, err.Error(), want, "OLLAMA_API_BASE=%q OLLAMA_HOST=%q", tc.apiBase, tc.host)
	}
}

func TestExplicitProvider(t *testing.T) {
	t.Parallel()
	srv, _ := providertest.Server(t, nil, "application/json", providertest.Fixture(t, "chat.response.json"))
	c := llm.NewClient(llm.WithProvider(ollama.New(), llm.WithBaseURL(srv.URL)))
	resp, err := c.Completion(t.Context(), llm.CompletionRequest{Model: "ollama/qwen3:8b", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
	assert.Equal(t, "The tool said 11 degrees.", resp.Choices[0].Message.ReasoningContent)
}
