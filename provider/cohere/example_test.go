package cohere_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/cohere"
)

// A streamed completion. The test server stands in for Cohere's API; drop
// llm.WithBaseURL and set COHERE_API_KEY to call the real one.
func Example_stream() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: message-start\ndata: {\"id\":\"1\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n"+
			"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hello\"}}}}\n\n"+
			"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\", world\"}}}}\n\n"+
			"event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",\"usage\":{\"tokens\":{\"input_tokens\":5,\"output_tokens\":3}}}}\n\n")
	}))
	defer srv.Close()

	req := llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.UserText("Say hello.")}}
	for chunk, err := range llm.CompletionStream(context.Background(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("co-key")) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, c := range chunk.Choices {
			fmt.Print(c.Delta.Content)
		}
		if chunk.Usage != nil {
			fmt.Println("\ntokens:", chunk.Usage.TotalTokens)
		}
	}
	// Output:
	// Hello, world
	// tokens: 8
}
