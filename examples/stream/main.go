// Command stream streams a chat completion to stdout as it arrives, then
// prints the usage from the last chunk. Offline on the mock provider by
// default:
//
//	go run ./examples/stream
//	ANTHROPIC_API_KEY=... go run ./examples/stream -model anthropic/claude-sonnet-4-20250514
package main

import (
	"context"
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
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Stderr, *model); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out, info io.Writer, model string) error {
	req := llm.CompletionRequest{
		Model:    model,
		Messages: []llm.Message{llm.UserText("Write a haiku about iterators.")},
	}
	// On the mock provider, script a slow stream so that it looks like one.
	opts := []llm.Option{llm.ForProvider("mock", llm.WithMockResponse(llm.MockResponse{
		Content:    "Values flow one by one; range takes what yield gives; break, and the stream rests.",
		ChunkDelay: 30 * time.Millisecond,
	}))}

	var acc llm.Accumulator
	for chunk, err := range llm.CompletionStream(ctx, req, opts...) {
		if err != nil {
			return err
		}
		acc.Add(chunk)
		fmt.Fprint(out, chunk.Text()) // "" for the last chunk, which has the usage and no choices
	}
	final := acc.Response()
	tokens := "no usage"
	if final.Usage != nil { // providers send usage last; a stream may end without it
		tokens = fmt.Sprintf("%d tokens", final.Usage.TotalTokens)
	}
	fmt.Fprintf(info, "\n[finish %s, %s, first token after %v]\n",
		final.FinishReason(), tokens, final.Meta.TimeToFirstToken.Round(time.Millisecond))
	return nil
}
