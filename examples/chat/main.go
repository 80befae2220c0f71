// Command chat sends one chat completion and prints the reply, its usage and
// cost. It runs offline on the mock provider by default ("mock/gpt-4o-mini"
// is priced as gpt-4o-mini); pass a real model string (and set that
// provider's key) to call a provider:
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
	model := flag.String("model", "mock/gpt-4o-mini", "provider/model string")
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
	usage := "no usage"
	if u := resp.Usage; u != nil {
		usage = fmt.Sprintf("%d prompt + %d completion tokens", u.PromptTokens, u.CompletionTokens)
	}
	fmt.Fprintf(out, "[%s/%s, %s, cost %v]\n", resp.Meta.Provider, resp.Meta.Model, usage, resp.Meta.Cost)
	return nil
}
