package replicate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fakeAPI answers in memory (no network, so that a synctest bubble's
// clock only moves while the call sleeps): the create request gets a
// starting prediction (with a stream URL when stream is set), each poll
// the next of statuses (the last one repeating), a cancel request a
// canceled prediction. It records when each request came.
type fakeAPI struct {
	mu       sync.Mutex
	start    time.Time
	statuses []string
	calls    []string
	at       []time.Duration
	headers  []http.Header
}

func pred(id, status string, output any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "model": "acme/slow-llm", "version": "hidden", "status": status,
		"output": output, "error": nil, "input": map[string]any{}, "created_at": "2025-01-01T00:00:00Z",
		"urls":    map[string]any{"get": "https://api.replicate.com/v1/predictions/" + id, "cancel": "https://api.replicate.com/v1/predictions/" + id + "/cancel"},
		"metrics": map[string]any{"predict_time": 3.2, "input_token_count": 5, "output_token_count": 2}})
	return b
}

func (f *fakeAPI) client() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls = append(f.calls, r.Method+" "+r.URL.Path)
		f.at = append(f.at, time.Since(f.start))
		f.headers = append(f.headers, r.Header.Clone())
		var body []byte
		switch {
		case strings.HasSuffix(r.URL.Path, "/cancel"):
			body = pred("p1", statusCanceled, nil)
		case r.Method == http.MethodPost:
			body = pred("p1", statusStarting, nil)
		default:
			s := f.statuses[0]
			if len(f.statuses) > 1 {
				f.statuses = f.statuses[1:]
			}
			var out any
			if s == statusSucceeded {
				out = []string{"", "slow", " answer"}
			}
			body = pred("p1", s, out)
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
	})}
}

func (f *fakeAPI) opts() []llm.Option {
	return []llm.Option{llm.WithAPIKey("r8_test"), llm.WithBaseURL("https://api.replicate.com"), llm.WithHTTPClient(f.client())}
}

var slowRequest = llm.CompletionRequest{Model: "replicate/acme/slow-llm", Messages: []llm.Message{llm.UserText("hi")}}

// TestPollBackoff: a prediction still running after the waiting create is
// polled 0.5 s later, then at doubling intervals, until it ends.
func TestPollBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeAPI{start: time.Now(), statuses: []string{statusStarting, statusProcessing, statusProcessing, statusProcessing, statusProcessing, statusSucceeded}}
		resp, err := llm.Completion(t.Context(), slowRequest, f.opts()...)
		require.NoError(t, err)
		assert.Equal(t, "slow answer", resp.Text())
		assert.Equal(t, 7, resp.Usage.TotalTokens)
		want := []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond,
			7500 * time.Millisecond, 12500 * time.Millisecond, 17500 * time.Millisecond} // 0.5, 1, 2, 4, then 5 s apart
		assert.Equal(t, want, f.at)
		assert.Equal(t, "POST /v1/models/acme/slow-llm/predictions", f.calls[0])
		for _, c := range f.calls[1:] {
			assert.Equal(t, "GET /v1/predictions/p1", c)
		}
	})
}

// TestPollDeadline: a deadline that passes while the prediction runs ends
// the call at the deadline with KindTimeout, and cancels the prediction.
// The create request asked Replicate to wait no longer than the deadline
// and to cancel the prediction after it.
func TestPollDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeAPI{start: time.Now(), statuses: []string{statusProcessing}}
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		_, err := llm.Completion(ctx, slowRequest, f.opts()...)
		assert.True(t, errors.Is(err, llm.ErrTimeout), "%v", err)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		assert.Equal(t, "wait=2", f.headers[0].Get("Prefer"))
		assert.Equal(t, "5s", f.headers[0].Get("Cancel-After"))
		last := len(f.calls) - 1
		assert.Equal(t, "POST /v1/predictions/p1/cancel", f.calls[last])
		assert.Equal(t, 2*time.Second, f.at[last], "the cancel is sent at the deadline")
		assert.Equal(t, 2*time.Second, time.Since(f.start), "the call ends at its deadline")
	})
}

// TestPollCancel: canceling the context mid-poll ends the call with
// KindCanceled and cancels the prediction.
func TestPollCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeAPI{start: time.Now(), statuses: []string{statusProcessing}}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		_, err := llm.Completion(ctx, slowRequest, f.opts()...)
		assert.True(t, errors.Is(err, llm.ErrCanceled) && errors.Is(err, context.Canceled), "%v", err)
		assert.Equal(t, "POST /v1/predictions/p1/cancel", f.calls[len(f.calls)-1])
	})
}

// TestStreamWithoutStreamURL: a model that does not stream is polled to its
// end and its output streamed as one chunk.
func TestStreamWithoutStreamURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeAPI{start: time.Now(), statuses: []string{statusProcessing, statusSucceeded}}
		var texts []string
		var last *llm.Chunk
		for c, err := range llm.CompletionStream(t.Context(), slowRequest, f.opts()...) {
			require.NoError(t, err)
			texts = append(texts, c.Choices[0].Delta.Content)
			last = c
		}
		assert.Equal(t, []string{"slow answer", ""}, texts)
		assert.Equal(t, llm.FinishStop, last.Choices[0].FinishReason)
		require.NotNil(t, last.Usage)
		assert.Equal(t, 7, last.Usage.TotalTokens)
		assert.Empty(t, f.headers[0].Get("Prefer"))
	})
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	const v = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
	cases := []struct {
		model string
		want  target
		bad   bool
	}{
		{model: "meta/meta-llama-3-70b-instruct", want: target{createPath: "/v1/models/meta/meta-llama-3-70b-instruct/predictions", model: "meta/meta-llama-3-70b-instruct"}},
		{model: "replicate/hello-world:" + v, want: target{createPath: "/v1/predictions", version: v, model: "replicate/hello-world"}},
		{model: v, want: target{createPath: "/v1/predictions", version: v, model: v}},
		{model: "deployments/acme/my-llm", want: target{createPath: "/v1/deployments/acme/my-llm/predictions", model: "acme/my-llm"}},
		{model: "meta", bad: true},
		{model: "meta/", bad: true},
		{model: "meta/x/y", bad: true},
		{model: "meta/x:abc", bad: true},
		{model: "../x", bad: true},
		{model: "meta/x?y=1", bad: true},
		{model: "deployments/acme", bad: true},
		{model: "a%2f/b", bad: true},
	}
	for _, tc := range cases {
		got, err := parseTarget(tc.model)
		if tc.bad {
			assert.True(t, errors.Is(err, llm.ErrInvalidRequest), "%s: got %v", tc.model, err)
			continue
		}
		require.NoError(t, err, tc.model)
		assert.Equal(t, tc.want, got, tc.model)
	}
}

func TestEncodeRequest(t *testing.T) {
	t.Parallel()
	tgt := target{createPath: "/v1/models/a/b/predictions", model: "a/b"}
	cases := []struct {
		name string
		req  llm.CompletionRequest
		drop bool
		want string   // the input, as JSON
		kind llm.Kind // or the error
	}{
		{name: "OneUserMessage", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}}, want: `{"prompt":"hi"}`},
		{name: "SystemAndDeveloper", req: llm.CompletionRequest{Messages: []llm.Message{llm.SystemText("a"), {Role: llm.RoleDeveloper, Content: llm.Text("b")}, llm.UserText("hi")}},
			want: `{"prompt":"hi","system_prompt":"a\n\nb"}`},
		{name: "Transcript", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi"), llm.AssistantText("hello"), llm.UserText("how are you?")}},
			want: `{"prompt":"User: hi\n\nAssistant: hello\n\nUser: how are you?\n\nAssistant:"}`},
		{name: "TextParts", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserParts(llm.TextPart("a"), llm.TextPart("b"))}}, want: `{"prompt":"ab"}`},
		{name: "Params", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, MaxCompletionTokens: 64, MaxTokens: 10,
			TopP: llm.Ptr(0.9), Seed: llm.Ptr[int64](7), PresencePenalty: llm.Ptr(1.15), FrequencyPenalty: llm.Ptr(0.2), Stop: []string{"<end>", "<stop>"}},
			want: `{"prompt":"hi","max_tokens":64,"max_new_tokens":64,"top_p":0.9,"seed":7,"presence_penalty":1.15,"frequency_penalty":0.2,"stop_sequences":"<end>,<stop>"}`},
		{name: "ExtraInputs", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Extra: map[string]any{"top_k": 50, "prompt": "mine"}},
			want: `{"prompt":"mine","top_k":50}`},
		{name: "StopWithComma", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Stop: []string{"a,b"}}, kind: llm.KindUnsupported},
		{name: "StopWithCommaDropped", drop: true, req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Stop: []string{"a,b", "c"}}, want: `{"prompt":"hi","stop_sequences":"c"}`},
		{name: "Tools", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}}, kind: llm.KindUnsupported},
		{name: "ToolsDropped", drop: true, req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}}, want: `{"prompt":"hi"}`},
		{name: "JSONSchema", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, ResponseFormat: &llm.ResponseFormat{Type: "json_object"}}, kind: llm.KindUnsupported},
		{name: "N", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, N: 2}, kind: llm.KindUnsupported},
		{name: "ServerTool", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Type: "web_search_20250305"}}}, kind: llm.KindUnsupported},
		{name: "WebSearch", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi")}, WebSearchOptions: &llm.WebSearchOptions{}}, kind: llm.KindUnsupported},
		{name: "Image", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserParts(llm.TextPart("what is it?"), llm.ImagePart("https://example.com/a.png", ""))}}, kind: llm.KindUnsupported},
		{name: "ToolResult", req: llm.CompletionRequest{Messages: []llm.Message{llm.UserText("hi"), llm.ToolResult("c1", "42")}}, kind: llm.KindUnsupported},
		{name: "OnlySystem", req: llm.CompletionRequest{Messages: []llm.Message{llm.SystemText("a")}}, kind: llm.KindInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := encodeRequest(&tc.req, &llm.Config{DropUnsupportedParams: tc.drop}, tgt)
			if tc.kind != 0 {
				assert.Equal(t, tc.kind, llm.KindOf(err), "%v", err)
				return
			}
			require.NoError(t, err)
			var got createRequest
			require.NoError(t, json.Unmarshal(body, &got))
			assert.Empty(t, got.Version)
			assert.JSONEq(t, tc.want, string(got.Input))
		})
	}
}

func TestErrorFromBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		kind   llm.Kind
		msg    string
	}{
		{"Problem", 401, `{"type":"https://replicate.com/docs/reference/http#401","title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}`,
			llm.KindAuthentication, "Unauthenticated: You did not pass a valid authentication token"},
		{"ValidationList", 422, `{"detail":[{"loc":["body","input","prompt"],"msg":"field required","type":"value_error.missing"}]}`, llm.KindInvalidRequest, "body.input.prompt: field required"},
		{"EnvelopeIn200", 0, `{"title":"Too many requests","detail":"slow down","status":429}`, llm.KindRateLimit, "Too many requests: slow down"},
		{"PlainText", 502, `Bad Gateway`, llm.KindServer, "Bad Gateway"},
		{"NoStatus", 0, `{"detail":"boom"}`, llm.KindServer, "boom"},
	}
	for _, tc := range cases {
		e := errorFromBody(tc.status, nil, []byte(tc.body))
		assert.Equal(t, tc.kind, e.Kind, tc.name)
		assert.Equal(t, tc.msg, e.Message, tc.name)
	}
}

func TestStreamURLAndToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, stream string
		bad, token   bool
	}{
		{base: DefaultBaseURL, stream: "https://streaming-api.svc.us.c.replicate.net/v1/predictions/abc", token: true},
		{base: DefaultBaseURL, stream: "https://stream.replicate.com/v1/files/abc", token: true},
		{base: DefaultBaseURL, stream: "https://api.replicate.com/v1/streams/abc", token: true},
		{base: DefaultBaseURL, stream: "https://evil.example/steal", token: false},
		{base: DefaultBaseURL, stream: "https://replicate.net.evil.example/x", token: false},
		{base: DefaultBaseURL, stream: "http://stream.replicate.com/x", bad: true},
		{base: DefaultBaseURL, stream: "/relative", bad: true},
		{base: DefaultBaseURL, stream: "file:///etc/passwd", bad: true},
		{base: "https://proxy.internal", stream: "https://stream.replicate.com/x", token: false},
		{base: "http://127.0.0.1:8080", stream: "http://127.0.0.1:8080/s", token: true},
	}
	for _, tc := range cases {
		s := &streamer{c: &conn{base: tc.base}, pred: &prediction{ID: "abc"}}
		s.pred.URLs.Stream = tc.stream
		u, err := s.streamURL()
		if tc.bad {
			assert.True(t, errors.Is(err, llm.ErrBadResponse), "%s: got %v", tc.stream, err)
			continue
		}
		require.NoError(t, err, tc.stream)
		assert.Equal(t, tc.token, s.trusted(u), "token to %s from %s", tc.stream, tc.base)
	}
}

func TestPreferAndCancelAfter(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "wait", preferWait(context.Background()))
	assert.Equal(t, "5s", cancelAfter(time.Second))
	assert.Equal(t, "91s", cancelAfter(90*time.Second+time.Millisecond))
}

// FuzzDecodePrediction: any body decodes to a prediction or fails with a
// typed error, and a prediction's output and failure translate without a
// panic.
func FuzzDecodePrediction(f *testing.F) {
	providertest.Seed(f, "chat.response.json")
	f.Add([]byte(`{"id":"x","status":"failed","error":{"detail":"boom"},"output":[null,"a"]}`))
	f.Add([]byte(`{"title":"Unauthenticated","status":401}`))
	f.Add([]byte(`{"id":"x","status":"succeeded","output":"hello","metrics":{"input_token_count":1.5,"output_token_count":2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePrediction(b)
		if err != nil {
			if llm.KindOf(err) == llm.KindUnknown {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if p.Status == statusSucceeded {
			if _, err := toResponse(p, target{model: "a/b"}); err != nil && llm.KindOf(err) == llm.KindUnknown {
				t.Fatalf("untyped error %T: %v", err, err)
			}
		} else if terminal(p.Status) && failure(p).Kind == llm.KindUnknown {
			t.Fatal("failure without a kind")
		}
	})
}

// FuzzStreamEvents: error and done event data never panic and always give
// typed errors.
func FuzzStreamEvents(f *testing.F) {
	f.Add([]byte("{}"))
	f.Add([]byte(`{"reason":"canceled"}`))
	f.Add([]byte("An unexpected error occurred"))
	f.Add([]byte(`{"detail":"x","status":500}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := doneReason(b); err != nil && llm.KindOf(err) != llm.KindBadResponse {
			t.Fatalf("done: got %v", err)
		}
		if e := streamError(b); e.Kind == llm.KindUnknown {
			t.Fatalf("error event: no kind: %v", e)
		}
		_ = validText(b)
	})
}

func FuzzEncodeRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"stop":["a","b"],"max_tokens":5}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"text","text":"a"}]},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}`))
	providertest.FuzzEncode(f, func(req *llm.CompletionRequest) ([]byte, error) {
		return encodeRequest(req, &llm.Config{}, target{createPath: "/v1/models/a/b/predictions", model: "a/b"})
	})
}
