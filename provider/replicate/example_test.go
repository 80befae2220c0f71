package replicate_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/replicate"
)

// A completion. The test server stands in for Replicate's API, which holds
// the answer until the prediction ends (Prefer: wait); drop llm.WithBaseURL
// and set REPLICATE_API_TOKEN to call the real one.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"meta/meta-llama-3-70b-instruct","version":"hidden",`+
			`"status":"succeeded","output":["","Hello",", world"],"error":null,"input":{},"data_removed":false,`+
			`"created_at":"2025-01-01T00:00:00Z","urls":{"get":"","cancel":"","web":""},`+
			`"metrics":{"predict_time":0.2,"input_token_count":5,"output_token_count":3}}`)
	}))
	defer srv.Close()

	req := llm.CompletionRequest{Model: "replicate/meta/meta-llama-3-70b-instruct", Messages: []llm.Message{llm.UserText("Say hello.")}}
	resp, err := llm.Completion(context.Background(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("r8-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println("tokens:", resp.Usage.TotalTokens)
	// Output:
	// Hello, world
	// tokens: 8
}
