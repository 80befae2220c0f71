package openai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func quirky() *Provider {
	return NewCompatible(Spec{
		Name:           "quirky",
		Unsupported:    []string{"logit_bias", "user"},
		Rename:         map[string]string{"seed": "random_seed", "max_completion_tokens": "max_tokens"},
		ReasoningField: "reasoning",
		UsagePath:      "x_vendor.usage",
		ErrorCodes:     map[string]llm.Kind{"1261": llm.KindContextWindowExceeded},
	})
}

func TestEditBody(t *testing.T) {
	t.Parallel()
	p := quirky()
	cases := []struct {
		name, in, want string
		drop           bool
		err            string
	}{
		{"untouched", `{"model":"m","messages":[]}`, `{"model":"m","messages":[]}`, false, ""},
		{"renamed", `{"model":"m","seed":7,"max_completion_tokens":9}`, `{"model":"m","random_seed":7,"max_tokens":9}`, false, ""},
		{"rename target given", `{"model":"m","seed":7,"random_seed":8}`, `{"model":"m","random_seed":8}`, false, ""},
		{"unsupported refused", `{"model":"m","user":"u"}`, "", false, "user is not supported"},
		{"unsupported dropped", `{"model":"m","user":"u","logit_bias":{"1":2},"seed":1}`, `{"model":"m","random_seed":1}`, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.editBody([]byte(c.in), "m", c.drop)
			if c.err != "" {
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, llm.KindUnsupported, le.Kind)
				assert.Contains(t, le.Message, c.err)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, c.want, string(got))
		})
	}
}

func TestDecodeChunkQuirks(t *testing.T) {
	t.Parallel()
	p := quirky()
	c, err := p.decodeEvent(nil, []byte(`{"id":"1","choices":[{"index":0,"delta":{"reasoning":"hmm"}},{"index":1,"delta":{"reasoning_content":"kept","reasoning":"ignored"}}],"x_vendor":{"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}}`), nil)
	require.NoError(t, err)
	assert.Equal(t, "hmm", c.Choices[0].Delta.ReasoningContent)
	assert.Equal(t, "kept", c.Choices[1].Delta.ReasoningContent, "reasoning_content wins")
	assert.Equal(t, &llm.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}, c.Usage)

	_, err = p.decodeEvent(nil, []byte(`{"choices":[{"index":0,"delta":{"content":1}}]}`), nil)
	assert.ErrorIs(t, err, llm.ErrBadResponse)

	r, err := p.decodeResponse([]byte(`{"id":"1","choices":[{"index":0,"message":{"role":"assistant","content":"a","reasoning":"why"}}]}`), nil)
	require.NoError(t, err)
	assert.Equal(t, "why", r.Choices[0].Message.ReasoningContent)
}

func TestErrorEnvelopes(t *testing.T) {
	t.Parallel()
	p := quirky()
	cases := []struct {
		name   string
		status int
		body   string
		kind   llm.Kind
		code   string
		msg    string
		detail string
	}{
		{"openai", 400, `{"error":{"message":"bad","type":"invalid_request_error","code":"x"}}`, llm.KindInvalidRequest, "x", "bad", ""},
		{"vendor code", 400, `{"error":{"code":"1261","message":"Prompt exceeds max length"}}`, llm.KindContextWindowExceeded, "1261", "Prompt exceeds max length", ""},
		{"bare string", 404, `{"error":"Model not found"}`, llm.KindNotFound, "", "Model not found", ""},
		{"tgi", 424, `{"error":"Input validation error","error_type":"validation"}`, llm.KindInvalidRequest, "validation", "Input validation error", ""},
		{"object error", 500, `{"object":"error","message":"boom","type":"InternalServerError","code":500}`, llm.KindServer, "500", "boom", ""},
		{"message object", 400, `{"object":"error","message":{"detail":"x"},"type":"invalid_request_message_error"}`, llm.KindInvalidRequest, "invalid_request_message_error", `{"detail":"x"}`, ""},
		{"detail", 422, `{"detail":[{"msg":"field required"}]}`, llm.KindInvalidRequest, "", `[{"msg":"field required"}]`, `[{"msg":"field required"}]`},
		{"detail string", 401, `{"detail":"Invalid token"}`, llm.KindAuthentication, "", "Invalid token", ""},
		{"inner_error", 400, `{"error":{"code":"content_filter","message":"f","inner_error":{"code":"ResponsibleAIPolicyViolation"}}}`, llm.KindContentPolicy, "content_filter", "f", `{"code":"ResponsibleAIPolicyViolation"}`},
		{"text", 502, `Bad gateway`, llm.KindServer, "", "Bad gateway", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := p.ErrorFromBody(c.status, nil, []byte(c.body))
			assert.Equal(t, c.kind, e.Kind)
			assert.Equal(t, c.code, e.Code)
			assert.Equal(t, c.msg, e.Message)
			if c.detail != "" {
				assert.JSONEq(t, c.detail, string(e.Detail))
			}
		})
	}
}

func TestAuthAndURLHooks(t *testing.T) {
	t.Parallel()
	boom := errors.New("no token")
	p := NewCompatible(Spec{Name: "hooked", KeyEnv: []string{"HOOKED_KEY"},
		Auth: func(_ context.Context, _ *llm.Config, h http.Header) error { return boom },
		URL: func(_ *llm.Config, model, path string) (string, error) {
			return "https://hooked.example/" + model + path, nil
		},
	})
	_, err := p.header(t.Context(), &llm.Config{})
	assert.ErrorIs(t, err, boom)
	u, err := p.url(&llm.Config{}, "dep", "/chat/completions")
	require.NoError(t, err)
	assert.Equal(t, "https://hooked.example/dep/chat/completions", u)
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"1","choices":[{"index":0,"delta":{"reasoning":"hmm","content":"x"}}],"x_vendor":{"usage":{"total_tokens":3}}}`))
	f.Add([]byte(`{"error":{"message":"m","type":"t"}}`))
	f.Add([]byte(`{"choices":[{"index":1,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]}}],"usage":{"prompt_tokens":1}}`))
	p := quirky()
	plain := New()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pr := range []*Provider{p, plain} {
			if c, err := pr.decodeEvent(nil, data, nil); err == nil {
				var acc llm.Accumulator
				acc.Add(c)
				_ = acc.Response()
			}
			_, _ = pr.decodeResponse(data, nil)
			_ = pr.ErrorFromBody(400, nil, data)
		}
	})
}

func FuzzEditBody(f *testing.F) {
	f.Add([]byte(`{"model":"m","seed":7,"user":"u","max_completion_tokens":9}`))
	f.Add([]byte(`{"seed":1,"random_seed":2}`))
	p := quirky()
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := p.editBody(body, "m", true)
		if err == nil && json.Valid(body) && len(body) > 0 && body[0] == '{' {
			assert.True(t, json.Valid(out), "edited %s into invalid JSON %s", body, out)
		}
	})
}

// BenchmarkDecodeEvent isolates the per-chunk decode of the engine (no
// HTTP): OpenAI's Spec, a Spec with the reasoning-field and usage-path
// quirks on chunks that carry reasoning, and the floor, json.Unmarshal into
// a plain struct.
func BenchmarkDecodeEvent(b *testing.B) {
	content := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"qwen/qwen3-32b","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"token "},"logprobs":null,"finish_reason":null}]}`)
	reasoning := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"qwen/qwen3-32b","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"reasoning":"token "},"logprobs":null,"finish_reason":null}]}`)
	type floorChunk struct {
		ID                string `json:"id"`
		Object            string `json:"object"`
		Created           int64  `json:"created"`
		Model             string `json:"model"`
		SystemFingerprint string `json:"system_fingerprint"`
		Choices           []struct {
			Index int `json:"index"`
			Delta struct {
				Role      string `json:"role"`
				Content   string `json:"content"`
				Reasoning string `json:"reasoning"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
	}
	openaiP, quirk := New(), quirky()
	for _, c := range []struct {
		name string
		p    *Provider
		data []byte
	}{
		{"openai/content", openaiP, content},
		{"quirks/content", quirk, content},
		{"quirks/reasoning", quirk, reasoning},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.p.decodeEvent(nil, c.data, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for name, data := range map[string][]byte{"floor/content": content, "floor/reasoning": reasoning} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c := new(floorChunk)
				if err := json.Unmarshal(data, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAmendHooks checks that Amend sees every decoded answer, with and
// without a DecodeResponse hook, and that each stream gets its own
// AmendStream function, called on every chunk before the usage is moved to
// the last chunk.
func TestAmendHooks(t *testing.T) {
	t.Parallel()
	amend := func(raw []byte, r *llm.CompletionResponse) { r.Choices[0].Message.Refusal = string(raw[:1]) }
	spec := Spec{
		Name:  "amended",
		Amend: amend,
		AmendStream: func() func([]byte, *llm.Chunk) {
			n := 0 // per stream
			return func(_ []byte, c *llm.Chunk) {
				n++
				if c.Usage != nil {
					c.Usage.CompletionTokens += 100
				}
				for i := range c.Choices {
					c.Choices[i].Delta.Refusal = string(rune('0' + n))
				}
			}
		},
	}
	answer := []byte(`{"id":"1","choices":[{"index":0,"message":{"role":"assistant","content":"a"}}]}`)
	for _, p := range []*Provider{NewCompatible(spec), NewCompatible(func() Spec {
		s := spec
		s.DecodeResponse = func(raw []byte) (*llm.CompletionResponse, error) {
			return &llm.CompletionResponse{Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant}}}}, nil
		}
		return s
	}())} {
		r, err := p.decodeResponse(answer, nil)
		require.NoError(t, err)
		assert.Equal(t, "{", r.Choices[0].Message.Refusal)
	}

	sse := "data: {\"id\":\"1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n" +
		"data: {\"id\":\"1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n" +
		"data: [DONE]\n\n"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(sse))
	}))
	t.Cleanup(ts.Close)
	srv := ts.URL
	p := NewCompatible(spec)
	for range 2 {
		var got []string
		var usage *llm.Usage
		for c, err := range p.CompletionStream(t.Context(), &llm.CompletionRequest{Model: "m", Messages: []llm.Message{llm.UserText("hi")}},
			&llm.Config{BaseURL: srv, APIKey: "k", HTTPClient: http.DefaultClient}) {
			require.NoError(t, err)
			for _, ch := range c.Choices {
				got = append(got, ch.Delta.Refusal)
			}
			if c.Usage != nil {
				usage = c.Usage
			}
		}
		assert.Equal(t, []string{"1", "2"}, got, "each stream counts from its own start")
		require.NotNil(t, usage)
		assert.Equal(t, 102, usage.CompletionTokens)
	}
}
