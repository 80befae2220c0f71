package cohere

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/sse"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		msg    string
		want   llm.Kind
	}{
		{400, "invalid request", llm.KindInvalidRequest},
		{400, "too many tokens: total number of tokens in the prompt cannot exceed 4081", llm.KindContextWindowExceeded},
		{422, "input exceeds the context length", llm.KindContextWindowExceeded},
		{402, "Please add or update your payment method", llm.KindQuotaExceeded},
		{429, "trial key limited to 10 calls / minute", llm.KindRateLimit},
		{429, "you have exceeded your monthly quota", llm.KindQuotaExceeded},
		{498, "blocked output", llm.KindContentPolicy},
		{499, "request cancelled", llm.KindCanceled},
		{501, "not implemented", llm.KindUnsupported},
		{0, "internal error", llm.KindServer},
		{0, "too many tokens", llm.KindContextWindowExceeded},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, kindOf(tc.status, tc.msg), "%d %q", tc.status, tc.msg)
	}
}

func TestUsageFallsBackToBilledUnits(t *testing.T) {
	t.Parallel()
	u := toUsage(&usage{BilledUnits: &BilledUnits{InputTokens: 5, OutputTokens: 2}})
	assert.Equal(t, &llm.Usage{PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7}, u)
	assert.Nil(t, toUsage(nil))
}

func FuzzDecodeResponse(f *testing.F) {
	providertest.Seed(f, "chat.response.json", "tools.response.json", "thinking.response.json")
	f.Add([]byte(`{"message":"x"}`))
	f.Add([]byte(`{"message":{"role":"assistant","content":[{"type":"text","text":"hi"}]},"logprobs":[{"text":"hi","token_ids":[1],"logprobs":[-0.5]}]}`))
	f.Add([]byte(`{"message":{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}],"content":[{"type":"hologram","text":{}}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeResponse(b, "m")
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("untyped error %T", err)
			}
			return
		}
		if len(r.Choices) != 1 {
			t.Fatalf("got %d choices", len(r.Choices))
		}
	})
}

func FuzzDecodeStream(f *testing.F) {
	providertest.Seed(f, "chat.sse", "tools.sse")
	f.Add([]byte("data: {\"message\":\"boom\"}\n\n"))
	f.Add([]byte("data: {\"type\":\"tool-call-delta\",\"index\":9,\"delta\":{\"message\":{\"tool_calls\":[]}}}\n\n"))
	f.Add([]byte("data: {\"type\":\"message-start\",\"id\":\"a\"}\n\ndata: {\"type\":\"hologram\",\"delta\":7}\n\ndata: {\"type\":\"message-end\",\"delta\":{}}\n\n"))
	f.Add([]byte("data: {\"type\":\"content-start\",\"index\":1,\"delta\":{\"message\":{\"content\":{\"type\":\"hologram\",\"text\":{}}}}}\n\n" +
		"data: {\"type\":\"content-delta\",\"index\":1,\"delta\":{\"message\":{\"content\":{\"text\":[1]}}}}\n\ndata: {\"type\":\"content-end\",\"index\":1.5}\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := streamDecoder{meta: &llm.Meta{}}
		dec := sse.NewDecoder(bytes.NewReader(b))
		var acc llm.Accumulator
		for !s.done {
			ev, err := dec.Next()
			if err != nil {
				return
			}
			c, err := s.decode(ev.Data)
			if err != nil {
				var le *llm.Error
				if !errors.As(err, &le) {
					t.Fatalf("untyped error %T", err)
				}
				return
			}
			acc.Add(c)
		}
	})
}

func FuzzEncodeRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","reasoning_content":"think plan","provider_specific_fields":{"tool_plan":"plan"},"content":[{"type":"text","text":"t"}],"tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","reasoning_content":"plan","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":""}}]},{"role":"tool","tool_call_id":"1","content":""}],"tool_choice":"required","k":3}`))
	providertest.FuzzEncode(f, func(req *llm.CompletionRequest) ([]byte, error) {
		return encodeRequest(req, &llm.Config{}, true)
	})
}

// benchStream is a long text stream in Cohere's event format.
func benchStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString("event: message-start\ndata: {\"id\":\"abc\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n")
	for i := range n {
		piece, _ := json.Marshal(strings.Repeat("tok ", i%4+1))
		b.WriteString("event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":" + string(piece) + "}}}}\n\n")
	}
	b.WriteString("event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"billed_units\":{\"input_tokens\":5,\"output_tokens\":500},\"tokens\":{\"input_tokens\":70,\"output_tokens\":500}}}}\n\n")
	return b.Bytes()
}

// BenchmarkStreamDecode decodes a 500-delta stream into chunks.
func BenchmarkStreamDecode(b *testing.B) {
	body := benchStream(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s := streamDecoder{meta: &llm.Meta{}}
		dec := sse.NewDecoder(bytes.NewReader(body))
		for !s.done {
			ev, err := dec.Next()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.decode(ev.Data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// floorEvent is what a hand-written client decodes each event into.
type floorEvent struct {
	Type  string `json:"type"`
	Delta struct {
		Message struct {
			Content struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"delta"`
}

// BenchmarkStreamDecodeFloor is the floor: the same SSE decoder and
// json.Unmarshal into a minimal struct per event. (message-start's empty
// content list is skipped by type, as a hand-written client must.)
func BenchmarkStreamDecodeFloor(b *testing.B) {
	body := benchStream(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		dec := sse.NewDecoder(bytes.NewReader(body))
		for {
			ev, err := dec.Next()
			if err == io.EOF {
				break
			}
			if string(ev.Type) == "message-start" {
				continue
			}
			v := new(floorEvent)
			if err := json.Unmarshal(ev.Data, v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEncodeRequest encodes a typical conversation with a tool.
func BenchmarkEncodeRequest(b *testing.B) {
	req := benchRequest()
	cfg := &llm.Config{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeRequest(req, cfg, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRequestFloor marshals the same wire body built by hand.
func BenchmarkEncodeRequestFloor(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		msgs := make([]message, len(req.Messages))
		for i, m := range req.Messages {
			msgs[i] = message{Role: string(m.Role), Content: m.Content.Text}
		}
		w := chatRequest{Model: req.Model, Messages: msgs, Stream: true, Temperature: req.Temperature, MaxTokens: req.MaxTokens}
		for _, t := range req.Tools {
			w.Tools = append(w.Tools, tool{Type: "function", Function: toolDef{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters}})
		}
		if _, err := json.Marshal(w); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRequest() *llm.CompletionRequest {
	msgs := []llm.Message{llm.SystemText("You are a helpful assistant.")}
	for range 5 {
		msgs = append(msgs, llm.UserText(strings.Repeat("Tell me about the weather. ", 10)), llm.AssistantText(strings.Repeat("It is sunny. ", 20)))
	}
	return &llm.CompletionRequest{Model: "command-a-03-2025", Messages: msgs, Temperature: llm.Ptr(0.3), MaxTokens: 512,
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Get the weather", `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}}
}

func FuzzErrorFromBody(f *testing.F) {
	f.Add(429, []byte(`{"id":"1","message":"trial key limit"}`))
	f.Add(0, []byte(`{"error":{"message":"m"}}`))
	f.Add(502, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := errorFromBody(status, nil, body)
		if e == nil || (e.Kind == llm.KindUnknown && status >= 400) {
			t.Fatalf("got %+v", e)
		}
	})
}
