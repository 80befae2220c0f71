package anthropic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/sse"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/providertest"
)

// decodeStream runs the SSE decoder and the StreamDecoder over body, as
// Provider.CompletionStream does, and returns the chunks.
func decodeStream(body []byte) ([]*llm.Chunk, error) {
	events := sse.NewDecoder(bytes.NewReader(body))
	var d anthropic.StreamDecoder
	var out []*llm.Chunk
	for {
		ev, err := events.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		c, err := d.Decode(string(ev.Type), ev.Data)
		if err != nil {
			return out, err
		}
		if c != nil {
			out = append(out, c)
		}
		if d.Done() { // as ReadStream: message_stop ends the stream
			return out, nil
		}
	}
}

func seedStreams(f *testing.F) {
	providertest.Seed(f, "text.sse", "tools.sse", "thinking.sse", "interleaved.sse", "json_tool.sse", "error.sse", "web_search.sse", "server_tools.sse")
	f.Add([]byte("event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"s\"}}\n\nevent: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\"}}\n\nevent: content_block_stop\ndata: {\"index\":0}\n\n"))
	f.Add([]byte("event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"web_search_result_location\",\"url\":\"https://x\"}}}\n\nevent: content_block_stop\ndata: {\"index\":0}\n\n"))
	f.Add([]byte("event: content_block_delta\ndata: {\"index\":-1,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n"))
	f.Add([]byte("event: content_block_stop\ndata: {\"index\":99999999}\n\n"))
	f.Add([]byte("event: content_block_start\ndata: {\"index\":70000,\"content_block\":{\"type\":\"text\"}}\n\n"))
	f.Add([]byte("data: {\"type\":\"message_start\",\"message\":null}\n\n"))
	// Types newer than the translator, with known fields in other shapes.
	f.Add([]byte("event: new_event\ndata: {\"type\":\"new_event\",\"index\":\"x\",\"delta\":5}\n\ndata: {\"type\":\"new_event\",\"message\":\"m\"}\n\n" +
		"event: content_block_start\ndata: {\"index\":1,\"content_block\":{\"type\":\"new_block\",\"text\":{},\"input\":\"i\",\"citations\":7}}\n\n" +
		"event: content_block_delta\ndata: {\"index\":1,\"delta\":{\"type\":\"new_delta\",\"text\":[1]}}\n\nevent: content_block_stop\ndata: {\"index\":1}\n\n"))
}

func FuzzStreamDecoder(f *testing.F) {
	seedStreams(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		chunks, err := decodeStream(body)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("error is not an *llm.Error: %v", err)
			}
		}
		for i, c := range chunks {
			if c == nil || len(c.Choices) != 1 {
				t.Fatalf("chunk %d: got %+v, want one choice", i, c)
			}
			for _, d := range c.Choices[0].Delta.ToolCalls {
				if d.Index < 0 {
					t.Fatalf("negative tool call index %d", d.Index)
				}
			}
			if c.Usage != nil && i != len(chunks)-1 {
				t.Fatalf("usage on chunk %d of %d", i, len(chunks))
			}
		}
		var acc llm.Accumulator
		for _, c := range chunks {
			acc.Add(c)
		}
		if _, err := json.Marshal(acc.Response()); err != nil {
			t.Fatalf("the collected response does not encode (kept blocks must be JSON): %v", err)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	providertest.Seed(f, "text.response.json", "tools.response.json", "thinking.response.json", "interleaved.response.json", "json_tool.response.json", "web_search.response.json", "server_tools.response.json")
	f.Add([]byte(`{"type":"message","content":[{"type":"new_thing","content":{"a":1}},{"type":"text","text":"é","citations":[{"type":"search_result_location","source":"https://s"},null]}]}`))
	f.Add([]byte(`{"type":"message","content":[{"type":"new_thing","text":{"a":1},"input":"i","thinking":[2]},{"type":"text","text":"t"}]}`))
	f.Add([]byte(`{"type":"error","error":{"type":"api_error","message":"x"}}`))
	f.Add([]byte(`{"content":[{"type":"tool_use","name":"json_tool_call","input":[1, 2]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := anthropic.DecodeResponse(body)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("error is not an *llm.Error: %v", err)
			}
			return
		}
		if len(r.Choices) != 1 || r.Usage == nil {
			t.Fatalf("got %+v, want one choice and usage", r)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("the response does not encode (kept blocks must be JSON): %v", err)
		}
		for _, tc := range r.ToolCalls() {
			if !json.Valid([]byte(tc.Function.Arguments)) {
				t.Fatalf("tool arguments %q are not JSON", tc.Function.Arguments)
			}
		}
	})
}

func FuzzClassifyError(f *testing.F) {
	f.Add(400, []byte(errorBody("invalid_request_error", "prompt is too long")))
	f.Add(0, []byte(`{"message":"x"}`))
	f.Add(529, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := anthropic.ClassifyError(status, nil, body)
		if e == nil || e.StatusCode != status {
			t.Fatalf("got %+v", e)
		}
	})
}

// sameJSON reports whether a and b decode to the same value.
func sameJSON(t *testing.T, a, b []byte) {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("reference not JSON: %v: %s", err, b)
	}
	if !reflect.DeepEqual(va, vb) {
		t.Fatalf("hand-written encoding differs from encoding/json:\n got %s\nwant %s", a, b)
	}
}

func FuzzEncodeRequest(f *testing.F) {
	for _, tc := range requestCases {
		b, _ := json.Marshal(tc.req)
		f.Add(b)
	}
	f.Add([]byte(`{"model":"claude-3-haiku","messages":[{"role":"user","content":"a\u0000\u2028\u001f\"\\<>&\u00e9"}],"temperature":1e-7,"top_p":0.000001,"stop":["\t"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req llm.CompletionRequest
		if json.Unmarshal(body, &req) != nil {
			return
		}
		opts := anthropic.EncodeOptions{Version: "v", Stream: len(body)%2 == 0, BetasInBody: true}
		out, err := anthropic.EncodeRequest(&req, nil, opts)
		ref, refErr := anthropic.EncodeWithStdlib(&req, nil, opts)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) {
				t.Fatalf("error is not an *llm.Error: %v", err)
			}
			if refErr == nil {
				t.Fatalf("hand-written encoding failed (%v) where encoding/json did not", err)
			}
			return
		}
		if refErr != nil {
			t.Fatalf("encoding/json failed (%v) where the hand-written encoding did not", refErr)
		}
		sameJSON(t, out, ref)
	})
}
