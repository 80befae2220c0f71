package bedrock_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/bedrock"
)

// Example calls Claude through a cross-region inference profile with static
// keys. A local server stands in for bedrock-runtime.us-east-1.amazonaws.com.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.EscapedPath())
		_, _ = w.Write([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"Bonjour !"}]}},
			"stopReason":"end_turn","usage":{"inputTokens":9,"outputTokens":4,"totalTokens":13},"metrics":{"latencyMs":310}}`))
	}))
	defer srv.Close()

	client := llm.NewClient(llm.WithProvider(bedrock.New(),
		bedrock.WithRegion("us-east-1"),
		bedrock.WithCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		llm.WithBaseURL(srv.URL), // omit to reach AWS
	))
	resp, err := client.Completion(context.Background(), llm.CompletionRequest{
		Model:    "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
		Messages: []llm.Message{llm.UserText("Say hello in French.")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text(), resp.Choices[0].FinishReason, resp.Usage.TotalTokens)
	// Output:
	// POST /model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse
	// Bonjour ! stop 13
}
