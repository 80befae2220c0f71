// Command router shows failover between two mock deployments of one model
// group, offline: the primary fails with a 503 twice (the router moves to
// the backup at once, without backoff), then a 429 cools it down, and the
// backup serves until the cooldown ends.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync/atomic"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	// The primary fails its first three calls: two 503s, then a 429 asking
	// to wait one second.
	var calls atomic.Int64
	primary := func(context.Context, *llm.CompletionRequest) llm.MockResponse {
		switch calls.Add(1) {
		case 1, 2:
			return llm.MockResponse{Err: &llm.Error{Kind: llm.KindOverloaded, StatusCode: 503, Message: "overloaded"}}
		case 3:
			return llm.MockResponse{Err: &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, Message: "slow down", RetryAfter: time.Second}}
		}
		return llm.MockResponse{Content: "answer from the primary"}
	}
	r, err := router.New([]router.Deployment{
		{ID: "primary", Group: "chat", Model: "mock/primary", Order: 1,
			Options: []llm.Option{llm.WithMockResponder(primary)}},
		{ID: "backup", Group: "chat", Model: "mock/backup", Order: 2,
			Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "answer from the backup"})}},
	})
	if err != nil {
		return err
	}
	ask := func() error {
		var trace router.Trace
		resp, err := r.Completion(ctx, llm.CompletionRequest{
			Model:    "chat",
			Messages: []llm.Message{llm.UserText("Hello!")},
		}, router.CallTrace(&trace))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-24s (deployment %s, %d attempt(s))\n", resp.Text(), resp.Meta.Deployment, len(trace.Attempts))
		return nil
	}
	for range 4 {
		if err := ask(); err != nil {
			return err
		}
	}
	health, err := r.Health(ctx, "chat")
	if err != nil {
		return err
	}
	for _, h := range health {
		fmt.Fprintf(out, "%s: cooling down %v, failures this minute %d\n", h.ID, h.CoolingDown, h.Fails)
	}
	fmt.Fprintln(out, "waiting for the primary's cooldown to end...")
	time.Sleep(time.Second)
	return ask()
}
