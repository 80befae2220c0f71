package mistral_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// floorChunk is what a hand-written client decodes each Mistral event into.
type floorChunk struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

// BenchmarkStream reads a 500-chunk Mistral stream (text content, usage with
// the finish reason) through llm and through the floor (bufio lines +
// json.Unmarshal per event) on the same bytes.
func BenchmarkStream(b *testing.B) {
	var buf bytes.Buffer
	pieces := make([]string, 500)
	for i := range pieces {
		pieces[i] = "token "
	}
	for _, f := range streamFrames(pieces, llm.Usage{PromptTokens: 10, CompletionTokens: 500, TotalTokens: 510}) {
		buf.Write(f)
	}
	body := buf.Bytes()
	srv := providertest.BenchServer(b, "text/event-stream", body)
	req := llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{llm.UserText("Say hello.")}, MaxTokens: 200}
	const want = 502 // role chunk, 500 pieces, finish chunk
	b.Run("llmux", func(b *testing.B) {
		cl := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n, err := providertest.StreamChoices(b.Context(), cl, req)
			if err != nil {
				b.Fatal(err)
			}
			if n != want {
				b.Fatalf("got %d choices", n)
			}
		}
	})
	b.Run("floor", func(b *testing.B) {
		hc := &http.Client{Transport: &http.Transport{}}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			reqBody, _ := json.Marshal(map[string]any{"model": "mistral-small-latest", "messages": []any{map[string]any{"role": "user", "content": "Say hello."}}, "max_tokens": 200, "stream": true})
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
			if n != want {
				b.Fatalf("got %d choices", n)
			}
		}
	})
}
