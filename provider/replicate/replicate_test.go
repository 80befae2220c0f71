package replicate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/llmux/llm/provider/replicate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures follow Replicate's documentation: the create bodies and the
// prediction object of its OpenAPI description (POST
// /models/{owner}/{name}/predictions, "meta/meta-llama-3-70b-instruct" with
// {"input": {"prompt": "Write a short poem about the weather."}}; the
// prediction of GET /predictions/{id}), the token-array output of a
// language model as replicate-python's tests/cassettes/predictions-stream.yaml
// records it, and the event stream format of replicate-javascript's
// index.test.ts ("event: output / id: EVENT_1 / data: hello world",
// "event: done / data: {}", "event: error / data: An unexpected error
// occurred").

const testKey = "r8_test-token-0123456789"

// predictionJSON is a prediction of the Llama 3 model with the given
// status, output and token counts (nil: none reported).
func predictionJSON(id, status string, output any, tokens *llm.Usage, streamURL string) []byte {
	p := map[string]any{
		"id": id, "model": "meta/meta-llama-3-70b-instruct", "version": "hidden", "input": map[string]any{},
		"logs": "", "output": output, "error": nil, "status": status, "data_removed": false,
		"created_at": "2023-09-08T16:19:34.765994Z",
		"urls": map[string]any{"get": "https://api.replicate.com/v1/predictions/" + id, "cancel": "https://api.replicate.com/v1/predictions/" + id + "/cancel",
			"web": "https://replicate.com/p/" + id},
	}
	if streamURL != "" {
		p["urls"].(map[string]any)["stream"] = streamURL
	}
	if tokens != nil {
		p["metrics"] = map[string]any{"predict_time": 0.5, "total_time": 0.6, "input_token_count": tokens.PromptTokens, "output_token_count": tokens.CompletionTokens}
	}
	b, _ := json.Marshal(p)
	return b
}

// sseEvent frames data as an event of type typ, one data line per line.
func sseEvent(typ, data string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "event: %s\n", typ)
	for _, line := range strings.Split(data, "\n") {
		fmt.Fprintf(&b, "data: %s\n", line)
	}
	b.WriteString("\n")
	return []byte(b.String())
}

func problem(status int, title, detail string) string {
	b, _ := json.Marshal(map[string]any{"type": fmt.Sprintf("https://replicate.com/docs/reference/http#%d", status), "title": title, "detail": detail, "status": status})
	return string(b)
}

// twoStep wraps the suite's handler in the rest of Replicate's flow: a
// create request without Prefer (a stream's) gets a starting prediction
// whose stream URL is this server, the final fetch after the stream a
// succeeded prediction with the usage of the last StreamFrames, and a
// cancel request a canceled prediction; the waiting create request and the
// stream request get the suite's answer.
func twoStep(u *atomic.Pointer[llm.Usage]) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			switch {
			case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cancel"):
				_, _ = w.Write(predictionJSON("p1", "canceled", nil, nil, ""))
			case r.Method == http.MethodPost && r.Header.Get("Prefer") == "":
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write(predictionJSON("p1", "starting", nil, nil, "http://"+r.Host+"/v1/streams/p1"))
			case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/predictions/"):
				_, _ = w.Write(predictionJSON("p1", "succeeded", []string{"…"}, u.Load(), ""))
			default:
				w.Header().Del("Content-Type")
				next.ServeHTTP(w, r)
			}
		})
	}
}

func TestConformance(t *testing.T) {
	var u atomic.Pointer[llm.Usage]
	u.Store(&llm.Usage{})
	providertest.Run(t, providertest.Harness{
		Model: "replicate/meta/meta-llama-3-70b-instruct",
		Options: func(base string) []llm.Option {
			return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey(testKey)}
		},
		EnvOptions: func(base string) []llm.Option { return []llm.Option{llm.WithBaseURL(base)} },
		KeyEnv:     "REPLICATE_API_TOKEN",
		Completion: func(text string, usage llm.Usage) []byte {
			// Language models start their token array with "" (see
			// predictions-stream.yaml).
			return predictionJSON("p1", "succeeded", []string{"", text}, &usage, "")
		},
		StreamFrames: func(pieces []string, usage llm.Usage) [][]byte {
			u.Store(&usage)
			var frames [][]byte
			for _, p := range pieces {
				frames = append(frames, sseEvent("output", p))
			}
			return append(frames, sseEvent("done", "{}"))
		},
		UnknownCompletion: func(text string, usage llm.Usage) []byte {
			var p map[string]any
			_ = json.Unmarshal(predictionJSON("p1", "succeeded", []string{"", text}, &usage, ""), &p)
			p[providertest.UnknownType] = providertest.UnknownBlock()
			b, _ := json.Marshal(p)
			return b
		},
		UnknownFrames: func() [][]byte {
			b, _ := json.Marshal(providertest.UnknownBlock())
			return [][]byte{sseEvent(providertest.UnknownType, string(b))}
		},
		StreamContentType: "text/event-stream",
		StreamErrorFrame:  sseEvent("error", "An unexpected error occurred"),
		StreamErrorKind:   llm.KindServer,
		ErrorEventFrame:   func(msg string) []byte { return sseEvent("error", msg) },
		MalformedFrame:    sseEvent("done", `{"reason":`),
		EnvelopeBody:      problem(401, "Unauthenticated", "You did not pass a valid authentication token"),
		EnvelopeKind:      llm.KindAuthentication,
		ManyChoices: func(n int) []byte {
			out := make([]string, n)
			for i := range out {
				out[i] = "x"
			}
			return predictionJSON("p1", "succeeded", out, &llm.Usage{PromptTokens: 1, CompletionTokens: n}, "")
		},
		Wrap: twoStep(&u),
		Errors: []providertest.ErrorCase{
			{Name: "Unauthenticated", Status: 401, Body: problem(401, "Unauthenticated", "You did not pass a valid authentication token"), Kind: llm.KindAuthentication},
			{Name: "SpendLimit", Status: 402, Body: problem(402, "Monthly spend limit reached", "You have reached your monthly spend limit"), Kind: llm.KindQuotaExceeded},
			{Name: "NotFound", Status: 404, Body: problem(404, "Not found", "The requested resource could not be found."), Kind: llm.KindNotFound},
			{Name: "InputValidation", Status: 422, Body: `{"detail":[{"loc":["body","input","max_tokens"],"msg":"ensure this value is greater than or equal to 1","type":"value_error"}],"status":422,"title":"Input validation failed"}`, Kind: llm.KindInvalidRequest},
			{Name: "ContextLength", Status: 422, Body: problem(422, "Unprocessable Entity", "prompt is too long: maximum context length is 8192 tokens"), Kind: llm.KindContextWindowExceeded},
			{Name: "Throttled", Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: problem(429, "Request was throttled", "Request was throttled. Expected available in 3 seconds."), Kind: llm.KindRateLimit},
			{Name: "Server", Status: 500, Body: problem(500, "Internal Server Error", "internal error"), Kind: llm.KindServer},
			{Name: "Unavailable", Status: 503, Body: "upstream unavailable", Kind: llm.KindOverloaded},
		},
	})
}

// request records one request a test server received.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// flow is a test server answering Replicate's requests by method and path.
type flow struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []request
	routes map[string]func(w http.ResponseWriter, r *http.Request)
}

func newFlow(t *testing.T, routes map[string]func(w http.ResponseWriter, r *http.Request)) *flow {
	f := &flow{routes: routes}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got = append(f.got, request{r.Method, r.URL.Path, r.Header.Clone(), b})
		f.mu.Unlock()
		h, ok := f.routes[r.Method+" "+r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *flow) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

func jsonReply(status int, body []byte) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

func opts(base string) []llm.Option {
	return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey(testKey)}
}

func chatRequest() llm.CompletionRequest {
	return llm.CompletionRequest{Model: "replicate/meta/meta-llama-3-70b-instruct",
		Messages:    []llm.Message{llm.SystemText("You are a helpful assistant."), llm.UserText("Write a short poem about the weather.")},
		MaxTokens:   512,
		Temperature: llm.Ptr(0.6)}
}

func TestCompletionWire(t *testing.T) {
	t.Parallel()
	f := newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
		"POST /v1/models/meta/meta-llama-3-70b-instruct/predictions": jsonReply(http.StatusCreated, providertest.Fixture(t, "chat.response.json")),
	})
	resp, err := llm.Completion(t.Context(), chatRequest(), opts(f.srv.URL)...)
	require.NoError(t, err)

	got := f.requests()
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, "Bearer "+testKey, r.header.Get("Authorization"))
	assert.Equal(t, "wait", r.header.Get("Prefer"), "a call without a deadline waits the full minute")
	assert.Empty(t, r.header.Get("Cancel-After"), "no deadline, no Cancel-After")
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.JSONEq(t, string(providertest.Fixture(t, "chat.request.json")), string(r.body))

	assert.Equal(t, "Sunlight on the morning street,\nrain by noon.", resp.Text())
	assert.Equal(t, "gm3qorzdhgbfurvjtvhg6dckhu", resp.ID)
	assert.Equal(t, "meta/meta-llama-3-70b-instruct", resp.Model)
	assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
	require.NotNil(t, resp.Usage)
	assert.Equal(t, llm.Usage{PromptTokens: 24, CompletionTokens: 10, TotalTokens: 34}, *resp.Usage)
	psf := resp.Choices[0].Message.ProviderSpecificFields
	m, ok := psf["metrics"].(replicate.Metrics)
	require.True(t, ok, "ProviderSpecificFields[metrics]: got %T", psf["metrics"])
	assert.InDelta(t, 0.912683, m.PredictTime, 1e-9)
	assert.Equal(t, "gm3qorzdhgbfurvjtvhg6dckhu", psf["prediction_id"])
	assert.Equal(t, "replicate", resp.Meta.Provider)
}

// TestVersionAndCost runs a pinned version of a model the table prices:
// the create goes to POST /v1/predictions with the version in the body,
// and the cost comes from the token counts at the table's rates
// (replicate/meta/llama-2-70b-chat: $0.65 and $2.75 per million tokens).
func TestVersionAndCost(t *testing.T) {
	t.Parallel()
	const version = "02e509c789964a7ea8736978a43525956ef40397be9033abf9fd2badfe68c9e3"
	pred := predictionJSON("v1", "succeeded", []string{"Hi"}, &llm.Usage{PromptTokens: 100, CompletionTokens: 200}, "")
	pred = []byte(strings.Replace(string(pred), "meta/meta-llama-3-70b-instruct", "meta/llama-2-70b-chat", 1))
	f := newFlow(t, map[string]func(http.ResponseWriter, *http.Request){"POST /v1/predictions": jsonReply(http.StatusCreated, pred)})
	req := llm.CompletionRequest{Model: "replicate/meta/llama-2-70b-chat:" + version, Messages: []llm.Message{llm.UserText("Hi")}}
	resp, err := llm.Completion(t.Context(), req, opts(f.srv.URL)...)
	require.NoError(t, err)
	assert.JSONEq(t, `{"version":"`+version+`","input":{"prompt":"Hi"}}`, string(f.requests()[0].body))
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known, "cost: %+v", resp.Meta.Cost)
	assert.InDelta(t, 100*0.65e-6+200*2.75e-6, resp.Meta.Cost.Total, 1e-12)
}

// TestNoTokenCounts: a model that reports no token counts has no usage and
// a cost that says it is unknown, never $0.
func TestNoTokenCounts(t *testing.T) {
	t.Parallel()
	f := newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
		"POST /v1/models/acme/tiny-llm/predictions": jsonReply(http.StatusCreated, predictionJSON("n1", "succeeded", "hello Alice", nil, "")),
	})
	req := llm.CompletionRequest{Model: "replicate/acme/tiny-llm", Messages: []llm.Message{llm.UserText("Alice")}}
	resp, err := llm.Completion(t.Context(), req, opts(f.srv.URL)...)
	require.NoError(t, err)
	assert.Equal(t, "hello Alice", resp.Text(), "a string output is the text")
	assert.Nil(t, resp.Usage)
	require.NotNil(t, resp.Meta.Cost)
	assert.False(t, resp.Meta.Cost.Known)
	assert.Contains(t, resp.Meta.Cost.Reason, "by time")
}

func TestTerminalFailures(t *testing.T) {
	t.Parallel()
	withError := func(status, msg string) []byte {
		var p map[string]any
		_ = json.Unmarshal(predictionJSON("f1", status, nil, nil, ""), &p)
		if msg != "" {
			p["error"] = msg
		}
		b, _ := json.Marshal(p)
		return b
	}
	cases := []struct {
		name string
		body []byte
		kind llm.Kind
		code string
		msg  string
	}{
		{"Failed", withError("failed", "CUDA error: an illegal memory access was encountered"), llm.KindServer, "failed", "illegal memory access"},
		{"FailedNoMessage", withError("failed", ""), llm.KindServer, "failed", "without an error message"},
		{"ContextLength", withError("failed", "Prompt length (9000) exceeds maximum context length (8192)"), llm.KindContextWindowExceeded, "failed", "8192"},
		{"NSFW", withError("failed", "NSFW content detected. Try running it again, or try a different prompt."), llm.KindContentPolicy, "failed", "NSFW"},
		{"Canceled", withError("canceled", ""), llm.KindCanceled, "canceled", "canceled"},
		{"Aborted", withError("aborted", ""), llm.KindTimeout, "aborted", "aborted"},
		{"NotText", predictionJSON("f1", "succeeded", map[string]any{"image": "https://replicate.delivery/x.png"}, nil, ""), llm.KindBadResponse, "", "not text"},
		{"NotAPrediction", []byte(`{"id":"x"}`), llm.KindBadResponse, "", "not a prediction"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
				"POST /v1/models/meta/meta-llama-3-70b-instruct/predictions": jsonReply(http.StatusCreated, tc.body),
			})
			_, err := llm.Completion(t.Context(), chatRequest(), opts(f.srv.URL)...)
			var le *llm.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.kind, le.Kind, "%v", err)
			assert.Equal(t, tc.code, le.Code)
			assert.Contains(t, le.Message, tc.msg)
		})
	}
}

func TestStreamWire(t *testing.T) {
	t.Parallel()
	var f *flow
	f = newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
		"POST /v1/models/meta/meta-llama-3-70b-instruct/predictions": func(w http.ResponseWriter, r *http.Request) {
			jsonReply(http.StatusCreated, predictionJSON("s1", "starting", nil, nil, f.srv.URL+"/v1/streams/s1"))(w, r)
		},
		"GET /v1/streams/s1": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(providertest.Fixture(t, "chat.sse"))
		},
		"GET /v1/predictions/s1": jsonReply(http.StatusOK, predictionJSON("s1", "succeeded", []string{"x"}, &llm.Usage{PromptTokens: 24, CompletionTokens: 9}, "")),
	})
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), chatRequest(), opts(f.srv.URL)...) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	got := f.requests()
	require.Len(t, got, 3, "create, stream, final fetch")
	create, stream := got[0], got[1]
	assert.Empty(t, create.header.Get("Prefer"), "a stream's create must not wait for the prediction to end")
	assert.JSONEq(t, string(providertest.Fixture(t, "chat.request.json")), string(create.body), "no deprecated stream field")
	assert.Equal(t, "text/event-stream", stream.header.Get("Accept"))
	assert.Equal(t, "no-store", stream.header.Get("Cache-Control"))
	assert.Equal(t, "Bearer "+testKey, stream.header.Get("Authorization"), "the stream is on the configured API host")

	var text strings.Builder
	var unknown []replicate.RawEvent
	for _, c := range chunks {
		text.WriteString(c.Choices[0].Delta.Content)
		if ev, ok := c.Choices[0].Delta.ProviderSpecificFields["event"].(replicate.RawEvent); ok {
			unknown = append(unknown, ev)
		}
	}
	// The output events, a multi-line one joined by "\n" as SSE defines,
	// without the logs event.
	assert.Equal(t, "Sunlight on the morning street,\nrain by noon.", text.String())
	assert.Equal(t, llm.RoleAssistant, chunks[0].Choices[0].Delta.Role)
	// The synthetic unknown event type "progress" is kept raw, not fatal.
	assert.Equal(t, []replicate.RawEvent{{Event: "progress", Data: `{"percentage": 0.9}`}}, unknown)
	last := chunks[len(chunks)-1]
	assert.Equal(t, llm.FinishStop, last.Choices[0].FinishReason)
	require.NotNil(t, last.Usage)
	assert.Equal(t, 33, last.Usage.TotalTokens)
	_, ok := last.Choices[0].Delta.ProviderSpecificFields["metrics"].(replicate.Metrics)
	assert.True(t, ok, "the last chunk carries the metrics")
	for _, c := range chunks[:len(chunks)-1] {
		assert.Nil(t, c.Usage)
	}
}

// TestStreamFailedAfterDone: a prediction that the final fetch shows failed
// ends the stream with its error, after the text streamed.
func TestStreamFailedAfterDone(t *testing.T) {
	t.Parallel()
	var f *flow
	failed := predictionJSON("s2", "failed", nil, nil, "")
	failed = []byte(strings.Replace(string(failed), `"error":null`, `"error":"the model crashed"`, 1))
	f = newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
		"POST /v1/models/meta/meta-llama-3-70b-instruct/predictions": func(w http.ResponseWriter, r *http.Request) {
			jsonReply(http.StatusCreated, predictionJSON("s2", "starting", nil, nil, f.srv.URL+"/v1/streams/s2"))(w, r)
		},
		"GET /v1/streams/s2": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(append(sseEvent("output", "partial"), sseEvent("done", `{"reason":"error"}`)...))
		},
		"GET /v1/predictions/s2": jsonReply(http.StatusOK, failed),
	})
	var text string
	var errs []error
	for c, err := range llm.CompletionStream(t.Context(), chatRequest(), opts(f.srv.URL)...) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		text += c.Choices[0].Delta.Content
	}
	assert.Equal(t, "partial", text)
	require.Len(t, errs, 1)
	assert.True(t, errors.Is(errs[0], llm.ErrServer), "%v", errs[0])
	assert.Contains(t, errs[0].Error(), "the model crashed")
}

// TestStreamForeignHost: a stream URL on another host than the configured
// API gets no token.
func TestStreamForeignHost(t *testing.T) {
	t.Parallel()
	var auth atomic.Value
	streams := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(append(sseEvent("output", "hi"), sseEvent("done", "{}")...))
	}))
	t.Cleanup(streams.Close)
	streamURL := strings.Replace(streams.URL, "127.0.0.1", "localhost", 1) + "/v1/streams/s3"
	f := newFlow(t, map[string]func(http.ResponseWriter, *http.Request){
		"POST /v1/models/meta/meta-llama-3-70b-instruct/predictions": jsonReply(http.StatusCreated, predictionJSON("s3", "starting", nil, nil, streamURL)),
		"GET /v1/predictions/s3":                                     jsonReply(http.StatusOK, predictionJSON("s3", "succeeded", []string{"hi"}, &llm.Usage{PromptTokens: 1, CompletionTokens: 1}, "")),
	})
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), chatRequest(), opts(f.srv.URL)...))
	require.NoError(t, err)
	assert.Equal(t, "hi", resp.Text())
	assert.Equal(t, "", auth.Load(), "the token went to a host the caller did not configure")
}
