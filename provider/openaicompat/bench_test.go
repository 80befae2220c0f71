package openaicompat_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// floorChunk is what a hand-written client decodes each event into.
type floorChunk struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role      string `json:"role"`
			Content   string `json:"content"`
			Reasoning string `json:"reasoning"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

// groqBody is a Groq-shaped stream of n chunks (reasoning first when
// reasoning is set) whose usage arrives in x_groq.usage on the finish chunk.
func groqBody(n int, reasoning bool) []byte {
	var buf bytes.Buffer
	for i := range n {
		field := "content"
		if reasoning && i < n/2 {
			field = "reasoning"
		}
		buf.Write(providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "qwen/qwen3-32b",
			"system_fingerprint": "fp_1", "choices": []any{map[string]any{"index": 0, "delta": map[string]any{field: "token "}, "logprobs": nil, "finish_reason": nil}}}))
	}
	buf.Write(providertest.SSE(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "qwen/qwen3-32b",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}},
		"x_groq":  map[string]any{"id": "req_1", "usage": map[string]any{"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}}}))
	buf.WriteString("data: [DONE]\n\n")
	return buf.Bytes()
}

// BenchmarkStream reads a 500-chunk stream through llm and a quirk vendor
// (groq: reasoning field and usage path on) and through the floor (bufio
// lines + json.Unmarshal per event) on the same bytes.
func BenchmarkStream(b *testing.B) {
	for _, c := range []struct {
		name      string
		model     string
		reasoning bool
	}{
		{"groq", "groq/qwen/qwen3-32b", false},
		{"groq-reasoning", "groq/qwen/qwen3-32b", true},
		{"deepseek", "deepseek/deepseek-chat", false},
	} {
		body := groqBody(500, c.reasoning)
		srv := providertest.BenchServer(b, "text/event-stream", body)
		req := llm.CompletionRequest{Model: c.model, Messages: []llm.Message{llm.UserText("Say hello.")}, MaxTokens: 200}
		b.Run(c.name+"/llmux", func(b *testing.B) {
			cl := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				n, err := providertest.StreamChoices(b.Context(), cl, req)
				if err != nil {
					b.Fatal(err)
				}
				if n != 501 {
					b.Fatalf("got %d choices", n)
				}
			}
		})
		b.Run(c.name+"/floor", func(b *testing.B) {
			hc := &http.Client{Transport: &http.Transport{}}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				reqBody, _ := json.Marshal(map[string]any{"model": "qwen/qwen3-32b", "messages": []any{map[string]any{"role": "user", "content": "Say hello."}}, "max_tokens": 200, "stream": true})
				hr, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/chat/completions", bytes.NewReader(reqBody))
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer k")
				res, err := hc.Do(hr)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				err = providertest.FloorSSE(res.Body, func(ch *floorChunk) { n += len(ch.Choices) })
				res.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				if n != 501 {
					b.Fatalf("got %d choices", n)
				}
			}
		})
	}
}
