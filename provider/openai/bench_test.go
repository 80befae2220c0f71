package openai_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/providertest"
)

// The floor: what a hand-written client does with plain net/http and
// encoding/json on the same payloads. These types mirror OpenAI's.
type floorMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content,omitempty"`
	ToolCalls  []floorToolCall `json:"tool_calls,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	Refusal    *string         `json:"refusal,omitempty"`
}

type floorToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type floorUsage struct {
	PromptTokens            int            `json:"prompt_tokens"`
	CompletionTokens        int            `json:"completion_tokens"`
	TotalTokens             int            `json:"total_tokens"`
	PromptTokensDetails     map[string]int `json:"prompt_tokens_details"`
	CompletionTokensDetails map[string]int `json:"completion_tokens_details"`
}

type floorResponse struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	Created           int64  `json:"created"`
	Model             string `json:"model"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Index        int          `json:"index"`
		Message      floorMessage `json:"message"`
		FinishReason string       `json:"finish_reason"`
	} `json:"choices"`
	Usage *floorUsage `json:"usage"`
}

type floorChunk struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	Created           int64  `json:"created"`
	Model             string `json:"model"`
	SystemFingerprint string `json:"system_fingerprint"`
	Choices           []struct {
		Index int `json:"index"`
		Delta struct {
			Role      string          `json:"role,omitempty"`
			Content   string          `json:"content,omitempty"`
			ToolCalls []floorToolCall `json:"tool_calls,omitempty"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *floorUsage `json:"usage"`
}

type floorRequestMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type floorRequest struct {
	Model       string                `json:"model"`
	Messages    []floorRequestMessage `json:"messages"`
	Temperature *float64              `json:"temperature,omitempty"`
	MaxTokens   int                   `json:"max_tokens,omitempty"`
	Stream      bool                  `json:"stream,omitempty"`
}

func benchRequest() (llm.CompletionRequest, floorRequest) {
	text := "Summarise the following paragraph in one sentence: the quick brown fox jumps over the lazy dog, again and again."
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.SystemText("You are terse."), llm.UserText(text)},
		Temperature: llm.Ptr(0.2), MaxTokens: 200}
	floor := floorRequest{Model: "gpt-4o", Messages: []floorRequestMessage{{Role: "system", Content: "You are terse."}, {Role: "user", Content: text}},
		Temperature: llm.Ptr(0.2), MaxTokens: 200}
	return req, floor
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
}

// BenchmarkCompletion compares one non-streamed call through llm and the
// OpenAI translator with the floor, against the same in-process server.
func BenchmarkCompletion(b *testing.B) {
	resp := providertest.Fixture(b, "tools.response.json")
	srv := providertest.BenchServer(b, "application/json", resp)
	req, floor := benchRequest()

	b.Run("llmux", func(b *testing.B) {
		hc := benchClient()
		c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk-bench"), llm.WithHTTPClient(hc))
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.Completion(b.Context(), req)
			if err != nil || len(r.Choices) != 1 {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		hc := benchClient()
		b.ReportAllocs()
		for b.Loop() {
			body, err := json.Marshal(floor)
			if err != nil {
				b.Fatal(err)
			}
			hr, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/chat/completions", bytes.NewReader(body))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", "Bearer sk-bench")
			res, err := hc.Do(hr)
			if err != nil {
				b.Fatal(err)
			}
			var out floorResponse
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if err != nil || len(out.Choices) != 1 {
				b.Fatal(err)
			}
		}
	})
}

// streamBody is a stream of n token chunks as OpenAI sends them with
// stream_options.include_usage: every chunk carries "usage": null and
// "logprobs": null, and the usage arrives on a last chunk without choices.
func streamBody(n int) []byte {
	var buf bytes.Buffer
	for range n {
		buf.Write(providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "gpt-4o-2024-08-06",
			"system_fingerprint": "fp_fc9f1d7035",
			"choices":            []any{map[string]any{"index": 0, "delta": map[string]any{"content": "token "}, "logprobs": nil, "finish_reason": nil}},
			"usage":              nil}))
	}
	buf.WriteString(usageChunk(n))
	return buf.Bytes()
}

func usageChunk(n int) string {
	return string(providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "gpt-4o-2024-08-06",
		"choices": []any{}, "usage": map[string]any{"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}})) + "data: [DONE]\n\n"
}

// toolCallStreamBody is a stream of one tool call whose arguments arrive in
// n fragments, as OpenAI streams them (the first chunk names the call; each
// later one carries a few characters of JSON, escaped quotes included).
func toolCallStreamBody(n int) []byte {
	var buf bytes.Buffer
	chunk := func(delta map[string]any, finish any) {
		buf.Write(providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "gpt-4o-2024-08-06",
			"system_fingerprint": "fp_fc9f1d7035",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
			"usage":              nil}))
	}
	chunk(map[string]any{"role": "assistant", "content": nil, "refusal": nil, "tool_calls": []any{map[string]any{"index": 0, "id": "call_abc", "type": "function",
		"function": map[string]any{"name": "get_weather", "arguments": ""}}}}, nil)
	frags := []string{`{"`, `city`, `":"`, `Paris`, `","`, `unit`, `":"`, `celsius`, `"}`}
	for i := range n - 1 {
		chunk(map[string]any{"tool_calls": []any{map[string]any{"index": 0, "function": map[string]any{"arguments": frags[i%len(frags)]}}}}, nil)
	}
	chunk(map[string]any{}, "tool_calls")
	buf.WriteString(usageChunk(n))
	return buf.Bytes()
}

// BenchmarkStream compares reading a 500-chunk stream through llm with the
// floor: bufio lines + json.Unmarshal per event, on the same bytes.
func BenchmarkStream(b *testing.B) { benchStream(b, streamBody(500), 500) }

// BenchmarkToolCallStream is BenchmarkStream for a stream of one tool call's
// argument fragments.
func BenchmarkToolCallStream(b *testing.B) { benchStream(b, toolCallStreamBody(500), 501) }

func benchStream(b *testing.B, body []byte, choices int) {
	srv := providertest.BenchServer(b, "text/event-stream", body)
	req, floor := benchRequest()
	floor.Stream = true

	b.Run("llmux", func(b *testing.B) {
		hc := benchClient()
		c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk-bench"), llm.WithHTTPClient(hc))
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n, err := providertest.StreamChoices(b.Context(), c, req)
			if err != nil {
				b.Fatal(err)
			}
			if n != choices {
				b.Fatalf("got %d choices, want %d", n, choices)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		hc := benchClient()
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			reqBody, _ := json.Marshal(floor)
			hr, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/chat/completions", bytes.NewReader(reqBody))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", "Bearer sk-bench")
			res, err := hc.Do(hr)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			err = providertest.FloorSSE(res.Body, func(c *floorChunk) { n += len(c.Choices) })
			res.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			if n != choices {
				b.Fatalf("got %d choices, want %d", n, choices)
			}
		}
	})
}

// BenchmarkEncodeRequest isolates request encoding (no HTTP) for both.
func BenchmarkEncodeRequest(b *testing.B) {
	req, floor := benchRequest()
	req.Model = "gpt-4o"
	b.Run("llmux", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := openai.EncodeRequest(&req, &llm.Config{}, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(floor); err != nil {
				b.Fatal(err)
			}
		}
	})
}
