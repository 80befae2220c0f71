package ollama_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// End-to-end benchmarks against an in-process server: the library's call
// next to a floor doing the same request with plain net/http and
// encoding/json.

func benchServer(b *testing.B, contentType string, body []byte) (*httptest.Server, *http.Client) {
	srv := providertest.BenchServer(b, contentType, body)
	return srv, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

func benchStreamBody(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		b.Write(line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00",
			"message": map[string]any{"role": "assistant", "content": strings.Repeat("tok ", i%4+1)}, "done": false}))
	}
	b.Write(line(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T19:22:45.499127Z", "message": map[string]any{"role": "assistant", "content": ""},
		"done_reason": "stop", "done": true, "prompt_eval_count": 26, "eval_count": n}))
	return b.Bytes()
}

var benchReq = llm.CompletionRequest{Model: "ollama/llama3.2", Messages: []llm.Message{llm.SystemText("Be brief."), llm.UserText("Why is the sky blue?")},
	Temperature: llm.Ptr(0.2), MaxTokens: 256}

type floorReq struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Options struct {
		Temperature float64 `json:"temperature"`
		NumPredict  int     `json:"num_predict"`
	} `json:"options"`
	Stream bool `json:"stream"`
}

type floorResp struct {
	Model   string `json:"model"`
	Message struct {
		Role     string `json:"role"`
		Content  string `json:"content"`
		Thinking string `json:"thinking"`
	} `json:"message"`
	Done            bool   `json:"done"`
	DoneReason      string `json:"done_reason"`
	PromptEvalCount int    `json:"prompt_eval_count"`
	EvalCount       int    `json:"eval_count"`
}

func floorPost(b *testing.B, hc *http.Client, url string, stream bool) *http.Response {
	var fr floorReq
	fr.Model, fr.Stream = "llama3.2", stream
	fr.Messages = append(fr.Messages, struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}{"system", "Be brief."}, struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}{"user", "Why is the sky blue?"})
	fr.Options.Temperature, fr.Options.NumPredict = 0.2, 256
	body, _ := json.Marshal(fr)
	resp, err := hc.Post(url+"/api/chat", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	return resp
}

func BenchmarkCompletion(b *testing.B) {
	body, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-12-12T14:13:43.416799Z",
		"message":     map[string]any{"role": "assistant", "content": strings.Repeat("The sky is blue because of Rayleigh scattering. ", 20)},
		"done_reason": "stop", "done": true, "prompt_eval_count": 26, "eval_count": 298})
	srv, hc := benchServer(b, "application/json", body)
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithHTTPClient(hc)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := llm.Completion(b.Context(), benchReq, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompletionFloor(b *testing.B) {
	body, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-12-12T14:13:43.416799Z",
		"message":     map[string]any{"role": "assistant", "content": strings.Repeat("The sky is blue because of Rayleigh scattering. ", 20)},
		"done_reason": "stop", "done": true, "prompt_eval_count": 26, "eval_count": 298})
	srv, hc := benchServer(b, "application/json", body)
	b.ReportAllocs()
	for b.Loop() {
		resp := floorPost(b, hc, srv.URL, false)
		var out floorResp
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

func BenchmarkStream(b *testing.B) {
	srv, hc := benchServer(b, "application/x-ndjson", benchStreamBody(200))
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithHTTPClient(hc)}
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range llm.CompletionStream(b.Context(), benchReq, opts...) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkStreamFloor(b *testing.B) {
	srv, hc := benchServer(b, "application/x-ndjson", benchStreamBody(200))
	b.ReportAllocs()
	for b.Loop() {
		resp := floorPost(b, hc, srv.URL, true)
		dec := json.NewDecoder(resp.Body)
		for {
			v := new(floorResp)
			if err := dec.Decode(v); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		resp.Body.Close()
	}
}
