package azure_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/azure"
)

// Keyless authentication with Entra ID: any function returning a token will
// do (here a fixed one; in production, wrap an azidentity credential).
func ExampleWithTokenSource() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.URL.RequestURI())
		fmt.Println(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"finish_reason":"stop"}]}`)
	}))
	defer srv.Close()

	ts := azure.TokenFunc(func(ctx context.Context) (string, error) { return "entra-token", nil })
	resp, err := llm.Completion(context.Background(), llm.CompletionRequest{
		Model:    "azure/my-gpt-4o", // the deployment's name
		Messages: []llm.Message{llm.UserText("Hello")},
	}, llm.WithBaseURL(srv.URL), azure.WithTokenSource(ts))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// /openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21
	// Bearer entra-token
	// Hi!
}
