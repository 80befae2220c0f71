package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func userReq(model, text string) llm.CompletionRequest {
	return llm.CompletionRequest{Model: model, Messages: []llm.Message{llm.UserText(text)}}
}

func TestParseModel(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, provider, model string }{
		{"openai/gpt-4o", "openai", "gpt-4o"},
		{"openrouter/anthropic/claude-3.5-sonnet", "openrouter", "anthropic/claude-3.5-sonnet"},
		{"bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
		{"bedrock/arn:aws:bedrock:us-east-1:1:inference-profile/x", "bedrock", "arn:aws:bedrock:us-east-1:1:inference-profile/x"},
		{"gpt-4o", "openai", "gpt-4o"},
		{"o3-mini", "openai", "o3-mini"},
		{"text-embedding-3-small", "openai", "text-embedding-3-small"},
		// Bare names beyond OpenAI's resolve through the model table.
		{"claude-sonnet-4-20250514", "anthropic", "claude-sonnet-4-20250514"},
		{"deepseek-chat", "deepseek", "deepseek-chat"},
	}
	for _, c := range cases {
		p, m, err := llm.ParseModel(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.provider, p, c.in)
		assert.Equal(t, c.model, m, c.in)
	}
	// Surrounding white space is trimmed.
	for _, in := range []string{" openai/gpt-4o", "openai/gpt-4o\n", "\t openai/gpt-4o \r\n"} {
		p, m, err := llm.ParseModel(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, "openai", p, "%q", in)
		assert.Equal(t, "gpt-4o", m, "%q", in)
	}
	huge := "mock/" + strings.Repeat("x", 1<<20)
	for _, bad := range []string{"", "   ", "/x", "x/", "mock//", "mock//x", "mock/a//b", "mock/a/", "mock/ x", "mock /x", "mock/a\nb",
		"mock/a\x00", "no-such-model-anywhere", "mock", huge, strings.Repeat("é", 1<<16)} {
		_, _, err := llm.ParseModel(bad)
		assert.ErrorIs(t, err, llm.ErrInvalidRequest, "%.40q", bad)
		assert.Less(t, len(err.Error()), 400, "%.40q: the error echoes too much of the input", bad)
		assert.True(t, utf8.ValidString(err.Error()), "%.40q: the error is not valid UTF-8", bad)
	}
	// A bare provider name is not suggested as a model of another provider.
	_, _, err := llm.ParseModel("mock")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "openai/mock")
	assert.Contains(t, err.Error(), `"mock/<model>"`)
}

func TestUnknownProviderNamesImport(t *testing.T) {
	t.Parallel()
	_, err := llm.Completion(t.Context(), userReq("nosuch/model", "hi"))
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Contains(t, err.Error(), `import _ "github.com/llmux/llm/provider/all"`)
	assert.Contains(t, err.Error(), `"nosuch"`)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	assert.Contains(t, llm.Providers(), "mock")
	assert.Panics(t, func() { llm.Register("mock", echo{}) }, "duplicate")
	assert.Panics(t, func() { llm.Register("x", nil) }, "nil")
	assert.Panics(t, func() { llm.Register("a/b", echo{}) }, "slash")
}

// echo is a test provider that answers with what it received.
type echo struct{}

func (echo) Name() string { return "echo" }

func (echo) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	text := fmt.Sprintf("model=%s key=%s base=%s hdr=%s v=%v", req.Model, string(cfg.APIKey), cfg.BaseURL, cfg.Header.Get("X-A"), cfg.Value(ctxKey{}))
	return &llm.CompletionResponse{Choices: []llm.Choice{{Message: llm.AssistantText(text), FinishReason: "stop"}}}, nil
}

type ctxKey struct{}

func TestOptionPrecedence(t *testing.T) {
	t.Parallel()
	c := llm.NewClient(
		llm.WithProvider(echo{}),
		llm.WithAPIKey("client"),
		llm.WithBaseURL("client-base"),
		llm.ForProvider("echo", llm.WithHeader("X-A", "for-echo")),
		llm.ForProvider("other", llm.WithAPIKey("other-key")),
		llm.WithValue(ctxKey{}, 7),
	)
	resp, err := c.Completion(t.Context(), userReq("echo/m1", "hi"), llm.WithAPIKey("call"))
	require.NoError(t, err)
	assert.Equal(t, "model=m1 key=call base=client-base hdr=for-echo v=7", resp.Text())
	assert.Equal(t, "echo", resp.Meta.Provider)

	// WithProvider options apply only to that provider's calls.
	c2 := llm.NewClient(llm.WithProvider(echo{}, llm.WithAPIKey("p-key")))
	resp, err = c2.Completion(t.Context(), userReq("echo/m2", "hi"))
	require.NoError(t, err)
	assert.Contains(t, resp.Text(), "key=p-key")

	// A provider without streaming gives an unsupported error, not a panic.
	_, err = llm.Collect(c.CompletionStream(t.Context(), userReq("echo/m", "hi")))
	require.ErrorIs(t, err, llm.ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	ok := func(mut func(r *llm.CompletionRequest)) llm.CompletionRequest {
		r := userReq("mock/x", "hi")
		mut(&r)
		return r
	}
	tool := func(params string) llm.Tool { return llm.FunctionTool("f", "", params) }
	cases := map[string]llm.CompletionRequest{
		"empty model":  ok(func(r *llm.CompletionRequest) { r.Model = "" }),
		"no messages":  ok(func(r *llm.CompletionRequest) { r.Messages = nil }),
		"unknown role": ok(func(r *llm.CompletionRequest) { r.Messages[0].Role = "robot" }),
		"empty role":   ok(func(r *llm.CompletionRequest) { r.Messages[0].Role = "" }),
		"tool without id": ok(func(r *llm.CompletionRequest) {
			r.Messages = append(r.Messages, llm.Message{Role: llm.RoleTool, Content: llm.Text("x")})
		}),
		"schema bad type": ok(func(r *llm.CompletionRequest) {
			r.Tools = []llm.Tool{tool(`{"type":"object","properties":{"a":{"type":"strng"}}}`)}
		}),
		"schema not object":   ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{tool(`{"type":"array"}`)} }),
		"schema invalid json": ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{tool(`{"type":`)} }),
		"schema nested bad": ok(func(r *llm.CompletionRequest) {
			r.Tools = []llm.Tool{tool(`{"type":"object","properties":{"a":{"type":"array","items":{"anyOf":[{"type":7}]}}}}`)}
		}),
		"tool name":               ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{llm.FunctionTool("bad name!", "", "")} }),
		"tool type":               ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{{}} }),
		"server tool as function": ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{{Type: "retrieval", Function: &llm.Function{}}} }),
		"duplicate tool":          ok(func(r *llm.CompletionRequest) { r.Tools = []llm.Tool{tool(""), tool("")} }),
		"choice names no tool":    ok(func(r *llm.CompletionRequest) { r.ToolChoice = llm.ToolChoiceFunction("g") }),
		"required without tools":  ok(func(r *llm.CompletionRequest) { r.ToolChoice = llm.ToolChoiceRequired }),
		"negative max_tokens":     ok(func(r *llm.CompletionRequest) { r.MaxTokens = -1 }),
		"negative n":              ok(func(r *llm.CompletionRequest) { r.N = -2 }),
		"top_p range":             ok(func(r *llm.CompletionRequest) { r.TopP = llm.Ptr(1.5) }),
		"negative temperature":    ok(func(r *llm.CompletionRequest) { r.Temperature = llm.Ptr(-0.1) }),
		"json_schema without one": ok(func(r *llm.CompletionRequest) { r.ResponseFormat = &llm.ResponseFormat{Type: "json_schema"} }),
		"unknown part":            ok(func(r *llm.CompletionRequest) { r.Messages[0].Content = llm.Parts(llm.Part{Type: "video"}) }),
		"image without url":       ok(func(r *llm.CompletionRequest) { r.Messages[0].Content = llm.Parts(llm.Part{Type: llm.PartImageURL}) }),
		"tool call without name": ok(func(r *llm.CompletionRequest) {
			r.Messages = append(r.Messages, llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "1"}}})
		}),
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := llm.Completion(t.Context(), req)
			require.ErrorIs(t, err, llm.ErrInvalidRequest)
			_, err = llm.Collect(llm.CompletionStream(t.Context(), req))
			require.ErrorIs(t, err, llm.ErrInvalidRequest)
		})
	}
	// A server tool (a tool of another type, without a function) is the
	// provider's to map or refuse.
	_, err := llm.Completion(t.Context(), ok(func(r *llm.CompletionRequest) {
		r.Tools = []llm.Tool{{Type: "google_search"}, tool("")}
		r.ToolChoice = llm.ToolChoiceFunction("f")
	}))
	require.NoError(t, err)
	// A valid nested schema passes.
	r := ok(func(r *llm.CompletionRequest) {
		r.Tools = []llm.Tool{tool(`{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"type":"array","items":{"$ref":"#/$defs/x"}}},"$defs":{"x":{"type":"integer"}}}`)}
		r.ToolChoice = llm.ToolChoiceFunction("f")
	})
	_, err = llm.Completion(t.Context(), r)
	require.NoError(t, err)
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	e := &llm.Error{Kind: llm.KindRateLimit, Provider: "openai", Model: "gpt-4o", StatusCode: 429, Code: "rate_limit_exceeded",
		Message: "slow down", RetryAfter: 2 * time.Second}
	var err error = fmt.Errorf("wrapped: %w", e)
	assert.ErrorIs(t, err, llm.ErrRateLimit)
	assert.NotErrorIs(t, err, llm.ErrServer)
	assert.Equal(t, llm.KindRateLimit, llm.KindOf(err))
	assert.Equal(t, "llm: openai/gpt-4o: rate limit (429 rate_limit_exceeded): slow down (retry after 2s)", e.Error())

	ctxErr := &llm.Error{Kind: llm.KindTimeout, Err: context.DeadlineExceeded}
	assert.ErrorIs(t, ctxErr, context.DeadlineExceeded)
	assert.ErrorIs(t, ctxErr, llm.ErrTimeout)
	assert.Equal(t, llm.KindCanceled, llm.KindOf(context.Canceled))
	assert.Equal(t, llm.KindUnknown, llm.KindOf(errors.New("x")))
	assert.Equal(t, "kind(200)", llm.Kind(200).String())

	for status, want := range map[int]llm.Kind{400: llm.KindInvalidRequest, 401: llm.KindAuthentication, 402: llm.KindQuotaExceeded,
		403: llm.KindPermissionDenied, 404: llm.KindNotFound, 408: llm.KindTimeout, 409: llm.KindConflict, 413: llm.KindRequestTooLarge,
		422: llm.KindInvalidRequest, 429: llm.KindRateLimit, 500: llm.KindServer, 502: llm.KindServer, 503: llm.KindOverloaded,
		504: llm.KindTimeout, 529: llm.KindOverloaded, 418: llm.KindInvalidRequest, 599: llm.KindServer} {
		assert.Equal(t, want, llm.KindFromStatus(status), "status %d", status)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	const key = "sk-live-abcdefghijklmnop"
	cfg := llm.Config{APIKey: llm.Secret(key), BaseURL: "https://x"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "key", cfg.APIKey)
	b, _ := json.Marshal(cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%v %+v %#v %s %q", cfg, cfg, cfg, cfg.APIKey, cfg.APIKey), string(b), logged.String()} {
		assert.NotContains(t, s, key)
	}
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "[REDACTED]")
	assert.Equal(t, key, string(cfg.APIKey))

	// A provider error that echoes the key is redacted.
	_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"), llm.WithAPIKey(key),
		llm.WithMockResponse(llm.MockResponse{Err: &llm.Error{Kind: llm.KindAuthentication, Message: "bad key " + key}}))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.NotContains(t, err.Error(), key)
}

func TestMockDefault(t *testing.T) {
	t.Parallel()
	resp, err := llm.Completion(t.Context(), userReq("mock/test", "hello there"))
	require.NoError(t, err)
	assert.Equal(t, "Mock response to: hello there", resp.Text())
	assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
	assert.Equal(t, &llm.Usage{PromptTokens: 5, CompletionTokens: 5, TotalTokens: 10}, resp.Usage)
	assert.Equal(t, "mock", resp.Meta.Provider)
	assert.Equal(t, "test", resp.Meta.Model)
}

func TestMockStreamToolsAndReasoning(t *testing.T) {
	t.Parallel()
	script := llm.MockResponse{
		Content:   "Looking it up.",
		Reasoning: "The user wants weather.",
		ToolCalls: []llm.ToolCall{
			{Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris","unit":"celsius"}`}},
			{ID: "given", Function: llm.FunctionCall{Name: "get_time", Arguments: `{"tz":"Europe/Paris"}`}},
		},
		ChunkSize: 4,
	}
	req := userReq("mock/tools", "weather?")
	req.N = 1
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), req, llm.WithMockResponse(script)) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	for _, c := range chunks[:len(chunks)-1] {
		assert.Nil(t, c.Usage, "usage only on the last chunk")
	}
	last := chunks[len(chunks)-1]
	require.NotNil(t, last.Usage)
	require.NotNil(t, last.Meta)
	assert.Greater(t, last.Meta.Latency, time.Duration(0))

	stream, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithMockResponse(script)))
	require.NoError(t, err)
	whole, err := llm.Completion(t.Context(), req, llm.WithMockResponse(script))
	require.NoError(t, err)
	assert.Equal(t, whole.Choices[0].Message, stream.Choices[0].Message)
	assert.Equal(t, whole.Choices[0].FinishReason, stream.Choices[0].FinishReason)
	assert.Equal(t, llm.FinishToolCalls, stream.Choices[0].FinishReason)
	assert.Equal(t, whole.Usage, stream.Usage)
	assert.Equal(t, "call_mock_0", stream.ToolCalls()[0].ID)
	assert.Equal(t, "given", stream.ToolCalls()[1].ID)
	assert.Equal(t, "The user wants weather.", stream.Choices[0].Message.ReasoningContent)
}

func TestMockErrors(t *testing.T) {
	t.Parallel()
	rl := &llm.Error{Kind: llm.KindRateLimit, RetryAfter: time.Second}
	_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"), llm.WithMockResponse(llm.MockResponse{Err: rl}))
	require.ErrorIs(t, err, llm.ErrRateLimit)
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "mock", le.Provider)

	// Mid-stream: two chunks, then the error, once, last.
	n, errs := 0, 0
	for c, err := range llm.CompletionStream(t.Context(), userReq("mock/x", "hi"),
		llm.WithMockResponse(llm.MockResponse{Content: "a b c d", Err: &llm.Error{Kind: llm.KindOverloaded}, ErrAfterChunks: 2})) {
		if err != nil {
			errs++
			require.ErrorIs(t, err, llm.ErrOverloaded)
			continue
		}
		require.Zero(t, errs, "no chunk after the error")
		require.NotNil(t, c)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, errs)

	// WithMockResponse works on any model string, registered or not.
	resp, err := llm.Completion(t.Context(), userReq("anthropic/claude-x", "hi"), llm.WithMockResponse(llm.MockResponse{Content: "offline"}))
	require.NoError(t, err)
	assert.Equal(t, "offline", resp.Text())
	assert.Equal(t, "anthropic", resp.Meta.Provider)

	// A responder scripts a sequence.
	calls := 0
	responder := llm.WithMockResponder(func(ctx context.Context, req *llm.CompletionRequest) llm.MockResponse {
		calls++
		if calls < 3 {
			return llm.MockResponse{Err: &llm.Error{Kind: llm.KindServer}}
		}
		return llm.MockResponse{Content: "third time"}
	})
	for range 2 {
		_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"), responder)
		require.ErrorIs(t, err, llm.ErrServer)
	}
	resp, err = llm.Completion(t.Context(), userReq("mock/x", "hi"), responder)
	require.NoError(t, err)
	assert.Equal(t, "third time", resp.Text())
}

func TestMockCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	start := time.Now()
	var got error
	n := 0
	for _, err := range llm.CompletionStream(ctx, userReq("mock/x", "hi"),
		llm.WithMockResponse(llm.MockResponse{Content: strings.Repeat("word ", 100), ChunkDelay: 20 * time.Millisecond})) {
		if err != nil {
			got = err
			break
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	require.ErrorIs(t, got, context.Canceled)
	require.ErrorIs(t, got, llm.ErrCanceled)
	assert.Less(t, time.Since(start), time.Second)

	dctx, dcancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer dcancel()
	_, err := llm.Completion(dctx, userReq("mock/x", "hi"), llm.WithMockResponse(llm.MockResponse{ChunkDelay: time.Minute}))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, llm.ErrTimeout)
}

func TestStreamSingleUse(t *testing.T) {
	t.Parallel()
	s := llm.CompletionStream(t.Context(), userReq("mock/x", "hi"))
	_, err := llm.Collect(s)
	require.NoError(t, err)
	_, err = llm.Collect(s)
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
}

// seq turns chunks into a stream.
func seq(chunks []*llm.Chunk, tail error) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		for _, c := range chunks {
			if !yield(c, nil) {
				return
			}
		}
		if tail != nil {
			yield(nil, tail)
		}
	}
}

func TestCollectMultiChoice(t *testing.T) {
	t.Parallel()
	ch := func(idx int, d llm.Delta, finish string) *llm.Chunk {
		return &llm.Chunk{ID: "c1", Model: "m", Created: 5, Choices: []llm.ChunkChoice{{Index: idx, Delta: d, FinishReason: finish}}}
	}
	chunks := []*llm.Chunk{
		ch(0, llm.Delta{Role: llm.RoleAssistant, Content: "Hel"}, ""),
		ch(1, llm.Delta{Role: llm.RoleAssistant, ReasoningContent: "think"}, ""),
		ch(0, llm.Delta{Content: "lo"}, ""),
		ch(1, llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "t1", Type: "function", Function: llm.FunctionCallDelta{Name: "f"}}}}, ""),
		ch(1, llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: 1, ID: "t2", Function: llm.FunctionCallDelta{Name: "g", Arguments: "{}"}}}}, ""),
		ch(1, llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: 0, Function: llm.FunctionCallDelta{Arguments: `{"a":`}}}}, ""),
		ch(1, llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: 0, Function: llm.FunctionCallDelta{Arguments: `1}`}}}}, ""),
		ch(1, llm.Delta{ThinkingBlocks: []llm.ThinkingBlock{{Type: "thinking", Thinking: "think", Signature: "sig"}}}, "tool_calls"),
		ch(0, llm.Delta{Refusal: "no"}, "stop"),
		{ID: "c1", Choices: []llm.ChunkChoice{}, Usage: &llm.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}},
	}
	r, err := llm.Collect(seq(chunks, nil))
	require.NoError(t, err)
	require.Len(t, r.Choices, 2)
	assert.Equal(t, "Hello", r.Choices[0].Message.Content.Text)
	assert.Equal(t, "no", r.Choices[0].Message.Refusal)
	assert.Equal(t, "stop", r.Choices[0].FinishReason)
	c1 := r.Choices[1].Message
	assert.Equal(t, "think", c1.ReasoningContent)
	assert.Equal(t, []llm.ToolCall{
		{ID: "t1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: `{"a":1}`}},
		{ID: "t2", Type: "function", Function: llm.FunctionCall{Name: "g", Arguments: "{}"}},
	}, c1.ToolCalls)
	assert.Equal(t, []llm.ThinkingBlock{{Type: "thinking", Thinking: "think", Signature: "sig"}}, c1.ThinkingBlocks)
	assert.Equal(t, "tool_calls", r.Choices[1].FinishReason)
	assert.Equal(t, 3, r.Usage.TotalTokens)
	assert.Equal(t, "c1", r.ID)
	assert.Equal(t, "chat.completion", r.Object)

	// On error, the partial response comes back with the error.
	boom := &llm.Error{Kind: llm.KindServer}
	r, err = llm.Collect(seq(chunks[:3], boom))
	require.ErrorIs(t, err, llm.ErrServer)
	assert.Equal(t, "Hello", r.Choices[0].Message.Content.Text)
}

func TestContentJSON(t *testing.T) {
	t.Parallel()
	var m llm.Message
	require.NoError(t, json.Unmarshal([]byte(`{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAA","detail":"high"}}]}`), &m))
	require.Len(t, m.Content.Parts, 2)
	assert.Equal(t, "high", m.Content.Parts[1].ImageURL.Detail)
	assert.Equal(t, "a", m.Content.String())
	require.NoError(t, json.Unmarshal([]byte(`{"role":"assistant","content":null}`), &m))
	assert.True(t, m.Content.IsZero())
	b, err := json.Marshal(llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: "{}"}}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]}`, string(b))
	b, _ = json.Marshal(llm.UserText("x"))
	assert.JSONEq(t, `{"role":"user","content":"x"}`, string(b))

	var tc llm.ToolChoice
	require.NoError(t, json.Unmarshal([]byte(`{"type":"function","function":{"name":"f"}}`), &tc))
	assert.Equal(t, "f", tc.Function)
	b, _ = json.Marshal(llm.ToolChoiceRequired)
	assert.Equal(t, `"required"`, string(b))
}

func TestExtraMerge(t *testing.T) {
	t.Parallel()
	r := llm.CompletionRequest{Model: "m", Messages: []llm.Message{llm.UserText("x")}, Temperature: llm.Ptr(0.5),
		Extra: map[string]any{"top_k": 40, "temperature": 0.9, "safe_prompt": true}}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.9,"top_k":40,"safe_prompt":true}`, string(b))
	var back llm.CompletionRequest
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, json.RawMessage(`40`), back.Extra["top_k"])
	assert.NotContains(t, back.Extra, "temperature")
}

func FuzzRequestJSON(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],"stop":"x","tool_choice":{"type":"function","function":{"name":"f"}}}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[]}],"x":[1,2]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r llm.CompletionRequest
		if json.Unmarshal(b, &r) != nil {
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			return // e.g. NaN cannot come from JSON, but Extra may hold odd values
		}
		var again llm.CompletionRequest
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("re-decode of our own encoding failed: %v\n%s", err, out)
		}
		// Validation must never panic either.
		_, _ = llm.Completion(t.Context(), again, llm.WithMockResponse(llm.MockResponse{Content: "x"}))
	})
}

func TestCollectToolCallsReusingAnIndex(t *testing.T) {
	t.Parallel()
	call := func(id, name, args string) *llm.Chunk {
		return &llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{ToolCalls: []llm.ToolCallDelta{
			{Index: 0, ID: id, Type: "function", Function: llm.FunctionCallDelta{Name: name, Arguments: args}}}}}}}
	}
	r, err := llm.Collect(seq([]*llm.Chunk{call("a1", "f", `{"x":1}`), call("b2", "g", `{"y":2}`)}, nil))
	require.NoError(t, err)
	assert.Equal(t, []llm.ToolCall{
		{ID: "a1", Type: "function", Function: llm.FunctionCall{Name: "f", Arguments: `{"x":1}`}},
		{ID: "b2", Type: "function", Function: llm.FunctionCall{Name: "g", Arguments: `{"y":2}`}},
	}, r.ToolCalls())
}

func TestCollectIgnoresBogusIndexes(t *testing.T) {
	t.Parallel()
	r, err := llm.Collect(seq([]*llm.Chunk{
		{Choices: []llm.ChunkChoice{{Index: -1, Delta: llm.Delta{Content: "x"}}, {Index: 1 << 30, Delta: llm.Delta{Content: "y"}}, {Index: 0, Delta: llm.Delta{Content: "ok"}}}},
		nil,
	}, nil))
	require.NoError(t, err)
	require.Len(t, r.Choices, 1)
	assert.Equal(t, "ok", r.Text())
}

func TestUnsupportedParam(t *testing.T) {
	t.Parallel()
	e := llm.UnsupportedParam("logit_bias", "model x")
	assert.ErrorIs(t, e, llm.ErrUnsupported)
	assert.Equal(t, "llm: unsupported (unsupported_parameter): logit_bias is not supported (model x); remove it or pass llm.WithDropUnsupportedParams() to drop it", e.Error())
}
