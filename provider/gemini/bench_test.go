package gemini_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/sse"
	"github.com/llmux/llm/provider/gemini"
)

// benchStream is a 200-event text stream, the common shape of an answer.
func benchStream() []byte {
	pieces := make([]string, 200)
	for i := range pieces {
		pieces[i] = " token"
	}
	return bytes.Join(Harness.StreamFrames(pieces, llm.Usage{PromptTokens: 100, CompletionTokens: 200, TotalTokens: 300}), nil)
}

func BenchmarkStreamDecode(b *testing.B) {
	body := benchStream()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := streamDecode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// streamDecode decodes a whole stream body into chunks.
func streamDecode(body []byte) error {
	events := sse.NewDecoder(bytes.NewReader(body))
	d := gemini.NewStreamDecoder("gemini-2.5-flash")
	n := 0
	for {
		ev, err := events.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		c, err := d.Decode(ev.Data)
		if err != nil {
			return err
		}
		if c != nil {
			n++
		}
	}
	if d.Finish() == nil || n != 200 {
		return fmt.Errorf("got %d chunks, want 200 and a usage chunk", n)
	}
	return nil
}

// floorResponse is the least a consumer of the stream must decode.
type floorResponse struct {
	Candidates []struct {
		Content struct {
			Role  string `json:"role"`
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
		Index        int    `json:"index"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
		TotalTokenCount      int `json:"totalTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion string `json:"modelVersion"`
	ResponseID   string `json:"responseId"`
}

// BenchmarkStreamDecodeFloor is the floor: the same SSE decoder and one
// json.Unmarshal per event into a plain struct, with no translation.
func BenchmarkStreamDecodeFloor(b *testing.B) {
	body := benchStream()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := streamDecodeFloor(body); err != nil {
			b.Fatal(err)
		}
	}
}

func streamDecodeFloor(body []byte) error {
	events := sse.NewDecoder(bytes.NewReader(body))
	n := 0
	for {
		ev, err := events.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var r floorResponse
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			return err
		}
		if len(r.Candidates) > 0 && len(r.Candidates[0].Content.Parts) > 0 {
			n++
		}
	}
	if n != 200 {
		return fmt.Errorf("got %d events, want 200", n)
	}
	return nil
}

const weatherSchema = `{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["c","f"]}},"required":["city"],"additionalProperties":false}`

func benchRequest() *llm.CompletionRequest {
	msgs := []llm.Message{llm.SystemText("You are a helpful assistant.")}
	for range 10 {
		msgs = append(msgs, llm.UserText(strings.Repeat("question ", 20)), llm.AssistantText(strings.Repeat("answer ", 40)))
	}
	msgs = append(msgs, llm.UserText("And now?"))
	return &llm.CompletionRequest{Model: "gemini-2.5-flash", Messages: msgs, MaxTokens: 1024, Temperature: llm.Ptr(0.7),
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Get the weather", weatherSchema)}}
}

func BenchmarkEncodeRequest(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gemini.EncodeRequest(req, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// Floor wire types: what a hand-written client would marshal.
type floorPart struct {
	Text string `json:"text"`
}
type floorContent struct {
	Role  string      `json:"role,omitempty"`
	Parts []floorPart `json:"parts"`
}
type floorRequest struct {
	Contents          []floorContent  `json:"contents"`
	SystemInstruction *floorContent   `json:"systemInstruction,omitempty"`
	Tools             json.RawMessage `json:"tools"`
	GenerationConfig  struct {
		MaxOutputTokens int     `json:"maxOutputTokens"`
		Temperature     float64 `json:"temperature"`
	} `json:"generationConfig"`
}

// BenchmarkEncodeRequestFloor is the floor: building the equivalent wire
// struct by hand (the schema already in Gemini's form) and json.Marshal.
func BenchmarkEncodeRequestFloor(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := floorBody(req); err != nil {
			b.Fatal(err)
		}
	}
}

var floorTools = json.RawMessage(`[{"functionDeclarations":[{"name":"get_weather","description":"Get the weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","description":"City name"},"unit":{"type":"STRING","enum":["c","f"]}},"required":["city"]}}]}]`)

// floorBody builds the wire body by hand, the schema already in Gemini's
// form.
func floorBody(req *llm.CompletionRequest) ([]byte, error) {
	var w floorRequest
	for _, m := range req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			w.SystemInstruction = &floorContent{Parts: []floorPart{{Text: m.Content.Text}}}
		case llm.RoleAssistant:
			w.Contents = append(w.Contents, floorContent{Role: "model", Parts: []floorPart{{Text: m.Content.Text}}})
		default:
			w.Contents = append(w.Contents, floorContent{Role: "user", Parts: []floorPart{{Text: m.Content.Text}}})
		}
	}
	w.Tools = floorTools
	w.GenerationConfig.MaxOutputTokens = req.MaxTokens
	w.GenerationConfig.Temperature = *req.Temperature
	return json.Marshal(&w)
}

func benchServer(b testing.TB) *httptest.Server {
	body := Harness.Completion(strings.Repeat("word ", 200), llm.Usage{PromptTokens: 100, CompletionTokens: 200, TotalTokens: 300})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkCompletion is a whole non-streamed call through llm.Completion
// to an in-process server.
func BenchmarkCompletion(b *testing.B) {
	call := completionCall(benchServer(b).URL)
	b.ReportAllocs()
	for b.Loop() {
		if err := call(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// completionCall returns a function making one call through llm.
func completionCall(url string) func(context.Context) error {
	req := *benchRequest()
	req.Model = "gemini/gemini-2.5-flash"
	client := llm.NewClient(llm.WithBaseURL(url), llm.WithAPIKey("k"))
	return func(ctx context.Context) error {
		_, err := client.Completion(ctx, req)
		return err
	}
}

// BenchmarkCompletionFloor is the floor of BenchmarkCompletion: plain
// net/http and encoding/json building and posting the same body and
// decoding the answer.
func BenchmarkCompletionFloor(b *testing.B) {
	call := completionFloorCall(benchServer(b).URL)
	b.ReportAllocs()
	for b.Loop() {
		if err := call(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

func completionFloorCall(url string) func(context.Context) error {
	req := benchRequest()
	client := &http.Client{}
	return func(ctx context.Context) error {
		body, err := floorBody(req)
		if err != nil {
			return err
		}
		hr, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1beta/models/gemini-2.5-flash:generateContent", bytes.NewReader(body))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("x-goog-api-key", "k")
		resp, err := client.Do(hr)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var r floorResponse
		return json.NewDecoder(resp.Body).Decode(&r)
	}
}
