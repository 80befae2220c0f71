package cohere_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// End-to-end benchmarks against an in-process server: the library's call
// next to a floor doing the same request with plain net/http and
// encoding/json (a bufio line loop for the SSE stream).

func benchServer(b *testing.B, contentType string, body []byte) (*httptest.Server, *http.Client) {
	srv := providertest.BenchServer(b, contentType, body)
	return srv, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

// benchStreamBody is a stream as Cohere writes it (type first in each
// event).
func benchStreamBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message-start\ndata: {\"id\":\"abc\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n")
	for i := range n {
		piece, _ := json.Marshal(strings.Repeat("tok ", i%4+1))
		b.WriteString("event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":" + string(piece) + "}}}}\n\n")
	}
	b.WriteString("event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"tokens\":{\"input_tokens\":70,\"output_tokens\":200}}}}\n\n")
	return b.Bytes()
}

var benchReq = llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.SystemText("Be brief."), llm.UserText("Why is the sky blue?")},
	Temperature: llm.Ptr(0.2), MaxTokens: 256}

type floorMsg struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type floorReq struct {
	Model       string     `json:"model"`
	Messages    []floorMsg `json:"messages"`
	Temperature float64    `json:"temperature"`
	MaxTokens   int        `json:"max_tokens"`
	Stream      bool       `json:"stream"`
}

type floorResp struct {
	ID           string `json:"id"`
	FinishReason string `json:"finish_reason"`
	Message      struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	} `json:"message"`
	Usage struct {
		Tokens struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"tokens"`
	} `json:"usage"`
}

type floorEvent struct {
	Type  string `json:"type"`
	Delta struct {
		Message struct {
			Content struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"delta"`
}

func floorPost(b *testing.B, hc *http.Client, url string, stream bool) *http.Response {
	body, _ := json.Marshal(floorReq{Model: "command-a-03-2025", Messages: []floorMsg{{"system", "Be brief."}, {"user", "Why is the sky blue?"}},
		Temperature: 0.2, MaxTokens: 256, Stream: stream})
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, url+"/v2/chat", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer k")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	return resp
}

func completionBody() []byte {
	return harness.Completion(strings.Repeat("The sky is blue because of Rayleigh scattering. ", 20), llm.Usage{PromptTokens: 26, CompletionTokens: 298})
}

func BenchmarkCompletion(b *testing.B) {
	srv, hc := benchServer(b, "application/json", completionBody())
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithHTTPClient(hc), llm.WithAPIKey("k")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := llm.Completion(b.Context(), benchReq, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompletionFloor(b *testing.B) {
	srv, hc := benchServer(b, "application/json", completionBody())
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
	srv, hc := benchServer(b, "text/event-stream", benchStreamBody(200))
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithHTTPClient(hc), llm.WithAPIKey("k")}
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
	srv, hc := benchServer(b, "text/event-stream", benchStreamBody(200))
	b.ReportAllocs()
	for b.Loop() {
		resp := floorPost(b, hc, srv.URL, true)
		r := bufio.NewReaderSize(resp.Body, 64<<10)
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				break
			}
			data, ok := bytes.CutPrefix(line, []byte("data: "))
			if !ok || bytes.Contains(data, []byte(`"message-start"`)) {
				continue // message-start's content is a list: a hand-written client skips it
			}
			v := new(floorEvent)
			if err := json.Unmarshal(data, v); err != nil {
				b.Fatal(err)
			}
		}
		resp.Body.Close()
	}
}
