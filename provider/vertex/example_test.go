package vertex_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/vertex"
	"golang.org/x/oauth2"
)

// Project, location and credentials given as options. In production, leave
// out llm.WithBaseURL and pass vertex.WithCredentialsJSON (or rely on
// GOOGLE_APPLICATION_CREDENTIALS or Application Default Credentials); the
// local server stands in for us-east5-aiplatform.googleapis.com.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.URL.Path)
		fmt.Println(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello!"}]},"finishReason":"STOP"}]}`)
	}))
	defer srv.Close()

	client := llm.NewClient(llm.ForProvider("vertex_ai",
		vertex.WithProject("my-project"),
		vertex.WithLocation("us-east5"),
		vertex.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.example"})),
		llm.WithBaseURL(srv.URL),
	))
	resp, err := client.Completion(context.Background(), llm.CompletionRequest{
		Model:    "vertex_ai/gemini-2.5-flash",
		Messages: []llm.Message{llm.UserText("Hi")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// /v1/projects/my-project/locations/us-east5/publishers/google/models/gemini-2.5-flash:generateContent
	// Bearer ya29.example
	// Hello!
}
