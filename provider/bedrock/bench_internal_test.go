package bedrock

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"strconv"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
)

// benchStream is a ConverseStream answer of n text deltas, framed.
func benchStream(b *testing.B, n int) []byte {
	b.Helper()
	var out []byte
	add := func(typ, payload string) {
		var err error
		out, err = eventstream.AppendMessage(out, []eventstream.Header{
			eventstream.String(":event-type", typ), eventstream.String(":content-type", "application/json"), eventstream.String(":message-type", "event"),
		}, []byte(payload))
		if err != nil {
			b.Fatal(err)
		}
	}
	add("messageStart", `{"role":"assistant","p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}`)
	for i := range n {
		add("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"token number `+strconv.Itoa(i)+` of the answer "},"p":"abcdefghijklmnop"}`)
	}
	add("contentBlockStop", `{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCD"}`)
	add("messageStop", `{"stopReason":"end_turn","p":"abcdefghijklmnopqrstu"}`)
	add("metadata", `{"usage":{"inputTokens":25,"outputTokens":200,"totalTokens":225},"metrics":{"latencyMs":1200},"p":"abcdefghijk"}`)
	return out
}

// chunkSink keeps benchmarked chunks alive, as a caller would.
var chunkSink *llm.Chunk

// BenchmarkStreamDecode decodes a framed ConverseStream answer into chunks:
// the event-stream decoder (both CRCs) plus the Converse state machine.
func BenchmarkStreamDecode(b *testing.B) {
	data := benchStream(b, 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		frames := eventstream.NewDecoder(r)
		dec := newConverseDecoder("id", "m")
		for {
			m, err := frames.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			c, done, err := dec.decode(m)
			if err != nil {
				b.Fatal(err)
			}
			chunkSink = c
			if done {
				break
			}
		}
	}
}

// BenchmarkStreamDecodeFloor does the same with plain code: read each frame
// with encoding/binary, check both CRCs, find :event-type, json.Unmarshal
// the payload into a typed struct and build a chunk.
func BenchmarkStreamDecodeFloor(b *testing.B) {
	data := benchStream(b, 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := bytes.NewReader(data)
	type event struct {
		Role              string `json:"role"`
		ContentBlockIndex int    `json:"contentBlockIndex"`
		Delta             *struct {
			Text string `json:"text"`
		} `json:"delta"`
		StopReason string `json:"stopReason"`
		Usage      *struct {
			InputTokens  int `json:"inputTokens"`
			OutputTokens int `json:"outputTokens"`
			TotalTokens  int `json:"totalTokens"`
		} `json:"usage"`
	}
	buf := make([]byte, 4096)
	for b.Loop() {
		r.Reset(data)
		for {
			if _, err := io.ReadFull(r, buf[:12]); err != nil {
				break
			}
			total := int(binary.BigEndian.Uint32(buf))
			hl := int(binary.BigEndian.Uint32(buf[4:]))
			if crc32.ChecksumIEEE(buf[:8]) != binary.BigEndian.Uint32(buf[8:]) {
				b.Fatal("prelude crc")
			}
			if _, err := io.ReadFull(r, buf[12:total]); err != nil {
				b.Fatal(err)
			}
			if crc32.ChecksumIEEE(buf[:total-4]) != binary.BigEndian.Uint32(buf[total-4:]) {
				b.Fatal("message crc")
			}
			hs := buf[12 : 12+hl]
			var typ []byte
			for len(hs) > 0 {
				nl := int(hs[0])
				name := hs[1 : 1+nl]
				vl := int(binary.BigEndian.Uint16(hs[2+nl:]))
				if string(name) == ":event-type" {
					typ = hs[4+nl : 4+nl+vl]
				}
				hs = hs[4+nl+vl:]
			}
			var ev event
			if err := json.Unmarshal(buf[12+hl:total-4], &ev); err != nil {
				b.Fatal(err)
			}
			if string(typ) == "contentBlockDelta" {
				chunkSink = &llm.Chunk{ID: "id", Object: "chat.completion.chunk", Model: "m", Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: ev.Delta.Text}}}}
			}
		}
	}
}

func benchRequest() *llm.CompletionRequest {
	return &llm.CompletionRequest{
		Model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
		Messages: []llm.Message{
			llm.SystemText("You are a helpful assistant that answers briefly."),
			llm.UserText("What is the weather in Paris?"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "t1", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}},
			llm.ToolResult("t1", "18C and sunny"),
			llm.UserText("And should I take an umbrella tomorrow?"),
		},
		Tools:       []llm.Tool{llm.FunctionTool("get_weather", "Current weather for a city", `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
		MaxTokens:   512,
		Temperature: llm.Ptr(0.3),
	}
}

// BenchmarkEncodeConverse translates a request into a Converse body.
func BenchmarkEncodeConverse(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeConverse(req, req.Model, false, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeConverseFloor marshals the same Converse body, built by
// hand as typed structs, with encoding/json.
func BenchmarkEncodeConverseFloor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		text := func(s string) []contentBlock { return []contentBlock{{Text: s}} }
		result := "18C and sunny"
		r := converseRequest{
			System: []systemBlock{{Text: "You are a helpful assistant that answers briefly."}},
			Messages: []message{
				{Role: "user", Content: text("What is the weather in Paris?")},
				{Role: "assistant", Content: []contentBlock{{ToolUse: &toolUseBlock{ToolUseID: "t1", Name: "get_weather", Input: json.RawMessage(`{"city":"Paris"}`)}}}},
				{Role: "user", Content: []contentBlock{{ToolResult: &toolResultBlock{ToolUseID: "t1", Content: []toolResultContent{{Text: &result}}}}, {Text: "And should I take an umbrella tomorrow?"}}},
			},
			InferenceConfig: &inferenceConfig{MaxTokens: 512, Temperature: llm.Ptr(0.3)},
			ToolConfig: &toolConfig{Tools: []tool{{ToolSpec: &toolSpec{Name: "get_weather", Description: "Current weather for a city",
				InputSchema: inputSchema{JSON: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}}}}},
		}
		if _, err := json.Marshal(&r); err != nil {
			b.Fatal(err)
		}
	}
}
