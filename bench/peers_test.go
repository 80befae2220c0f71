// Package bench measures llmux against the Go peers on the same calls, side
// by side in one run: github.com/sashabaranov/go-openai and
// github.com/openai/openai-go. It is a separate module so that the library
// itself never depends on them:
//
//	cd bench && go test -bench . -benchmem
package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/openai"
	openaigo "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
)

const prompt = "Summarise the following paragraph in one sentence: the quick brown fox jumps over the lazy dog, again and again."

func server(b *testing.B, body []byte, contentType string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
}

func streamBody(n int) []byte {
	var buf bytes.Buffer
	frame := func(v any) {
		j, _ := json.Marshal(v)
		buf.WriteString("data: " + string(j) + "\n\n")
	}
	for range n {
		frame(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "gpt-4o-2024-08-06",
			"system_fingerprint": "fp_fc9f1d7035",
			"choices":            []any{map[string]any{"index": 0, "delta": map[string]any{"content": "token "}, "logprobs": nil, "finish_reason": nil}}})
	}
	frame(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1741570283, "model": "gpt-4o-2024-08-06",
		"choices": []any{}, "usage": map[string]any{"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n}})
	buf.WriteString("data: [DONE]\n\n")
	return buf.Bytes()
}

func BenchmarkCompletion(b *testing.B) {
	resp, err := os.ReadFile("testdata/response.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := server(b, resp, "application/json")

	b.Run("llmux", func(b *testing.B) {
		c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk"), llm.WithHTTPClient(httpClient()))
		req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.SystemText("You are terse."), llm.UserText(prompt)},
			Temperature: llm.Ptr(0.2), MaxTokens: 200}
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.Completion(b.Context(), req)
			if err != nil || len(r.Choices[0].Message.ToolCalls) != 2 {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-openai", func(b *testing.B) {
		cfg := goopenai.DefaultConfig("sk")
		cfg.BaseURL = srv.URL
		cfg.HTTPClient = httpClient()
		c := goopenai.NewClientWithConfig(cfg)
		req := goopenai.ChatCompletionRequest{Model: "gpt-4o", Messages: []goopenai.ChatCompletionMessage{
			{Role: "system", Content: "You are terse."}, {Role: "user", Content: prompt}}, Temperature: 0.2, MaxTokens: 200}
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.CreateChatCompletion(b.Context(), req)
			if err != nil || len(r.Choices[0].Message.ToolCalls) != 2 {
				b.Fatal(err)
			}
		}
	})
	b.Run("openai-go", func(b *testing.B) {
		c := openaigo.NewClient(option.WithAPIKey("sk"), option.WithBaseURL(srv.URL+"/"), option.WithHTTPClient(httpClient()), option.WithMaxRetries(0))
		params := openaigo.ChatCompletionNewParams{Model: "gpt-4o", Messages: []openaigo.ChatCompletionMessageParamUnion{
			openaigo.SystemMessage("You are terse."), openaigo.UserMessage(prompt)}, Temperature: openaigo.Float(0.2), MaxTokens: openaigo.Int(200)}
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.Chat.Completions.New(b.Context(), params)
			if err != nil || len(r.Choices[0].Message.ToolCalls) != 2 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkStream(b *testing.B) {
	body := streamBody(500)
	srv := server(b, body, "text/event-stream")

	b.Run("llmux", func(b *testing.B) {
		c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk"), llm.WithHTTPClient(httpClient()))
		req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText(prompt)}}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n := 0
			for ch, err := range c.CompletionStream(b.Context(), req) {
				if err != nil {
					b.Fatal(err)
				}
				n += len(ch.Choices)
			}
			if n != 500 {
				b.Fatalf("got %d", n)
			}
		}
	})
	b.Run("go-openai", func(b *testing.B) {
		cfg := goopenai.DefaultConfig("sk")
		cfg.BaseURL = srv.URL
		cfg.HTTPClient = httpClient()
		c := goopenai.NewClientWithConfig(cfg)
		req := goopenai.ChatCompletionRequest{Model: "gpt-4o", Messages: []goopenai.ChatCompletionMessage{{Role: "user", Content: prompt}}, Stream: true}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			s, err := c.CreateChatCompletionStream(b.Context(), req)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for {
				r, err := s.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n += len(r.Choices)
			}
			s.Close()
			if n != 500 {
				b.Fatalf("got %d", n)
			}
		}
	})
	b.Run("openai-go", func(b *testing.B) {
		c := openaigo.NewClient(option.WithAPIKey("sk"), option.WithBaseURL(srv.URL+"/"), option.WithHTTPClient(httpClient()), option.WithMaxRetries(0))
		params := openaigo.ChatCompletionNewParams{Model: "gpt-4o", Messages: []openaigo.ChatCompletionMessageParamUnion{openaigo.UserMessage(prompt)}}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			s := c.Chat.Completions.NewStreaming(b.Context(), params)
			n := 0
			for s.Next() {
				n += len(s.Current().Choices)
			}
			if err := s.Err(); err != nil {
				b.Fatal(err)
			}
			s.Close()
			if n != 500 {
				b.Fatalf("got %d", n)
			}
		}
	})
}
