package gemini_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
)

// A call with thinking: the thoughts come back as ReasoningContent. The
// local server stands in for generativelanguage.googleapis.com.
func ExampleWithThinkingBudget() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"candidates":[{"content":{"role":"model","parts":[
			{"text":"3 × 7 = 21.","thought":true},{"text":"No, 21 = 3 × 7."}]},"finishReason":"STOP"}],
			"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":9,"thoughtsTokenCount":12,"totalTokenCount":29}}`)
	}))
	defer srv.Close()

	resp, err := llm.Completion(context.Background(), llm.CompletionRequest{
		Model:    "gemini/gemini-2.5-flash",
		Messages: []llm.Message{llm.UserText("Is 21 prime?")},
	}, llm.WithAPIKey("AIza-example"), llm.WithBaseURL(srv.URL), gemini.WithThinkingBudget(1024))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Choices[0].Message.ReasoningContent)
	fmt.Println(resp.Text())
	fmt.Println(resp.Usage.CompletionTokens, resp.Usage.CompletionTokensDetails.ReasoningTokens)
	// Output:
	// 3 × 7 = 21.
	// No, 21 = 3 × 7.
	// 21 12
}
