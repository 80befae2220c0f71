package mistral_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llmux/llm"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	req := llm.CompletionRequest{Model: "mistral/mistral-small-latest", Messages: []llm.Message{llm.UserText("Say hello.")}, MaxTokens: 200}
	const want = 502 // role chunk, 500 pieces, finish chunk
	b.Run("llmux", func(b *testing.B) {
		cl := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			n := 0
			for ch, err := range cl.CompletionStream(b.Context(), req) {
				if err != nil {
					b.Fatal(err)
				}
				n += len(ch.Choices)
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
			r := bufio.NewReader(res.Body)
			n := 0
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					break
				}
				data, ok := bytes.CutPrefix(line, []byte("data: "))
				if !ok {
					continue
				}
				data = bytes.TrimRight(data, "\r\n")
				if string(data) == "[DONE]" {
					break
				}
				ch := new(floorChunk)
				if err := json.Unmarshal(data, ch); err != nil {
					b.Fatal(err)
				}
				n += len(ch.Choices)
			}
			res.Body.Close()
			if n != want {
				b.Fatalf("got %d choices", n)
			}
		}
	})
}
