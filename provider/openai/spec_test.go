package openai_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixtures under testdata/spec are the request and response examples of
// OpenAI's own API reference (the /chat/completions examples of
// openai-openapi.yaml), extracted as they are.

// normalize drops null, zero, false and empty values, which the OpenAI
// format treats as absent (its defaults) and our encoder omits: the
// comparison is equality of meaning, not of bytes.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if n := normalize(e); n != nil {
				out[k] = n
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case float64:
		if x == 0 {
			return nil
		}
	case bool:
		if !x {
			return nil
		}
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

func sameJSON(t *testing.T, want, got []byte, msg string) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal(want, &w))
	require.NoError(t, json.Unmarshal(got, &g))
	wb, _ := json.Marshal(normalize(w))
	gb, _ := json.Marshal(normalize(g))
	assert.JSONEq(t, string(wb), string(gb), msg)
}

func TestSpecExamplesRoundTrip(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/spec/*.json")
	require.NotEmpty(t, files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var out []byte
		if strings.HasSuffix(f, ".request.json") {
			var r llm.CompletionRequest
			require.NoError(t, json.Unmarshal(raw, &r), f)
			out, err = json.Marshal(r)
		} else {
			var r llm.CompletionResponse
			require.NoError(t, json.Unmarshal(raw, &r), f)
			out, err = json.Marshal(r)
		}
		require.NoError(t, err)
		sameJSON(t, raw, out, f)
	}
}

// TestSpecExamplesOnTheWire sends each spec request through the translator
// and checks that the body on the wire is the spec's body.
func TestSpecExamplesOnTheWire(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/spec/*.request.json")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var req llm.CompletionRequest
		require.NoError(t, json.Unmarshal(raw, &req))
		respFile := strings.Replace(f, ".request.json", ".response.json", 1)
		reply, err := os.ReadFile(respFile)
		if err != nil {
			reply = providertest.Fixture(t, "tools.response.json")
		}
		var wire []byte
		srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) { wire = body }, "application/json", reply)
		req.Model = "openai/" + req.Model
		if req.Stream {
			continue // covered by TestSpecStreamingExample
		}
		resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		require.NoError(t, err, f)
		want := raw
		if openai.IsReasoningModel(strings.TrimPrefix(req.Model, "openai/")) {
			// Documented: reasoning models get max_completion_tokens.
			want = []byte(strings.Replace(string(raw), `"max_tokens"`, `"max_completion_tokens"`, 1))
		}
		sameJSON(t, want, wire, f)
		if respFile != f {
			out, _ := json.Marshal(resp)
			if _, err := os.Stat(respFile); err == nil {
				sameJSON(t, reply, out, respFile)
			}
		}
	}
}

func TestSpecStreamingExample(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, nil, "text/event-stream", providertest.Fixture(t, "spec/streaming.sse"))
	resp, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "openai/gpt-4o-mini",
		Messages: []llm.Message{llm.UserText("Hello!")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, "chatcmpl-123", resp.ID)
	assert.Equal(t, "fp_44709d6fcb", resp.SystemFingerprint)
	assert.Equal(t, "stop", resp.Choices[0].FinishReason)
	assert.NotEmpty(t, resp.Text())
}
