package llm

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MockResponse scripts what the mock provider answers. The zero value makes
// it echo the last user message: "Mock response to: <text>".
//
// The mock provider answers model strings "mock/<anything>" with no network.
// WithMockResponse also short-circuits calls to any other provider, like
// LiteLLM's mock_response, so code written against a real model string can be
// tested offline.
type MockResponse struct {
	// Content is the reply text.
	Content string
	// Reasoning is streamed before the content as reasoning_content.
	Reasoning string
	// ToolCalls are returned as the assistant's tool calls; their IDs are
	// generated when empty.
	ToolCalls []ToolCall
	// FinishReason defaults to "tool_calls" when there are tool calls and
	// "stop" otherwise.
	FinishReason string
	// Usage defaults to a deterministic estimate from the words of the
	// prompt and the reply.
	Usage *Usage
	// ChunkSize is how many characters of content each streamed chunk
	// carries; 0 streams a word (with its following space) per chunk.
	ChunkSize int
	// ChunkDelay is waited before each streamed chunk (and once before a
	// non-streamed reply), watching the context.
	ChunkDelay time.Duration
	// Err, if set, is returned instead of a reply; use an *Error to choose
	// its Kind: &llm.Error{Kind: llm.KindRateLimit, RetryAfter: time.Second}.
	// Any other error is classified as a provider's would be: a context
	// error keeps its meaning (canceled, timeout), a JSON encoding error is
	// an invalid request, and an error nothing recognises comes back as a
	// KindServer error wrapping it, as from a provider that failed without
	// saying why.
	Err error
	// ErrAfterChunks makes a stream yield that many chunks before Err.
	ErrAfterChunks int
}

// MockResponder computes a mock response per request, for tests that script
// a sequence of behaviours (fail twice, then answer).
type MockResponder func(ctx context.Context, req *CompletionRequest) MockResponse

// WithMockResponse makes calls answer r without any network, whatever the
// provider.
func WithMockResponse(r MockResponse) Option {
	return func(c *Config) { c.mock = &r }
}

// WithMockResponder makes calls answer with f's response without any network,
// whatever the provider.
func WithMockResponder(f MockResponder) Option {
	return func(c *Config) { c.responder = f }
}

// mockProvider is the "mock" provider. It implements no capability: each
// operation says how the mock answers it (operation.mock), and the client's
// one call path asks the operation when the call resolves to the mock.
type mockProvider struct{}

func init() { Register("mock", mockProvider{}) }

func (mockProvider) Name() string { return "mock" }

func mockScript(ctx context.Context, req *CompletionRequest, cfg *Config) MockResponse {
	var r MockResponse
	switch {
	case cfg.responder != nil:
		r = cfg.responder(ctx, req)
	case cfg.mock != nil:
		r = *cfg.mock
	}
	if r.Err != nil {
		r.Err = scriptedErr(r.Err)
	}
	if r.Content == "" && len(r.ToolCalls) == 0 && r.Err == nil && r.Reasoning == "" {
		r.Content = "Mock response to: " + lastUserText(req.Messages)
	}
	for i := range r.ToolCalls {
		if r.ToolCalls[i].ID == "" {
			r.ToolCalls[i].ID = "call_mock_" + strconv.Itoa(i)
		}
		if r.ToolCalls[i].Type == "" {
			r.ToolCalls[i].Type = "function"
		}
	}
	if r.FinishReason == "" {
		r.FinishReason = FinishStop
		if len(r.ToolCalls) > 0 {
			r.FinishReason = FinishToolCalls
		}
	}
	if r.Usage == nil {
		r.Usage = mockUsage(req, &r)
	}
	return r
}

// scriptedErr returns the error a script asks for as the mock's own: an
// *Error as a copy wrapping it (the client completes the error it returns,
// and one script may serve concurrent calls; errors.Is still finds the
// scripted value), and any other error as it is, for the client to classify
// as it classifies a provider's.
func scriptedErr(err error) error {
	if e, ok := err.(*Error); ok {
		c := *e
		c.Err = e
		if c.Message == "" && e.Err != nil {
			c.Message = e.Err.Error()
		} else if c.Message == "" {
			c.Message = "scripted by MockResponse.Err"
		}
		return &c
	}
	return err
}

func lastUserText(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == RoleUser {
			return msgs[i].Content.String()
		}
	}
	return ""
}

// mockUsage counts words, deterministically: a stand-in for tokens.
func mockUsage(req *CompletionRequest, r *MockResponse) *Usage {
	in := 0
	for _, m := range req.Messages {
		in += 3 + len(strings.Fields(m.Content.String()))
	}
	out := len(strings.Fields(r.Content)) + len(strings.Fields(r.Reasoning))
	for _, tc := range r.ToolCalls {
		out += 1 + len(strings.Fields(tc.Function.Arguments))
	}
	u := &Usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
	u.CompletionTokensDetails.ReasoningTokens = len(strings.Fields(r.Reasoning))
	return u
}

func mockID(req *CompletionRequest) string { return "chatcmpl-mock-" + req.Model }

// mockCompletion is the mock's Completion.
func mockCompletion(ctx context.Context, req *CompletionRequest, cfg *Config) (*CompletionResponse, error) {
	r := mockScript(ctx, req, cfg)
	if err := sleepCtx(ctx, r.ChunkDelay); err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	msg := Message{Role: RoleAssistant, Content: Text(r.Content), ReasoningContent: r.Reasoning, ToolCalls: r.ToolCalls}
	n := min(max(req.N, 1), maxN) // validated; bounded here too, as it sizes an allocation
	choices := make([]Choice, n)
	for i := range choices {
		choices[i] = Choice{Index: i, Message: msg, FinishReason: r.FinishReason}
	}
	return &CompletionResponse{
		ID: mockID(req), Object: "chat.completion", Created: 0, Model: req.Model,
		Choices: choices, Usage: r.Usage, Meta: Meta{Cost: mockCost(cfg, req.Model, r.Usage)},
	}, nil
}

// mockPacer paces the chunks of a mock stream: before each one it fails
// with the script's error once ErrAfterChunks chunks were sent, and waits
// ChunkDelay watching ctx.
type mockPacer struct {
	ctx  context.Context
	r    *MockResponse
	sent int
}

func (p *mockPacer) next() error {
	if p.r.Err != nil && p.sent == p.r.ErrAfterChunks {
		return p.r.Err
	}
	if err := sleepCtx(p.ctx, p.r.ChunkDelay); err != nil {
		return err
	}
	p.sent++
	return nil
}

// mockCompletionStream is the mock's CompletionStream.
func mockCompletionStream(ctx context.Context, req *CompletionRequest, cfg *Config) iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		r := mockScript(ctx, req, cfg)
		id := mockID(req)
		pace := mockPacer{ctx: ctx, r: &r}
		emit := func(d Delta, finish string, usage *Usage) bool {
			if err := pace.next(); err != nil {
				yield(nil, err)
				return false
			}
			c := &Chunk{ID: id, Object: "chat.completion.chunk", Model: req.Model, Usage: usage}
			if usage == nil {
				c.Choices = []ChunkChoice{{Delta: d, FinishReason: finish}}
			} else {
				c.Choices = []ChunkChoice{}
				if mc := mockCost(cfg, req.Model, usage); mc != nil {
					c.Meta = &Meta{Cost: mc}
				}
			}
			return yield(c, nil)
		}
		if !emit(Delta{Role: RoleAssistant}, "", nil) {
			return
		}
		for _, piece := range splitChunks(r.Reasoning, r.ChunkSize) {
			if !emit(Delta{ReasoningContent: piece}, "", nil) {
				return
			}
		}
		for _, piece := range splitChunks(r.Content, r.ChunkSize) {
			if !emit(Delta{Content: piece}, "", nil) {
				return
			}
		}
		for i, tc := range r.ToolCalls {
			first := ToolCallDelta{Index: i, ID: tc.ID, Type: "function", Function: FunctionCallDelta{Name: tc.Function.Name}}
			if !emit(Delta{ToolCalls: []ToolCallDelta{first}}, "", nil) {
				return
			}
			for _, piece := range splitChunks(tc.Function.Arguments, max(r.ChunkSize, 8)) {
				if !emit(Delta{ToolCalls: []ToolCallDelta{{Index: i, Function: FunctionCallDelta{Arguments: piece}}}}, "", nil) {
					return
				}
			}
		}
		if !emit(Delta{}, r.FinishReason, nil) {
			return
		}
		if !emit(Delta{}, "", r.Usage) {
			return
		}
		if r.Err != nil {
			yield(nil, r.Err) // scripted to fail after the last chunk
		}
	}
}

// mockTextCompletion is the mock's TextCompletion.
func mockTextCompletion(ctx context.Context, req *TextCompletionRequest, cfg *Config) (*TextCompletionResponse, error) {
	creq := &CompletionRequest{Model: req.Model, Messages: []Message{UserText(strings.Join(req.Prompt, "\n"))}}
	r := mockScript(ctx, creq, cfg)
	if err := sleepCtx(ctx, r.ChunkDelay); err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, r.Err
	}
	return &TextCompletionResponse{
		ID: "cmpl-mock-" + req.Model, Object: "text_completion", Model: req.Model,
		Choices: []TextChoice{{Text: r.Content, FinishReason: r.FinishReason}}, Usage: r.Usage,
		Meta: Meta{Cost: mockCost(cfg, req.Model, r.Usage)},
	}, nil
}

// splitChunks cuts s into pieces of size characters, or into words with their
// following spaces when size is 0.
func splitChunks(s string, size int) []string {
	if s == "" {
		return nil
	}
	var out []string
	if size <= 0 {
		for len(s) > 0 {
			i := strings.IndexByte(s, ' ')
			if i < 0 {
				out = append(out, s)
				break
			}
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			out = append(out, s[:j])
			s = s[j:]
		}
		return out
	}
	for len(s) > 0 {
		n, i := 0, 0
		for i < len(s) && n < size {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
			n++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
