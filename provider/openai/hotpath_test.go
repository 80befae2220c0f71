package openai

import (
	"encoding/json"
	"runtime"
	"testing"
)

// bytesPerRun is testing.AllocsPerRun for bytes: the average bytes
// allocated by a call of f (the process's, so the test is not parallel).
func bytesPerRun(runs int, f func()) uint64 {
	f() // warm up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// Real OpenAI chunks, as streamed with stream_options.include_usage: a
// token, a tool-call argument fragment (escaped quotes), and the first
// chunk of a tool call.
const (
	tokenChunk    = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,"delta":{"content":"token "},"logprobs":null,"finish_reason":null}],"usage":null}`
	argsChunk     = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}`
	callHeadChunk = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`
)

// TestDecodeChunkHotPath holds the chunk decoder's allocations on the
// chunks of real streams: "usage": null and "logprobs": null, on every
// chunk, and tool-call fragments must not go through encoding/json (whose
// decoder state alone is several allocations), and a choice must not be
// allocated apart from its slice.
func TestDecodeChunkHotPath(t *testing.T) {
	cases := []struct {
		name string
		data string
		max  float64
	}{
		{"token", tokenChunk, 3},             // the string copy, the chunk, the choices
		{"tool-call fragment", argsChunk, 5}, // + the tool-call slice and the unescaped arguments
		{"tool-call head", callHeadChunk, 4},
	}
	for _, c := range cases {
		data := []byte(c.data)
		checkSame(t, data)
		n := testing.AllocsPerRun(200, func() {
			if _, err := decodeChunk(data); err != nil {
				t.Fatal(err)
			}
		})
		if n > c.max {
			t.Errorf("%s: %.0f allocations per chunk, want at most %.0f", c.name, n, c.max)
		}
	}
}

// TestDecodeChunkBytes holds the bytes a token chunk costs to the floor's
// (json.Unmarshal into a struct with the chunk's fields) times 1.5.
func TestDecodeChunkBytes(t *testing.T) {
	type floorChunk struct {
		ID                string `json:"id"`
		Object            string `json:"object"`
		Created           int64  `json:"created"`
		Model             string `json:"model"`
		SystemFingerprint string `json:"system_fingerprint"`
		Choices           []struct {
			Index int `json:"index"`
			Delta struct {
				Role    string `json:"role,omitempty"`
				Content string `json:"content,omitempty"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
		Usage *struct{ TotalTokens int } `json:"usage"`
	}
	data := []byte(tokenChunk)
	g := bytesPerRun(200, func() { _, _ = decodeChunk(data) })
	f := bytesPerRun(200, func() {
		var c floorChunk
		_ = json.Unmarshal(data, &c)
	})
	if float64(g) > 1.5*float64(f) {
		t.Errorf("a token chunk costs %d bytes, the floor %d: want at most 1.5x", g, f)
	}
}
