package anthropic_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/sse"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/providertest"
)

// benchStream is a 200-delta text stream, the common shape of an answer.
func benchStream() []byte {
	pieces := make([]string, 200)
	for i := range pieces {
		pieces[i] = " token"
	}
	return bytes.Join(streamFrames(pieces, llm.Usage{PromptTokens: 100, CompletionTokens: 200}), nil)
}

// streamOnce decodes body as Provider.CompletionStream does and returns
// the number of chunks.
func streamOnce(tb testing.TB, body []byte) int {
	events := sse.NewDecoder(bytes.NewReader(body))
	var d anthropic.StreamDecoder
	n := 0
	for {
		ev, err := events.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		c, err := d.Decode(string(ev.Type), ev.Data)
		if err != nil {
			tb.Fatal(err)
		}
		if c != nil {
			n++
		}
	}
}

func BenchmarkStreamDecode(b *testing.B) {
	body := benchStream()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if n := streamOnce(b, body); n != 202 {
			b.Fatalf("got %d chunks", n)
		}
	}
}

// floorEvent is the least a consumer of the stream must decode.
type floorEvent struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message *struct {
		ID    string `json:"id"`
		Model string `json:"model"`
		Usage struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	} `json:"message"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *struct {
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

// BenchmarkStreamDecodeFloor is the floor: the same SSE decoder and one
// json.Unmarshal per event into a plain struct, with no translation.
func BenchmarkStreamDecodeFloor(b *testing.B) {
	body := benchStream()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if n := streamFloorOnce(b, body); n != 200 {
			b.Fatalf("got %d deltas", n)
		}
	}
}

func streamFloorOnce(tb testing.TB, body []byte) int {
	events := sse.NewDecoder(bytes.NewReader(body))
	n := 0
	for {
		ev, err := events.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		var e floorEvent
		if err := json.Unmarshal(ev.Data, &e); err != nil {
			tb.Fatal(err)
		}
		if e.Delta != nil && e.Delta.Text != "" {
			n++
		}
	}
}

func benchRequest() *llm.CompletionRequest {
	msgs := []llm.Message{llm.SystemText("You are a helpful assistant.")}
	for i := 0; i < 10; i++ {
		msgs = append(msgs, llm.UserText(strings.Repeat("question ", 20)), llm.AssistantText(strings.Repeat("answer ", 40)))
	}
	msgs = append(msgs, llm.UserText("And now?"))
	return &llm.CompletionRequest{Model: "claude-sonnet-4-5-20250929", Messages: msgs, MaxTokens: 1024, Temperature: llm.Ptr(0.7),
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Get the weather", weatherSchema)}}
}

func BenchmarkEncodeRequest(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := anthropic.EncodeRequest(req, nil, anthropic.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

type floorBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type floorMessage struct {
	Role    string       `json:"role"`
	Content []floorBlock `json:"content"`
}

type floorTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type floorRequest struct {
	Model       string         `json:"model"`
	MaxTokens   int            `json:"max_tokens"`
	System      []floorBlock   `json:"system"`
	Messages    []floorMessage `json:"messages"`
	Temperature *float64       `json:"temperature"`
	Tools       []floorTool    `json:"tools"`
}

// BenchmarkEncodeRequestFloor builds the same body by hand from the same
// request and marshals it with encoding/json.
func BenchmarkEncodeRequestFloor(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		encodeFloor(req)
	}
}

func encodeFloor(req *llm.CompletionRequest) []byte {
	r := floorRequest{Model: req.Model, MaxTokens: req.MaxTokens, Temperature: req.Temperature}
	for _, m := range req.Messages {
		if m.Role == llm.RoleSystem {
			r.System = append(r.System, floorBlock{"text", m.Content.Text})
			continue
		}
		r.Messages = append(r.Messages, floorMessage{Role: string(m.Role), Content: []floorBlock{{"text", m.Content.Text}}})
	}
	for _, t := range req.Tools {
		r.Tools = append(r.Tools, floorTool{t.Function.Name, t.Function.Description, t.Function.Parameters})
	}
	b, _ := json.Marshal(&r)
	return b
}

func BenchmarkCompletion(b *testing.B) {
	srv := providertest.BenchServer(b, "application/json", benchAnswer())
	req := *benchRequest()
	req.Model = "anthropic/" + req.Model
	c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Completion(b.Context(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompletionFloor is the same call with net/http and encoding/json
// only: marshal the hand-built body, post it, unmarshal the answer.
func BenchmarkCompletionFloor(b *testing.B) {
	srv := providertest.BenchServer(b, "application/json", benchAnswer())
	req := benchRequest()
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		completionFloor(b, client, srv.URL, req)
	}
}

func completionFloor(tb testing.TB, client *http.Client, url string, req *llm.CompletionRequest) {
	wire := encodeFloor(req)
	hr, _ := http.NewRequestWithContext(tb.Context(), http.MethodPost, url+"/v1/messages", bytes.NewReader(wire))
	hr.Header.Set("X-Api-Key", "k")
	hr.Header.Set("Anthropic-Version", "2023-06-01")
	hr.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hr)
	if err != nil {
		tb.Fatal(err)
	}
	var out struct {
		ID      string `json:"id"`
		Model   string `json:"model"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		StopReason string `json:"stop_reason"`
		Usage      struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if err != nil {
		tb.Fatal(err)
	}
}

func benchAnswer() []byte {
	body, _ := json.Marshal(map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
		"content": []any{map[string]any{"type": "text", "text": strings.Repeat("word ", 200)}}, "stop_reason": "end_turn",
		"usage": map[string]any{"input_tokens": 100, "output_tokens": 200}})
	return body
}
