// Package llm is one OpenAI-format API over every major LLM provider.
//
// Import the package and the providers, then call a typed function with a
// "provider/model" string; switching providers means changing only that
// string:
//
//	import (
//		"github.com/llmux/llm"
//		_ "github.com/llmux/llm/provider/all"
//	)
//
//	resp, err := llm.Completion(ctx, llm.CompletionRequest{
//		Model:    "anthropic/claude-sonnet-4-20250514",
//		Messages: []llm.Message{llm.UserText("Hello!")},
//	})
//
// Requests and responses mirror OpenAI's Chat Completions JSON field for
// field; each provider package translates them to and from its own wire
// format, streaming included. Streams are iterators read in the caller's
// goroutine:
//
//	for chunk, err := range llm.CompletionStream(ctx, req) { ... }
//
// Every failure is an *Error with a Kind, matched with errors.Is against the
// sentinels (ErrRateLimit, ErrContextWindowExceeded, ...).
//
// The "mock" provider is always registered and needs no network: model
// strings "mock/<anything>" answer deterministically, and WithMockResponse
// scripts replies, tool calls, streams and errors for tests.
package llm
