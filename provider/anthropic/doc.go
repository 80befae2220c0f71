// Package anthropic is the translator for Anthropic's Messages API (model
// strings "anthropic/<model>", such as "anthropic/claude-sonnet-4-5-20250929").
// It turns llm's OpenAI-shaped requests into POST /v1/messages bodies and the
// answers, streamed or not, back into chat completions and chunks.
//
// Keys come from llm.WithAPIKey or ANTHROPIC_API_KEY (sent as x-api-key);
// the base URL from llm.WithBaseURL, ANTHROPIC_API_BASE or ANTHROPIC_BASE_URL
// (default https://api.anthropic.com). The anthropic-version header is
// Version unless llm.WithAPIVersion says otherwise; anthropic-beta carries
// the features given with WithBeta or an llm.WithHeader("anthropic-beta", ...)
// option, merged, plus StructuredOutputsBeta when it is needed.
//
// # Requests
//
// System and developer messages become the top-level system blocks, in
// order. Consecutive messages of one role are merged into one turn, and tool
// results (role tool) become tool_result blocks of a user turn. Assistant
// tool calls become tool_use blocks (arguments that are not a JSON object
// are a KindInvalidRequest error), and an assistant's ThinkingBlocks are sent
// back first, unchanged. Image parts: data URLs become base64 sources,
// http(s) URLs url sources. File parts: a PDF data URL becomes a base64
// document, text/plain a text document, an http(s) URL a url document, and
// any other file_id a Files API source (which needs the files-api beta).
// Audio input is KindUnsupported. cache_control on a part, a message (placed
// on its last block) or a tool is carried through.
//
// tools map to name, description and input_schema; tool_choice auto,
// required, a named function and none to auto, any, tool and none;
// parallel_tool_calls false sets disable_parallel_tool_use. stop becomes
// stop_sequences, user metadata.user_id; top_k and any other Anthropic field
// go in the request's Extra.
//
// max_tokens is required by Anthropic: max_completion_tokens, else
// max_tokens, else DefaultMaxTokens(model): the model's maximum output from
// the model table (package cost), else a per-family table of Anthropic's
// documented maximum outputs (4096 for unknown models).
//
// n > 1, logprobs, logit_bias, presence and frequency penalties, seed, audio
// output and prediction have no Anthropic equivalent: a request that sets one
// fails with KindUnsupported before any network call, unless
// llm.WithDropUnsupportedParams is given, which drops them.
//
// # Thinking
//
// reasoning_effort enables extended thinking with budget_tokens per
// EffortBudget (minimal 1024, low 2048, medium 8192, high 24576; none is
// off); WithThinkingBudget sets the budget explicitly and wins. When
// max_tokens was not given and does not exceed the budget, it becomes the
// budget plus 4096; an explicit max_tokens at or below the budget is a
// KindInvalidRequest error. With thinking on, Anthropic rejects temperature
// other than 1, top_p below 0.95, top_k and a forced tool_choice (required
// or a named function): these fail with KindUnsupported, or are dropped
// (tool_choice becomes auto) under llm.WithDropUnsupportedParams.
//
// Thinking comes back as ReasoningContent (streamed in Delta.ReasoningContent)
// plus the raw blocks in ThinkingBlocks, signatures kept (streamed whole in
// Delta.ThinkingBlocks when each block ends), so that the assistant message
// can be sent back on the next turn as it is.
//
// # Structured output
//
// response_format json_schema uses Anthropic's native output_format (with
// StructuredOutputsBeta) on models where SupportsStructuredOutput holds
// (Claude 4.5 families and later, claude-opus-4-1). Other models, and
// json_object always, get the forced-tool technique: a tool named JSONTool
// with the schema, forced with tool_choice (left unforced when thinking is on,
// which forbids forcing), whose input is returned as the message content
// (JSON text) with finish reason stop.
//
// # Responses
//
// Text blocks become the content; tool_use blocks tool calls; server tool
// blocks (web search results...) and citations are left out. stop_reason:
// end_turn, stop_sequence and pause_turn → stop; max_tokens and
// model_context_window_exceeded → length; tool_use → tool_calls; refusal →
// content_filter; others → stop.
//
// Usage follows OpenAI's semantics: prompt_tokens = input_tokens +
// cache_read_input_tokens + cache_creation_input_tokens;
// prompt_tokens_details.cached_tokens = cache reads; cache_creation_tokens =
// cache writes, of which cache_creation_1h_tokens were written with the
// one-hour TTL; completion_tokens = output_tokens.
//
// # Streams
//
// Named SSE events are decoded by StreamDecoder: message_start, the
// content_block_* events (text_delta, input_json_delta, thinking_delta,
// signature_delta), message_delta and message_stop. A tool call's first chunk
// carries its index (counting tool calls, not content blocks), id and name;
// later chunks carry argument fragments. Usage and the finish reason arrive
// on the last chunk. An error event (such as overloaded_error) ends the
// stream with the classified error; a stream that ends before message_stop
// ends with a KindBadResponse error.
//
// # Errors
//
// ClassifyError maps Anthropic's error types to kinds; see its doc. The one
// message pattern used is "prompt is too long" (and the input-exceeds-context
// wording) for KindContextWindowExceeded, as Anthropic gives no code for it.
//
// # Vertex AI and Bedrock
//
// EncodeRequest (with EncodeOptions for anthropic_version in the body, no
// model field and anthropic_beta in the body), Betas, DecodeResponse,
// StreamDecoder and ClassifyError are the pieces the Vertex AI and Bedrock
// translators reuse for Claude models.
package anthropic
