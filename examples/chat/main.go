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
	"io"
	"log"
	"os"
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
	if err := run(ctx, os.Stdout, *model, *prompt); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, model, prompt string) error {
	resp, err := llm.Completion(ctx, llm.CompletionRequest{
		Model: model,
		Messages: []llm.Message{
			llm.SystemText("You are a concise assistant."),
			llm.UserText(prompt),
		},
		MaxTokens: 200,
	})
	switch {
	case errors.Is(err, llm.ErrAuthentication):
		return fmt.Errorf("check your API key: %w", err)
	case errors.Is(err, llm.ErrRateLimit):
		return fmt.Errorf("rate limited, try later: %w", err)
	case err != nil:
		return err
	}
	fmt.Fprintln(out, resp.Text())
	fmt.Fprintf(out, "[%s/%s, %d prompt + %d completion tokens]\n", resp.Meta.Provider, resp.Meta.Model,
		resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
	return nil
}
