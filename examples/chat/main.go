// Command chat sends one chat completion and prints the reply, its usage and
// cost. It runs offline on the mock provider by default; pass a real model
// string (and set that provider's key) to call a provider:
//
//	go run ./examples/chat
//	OPENAI_API_KEY=... go run ./examples/chat -model openai/gpt-4o-mini
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/llmux/llm"
	_ "github.com/llmux/llm/provider/all"
)

func main() {
	model := flag.String("model", "mock/demo", "provider/model string")
	prompt := flag.String("prompt", "In one sentence, what is a Go interface?", "the question")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	resp, err := llm.Completion(ctx, llm.CompletionRequest{
		Model: *model,
		Messages: []llm.Message{
			llm.SystemText("You are a concise assistant."),
			llm.UserText(*prompt),
		},
		MaxTokens: 200,
	})
	switch {
	case errors.Is(err, llm.ErrAuthentication):
		log.Fatalf("check your API key: %v", err)
	case errors.Is(err, llm.ErrRateLimit):
		log.Fatalf("rate limited, try later: %v", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(resp.Text())
	fmt.Printf("[%s/%s, %d prompt + %d completion tokens, %v]\n", resp.Meta.Provider, resp.Meta.Model,
		resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Meta.Latency.Round(time.Microsecond))
}
