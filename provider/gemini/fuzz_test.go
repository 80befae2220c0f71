package gemini

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/llmux/llm"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzStreamDecode feeds arbitrary event data, twice in a row (so that the
// per-stream state is exercised), to a StreamDecoder: no panic, and a
// decoded chunk is always well-formed.
func FuzzStreamDecode(f *testing.F) {
	seeds(f, "text.response.json", "tools.response.json", "thinking.response.json", "blocked.response.json", "function_ids.response.json",
		"grounding.response.json", "codeexec.response.json")
	f.Add([]byte(`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1s"}]}}`))
	f.Add([]byte(`{"candidates":[{"index":99999999,"content":{"parts":[{"functionCall":{"name":"f","args":[1]}}]}}]}`))
	f.Add([]byte(`[{"error":{}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewStreamDecoder("m")
		for range 2 {
			c, err := d.Decode(data)
			if err != nil {
				if _, ok := err.(*llm.Error); !ok {
					t.Fatalf("error of type %T, want *llm.Error", err)
				}
				continue
			}
			if c != nil && len(c.Choices) == 0 {
				t.Fatal("a chunk without choices before the end")
			}
		}
		_ = d.Finish()
	})
}

// FuzzDecodeResponse: no panic on any body.
func FuzzDecodeResponse(f *testing.F) {
	seeds(f, "text.response.json", "tools.response.json", "images.response.json", "safety.response.json", "function_ids.response.json",
		"grounding.response.json", "codeexec.response.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := DecodeResponse(data, "m")
		if err == nil && resp == nil {
			t.Fatal("nil response without an error")
		}
	})
}

// FuzzConvertSchema: no panic on any schema, and a converted schema
// encodes.
func FuzzConvertSchema(f *testing.F) {
	for _, s := range []string{
		`{"type":"object","properties":{"a":{"anyOf":[{"$ref":"#/$defs/X"},{"type":"null"}]}},"$defs":{"X":{"type":"string"}}}`,
		`{"allOf":[{"$ref":"#/definitions/A"}],"definitions":{"A":{"allOf":[{"$ref":"#/definitions/A"}]}}}`,
		`{"type":["string","null"],"items":[true,false],"enum":[1,"a"]}`,
		`{"oneOf":[{"type":"null"}],"properties":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := convertSchema(json.RawMessage(data))
		if err != nil {
			return
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("converted schema does not encode: %v", err)
		}
	})
}

// FuzzErrorFromBody: any error body classifies without panic.
func FuzzErrorFromBody(f *testing.F) {
	f.Add(400, []byte(`{"error":{"code":400,"message":"m","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}`))
	f.Add(0, []byte(`[{"error":{"code":"x","details":{"a":1}}}]`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := errorFromBody(status, nil, body)
		if e == nil {
			t.Fatal("nil error")
		}
	})
}

// FuzzDecodeEmbedding feeds arbitrary answers to DecodeEmbedding: no panic;
// either a *llm.Error of kind BadResponse or exactly n non-empty vectors in
// input order.
func FuzzDecodeEmbedding(f *testing.F) {
	seeds(f, "embedding.response.json")
	f.Add([]byte(`{"embeddings":[]}`))
	f.Add([]byte(`{"embeddings":[{"values":[]}]}`))
	f.Add([]byte(`{"error":{"code":500,"status":"INTERNAL"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for n := 1; n <= 2; n++ {
			resp, err := DecodeEmbedding(b, n)
			if err != nil {
				var le *llm.Error
				if !errors.As(err, &le) || le.Kind == llm.KindUnknown {
					t.Fatalf("err %v is not a classified *llm.Error", err)
				}
				continue
			}
			if len(resp.Data) != n {
				t.Fatalf("got %d vectors, want %d", len(resp.Data), n)
			}
			for i, d := range resp.Data {
				if d.Index != i || len(d.Embedding) == 0 {
					t.Fatalf("data[%d] = index %d, %d values", i, d.Index, len(d.Embedding))
				}
			}
		}
	})
}
