package all_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/all"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerToolsRefused: a provider that runs no server tools in its tool
// list refuses a tool that is not a function with KindUnsupported before
// anything is sent, and drops it with WithDropUnsupportedParams.
func TestServerToolsRefused(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	for _, model := range []string{
		"anthropic/claude-sonnet-4-5",
		"bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
		"cohere/command-a-03-2025",
		"ollama/llama3.1",
	} {
		t.Run(model, func(t *testing.T) {
			var hits atomic.Int32
			var body atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				b, _ := io.ReadAll(r.Body)
				body.Store(string(b))
				http.Error(w, `{"error":"stop here"}`, http.StatusTeapot)
			}))
			defer srv.Close()
			req := llm.CompletionRequest{Model: model, Messages: []llm.Message{llm.UserText("hi")},
				Tools: []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`), {Type: "web_search_preview"}}}
			opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithAPIKey("test-key-123456")}

			_, err := llm.Completion(t.Context(), req, opts...)
			require.ErrorIs(t, err, llm.ErrUnsupported)
			assert.Contains(t, err.Error(), `tools[1] of type "web_search_preview"`)
			assert.Zero(t, hits.Load(), "nothing is sent")

			_, err = llm.Completion(t.Context(), req, append(opts, llm.WithDropUnsupportedParams())...)
			require.Error(t, err) // the test server's 418
			assert.NotErrorIs(t, err, llm.ErrUnsupported)
			require.Equal(t, int32(1), hits.Load())
			sent := body.Load().(string)
			assert.Contains(t, sent, `"f"`, "the function tool is sent")
			assert.False(t, strings.Contains(sent, "web_search_preview"), "the server tool is dropped: %s", sent)
		})
	}
}
