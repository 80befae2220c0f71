package openai_test

import (
	"errors"
	"iter"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// sseHeader is the header of the fuzz clients' responses.
var sseHeader = http.Header{"Content-Type": {"text/event-stream"}}

// FuzzStream feeds arbitrary bytes to the stream decoder: it must never
// panic, yield at most one error, and yield it last, as an *llm.Error.
func FuzzStream(f *testing.F) {
	f.Add(streamBody(2))
	f.Add([]byte("data: {\"error\":{\"message\":\"x\",\"type\":\"server_error\"}}\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":-5,\"delta\":{\"tool_calls\":[{\"index\":99999999,\"function\":{\"arguments\":\"{\"}}]}}]}\n\n"))
	f.Add([]byte("event: error\ndata: nope\n\n"))
	f.Add([]byte("data: [DONE]\n\ndata: after\n\n"))
	f.Add(providertest.Fixture(f, "websearch.sse"))
	f.Add(toolCallStreamBody(3))
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}}
	f.Fuzz(func(t *testing.T, body []byte) {
		opts := []llm.Option{llm.WithAPIKey("k"), llm.WithBaseURL("http://fuzz"), llm.WithHTTPClient(providertest.Client(200, sseHeader, body))}
		checkStream(t, llm.CompletionStream(t.Context(), req, opts...))
		// Collect must survive whatever the chunks hold.
		_, _ = llm.Collect(llm.CompletionStream(t.Context(), req, opts...))
	})
}

// checkStream holds a stream to the contract whatever its bytes: no nil
// chunk without an error, at most one error, an *llm.Error, and nothing
// after it.
func checkStream[C any](t *testing.T, seq iter.Seq2[*C, error]) {
	t.Helper()
	errs := 0
	for c, err := range seq {
		if errs > 0 {
			t.Fatal("an element after the error")
		}
		if err != nil {
			errs++
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want an *llm.Error", err, err)
			}
			continue
		}
		if c == nil {
			t.Fatal("nil chunk without error")
		}
	}
}

// FuzzTextStream feeds arbitrary bytes to the text completion stream
// decoder, with FuzzStream's invariants.
func FuzzTextStream(f *testing.F) {
	f.Add(providertest.Fixture(f, "text.sse"))
	f.Add([]byte("data: {\"choices\":[{\"text\":\"a\",\"finish_reason\":\"stop\"}],\"usage\":{\"total_tokens\":1}}\n\ndata: [DONE]\n\n"))
	f.Add([]byte("data: {\"error\":{\"message\":\"x\",\"type\":\"server_error\"}}\n\n"))
	f.Add([]byte("event: error\ndata: nope\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":-3,\"text\":1}]}\n\n"))
	req := llm.TextCompletionRequest{Model: "openai/gpt-3.5-turbo-instruct", Prompt: llm.StringList{"hi"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		opts := []llm.Option{llm.WithAPIKey("k"), llm.WithBaseURL("http://fuzz"), llm.WithHTTPClient(providertest.Client(200, sseHeader, body))}
		checkStream(t, llm.TextCompletionStream(t.Context(), req, opts...))
		_, _ = llm.CollectText(llm.TextCompletionStream(t.Context(), req, opts...))
	})
}

// FuzzCompletion feeds arbitrary bytes as a (2xx or error) response body.
func FuzzCompletion(f *testing.F) {
	f.Add(200, []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`))
	f.Add(400, []byte(`{"error":{"message":"maximum context length","code":"context_length_exceeded"}}`))
	f.Add(429, []byte(`{"error":"slow"}`))
	f.Add(200, []byte(`{"error":{"message":"oops"}}`))
	f.Add(200, providertest.Fixture(f, "websearch.response.json"))
	f.Add(200, providertest.Fixture(f, "tools.response.json"))
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		resp, err := llm.Completion(t.Context(), req, llm.WithAPIKey("k"), llm.WithBaseURL("http://fuzz"), llm.WithHTTPClient(providertest.Client(status, sseHeader, body)))
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("got %T %v, want an *llm.Error", err, err)
			}
			return
		}
		_ = resp.Text()
	})
}
