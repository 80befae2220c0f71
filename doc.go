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
//
// The package serves two audiences: programs that call models (everything
// below up to "Writing a provider") and the authors of provider packages
// (that section alone), as database/sql serves its users and its drivers.
//
// # Calls
//
// [Completion], [CompletionStream] and [TextCompletion] send a request with
// the default client; a [Client] made by [NewClient] has the same methods
// and holds options for every call ([Default] and [SetDefault] reach the
// default one). [Collect] folds a stream into the response a non-streamed
// call would have returned ([Accumulator] does it chunk by chunk).
// [ParseModel] splits a model string, and [Providers] lists the registered
// providers.
//
// Requests are built from [CompletionRequest], [Message] (with [UserText],
// [SystemText], [AssistantText], [UserParts], [ToolResult]), [Content]
// ([Text], [Parts], [TextPart], [ImagePart], [AudioPart], [FilePart]),
// [Tool] ([FunctionTool]), [ToolChoice] and [ResponseFormat]; [Ptr] takes
// the address of an optional number. Results are [CompletionResponse] and
// [Chunk], read through their accessors (Text, Message, ToolCalls,
// FinishReason), with [Usage] and a [Meta]: provider, model, latency,
// response headers and [Cost]. [CountTokens] counts a request's tokens.
//
// # Options
//
// An [Option] configures transport and authentication, for a client or one
// call: [WithAPIKey], [WithBaseURL], [WithHeader], [WithHTTPClient],
// [WithAPIVersion], [WithDropUnsupportedParams], [WithRawResponse],
// [WithMaxResponseBytes], [WithMaxEventBytes], [WithPreCallChecks];
// [ForProvider] applies options to one provider's calls and [WithProvider]
// routes to a provider value without the registry. Provider packages export
// typed options of their own (openai.WithOrganization,
// anthropic.WithThinkingBudget, vertex.WithProject). Timeouts come from the
// context.
//
// # Errors
//
// [Error] carries a [Kind], the provider and model, the HTTP status, the
// provider's code and message and [Error.RetryAfter]; each Kind has a
// sentinel for errors.Is ([ErrRateLimit], [ErrTimeout]...), and [KindOf]
// returns the Kind of any error. An error's text starts with "llm: " once:
// "llm: openai/gpt-4o: rate limit (429): ...".
//
// # Testing
//
// [WithMockResponse] and [WithMockResponder] make calls answer a
// [MockResponse] without any network, on "mock/..." or any other model
// string.
//
// # Writing a provider
//
// A provider is a stateless value registered from init with [Register]
// (or passed to [WithProvider]). It implements [Provider] and the
// capability interfaces it supports: [Completer], [Streamer],
// [TextCompleter], [Embedder]; a capability it lacks is an Unsupported error made by the
// client, never a stub method. Each call receives the request and a
// [Config], whose accessors give the credentials and endpoint
// ([Config.Key], [Config.BaseURLOr], [Config.NewHeader],
// [Config.AddSecret] for other credentials, so that they are scrubbed from
// errors) and the provider's typed options, stored with [WithValue] and
// read with [Config.Value]. Errors are *Error values: [KindFromStatus] gives
// the Kind an HTTP status usually means, [Errorf] reports bad input and
// [UnsupportedParam] a parameter the provider lacks; the client adds the
// provider, model and the "llm: " prefix. Nothing else in the package is
// needed to write one; docs/PROVIDERS.md in the repository is the full
// contract.
package llm
