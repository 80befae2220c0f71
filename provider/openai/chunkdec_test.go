package openai

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

var chunkSamples = []string{
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,"delta":{"content":"token "},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}],"refusal":null},"finish_reason":null}],"usage":null}`,
	`{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":1}}}`,
	`{"id":"c","choices":[{"index":1,"delta":{"content":"line\nwith \"escapes\" \u00e9"},"finish_reason":"stop","logprobs":{"content":[{"token":"a","logprob":-0.1,"bytes":[97],"top_logprobs":[]}]}}]}`,
	`{"error":{"message":"boom","type":"server_error"}}`,
	`{"ID":"upper","Choices":[{"Index":2}]}`,
	`{"id":"dup","id":"dup2","choices":[{"index":0},{"index":1,"delta":{"reasoning_content":"hmm"}}]}`,
	`{"id":"\ud800 lone","choices":null}`,
	`{"id":"bad` + "\xff" + `utf8"}`,
	`{"created":1.5}`, `{"created":"x"}`, `{"choices":{}}`, `{"choices":[1]}`, `{"choices":[{"delta":[]}]}`,
	`{"choices":[{"index":99999999999999999999}]}`, `null`, `[]`, `"s"`, `{"x":{"deep":[1,2,{"a":null}]}}`, `{`, ``,
	`{"choices":[{"delta":{"content":42}}]}`, `{"choſces":[]}`, `{"chunk":1,"model":null}`,
	`{"choices":[{"index":1,"delta":{"content":"a"}}],"choices":[{"index":2}]}`,
	`{"choices":[{"delta":{"content":"a","content":"b"},"delta":{"role":"assistant"}}]}`,
	`{"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2}}`,
	`{"choices":[{"index":0,"delta":{"annotations":[{"type":"url_citation","url_citation":{"end_index":113,"start_index":53,"title":"T","url":"https://example.org/"}},{"type":"file_citation","x":1}]},"finish_reason":null}]}`,
	`{"choices":[{"delta":{"Annotations":null,"annotations":[{"type":"url_citation"}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":null}}]}`,
	`{"choices":[{"delta":{"tool_calls":[]}}]}`,
	`{"choices":[{"delta":{"tool_calls":{}}}]}`,
	`{"choices":[{"delta":{"tool_calls":[null,1]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[null,{"index":1}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"function":null,"Function":{"name":"x"}}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"function":"f"}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"a\\b\/c\n\t\r\f\b"}}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\ud83d\ude00 \ud800 \u00e9 \\u"}}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"a"}],"tool_calls":[{"function":{"name":"b"}}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"a","arguments":"x","ARGUMENTS":"y","extra":1}}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":0,"provider_specific_fields":{"thought_signature":"s"},"x":[1]}]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":1.5}]}}]}`,
	`{"choices":[{"delta":{"content":"a"},"logprobs":null,"logprobs":{"content":[]}}],"usage":null}`,
	`{"choices":[{"logprobs":{"content":null},"logprobs":null}]}`,
	`{"usage":null,"usage":{"prompt_tokens":1}}`,
	`{"usage":{"prompt_tokens":1},"usage":null}`,
	`{"usage":[]}`, `{"usage":{"prompt_tokens":"1"}}`, `{"usage":{"prompt_tokens":1e3}}`,
	`{"usage":{"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":5,"reasoning_tokens":null,"x":1}}}`,
	`{"usage":{"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":{"audio_tokens":3}}}`,
	`{"usage":{"prompt_tokens_details":[]}}`, `{"usage":{"prompt_tokens_details":{"Cached_Tokens":1}}}`,
	`{"usage":{"prompt_tokens":9,"completion_tokens":40,"total_tokens":49,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0,"image_tokens":1,"text_tokens":2,"cache_creation_tokens":3,"cache_creation_1h_tokens":4},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"image_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},"server_tool_use":{"web_search_requests":1}}}`,
	`{"choices":[{"delta":{"role":null,"content":"x\/y"}}]}`,
	`{"usage":{"completion_tokens_details":{"video_tokens":7}}}`,
}

// TestDecodeChunkMatchesEncodingJSON is the differential check of the fast
// decoder against encoding/json.
func TestDecodeChunkMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range chunkSamples {
		checkSame(t, []byte(s))
	}
	// Nesting past encoding/json's depth limit in a field we skip.
	checkSame(t, []byte(`{"id":"x","deep":`+strings.Repeat("[", 10001)+strings.Repeat("]", 10001)+`}`))
}

func checkSame(t *testing.T, data []byte) {
	t.Helper()
	want := new(chunk)
	wantErr := json.Unmarshal(data, want)
	got, gotErr := decodeChunk(data)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: got error %v, encoding/json %v", data, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("%q:\n got %s (%+v)\nwant %s (%+v)", data, gb, got.Error, wb, want.Error)
	}
}

func FuzzDecodeChunk(f *testing.F) {
	for _, s := range chunkSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSame(t, data) })
}

func BenchmarkDecodeChunk(b *testing.B) {
	data := []byte(chunkSamples[0])
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeChunk(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := new(chunk)
			if err := json.Unmarshal(data, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFastKeysCoverStructs fails when a field is added to a type the fast
// decoders fill without adding it to them (the decoder would skip it where
// encoding/json fills it).
func TestFastKeysCoverStructs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		keys []string
		v    any
	}{
		{"chunk", envelopeKeys, chunk{}},
		{"chunk choice", choiceKeys, llm.ChunkChoice{}},
		{"delta", deltaKeys, llm.Delta{}},
		{"tool-call delta", toolCallDeltaKeys, llm.ToolCallDelta{}},
		{"function", functionKeys, llm.FunctionCall{}},
		{"usage", usageKeys, llm.Usage{}},
		{"prompt details", promptDetailKeys, llm.PromptTokensDetails{}},
		{"completion details", completionDetailKeys, llm.CompletionTokensDetails{}},
		{"response", envelopeKeys, chatResponse{}},
		{"choice", responseChoiceKeys, llm.Choice{}},
		{"message", messageKeys, llm.Message{}},
		{"tool call", toolCallKeys, llm.ToolCall{}},
	}
	for _, c := range cases {
		want := jsonx.FieldNames(c.v)
		for _, embedded := range []string{"Chunk", "CompletionResponse", "Meta"} {
			delete(want, embedded)
		}
		if c.name == "chunk" || c.name == "response" {
			for k := range jsonx.FieldNames(llm.CompletionResponse{}) {
				if k != "Meta" {
					want[k] = true
				}
			}
		}
		got := map[string]bool{}
		for _, k := range c.keys {
			got[k] = true
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: the fast decoder does not know field %q", c.name, k)
			}
		}
	}
}
