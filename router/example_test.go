package router_test

import (
	"context"
	"fmt"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
)

// Failover between two deployments of one model group: the primary is
// overloaded, so the backup answers, at once and without backoff.
func Example() {
	overloaded := &llm.Error{Kind: llm.KindOverloaded, StatusCode: 503, Message: "overloaded"}
	r, err := router.New([]router.Deployment{
		{ID: "primary", Group: "chat", Model: "mock/primary", Order: 1,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Err: overloaded})}},
		{ID: "backup", Group: "chat", Model: "mock/backup", Order: 2,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "Hello from the backup!"})}},
	})
	if err != nil {
		panic(err)
	}
	var trace router.Trace
	resp, err := r.Completion(context.Background(), llm.CompletionRequest{
		Model:    "chat",
		Messages: []llm.Message{llm.UserText("Hi!")},
	}, router.CallTrace(&trace))
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text())
	fmt.Println("served by", resp.Meta.Deployment)
	for _, a := range trace.Attempts {
		if a.Err != nil {
			fmt.Println("attempt:", a.Deployment, "failed:", a.Kind)
		} else {
			fmt.Println("attempt:", a.Deployment, "ok")
		}
	}
	// Output:
	// Hello from the backup!
	// served by backup
	// attempt: primary failed: overloaded
	// attempt: backup ok
}

// A router is a provider: an llm.Client routes "router/<group>" to it.
func ExampleRouter_Provider() {
	r, err := router.New([]router.Deployment{
		{Group: "fast", Model: "mock/small", Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "hi"})}},
	})
	if err != nil {
		panic(err)
	}
	client := llm.NewClient(llm.WithProvider(r.Provider()))
	resp, err := client.Completion(context.Background(), llm.CompletionRequest{
		Model:    "router/fast",
		Messages: []llm.Message{llm.UserText("Hi!")},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text(), resp.Meta.Provider, resp.Meta.Model, resp.Meta.Deployment)
	// Output: hi router fast fast/mock/small
}

// Fallbacks by kind of error: a prompt too long for the small model goes to
// the long-context group.
func ExampleWithContextWindowFallbacks() {
	tooLong := &llm.Error{Kind: llm.KindContextWindowExceeded, Message: "prompt too long"}
	r, err := router.New([]router.Deployment{
		{Group: "small", Model: "mock/small", Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Err: tooLong})}},
		{Group: "long", Model: "mock/long", Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "summarised"})}},
	}, router.WithContextWindowFallbacks("small", "long"))
	if err != nil {
		panic(err)
	}
	resp, err := r.Completion(context.Background(), llm.CompletionRequest{
		Model:    "small",
		Messages: []llm.Message{llm.UserText("a very long document...")},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text(), "from", resp.Meta.Deployment)
	// Output: summarised from long/mock/long
}
