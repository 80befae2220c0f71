package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faulty is a test provider that misbehaves in the ways a buggy or third-party
// provider can: an encoding failure, a nil response, a nil chunk.
type faulty struct{}

func (faulty) Name() string { return "faulty" }

func (faulty) Completion(_ context.Context, req *llm.CompletionRequest, _ *llm.Config) (*llm.CompletionResponse, error) {
	switch req.Model {
	case "encode":
		_, err := json.Marshal(math.Inf(1)) // as a translator encoding a value it cannot
		return nil, err
	case "marshaler":
		_, err := json.Marshal(struct{ R json.RawMessage }{json.RawMessage("{")})
		return nil, err
	case "decode":
		var v struct{ A int }
		return nil, json.Unmarshal([]byte(`{"A":"x"}`), &v) // an answer that does not fit
	case "syntax":
		var v any
		return nil, json.Unmarshal([]byte(`{"A":`), &v)
	case "eof":
		return nil, fmt.Errorf("reading the body: %w", io.ErrUnexpectedEOF)
	case "own":
		return nil, errors.New("a third-party provider's own failure")
	}
	return nil, nil
}

func (faulty) CompletionStream(context.Context, *llm.CompletionRequest, *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) { yield(nil, nil) }
}

func (faulty) TextCompletion(context.Context, *llm.TextCompletionRequest, *llm.Config) (*llm.TextCompletionResponse, error) {
	return nil, nil
}

// TestNoErrorIsKindUnknown walks the error paths of the root package and the
// mock provider: every error our code produces has a Kind, and the right one.
func TestNoErrorIsKindUnknown(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	chat := func(model string, mut func(r *llm.CompletionRequest)) llm.CompletionRequest {
		r := userReq(model, "hi")
		if mut != nil {
			mut(&r)
		}
		return r
	}
	text := func(mut func(r *llm.TextCompletionRequest)) llm.TextCompletionRequest {
		r := llm.TextCompletionRequest{Model: "mock/x", Prompt: llm.StringList{"hi"}}
		mut(&r)
		return r
	}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithTimeout(t.Context(), -1)
	defer cancel2()
	mock := func(r llm.MockResponse) []llm.Option { return []llm.Option{llm.WithMockResponse(r)} }
	client := llm.NewClient(llm.WithProvider(echo{}), llm.WithProvider(faulty{}))

	cases := []struct {
		name string
		ctx  context.Context
		req  llm.CompletionRequest
		text *llm.TextCompletionRequest // a text completion instead of req
		opts []llm.Option
		want llm.Kind
	}{
		// Model strings.
		{name: "empty model", req: chat("", nil), want: llm.KindInvalidRequest},
		{name: "empty provider", req: chat("/x", nil), want: llm.KindInvalidRequest},
		{name: "empty model name", req: chat("mock/", nil), want: llm.KindInvalidRequest},
		{name: "empty segment", req: chat("mock//", nil), want: llm.KindInvalidRequest},
		{name: "bare provider name", req: chat("mock", nil), want: llm.KindInvalidRequest},
		{name: "control character", req: chat("mock/a\nb", nil), want: llm.KindInvalidRequest},
		{name: "unknown provider", req: chat("nosuch/m", nil), want: llm.KindInvalidRequest},
		{name: "huge unknown provider", req: chat(strings.Repeat("p", 400)+"/m", nil), want: llm.KindInvalidRequest},
		{name: "huge model", req: chat("mock/"+strings.Repeat("m", 1<<20), nil), want: llm.KindInvalidRequest},
		// Invalid requests.
		{name: "no messages", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Messages = nil }), want: llm.KindInvalidRequest},
		{name: "unknown role", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Messages[0].Role = "robot" }), want: llm.KindInvalidRequest},
		{name: "bad schema", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{llm.FunctionTool("f", "", "{")} }), want: llm.KindInvalidRequest},
		{name: "negative max_tokens", req: chat("mock/x", func(r *llm.CompletionRequest) { r.MaxTokens = -1 }), want: llm.KindInvalidRequest},
		{name: "absurd n", req: chat("mock/x", func(r *llm.CompletionRequest) { r.N = 1 << 40 }), want: llm.KindInvalidRequest},
		{name: "n above 128", req: chat("mock/x", func(r *llm.CompletionRequest) { r.N = 129 }), want: llm.KindInvalidRequest},
		{name: "NaN temperature", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Temperature = &nan }), want: llm.KindInvalidRequest},
		{name: "Inf temperature", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Temperature = &inf }), want: llm.KindInvalidRequest},
		{name: "NaN top_p", req: chat("mock/x", func(r *llm.CompletionRequest) { r.TopP = &nan }), want: llm.KindInvalidRequest},
		{name: "NaN presence_penalty", req: chat("mock/x", func(r *llm.CompletionRequest) { r.PresencePenalty = &nan }), want: llm.KindInvalidRequest},
		{name: "Inf frequency_penalty", req: chat("mock/x", func(r *llm.CompletionRequest) { r.FrequencyPenalty = llm.Ptr(math.Inf(-1)) }), want: llm.KindInvalidRequest},
		{name: "negative top_logprobs", req: chat("mock/x", func(r *llm.CompletionRequest) { r.TopLogprobs = llm.Ptr(-1) }), want: llm.KindInvalidRequest},
		{name: "Extra func", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Extra = map[string]any{"f": func() {}} }), want: llm.KindInvalidRequest},
		{name: "Extra NaN", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Extra = map[string]any{"top_k": nan} }), want: llm.KindInvalidRequest},
		{name: "Extra bad raw JSON", req: chat("mock/x", func(r *llm.CompletionRequest) { r.Extra = map[string]any{"x": json.RawMessage("{")} }), want: llm.KindInvalidRequest},
		{name: "message fields chan", req: chat("mock/x", func(r *llm.CompletionRequest) {
			r.Messages[0].ProviderSpecificFields = map[string]any{"c": make(chan int)}
		}), want: llm.KindInvalidRequest},
		{name: "translator encode error", req: chat("faulty/encode", nil), want: llm.KindInvalidRequest},
		{name: "translator marshaler error", req: chat("faulty/marshaler", nil), want: llm.KindInvalidRequest},
		{name: "translator decode error", req: chat("faulty/decode", nil), want: llm.KindBadResponse},
		{name: "translator syntax error", req: chat("faulty/syntax", nil), want: llm.KindBadResponse},
		{name: "translator unexpected EOF", req: chat("faulty/eof", nil), want: llm.KindConnection},
		{name: "provider's own error", req: chat("faulty/own", nil), want: llm.KindServer},
		// Text completions.
		{name: "text: empty prompt", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Prompt = nil })), want: llm.KindInvalidRequest},
		{name: "text: NaN temperature", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Temperature = &nan })), want: llm.KindInvalidRequest},
		{name: "text: absurd n", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.N = math.MaxInt })), want: llm.KindInvalidRequest},
		{name: "text: negative best_of", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.BestOf = -1 })), want: llm.KindInvalidRequest},
		{name: "text: Extra func", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Extra = map[string]any{"f": func() {}} })), want: llm.KindInvalidRequest},
		{name: "text: bad model", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Model = "mock//" })), want: llm.KindInvalidRequest},
		// Scripted mock errors.
		{name: "mock rate limit", req: chat("mock/x", nil), opts: mock(llm.MockResponse{Err: &llm.Error{Kind: llm.KindRateLimit}}), want: llm.KindRateLimit},
		{name: "mock plain error", req: chat("mock/x", nil), opts: mock(llm.MockResponse{Err: errors.New("boom")}), want: llm.KindServer},
		{name: "mock plain error mid-stream", req: chat("mock/x", nil), opts: mock(llm.MockResponse{Err: errors.New("boom"), ErrAfterChunks: 2}), want: llm.KindServer},
		{name: "mock context error", req: chat("mock/x", nil), opts: mock(llm.MockResponse{Err: context.DeadlineExceeded}), want: llm.KindTimeout},
		{name: "text: mock plain error", text: llm.Ptr(text(func(*llm.TextCompletionRequest) {})), opts: mock(llm.MockResponse{Err: errors.New("boom")}), want: llm.KindServer},
		// Capabilities and faulty providers.
		{name: "no text completions", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Model = "echo/m" })), want: llm.KindUnsupported},
		{name: "nil response", req: chat("faulty/nil", nil), want: llm.KindBadResponse},
		{name: "text: nil response", text: llm.Ptr(text(func(r *llm.TextCompletionRequest) { r.Model = "faulty/nil" })), want: llm.KindBadResponse},
		// The caller's context.
		{name: "canceled", ctx: canceled, req: chat("mock/x", nil), want: llm.KindCanceled},
		{name: "deadline", ctx: expired, req: chat("mock/x", nil), want: llm.KindTimeout},
		{name: "text: canceled", ctx: canceled, text: llm.Ptr(text(func(*llm.TextCompletionRequest) {})), want: llm.KindCanceled},
	}
	check := func(t *testing.T, what string, err error, want llm.Kind) {
		t.Helper()
		require.Error(t, err, what)
		assert.NotEqual(t, llm.KindUnknown, llm.KindOf(err), "%s: %v", what, err)
		assert.Equal(t, want, llm.KindOf(err), "%s: %v", what, err)
		assert.Less(t, len(err.Error()), 1000, "%s: the error echoes too much", what)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := c.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			if c.text != nil {
				_, err := client.TextCompletion(ctx, *c.text, c.opts...)
				check(t, "TextCompletion", err, c.want)
				return
			}
			_, err := client.Completion(ctx, c.req, c.opts...)
			if c.name != "mock plain error mid-stream" {
				check(t, "Completion", err, c.want)
			}
			_, err = llm.Collect(client.CompletionStream(ctx, c.req, c.opts...))
			if c.req.Model != "faulty/nil" && !strings.HasPrefix(c.req.Model, "faulty/") {
				check(t, "CompletionStream", err, c.want)
			}
		})
	}

	// Streams: a sequence ranged twice, a provider without streaming, a nil
	// chunk from a faulty provider.
	s := client.CompletionStream(t.Context(), userReq("mock/x", "hi"))
	_, err := llm.Collect(s)
	require.NoError(t, err)
	_, err = llm.Collect(s)
	check(t, "second range", err, llm.KindInvalidRequest)
	_, err = llm.Collect(client.CompletionStream(t.Context(), userReq("echo/m", "hi")))
	check(t, "no streaming", err, llm.KindUnsupported)
	_, err = llm.Collect(client.CompletionStream(t.Context(), userReq("faulty/nil", "hi")))
	check(t, "nil chunk", err, llm.KindBadResponse)
}

// TestMockScriptedErrorIsNotShared runs concurrent calls that share one
// scripted *Error: the client completes the error it returns (provider,
// model, redaction), which must not write to the script's value (the race
// detector catches it), and errors.Is still finds the scripted value.
func TestMockScriptedErrorIsNotShared(t *testing.T) {
	t.Parallel()
	boom := &llm.Error{Kind: llm.KindOverloaded, Message: "busy"}
	c := llm.NewClient(llm.WithMockResponse(llm.MockResponse{Err: boom}))
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := c.Completion(t.Context(), userReq("mock/m"+strings.Repeat("x", i), "hi"))
			errs <- err
		}()
	}
	for range 4 {
		err := <-errs
		require.ErrorIs(t, err, boom)
		require.ErrorIs(t, err, llm.ErrOverloaded)
		assert.Contains(t, err.Error(), ": overloaded: busy")
	}
	assert.Empty(t, boom.Provider, "the script's error was written to")
	assert.Empty(t, boom.Model, "the script's error was written to")
}
