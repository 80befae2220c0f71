package gemini_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func frame(v any) []byte {
	b, _ := json.Marshal(v)
	return []byte("data: " + string(b) + "\r\n\r\n")
}

func statusBody(code int, status, msg string, details ...string) string {
	d := ""
	if len(details) > 0 {
		d = `,"details":[` + strings.Join(details, ",") + `]`
	}
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q%s}}`, code, msg, status, d)
}

func textCandidate(text, finish string) map[string]any {
	c := map[string]any{"content": map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}}, "index": 0}
	if finish != "" {
		c["finishReason"] = finish
	}
	return c
}

func usageMeta(u llm.Usage) map[string]any {
	return map[string]any{"promptTokenCount": u.PromptTokens, "candidatesTokenCount": u.CompletionTokens, "totalTokenCount": u.TotalTokens}
}

// unknownPart is a part of a kind Gemini may add (a part is typed by the
// key it holds): it must fail nothing and be kept under PSFParts.
func unknownPart() map[string]any {
	return map[string]any{providertest.UnknownType: providertest.UnknownBlock()}
}

// unknownFrames are stream events with what this translator does not know:
// a candidate holding an unknown part only, and an event with no candidate,
// each with unknown fields at every level.
func unknownFrames() [][]byte {
	return [][]byte{
		frame(map[string]any{"candidates": []any{map[string]any{"content": map[string]any{"role": "model", "parts": []any{unknownPart()}},
			"index": 0, providertest.UnknownType: 1}}, "modelVersion": "gemini-2.5-flash", "responseId": "r1", providertest.UnknownType: "x"}),
		frame(map[string]any{providertest.UnknownType: map[string]any{"n": 1}, "modelVersion": "gemini-2.5-flash", "responseId": "r1"}),
	}
}

// Harness is the conformance harness of the Gemini API.
var Harness = providertest.Harness{
	Model: "gemini/gemini-2.5-flash",
	Options: func(base string) []llm.Option {
		return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey("gemini-test-key")}
	},
	Completion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(map[string]any{"candidates": []any{textCandidate(text, "STOP")}, "usageMetadata": usageMeta(u),
			"modelVersion": "gemini-2.5-flash", "responseId": "r1"})
		return b
	},
	StreamFrames: func(pieces []string, u llm.Usage) [][]byte {
		var frames [][]byte
		for i, p := range pieces {
			finish, um := "", map[string]any{"promptTokenCount": u.PromptTokens, "totalTokenCount": u.PromptTokens}
			if i == len(pieces)-1 {
				finish, um = "STOP", usageMeta(u)
			}
			frames = append(frames, frame(map[string]any{"candidates": []any{textCandidate(p, finish)}, "usageMetadata": um,
				"modelVersion": "gemini-2.5-flash", "responseId": "r1"}))
		}
		return frames
	},
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		c := textCandidate(text, "STOP")
		c["content"].(map[string]any)["parts"] = []any{unknownPart(), map[string]any{"text": text}}
		c[providertest.UnknownType] = 1
		b, _ := json.Marshal(map[string]any{"candidates": []any{c}, "usageMetadata": usageMeta(u),
			"modelVersion": "gemini-2.5-flash", "responseId": "r1", providertest.UnknownType: "x"})
		return b
	},
	UnknownFrames:     unknownFrames,
	UnknownKey:        gemini.PSFParts,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte("data: " + statusBody(503, "UNAVAILABLE", "The model is overloaded. Please try again later.") + "\r\n\r\n"),
	KeyEnv:            "GEMINI_API_KEY",
	ErrorEventFrame:   func(msg string) []byte { return []byte("data: " + statusBody(500, "INTERNAL", msg) + "\r\n\r\n") },
	StreamErrorKind:   llm.KindOverloaded,
	MalformedFrame:    []byte(`data: {"candidates":[{"content":{"parts":[{"text":42}]}}]}` + "\r\n\r\n"),
	EnvelopeBody:      statusBody(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota."),
	EnvelopeKind:      llm.KindRateLimit,
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: statusBody(400, "INVALID_ARGUMENT", "Invalid value at 'generation_config.temperature'"), Kind: llm.KindInvalidRequest},
		{Name: "400 context window", Status: 400, Body: statusBody(400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), Kind: llm.KindContextWindowExceeded},
		{Name: "400 bad key", Status: 400, Body: statusBody(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
			`{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}`), Kind: llm.KindAuthentication},
		{Name: "400 precondition", Status: 400, Body: statusBody(400, "FAILED_PRECONDITION", "User location is not supported for the API use."), Kind: llm.KindInvalidRequest},
		{Name: "401", Status: 401, Body: statusBody(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), Kind: llm.KindAuthentication},
		{Name: "403", Status: 403, Body: statusBody(403, "PERMISSION_DENIED", "The caller does not have permission"), Kind: llm.KindPermissionDenied},
		{Name: "404", Status: 404, Body: statusBody(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"), Kind: llm.KindNotFound},
		{Name: "429", Status: 429, Body: statusBody(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.",
			`{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}`), Kind: llm.KindRateLimit},
		{Name: "500", Status: 500, Body: statusBody(500, "INTERNAL", "An internal error has occurred."), Kind: llm.KindServer},
		{Name: "502 html", Status: 502, Body: "<html>Bad Gateway</html>", Kind: llm.KindServer},
		{Name: "503", Status: 503, Body: statusBody(503, "UNAVAILABLE", "The model is overloaded."), Kind: llm.KindOverloaded},
		{Name: "504", Status: 504, Body: statusBody(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."), Kind: llm.KindTimeout},
	},
}

func TestConformance(t *testing.T) {
	providertest.Run(t, Harness)
}

// replay starts a server that checks each request with check and answers
// with reply as contentType.
func replay(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), contentType string, reply []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if check != nil {
			check(t, r, body)
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Request-Id", "req-1")
		_, _ = w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// comparable returns v encoded as JSON without its creation time, for
// comparing a decoded answer with a want fixture.
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

func loadRequest(t *testing.T, name string) llm.CompletionRequest {
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(fixture(t, name+".input.json"), &req))
	return req
}

// TestFixtures sends each case's OpenAI-format request, checks the wire
// request against <case>.request.json, answers with <case>.response.json
// and checks the decoded completion against <case>.want.json.
func TestFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"text", "tools", "images", "json_schema", "thinking", "safety", "grounding"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := loadRequest(t, name)
			model := strings.TrimPrefix(req.Model, "gemini/")
			srv := replay(t, func(t *testing.T, r *http.Request, body []byte) {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, "/v1beta/models/"+model+":generateContent", r.URL.Path)
				assert.Empty(t, r.URL.RawQuery)
				assert.Equal(t, "test-key", r.Header.Get("X-Goog-Api-Key"))
				assert.Empty(t, r.Header.Get("Authorization"))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				assert.Equal(t, "yes", r.Header.Get("X-Extra"))
				assert.JSONEq(t, string(fixture(t, name+".request.json")), string(body))
			}, "application/json", fixture(t, name+".response.json"))
			resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("test-key"),
				llm.WithHeader("X-Extra", "yes"), llm.WithRawResponse())
			require.NoError(t, err)
			assert.JSONEq(t, string(fixture(t, name+".want.json")), comparable(t, resp))
			assert.Equal(t, "gemini", resp.Meta.Provider)
			assert.Equal(t, model, resp.Meta.Model)
			assert.Equal(t, "req-1", resp.Meta.Header.Get("X-Request-Id"))
			assert.JSONEq(t, string(fixture(t, name+".response.json")), string(resp.Meta.Raw))
		})
	}
}

// TestStreamCollectEqualsCompletion checks that the streamed form of a case
// collects into the same completion as its non-streamed answer.
func TestStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"text", "tools", "thinking", "grounding"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := loadRequest(t, name)
			model := strings.TrimPrefix(req.Model, "gemini/")
			srv := replay(t, func(t *testing.T, r *http.Request, body []byte) {
				assert.Equal(t, "/v1beta/models/"+model+":streamGenerateContent", r.URL.Path)
				assert.Equal(t, "alt=sse", r.URL.RawQuery)
				assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
				assert.JSONEq(t, string(fixture(t, name+".request.json")), string(body), "the streamed request has the same body")
			}, "text/event-stream", fixture(t, name+".sse"))
			opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithAPIKey("test-key"), llm.WithHeader("X-Extra", "yes")}

			var chunks []*llm.Chunk
			for c, err := range llm.CompletionStream(t.Context(), req, opts...) {
				require.NoError(t, err)
				chunks = append(chunks, c)
			}
			require.NotEmpty(t, chunks)
			for i, c := range chunks[:len(chunks)-1] {
				assert.Nil(t, c.Usage, "chunk %d carries usage", i)
			}
			assert.NotNil(t, chunks[len(chunks)-1].Usage)
			assert.Equal(t, llm.RoleAssistant, chunks[0].Choices[0].Delta.Role)

			got, err := llm.Collect(llm.CompletionStream(t.Context(), req, opts...))
			require.NoError(t, err)
			assert.JSONEq(t, string(fixture(t, name+".want.json")), comparable(t, got))
		})
	}
}

func TestStreamToolCallDeltas(t *testing.T) {
	t.Parallel()
	srv := replay(t, nil, "text/event-stream", fixture(t, "tools.sse"))
	var calls []llm.ToolCallDelta
	for c, err := range llm.CompletionStream(t.Context(), loadRequest(t, "tools"), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		for _, ch := range c.Choices {
			calls = append(calls, ch.Delta.ToolCalls...)
		}
	}
	require.Len(t, calls, 2)
	assert.Equal(t, llm.ToolCallDelta{Index: 0, ID: "call_0", Type: "function",
		Function:               llm.FunctionCallDelta{Name: "get_weather", Arguments: `{"city":"Nice"}`},
		ProviderSpecificFields: map[string]any{gemini.PSFThoughtSignature: "c2lnLTI="}}, calls[0])
	assert.Equal(t, llm.ToolCallDelta{Index: 1, ID: "call_1", Type: "function",
		Function: llm.FunctionCallDelta{Name: "get_weather", Arguments: `{"city":"Nice","unit":"c"}`}}, calls[1])
}

// TestToolCallRoundTrip sends an answer's tool calls back on the next turn:
// the thought signature returns on its functionCall part.
func TestToolCallRoundTrip(t *testing.T) {
	t.Parallel()
	resp, err := gemini.DecodeResponse(fixture(t, "tools.response.json"), "gemini-2.5-pro")
	require.NoError(t, err)
	msgs := []llm.Message{llm.UserText("Weather in Nice?"), resp.Choices[0].Message,
		llm.ToolResult("call_0", "sunny"), llm.ToolResult("call_1", `[1,2]`)}
	body, err := gemini.EncodeRequest(&llm.CompletionRequest{Model: "gemini-2.5-pro", Messages: msgs}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[
		{"role":"user","parts":[{"text":"Weather in Nice?"}]},
		{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Nice"}},"thoughtSignature":"c2lnLTI="},
			{"functionCall":{"name":"get_weather","args":{"city":"Nice","unit":"c"}}}]},
		{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"output":"sunny"}}},
			{"functionResponse":{"name":"get_weather","response":{"output":[1,2]}}}]}]}`, string(body))
}

func TestFinishReasons(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"STOP": llm.FinishStop, "MAX_TOKENS": llm.FinishLength, "SAFETY": llm.FinishContentFilter,
		"RECITATION": llm.FinishContentFilter, "BLOCKLIST": llm.FinishContentFilter, "PROHIBITED_CONTENT": llm.FinishContentFilter,
		"SPII": llm.FinishContentFilter, "IMAGE_SAFETY": llm.FinishContentFilter, "LANGUAGE": llm.FinishStop,
		"OTHER": llm.FinishStop, "MALFORMED_FUNCTION_CALL": llm.FinishStop, "FINISH_REASON_UNSPECIFIED": "",
	}
	for reason, want := range cases {
		t.Run(reason, func(t *testing.T) {
			t.Parallel()
			body, _ := json.Marshal(map[string]any{"candidates": []any{textCandidate("x", reason)}})
			resp, err := gemini.DecodeResponse(body, "m")
			require.NoError(t, err)
			assert.Equal(t, want, resp.Choices[0].FinishReason)

			sd := gemini.NewStreamDecoder("m")
			c, err := sd.Decode(body)
			require.NoError(t, err)
			assert.Equal(t, want, c.Choices[0].FinishReason, "streamed")
		})
	}
	// STOP with function calls is tool_calls, also when the calls came in
	// an earlier chunk.
	sd := gemini.NewStreamDecoder("m")
	_, err := sd.Decode([]byte(`{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},"index":0}]}`))
	require.NoError(t, err)
	c, err := sd.Decode([]byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP","index":0}]}`))
	require.NoError(t, err)
	assert.Equal(t, llm.FinishToolCalls, c.Choices[0].FinishReason)
}

func TestPromptBlocked(t *testing.T) {
	t.Parallel()
	srv := replay(t, nil, "application/json", fixture(t, "blocked.response.json"))
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")}
	_, err := llm.Completion(t.Context(), loadRequest(t, "safety"), opts...)
	require.ErrorIs(t, err, llm.ErrContentPolicy)
	var e *llm.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "PROHIBITED_CONTENT", e.Code)

	sse := replay(t, nil, "text/event-stream", []byte("data: "+strings.ReplaceAll(string(fixture(t, "blocked.response.json")), "\n", "")+"\r\n\r\n"))
	_, err = llm.Collect(llm.CompletionStream(t.Context(), loadRequest(t, "safety"), llm.WithBaseURL(sse.URL), llm.WithAPIKey("k")))
	require.ErrorIs(t, err, llm.ErrContentPolicy)
}

func TestRetryInfo(t *testing.T) {
	t.Parallel()
	body := statusBody(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
		`{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generate_content_free_tier_requests"}]}`,
		`{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12.5s"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	_, err := llm.Completion(t.Context(), loadRequest(t, "text"), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	var e *llm.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, llm.KindRateLimit, e.Kind)
	assert.Equal(t, 12500*time.Millisecond, e.RetryAfter)
	assert.Equal(t, "RESOURCE_EXHAUSTED", e.Code)
	assert.Equal(t, "Quota exceeded", e.Message)
	assert.Contains(t, string(e.Detail), "QuotaFailure")
}

func TestVertexArrayEnvelope(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`[{"error":{"code":404,"message":"Publisher model was not found","status":"NOT_FOUND"}}]`))
	}))
	t.Cleanup(srv.Close)
	_, err := llm.Collect(llm.CompletionStream(t.Context(), loadRequest(t, "text"), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.ErrorIs(t, err, llm.ErrNotFound)
	assert.Contains(t, err.Error(), "Publisher model was not found")
}

func TestEnv(t *testing.T) {
	srv := replay(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "from-env", r.Header.Get("X-Goog-Api-Key"))
		assert.Equal(t, "/proxy/v1/models/gemini-2.0-flash:generateContent", r.URL.Path)
	}, "application/json", fixture(t, "text.response.json"))
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "from-env")
	t.Setenv("GEMINI_API_BASE", srv.URL+"/proxy/")
	req := llm.CompletionRequest{Model: "gemini/gemini-2.0-flash", Messages: []llm.Message{llm.UserText("hi")}}
	_, err := llm.Completion(t.Context(), req, llm.WithAPIVersion("v1"))
	require.NoError(t, err)

	t.Setenv("GOOGLE_API_KEY", "")
	_, err = llm.Completion(t.Context(), req)
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "GEMINI_API_KEY")
}

func TestTunedModelPath(t *testing.T) {
	t.Parallel()
	srv := replay(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "/v1beta/tunedModels/my-model-123:generateContent", r.URL.Path)
	}, "application/json", fixture(t, "text.response.json"))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "gemini/tunedModels/my-model-123", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
}

func TestStreamCutShort(t *testing.T) {
	t.Parallel()
	sse := string(fixture(t, "text.sse"))
	first := sse[:strings.Index(sse, "\r\n\r\n")+4] // the first event only: no finish reason
	srv := replay(t, nil, "text/event-stream", []byte(first))
	var text string
	var errs []error
	for c, err := range llm.CompletionStream(t.Context(), loadRequest(t, "text"), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ch := range c.Choices {
			text += ch.Delta.Content
		}
	}
	assert.Equal(t, "Bonjour ", text)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], llm.ErrBadResponse)
}

func TestLogprobs(t *testing.T) {
	t.Parallel()
	body := []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"Hi!"}]},"finishReason":"STOP","index":0,
		"logprobsResult":{"topCandidates":[{"candidates":[{"token":"Hi","tokenId":1,"logProbability":-0.1},{"token":"Hello","tokenId":2,"logProbability":-2.5}]},
			{"candidates":[{"token":"!","tokenId":3,"logProbability":-0.01}]}],
		"chosenCandidates":[{"token":"Hi","tokenId":1,"logProbability":-0.1},{"token":"!","tokenId":3,"logProbability":-0.01}]}}]}`)
	want := &llm.Logprobs{Content: []llm.TokenLogprob{
		{Token: "Hi", Logprob: -0.1, TopLogprobs: []llm.TopLogprob{{Token: "Hi", Logprob: -0.1}, {Token: "Hello", Logprob: -2.5}}},
		{Token: "!", Logprob: -0.01, TopLogprobs: []llm.TopLogprob{{Token: "!", Logprob: -0.01}}},
	}}
	resp, err := gemini.DecodeResponse(body, "m")
	require.NoError(t, err)
	assert.Equal(t, want, resp.Choices[0].Logprobs)
	c, err := gemini.NewStreamDecoder("m").Decode(body)
	require.NoError(t, err)
	assert.Equal(t, want, c.Choices[0].Logprobs)
}

func TestUnsupportedParams(t *testing.T) {
	t.Parallel()
	cases := map[string]llm.CompletionRequest{
		"logit_bias": {LogitBias: map[string]int{"1": 5}},
		"audio":      {Audio: &llm.AudioOutput{Voice: "alloy", Format: "wav"}},
		"prediction": {Prediction: &llm.Prediction{Type: "content", Content: llm.Text("x")}},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req.Model = "gemini-2.5-flash"
			_, err := encode(t, req)
			require.ErrorIs(t, err, llm.ErrUnsupported)
			assert.Contains(t, err.Error(), name)
			body, err := encode(t, req, llm.WithDropUnsupportedParams())
			require.NoError(t, err)
			assert.JSONEq(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, body)
		})
	}
}

func TestStreamTwoCandidates(t *testing.T) {
	t.Parallel()
	body := `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"A"}]}},{"content":{"role":"model","parts":[{"text":"B"}]},"index":1}],"responseId":"r2"}` + "\n\n" +
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]},"finishReason":"STOP"},{"content":{"role":"model","parts":[{"text":"b"}]},"finishReason":"MAX_TOKENS","index":1}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4,"totalTokenCount":7},"responseId":"r2"}` + "\n\n"
	srv := replay(t, nil, "text/event-stream", []byte(body))
	req := llm.CompletionRequest{Model: "gemini/gemini-2.5-flash", N: 2, Messages: []llm.Message{llm.UserText("hi")}}
	// Folded by hand: llm.Collect panics on a first chunk holding two
	// choices (its Accumulator grows a slice of strings.Builder values);
	// reported to the root package's owner.
	text, finish := map[int]string{}, map[int]string{}
	var usage *llm.Usage
	for c, err := range llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		for _, ch := range c.Choices {
			text[ch.Index] += ch.Delta.Content
			if ch.FinishReason != "" {
				finish[ch.Index] = ch.FinishReason
			}
		}
		usage = c.Usage
	}
	assert.Equal(t, map[int]string{0: "Aa", 1: "Bb"}, text)
	assert.Equal(t, map[int]string{0: llm.FinishStop, 1: llm.FinishLength}, finish)
	require.NotNil(t, usage)
	assert.Equal(t, 7, usage.TotalTokens)
}

// TestStreamTrailingSignature: Gemini 3 may send the text's signature on
// an empty text part of the last event; it reaches the collected message.
func TestStreamTrailingSignature(t *testing.T) {
	t.Parallel()
	body := `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hello"}]}}]}` + "\n\n" +
		`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"","thoughtSignature":"c2ln"}]},"finishReason":"STOP"}]}` + "\n\n"
	srv := replay(t, nil, "text/event-stream", []byte(body))
	req := llm.CompletionRequest{Model: "gemini/gemini-3-pro-preview", Messages: []llm.Message{llm.UserText("hi")}}
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, "Hello", msg.Content.String())
	assert.Equal(t, map[string]any{gemini.PSFThoughtSignature: "c2ln"}, msg.ProviderSpecificFields)

	// Sent back, the signature returns on the first text part.
	body2, err := gemini.EncodeRequest(&llm.CompletionRequest{Model: "gemini-3-pro-preview", Messages: []llm.Message{llm.UserText("hi"), msg, llm.UserText("more")}}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"text":"Hello","thoughtSignature":"c2ln"}]},{"role":"user","parts":[{"text":"more"}]}]}`, string(body2))
}
