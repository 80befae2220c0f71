// Package providertest is the conformance suite every provider runs, as
// testing/slogtest is for slog handlers: one contract, checked the same way
// against each translator over a real HTTP server.
//
// A provider's test describes how its server speaks (Harness) and calls Run
// from a test that does not call t.Parallel (the suite checks for leaked
// goroutines):
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, providertest.Harness{Model: "openai/gpt-4o", ...})
//	}
//
// The suite checks: a completion decodes; a stream yields the text in order,
// carries usage on its last chunk only and Collects to the same text; very
// long lines stream; canceling the context mid-stream ends the read with a
// canceled error and closes the connection; breaking out of the loop closes
// the connection; a stream is single-use; HTTP error statuses classify to the
// expected Kinds (streamed and not); an error event inside a 200 stream ends
// it with the expected Kind, once; a malformed chunk is a KindBadResponse
// error, not a panic; an unreachable server is a KindConnection error; the
// API key, from an option or the environment, never prints through an error
// (its text, fmt verbs, slog, JSON, the Unwrap chain) of a 401, a mid-stream
// error event, a refused connection or a bad URL; no goroutine outlives a
// call; and a hostile server (see hostile.go: HTML or an error envelope or
// nothing on a 200, streams cut off, oversized bodies and events, invalid
// UTF-8, a slowloris, 100,000 choices) gets the exact typed error or the
// correct result; and content, events and fields of types the decoder does
// not know (see unknown.go) never fail a call, and are kept raw where the
// provider keeps them.
package providertest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm"
	"go.uber.org/goleak"
)

// Harness describes how a provider's server speaks, for Run.
type Harness struct {
	// Model is the model string the suite calls, such as "openai/gpt-4o".
	Model string
	// Options returns the options that point the provider at the test
	// server at baseURL (base URL, credentials). The suite adds its own
	// HTTP client.
	Options func(baseURL string) []llm.Option
	// Completion is the body of a successful non-streamed answer with text
	// as its content and usage as its token counts.
	Completion func(text string, usage llm.Usage) []byte
	// StreamFrames are the frames (SSE events, NDJSON lines, binary event
	// frames...) of a successful stream whose text is the concatenation of
	// pieces, each piece in its own frame, ending with usage and the
	// provider's end-of-stream marker. The suite writes and flushes them
	// one at a time.
	StreamFrames func(pieces []string, usage llm.Usage) [][]byte
	// StreamContentType is the Content-Type of a stream, such as
	// "text/event-stream".
	StreamContentType string
	// StreamErrorFrame is a frame carrying an error event inside a 200
	// stream, which must end the stream with StreamErrorKind.
	StreamErrorFrame []byte
	StreamErrorKind  llm.Kind
	// MalformedFrame is a frame whose payload is not a valid chunk.
	MalformedFrame []byte
	// Errors are HTTP error answers and the kinds they must classify as.
	Errors []ErrorCase
	// NoAPIKey skips the key-redaction check, for providers that do not
	// authenticate with an API key.
	NoAPIKey bool
	// KeyEnv is the environment variable the provider reads its API key
	// from first, such as "OPENAI_API_KEY": the key-redaction check runs
	// with the key from llm.WithAPIKey and, when KeyEnv is set, from KeyEnv
	// (so Run must not be called from a parallel test). EnvOptions, when
	// set, replaces Options for the latter, for a harness whose Options
	// hold credentials that win over the environment.
	KeyEnv     string
	EnvOptions func(baseURL string) []llm.Option
	// ErrorEventFrame returns a frame carrying an error event (as
	// StreamErrorFrame) whose message is msg, for the redaction check of
	// mid-stream errors; nil skips that check.
	ErrorEventFrame func(msg string) []byte

	// EnvelopeBody is the API's JSON error envelope, which the hostile
	// battery sends with status 200 (streamed and not); the call must fail
	// with EnvelopeKind.
	EnvelopeBody string
	EnvelopeKind llm.Kind
	// ManyChoices, if set, returns a successful answer with n choices (or
	// candidates, or content blocks: whatever the API answers several of),
	// each with the text "x". The hostile battery checks that 100,000 of
	// them decode whole.
	ManyChoices func(n int) []byte
	// BinaryFrames marks stream frames the suite cannot edit byte by byte
	// (checksummed binary frames): the invalid-UTF-8 stream case is skipped.
	BinaryFrames bool
	// Wrap, if set, wraps the handler of every test server, for an API
	// whose call takes more than one request (Replicate creates a
	// prediction, streams it from the URL the creation answered with, then
	// fetches its final state): the wrapper answers the requests around the
	// one that carries the answer and passes that one to the suite's
	// handler, so that each check (an error status, a hostile body, a
	// stream cut off...) applies to the request that returns the answer.
	Wrap func(next http.Handler) http.Handler

	// UnknownFrames returns stream frames of types the provider's decoder
	// does not know, named UnknownType: an event of a new type, a content
	// block or part of a new type (with its deltas), a field no version of
	// the API has. The suite inserts them into a successful stream (at its
	// start, after its first frame, in its middle and before its last
	// frame), which must yield, without an error, the same text, finish
	// reason and usage as without them. nil skips the check.
	UnknownFrames func() [][]byte
	// UnknownCompletion is as Completion, with a content block or part of
	// type UnknownType beside the text, which must not fail the call. nil
	// skips the check.
	UnknownCompletion func(text string, usage llm.Usage) []byte
	// UnknownKey is the ProviderSpecificFields key under which the provider
	// keeps unknown content raw, if it keeps it: the suite then requires
	// the UnknownType content there, in the non-streamed message and in
	// the message llm.Collect builds from the stream.
	UnknownKey string
}

// ErrorCase is an HTTP error answer and the Kind it must classify as.
type ErrorCase struct {
	Name   string
	Status int
	Header http.Header
	Body   string
	Kind   llm.Kind
}

var usage = llm.Usage{PromptTokens: 11, CompletionTokens: 7, TotalTokens: 18}

// Run runs the conformance suite.
func Run(t *testing.T, h Harness) {
	t.Run("Completion", func(t *testing.T) { completion(t, h) })
	t.Run("Stream", func(t *testing.T) { stream(t, h, []string{"Hel", "lo", ", wor", "ld!"}) })
	t.Run("StreamLongLine", func(t *testing.T) {
		stream(t, h, []string{"start ", strings.Repeat("QUJD", 400_000), " end"}) // 1.6 MB in one frame
	})
	t.Run("StreamSingleUse", func(t *testing.T) { singleUse(t, h) })
	t.Run("StreamReusesConnection", func(t *testing.T) { reusesConnection(t, h) })
	t.Run("CancelMidStream", func(t *testing.T) { cancelMidStream(t, h) })
	t.Run("BreakClosesBody", func(t *testing.T) { breakClosesBody(t, h) })
	t.Run("StatusKinds", func(t *testing.T) { statusKinds(t, h) })
	t.Run("MidStreamError", func(t *testing.T) { midStreamError(t, h) })
	t.Run("MalformedChunk", func(t *testing.T) { malformed(t, h) })
	t.Run("ConnectionRefused", func(t *testing.T) { connectionRefused(t, h) })
	if !h.NoAPIKey {
		t.Run("KeyRedacted", func(t *testing.T) { keyRedacted(t, h) })
	}
	t.Run("Hostile", func(t *testing.T) { hostile(t, h) })
	if h.UnknownFrames != nil || h.UnknownCompletion != nil {
		t.Run("UnknownTypes", func(t *testing.T) { unknown(t, h) })
	}
}

// env is one test's server and client.
type env struct {
	srv    *httptest.Server
	client *http.Client
	opts   []llm.Option
	conns  atomic.Int32 // connections the server accepted
}

// newEnv starts a server with handler and checks for leaked goroutines when
// the test ends.
func newEnv(t *testing.T, h Harness, handler http.HandlerFunc) *env {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	var hh http.Handler = handler
	if h.Wrap != nil {
		hh = h.Wrap(handler)
	}
	srv := httptest.NewUnstartedServer(hh)
	client := &http.Client{Transport: &http.Transport{}}
	e := &env{srv: srv, client: client}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			e.conns.Add(1)
		}
	}
	srv.Start()
	e.opts = append(h.Options(srv.URL), llm.WithHTTPClient(client))
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.CloseClientConnections()
		srv.Close()
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutines outlived the call: %v", err)
		}
	})
	return e
}

func (h Harness) writeStream(w http.ResponseWriter, frames [][]byte) {
	w.Header().Set("Content-Type", h.StreamContentType)
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	for _, fr := range frames {
		if _, err := w.Write(fr); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
	}
}

func request(model string) llm.CompletionRequest {
	return llm.CompletionRequest{Model: model, Messages: []llm.Message{llm.UserText("Say hello.")}}
}

// completeHello answers one call with body and checks that the answer's
// text is "Hello, world!".
func completeHello(t *testing.T, h Harness, body []byte) *llm.CompletionResponse {
	t.Helper()
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	resp, err := llm.Completion(t.Context(), request(h.Model), e.opts...)
	if err != nil {
		t.Fatalf("Completion: %v", err)
	}
	if got := resp.Text(); got != "Hello, world!" {
		t.Errorf("text: got %q, want %q", got, "Hello, world!")
	}
	return resp
}

func completion(t *testing.T, h Harness) {
	resp := completeHello(t, h, h.Completion("Hello, world!", usage))
	if len(resp.Choices) == 0 || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Errorf("finish reason: got %+v, want stop", resp.Choices)
	}
	checkUsage(t, resp.Usage)
	if resp.Meta.Provider == "" || resp.Meta.Model == "" || resp.Meta.Latency <= 0 {
		t.Errorf("meta: got %+v, want provider, model and latency", resp.Meta)
	}
}

func checkUsage(t *testing.T, u *llm.Usage) {
	t.Helper()
	if u == nil {
		t.Fatal("usage: got nil")
	}
	if u.PromptTokens != usage.PromptTokens || u.CompletionTokens != usage.CompletionTokens || u.TotalTokens != usage.TotalTokens {
		t.Errorf("usage: got %d/%d/%d, want %d/%d/%d", u.PromptTokens, u.CompletionTokens, u.TotalTokens,
			usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens)
	}
}

func stream(t *testing.T, h Harness, pieces []string) {
	frames := h.StreamFrames(pieces, usage)
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames) })
	want := strings.Join(pieces, "")

	var text strings.Builder
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), request(h.Model), e.opts...) {
		if err != nil {
			t.Fatalf("stream error after %d chunks: %v", len(chunks), err)
		}
		if c == nil {
			t.Fatal("stream yielded a nil chunk without an error")
		}
		chunks = append(chunks, c)
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
		}
	}
	if text.String() != want {
		t.Fatalf("streamed text: got %d bytes %.40q…, want %d bytes %.40q…", text.Len(), text.String(), len(want), want)
	}
	if len(chunks) == 0 {
		t.Fatal("no chunks")
	}
	for i, c := range chunks[:len(chunks)-1] {
		if c.Usage != nil {
			t.Errorf("chunk %d of %d carries usage; only the last may", i, len(chunks))
		}
	}
	last := chunks[len(chunks)-1]
	checkUsage(t, last.Usage)
	if last.Meta == nil || last.Meta.Provider == "" || last.Meta.Latency <= 0 {
		t.Errorf("last chunk meta: got %+v, want provider and latency", last.Meta)
	}
	finish := ""
	for _, c := range chunks {
		for _, ch := range c.Choices {
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if finish != llm.FinishStop {
		t.Errorf("finish reason: got %q, want stop", finish)
	}

	// Collect over the same frames gives the same answer.
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), request(h.Model), e.opts...))
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if resp.Text() != want || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Errorf("Collect: got %.40q… finish %q, want the streamed text and stop", resp.Text(), resp.Choices[0].FinishReason)
	}
	checkUsage(t, resp.Usage)
}

// reusesConnection checks that a stream read to its end leaves the connection
// to net/http for reuse, even when the end of the body arrives a moment after
// the provider's final event (as over a real network): three streams in a row
// open one connection. A translator that stops reading at its final event
// without draining the body costs every stream a new dial and TLS handshake.
func reusesConnection(t *testing.T, h Harness) {
	frames := h.StreamFrames([]string{"a", "b"}, usage)
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.writeStream(w, frames)
		time.Sleep(30 * time.Millisecond)
	})
	for range 3 {
		if _, err := llm.Collect(llm.CompletionStream(t.Context(), request(h.Model), e.opts...)); err != nil {
			t.Fatalf("stream: %v", err)
		}
	}
	if n := e.conns.Load(); n != 1 {
		t.Errorf("three streams opened %d connections, want 1 (is the body drained after the final event?)", n)
	}
}

func singleUse(t *testing.T, h Harness) {
	frames := h.StreamFrames([]string{"a"}, usage)
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames) })
	s := llm.CompletionStream(t.Context(), request(h.Model), e.opts...)
	for _, err := range s {
		if err != nil {
			t.Fatalf("first range: %v", err)
		}
	}
	var second error
	for _, err := range s {
		second = err
	}
	if !errors.Is(second, llm.ErrInvalidRequest) {
		t.Errorf("second range: got %v, want an invalid-request error", second)
	}
}

// holdingServer writes the first frames of a stream, then holds the response
// open until the client goes away, which it reports on closed.
func holdingServer(h Harness, frames [][]byte, closed chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.writeStream(w, frames)
		select {
		case <-r.Context().Done():
			close(closed)
		case <-time.After(10 * time.Second):
		}
	}
}

func firstFrames(h Harness) [][]byte {
	frames := h.StreamFrames([]string{"one ", "two ", "three"}, usage)
	// Everything up to and including the frame carrying the first piece:
	// providers may send a start frame before it.
	for i, f := range frames {
		if strings.Contains(string(f), "one") {
			return frames[:i+1]
		}
	}
	return frames[:1]
}

func cancelMidStream(t *testing.T, h Harness) {
	closed := make(chan struct{})
	e := newEnv(t, h, holdingServer(h, firstFrames(h), closed))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var gotErr error
	n := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for c, err := range llm.CompletionStream(ctx, request(h.Model), e.opts...) {
			if err != nil {
				gotErr = err
				continue
			}
			if c != nil {
				n++
				if n == 1 {
					cancel()
				}
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end within 5s of canceling its context")
	}
	if n == 0 {
		t.Fatal("no chunk before the cancel")
	}
	if !errors.Is(gotErr, context.Canceled) || !errors.Is(gotErr, llm.ErrCanceled) {
		t.Errorf("error: got %v, want one matching context.Canceled and llm.ErrCanceled", gotErr)
	}
	waitClosed(t, closed)
}

func breakClosesBody(t *testing.T, h Harness) {
	closed := make(chan struct{})
	e := newEnv(t, h, holdingServer(h, firstFrames(h), closed))
	for c, err := range llm.CompletionStream(t.Context(), request(h.Model), e.opts...) {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		if c != nil {
			break
		}
	}
	waitClosed(t, closed)
}

func waitClosed(t *testing.T, closed <-chan struct{}) {
	t.Helper()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not see the connection close within 5s")
	}
}

func statusKinds(t *testing.T, h Harness) {
	for _, ec := range h.Errors {
		t.Run(ec.Name, func(t *testing.T) {
			e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range ec.Header {
					w.Header()[k] = v
				}
				if w.Header().Get("Content-Type") == "" {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(ec.Status)
				_, _ = w.Write([]byte(ec.Body))
			})
			_, err := llm.Completion(t.Context(), request(h.Model), e.opts...)
			checkKind(t, "Completion", err, ec.Kind, ec.Status)
			var serr error
			for _, err := range llm.CompletionStream(t.Context(), request(h.Model), e.opts...) {
				if err != nil {
					serr = err
				}
			}
			checkKind(t, "CompletionStream", serr, ec.Kind, ec.Status)
		})
	}
}

func checkKind(t *testing.T, what string, err error, want llm.Kind, status int) {
	t.Helper()
	var le *llm.Error
	if !errors.As(err, &le) {
		t.Fatalf("%s: got %v (%T), want an *llm.Error", what, err, err)
	}
	if le.Kind != want || !errors.Is(err, want.Sentinel()) {
		t.Errorf("%s: got kind %v (%v), want %v", what, le.Kind, err, want)
	}
	if status != 0 && le.StatusCode != status {
		t.Errorf("%s: got status %d, want %d", what, le.StatusCode, status)
	}
	if le.Provider == "" || le.Model == "" {
		t.Errorf("%s: error does not name the provider and model: %v", what, err)
	}
}

// streamThenFrame streams one piece, then frame; the stream must end with
// exactly one error of kind want after the piece.
func streamThenFrame(t *testing.T, h Harness, frame []byte, want llm.Kind) {
	frames := append(firstFrames(h), frame)
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames) })
	var errs []error
	afterErr := 0
	text := ""
	for c, err := range llm.CompletionStream(t.Context(), request(h.Model), e.opts...) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(errs) > 0 {
			afterErr++
		}
		for _, ch := range c.Choices {
			text += ch.Delta.Content
		}
	}
	if len(errs) != 1 || afterErr != 0 {
		t.Fatalf("got %d errors and %d chunks after the first error, want exactly one error, last", len(errs), afterErr)
	}
	if text != "one " {
		t.Errorf("text before the error: got %q, want %q", text, "one ")
	}
	checkKind(t, "stream", errs[0], want, 0)
}

func midStreamError(t *testing.T, h Harness) {
	streamThenFrame(t, h, h.StreamErrorFrame, h.StreamErrorKind)
}

func malformed(t *testing.T, h Harness) {
	streamThenFrame(t, h, h.MalformedFrame, llm.KindBadResponse)
}

func connectionRefused(t *testing.T, h Harness) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	opts := append(h.Options(url), llm.WithHTTPClient(client))
	_, err := llm.Completion(t.Context(), request(h.Model), opts...)
	checkKind(t, "Completion", err, llm.KindConnection, 0)
}
