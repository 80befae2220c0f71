package ollama_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/ollama"
)

// A completion with Ollama-specific options passed through Extra. The test
// server stands in for a local Ollama; drop llm.WithBaseURL to use
// http://localhost:11434 (or OLLAMA_API_BASE / OLLAMA_HOST).
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"model":"llama3.2","created_at":"2025-01-01T00:00:00Z",`+
			`"message":{"role":"assistant","content":"Rayleigh scattering."},`+
			`"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":4}`)
	}))
	defer srv.Close()

	resp, err := llm.Completion(context.Background(), llm.CompletionRequest{
		Model:    "ollama/llama3.2",
		Messages: []llm.Message{llm.UserText("Why is the sky blue?")},
		Extra: map[string]any{
			"keep_alive": "10m",
			"options":    map[string]any{"num_ctx": 8192},
		},
	}, llm.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text(), resp.Choices[0].FinishReason, resp.Usage.TotalTokens)
	// Output: Rayleigh scattering. stop 16
}
