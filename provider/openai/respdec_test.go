package openai

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

var responseSamples = []string{
	`{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}`,
	`{"choices":[{"message":{"content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},null]}}]}`,
	`{"choices":[{"message":{"content":[{"type":"text","text":"a"}],"content":"b"}}]}`,
	`{"choices":[{"message":{"content":"b","content":[{"type":"text","text":"a"}]}}]}`,
	`{"choices":[{"message":{"content":"a","content":null}}]}`,
	`{"choices":[{"message":{"content":1}}]}`, `{"choices":[{"message":[]}]}`, `{"choices":[{"message":null}]}`,
	`{"choices":[{"message":{"tool_calls":[{"function":{"name":"a"}}],"tool_calls":[{"id":"b"}]}}]}`,
	`{"choices":[{"message":{"tool_calls":{}}}]}`, `{"choices":[{"message":{"tool_calls":[1]}}]}`,
	`{"choices":[{"message":{"Tool_Calls":[],"ROLE":"user","audio":{"id":"a"},"audio":null,"cache_control":{"type":"ephemeral"}}}]}`,
	`{"choices":[{"message":{"role":"assistant","content":"x","annotations":[{"type":"url_citation","url_citation":{"start_index":0,"end_index":1,"title":"t","url":"u"}}],"reasoning_content":"r","thinking_blocks":[{"type":"thinking","thinking":"t","signature":"s"}],"provider_specific_fields":{"a":[1,{"b":null}]},"name":"n","tool_call_id":"t"}}]}`,
	`{"choices":[{"message":{"content":"line\nbreak \"quoted\" \u00e9 \ud800"}}]}`,
	`{"choices":[{"index":0,"finish_reason":"stop","logprobs":{"content":[{"token":"a","logprob":-0.1,"bytes":[97],"top_logprobs":[]}]}}]}`,
	`{"choices":[]}`, `{"choices":null}`, `{"choices":{}}`, `{"choices":[null]}`, `{"choices":[{}],"choices":[{"index":1}]}`,
	`{"error":{"message":"x","code":400}}`, `{"error":null}`, `{"Error":"x"}`,
	`{"usage":null}`, `{"usage":{"total_tokens":-1}}`, `{"usage":{"total_tokens":99999999999999999999}}`,
	`{"id":1}`, `{"created":"1"}`, `{"created":-5}`, `null`, `[]`, `1`, `{`, ``, `{"id":"a"} x`,
	`{"choices":[{"message":{"role":"assistant","content":"` + "\xff" + `"}}]}`,
}

// TestDecodeChatResponseMatchesEncodingJSON is the differential check of
// the fast response decoder against encoding/json, on samples and on every
// response fixture.
func TestDecodeChatResponseMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range responseSamples {
		checkSameResponse(t, []byte(s))
	}
	files, _ := os.ReadDir("testdata")
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".response.json") {
			b, err := os.ReadFile("testdata/" + f.Name())
			if err != nil {
				t.Fatal(err)
			}
			checkSameResponse(t, b)
		}
	}
}

func checkSameResponse(t *testing.T, data []byte) {
	t.Helper()
	want := new(chatResponse)
	wantErr := json.Unmarshal(data, want)
	got, gotErr := decodeChatResponse(data)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: got error %v, encoding/json %v", data, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("%q:\n got %s\nwant %s", data, gb, wb)
	}
}

func FuzzDecodeChatResponse(f *testing.F) {
	for _, s := range responseSamples {
		f.Add([]byte(s))
	}
	for _, s := range chunkSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkSameResponse(t, data) })
}

// TestDecodeChatResponseHotPath holds the allocations of a tool-call
// answer (tools.response.json) well under encoding/json's.
func TestDecodeChatResponseHotPath(t *testing.T) {
	data, err := os.ReadFile("testdata/tools.response.json")
	if err != nil {
		t.Fatal(err)
	}
	p := New()
	fast := testing.AllocsPerRun(100, func() { _, _ = p.decodeResponse(data, nil) })
	slow := testing.AllocsPerRun(100, func() { _ = json.Unmarshal(data, new(chatResponse)) })
	if fast > slow/2 {
		t.Errorf("decoding an answer: %.0f allocations, encoding/json %.0f: want at most half", fast, slow)
	}
}

func BenchmarkDecodeChatResponse(b *testing.B) {
	data, err := os.ReadFile("testdata/tools.response.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeChatResponse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(data, new(chatResponse)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
