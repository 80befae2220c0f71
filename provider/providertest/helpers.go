package providertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
)

// This file holds the small helpers that provider tests share: fixture
// loading, test servers that replay a fixture, SSE framing and a client
// that answers without a network.

// Fixture returns the contents of testdata/<name>, relative to the test's
// package directory, and fails t if the file cannot be read.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// Seed adds testdata/<name>, for each name, to f's seed corpus.
func Seed(f *testing.F, names ...string) {
	f.Helper()
	for _, name := range names {
		f.Add(Fixture(f, name))
	}
}

// FuzzEncode runs f over a request encoder: each input that decodes as an
// llm.CompletionRequest must encode to valid JSON or fail with an
// *llm.Error, and never panic. Add the seeds to f before calling it.
func FuzzEncode(f *testing.F, encode func(req *llm.CompletionRequest) ([]byte, error)) {
	f.Helper()
	f.Fuzz(func(t *testing.T, b []byte) {
		var req llm.CompletionRequest
		if json.Unmarshal(b, &req) != nil {
			return
		}
		body, err := encode(&req)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("invalid body %s", body)
		}
	})
}

// SSE returns v, marshaled to JSON, as one server-sent event frame with a
// data line only ("data: <json>\n\n"). It panics if v cannot be marshaled,
// which is a bug in the test.
func SSE(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("providertest.SSE: " + err.Error())
	}
	return append(append([]byte("data: "), b...), "\n\n"...)
}

// ChatCompletion returns an OpenAI chat.completion body from model with one
// choice, the assistant's text, finish reason "stop" and usage u: the
// Harness.Completion of a provider that speaks the OpenAI format.
func ChatCompletion(model, text string, u llm.Usage) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}},
		"usage":   u,
	})
	return b
}

// ChatCompletionChoices returns an OpenAI chat.completion body from model
// with n choices, each the text "x": the Harness.ManyChoices of a provider
// that speaks the OpenAI format.
func ChatCompletionChoices(model string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":`)
	m, _ := json.Marshal(model)
	b.Write(m)
	b.WriteString(`,"choices":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"index":%d,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}`, i)
	}
	b.WriteString(`],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	return b.Bytes()
}

// ChatCompletionChunks returns the Harness.StreamFrames of a provider that
// streams the OpenAI format from model: a role chunk, a chunk a piece, a
// finish chunk, a usage chunk with no choices, and "data: [DONE]".
func ChatCompletionChunks(model string) func(pieces []string, u llm.Usage) [][]byte {
	return func(pieces []string, u llm.Usage) [][]byte {
		chunk := func(choices any, usage any) []byte {
			return SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": choices, "usage": usage})
		}
		frames := [][]byte{chunk([]any{map[string]any{"index": 0, "delta": map[string]any{"role": "assistant", "content": ""}, "finish_reason": nil}}, nil)}
		for _, p := range pieces {
			frames = append(frames, chunk([]any{map[string]any{"index": 0, "delta": map[string]any{"content": p}, "finish_reason": nil}}, nil))
		}
		frames = append(frames, chunk([]any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}, nil))
		frames = append(frames, chunk([]any{}, u))
		return append(frames, []byte("data: [DONE]\n\n"))
	}
}

// unknownValue is a value of a type no API has, for the fields the
// unknown-types check adds.
var unknownValue = map[string]any{"type": UnknownType, "data": []any{1, "two", map[string]any{"three": nil}}}

// UnknownBlock returns a content block (or part, or chunk) of type
// UnknownType for a harness's Harness.UnknownFrames and
// Harness.UnknownCompletion. Besides its own field it has fields that known
// block types have, in shapes they do not have ("content" an object where a
// tool result's is a list, "text" and "input" objects, "index" a string), as
// a new type may: a decoder must not read a block's fields before it knows
// its type.
func UnknownBlock() map[string]any {
	return map[string]any{
		"type":      UnknownType,
		"id":        "pu_01",
		"content":   map[string]any{"type": UnknownType + "_result", "items": []any{map[string]any{"url": "https://example.com/"}}},
		"text":      map[string]any{"value": "not the text"},
		"input":     map[string]any{"query": "q"},
		"index":     "zero",
		UnknownType: unknownValue,
	}
}

// ChatCompletionUnknown is ChatCompletion with fields of type UnknownType
// beside the known ones, at the top level, in the choice and in the
// message: the Harness.UnknownCompletion of a provider that speaks the
// OpenAI format.
func ChatCompletionUnknown(model, text string, u llm.Usage) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model, UnknownType: unknownValue,
		"choices": []any{map[string]any{"index": 0, UnknownType: unknownValue, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": text, UnknownType: unknownValue}}},
		"usage": u,
	})
	return b
}

// ChatCompletionUnknownChunks returns the Harness.UnknownFrames of a
// provider that streams the OpenAI format from model: an SSE comment, a
// chunk whose object is of type UnknownType with no choices, a chunk
// whose choice and delta carry only a field of that type, and an event
// named UnknownType.
func ChatCompletionUnknownChunks(model string) func() [][]byte {
	return func() [][]byte {
		return [][]byte{
			[]byte(": " + UnknownType + " keep-alive\n\n"),
			SSE(map[string]any{"id": "chatcmpl-1", "object": UnknownType, "created": 1, "model": model, "choices": []any{}, UnknownType: unknownValue}),
			SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model, UnknownType: unknownValue,
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{UnknownType: unknownValue}, "finish_reason": nil, UnknownType: unknownValue}}}),
			append([]byte("event: "+UnknownType+"\n"), SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": []any{}})...),
		}
	}
}

// Server starts a test server, closed by t's cleanup, that answers every
// request with status 200, the given Content-Type and reply. Before it
// answers, it reads the request body and passes t, the request and the body
// to check, if check is not nil. header holds extra response headers as
// name, value pairs. The returned counter counts the requests received.
func Server[T testing.TB](t T, check func(t T, r *http.Request, body []byte), contentType string, reply []byte, header ...string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	if len(header)%2 != 0 {
		t.Fatalf("providertest.Server: header needs name, value pairs, got %d strings", len(header))
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		if check != nil {
			check(t, r, body)
		}
		w.Header().Set("Content-Type", contentType)
		for i := 0; i < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		_, _ = w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Recorder is a test server that keeps the last request it received, for
// tests that assert the wire after the call returns.
type Recorder struct {
	*httptest.Server

	mu   sync.Mutex
	req  *http.Request
	body []byte
}

// NewRecorder starts a Recorder, closed by t's cleanup, that answers every
// request with status, the given Content-Type and reply.
func NewRecorder(t testing.TB, status int, contentType string, reply []byte) *Recorder {
	t.Helper()
	rec := &Recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.req, rec.body = r, b
		rec.mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(reply)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// Last returns the last request received and its body, or nil and nil if
// none has arrived.
func (rec *Recorder) Last() (*http.Request, []byte) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.req, rec.body
}

// ConnServer starts a test server with handler, closed by t's cleanup, and
// counts the connections clients open to it, for tests that check a
// connection is reused.
func ConnServer(t testing.TB, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// BenchServer starts a test server, closed by tb's cleanup, that discards
// each request body and answers with the given Content-Type and body. It
// does no more work than that, so that benchmarks measure the client.
func BenchServer(tb testing.TB, contentType string, body []byte) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// StreamChoices is the library side of a streaming benchmark: it reads
// req's stream through c and returns how many choices its chunks carried,
// or the first error.
func StreamChoices(ctx context.Context, c *llm.Client, req llm.CompletionRequest) (int, error) {
	n := 0
	for ch, err := range c.CompletionStream(ctx, req) {
		if err != nil {
			return n, err
		}
		n += len(ch.Choices)
	}
	return n, nil
}

// FloorSSE is the floor side of a streaming benchmark, what a client
// written with plain bufio and encoding/json does: it reads body line by
// line and json.Unmarshals the data of each "data: " line into a new T,
// passed to each, until "data: [DONE]" or the end of body. It returns the
// first decoding error.
func FloorSSE[T any](body io.Reader, each func(*T)) error {
	r := bufio.NewReader(body)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return nil
		}
		data, ok := bytes.CutPrefix(line, []byte("data: "))
		if !ok {
			continue
		}
		data = bytes.TrimRight(data, "\r\n")
		if string(data) == "[DONE]" {
			return nil
		}
		v := new(T)
		if err := json.Unmarshal(data, v); err != nil {
			return err
		}
		each(v)
	}
}

// Client returns an HTTP client that answers every request with status,
// header and body without touching the network, for fuzz tests that run
// many inputs fast. Each response gets a fresh reader over body.
func Client(status int, header http.Header, body []byte) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: header.Clone(),
			Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
