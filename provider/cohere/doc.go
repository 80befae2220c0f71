// Package cohere is the translator for Cohere's chat API v2 (POST /v2/chat),
// for model strings "cohere/<model>", such as "cohere/command-a-03-2025".
//
// # Endpoint and credentials
//
// The key comes from llm.WithAPIKey, else COHERE_API_KEY, else CO_API_KEY (the
// variable Cohere's SDKs read), sent as "Authorization: Bearer <key>"; a
// missing key is a KindAuthentication error naming the variables. The base
// URL comes from llm.WithBaseURL, else COHERE_API_BASE, else
// https://api.cohere.com; "/v2/chat" is appended.
//
// # Request mapping
//
//   - messages: system and developer → system; user content is a string or
//     text and image_url blocks (Cohere takes web URLs and data URLs);
//     assistant tool_calls keep their ids and JSON-string arguments; the
//     assistant's reasoning_content goes back as a thinking content block,
//     except the tool plan kept in ProviderSpecificFields[PSFToolPlan], which
//     goes back as tool_plan with the calls it led to; tool results carry
//     tool_call_id. Audio and file parts are KindUnsupported.
//   - tools: function tools with their JSON Schema parameters; strict_tools is
//     set when any tool has strict: true.
//   - tool_choice: "required" → REQUIRED, "none" → NONE, "auto" → omitted. A
//     named function has no Cohere equivalent: KindUnsupported (omitted with
//     llm.WithDropUnsupportedParams).
//   - response_format: json_object → {"type": "json_object"}; json_schema →
//     {"type": "json_object", "json_schema": <schema>}.
//   - max_tokens ← max_completion_tokens or max_tokens; stop → stop_sequences;
//     top_p → p; temperature, seed, frequency_penalty, presence_penalty as is.
//   - reasoning_effort: "none" → thinking {"type": "disabled"}, any other
//     level → {"type": "enabled"} (a token_budget goes through Extra).
//   - Extra: any other body field, merged at the top level: k (top-k),
//     documents (for grounded answers with citations), citation_options,
//     safety_mode, priority, thinking with a token_budget...
//   - logprobs → logprobs: true. n > 1, logit_bias, web_search_options (no
//     server-side search tool) and top_logprobs > 0:
//     KindUnsupported (dropped with llm.WithDropUnsupportedParams); Cohere
//     returns no alternative tokens.
//
// # Response mapping
//
// Text content blocks → content. The answer's logprobs (LogprobItem: a
// chunk of text, its token ids and one log probability per token) →
// logprobs.content, one entry per chunk with the chunk as token and the sum
// of its tokens' log probabilities (streamed from content-delta events). Thinking content blocks and the tool_plan
// (Cohere's "chain-of-thought style reflection and plan" before tool calls)
// → reasoning_content: both are the model's visible reasoning, and keeping
// the plan there lets it round-trip as tool_plan. tool_calls map one to one.
// finish_reason: COMPLETE and STOP_SEQUENCE → stop, MAX_TOKENS → length,
// TOOL_CALL → tool_calls, and a missing reason → tool_calls when the answer
// has tool calls, else stop; ERROR is a KindServer error and TIMEOUT a
// KindTimeout error (Code "ERROR" / "TIMEOUT"), since the generation failed;
// a stream yields the text it had before the error. Usage: prompt_tokens and
// completion_tokens from usage.tokens (the model's counts; billed_units when
// tokens is absent), cached_tokens → prompt_tokens_details.cached_tokens. The
// billed units, which can be lower than the token counts, are kept in the
// message's ProviderSpecificFields["billed_units"] as a BilledUnits; the
// citations in ProviderSpecificFields["citations"] as a []Citation; the tool
// plan of an answer with tool calls in ProviderSpecificFields[PSFToolPlan];
// content blocks of unknown types, raw, in ProviderSpecificFields[PSFUnknown].
// Only an answer without a message object is refused: a missing id or
// finish_reason (both required by the contract) still leaves an answer. Cohere
// sends no model name and no creation time: the response carries the
// requested model and the local time.
//
// # Streaming
//
// Server-sent events, read with internal/sse: message-start (id, role) →
// first chunk; content-delta text → content and thinking → reasoning_content;
// tool-plan-delta → reasoning_content; tool-call-start → the first delta of a
// call (index, id, name), tool-call-delta → argument fragments;
// citation-start events are gathered and sent on the last chunk;
// message-end → the last chunk with the finish reason, usage and billed
// units (or the error of an ERROR / TIMEOUT end). content-start/-end,
// tool-call-end, citation-end and debug events are skipped; events of
// unknown types are kept raw and sent on the last chunk in
// ProviderSpecificFields[PSFUnknown]; a
// "[DONE]" data line ends the stream. After message-end the rest of the body
// is read (up to 64 KiB) so that net/http can reuse the connection. A body
// that ends before message-end is cut off: llm.KindBadResponse (wrapping
// io.ErrUnexpectedEOF), as on every provider; a connection that breaks
// mid-body is llm.KindConnection. A 200 answer labelled JSON that carries
// an error message is that error; an HTML page is llm.KindBadResponse.
//
// # Errors
//
// Cohere's envelope is {"id": ..., "message": ...}. Status → Kind as usual,
// with 402 → KindQuotaExceeded, 498 (a deny-listed token in the request or
// answer) → KindContentPolicy, 499 (request cancelled) → KindCanceled, 501 →
// KindUnsupported. Cohere sends no error codes, so two documented message
// patterns refine a 400/422: "too many tokens" or "context length" →
// KindContextWindowExceeded; and a 429 saying "quota" or "billing" →
// KindQuotaExceeded.
package cohere
