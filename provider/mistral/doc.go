// Package mistral is the translator for Mistral's chat API (model strings
// "mistral/<model>"), a configuration of the shared OpenAI-compatible
// engine of package openai with Mistral's differences handled.
//
// The key comes from llm.WithAPIKey or MISTRAL_API_KEY (sent as a bearer
// token); the base URL from llm.WithBaseURL or MISTRAL_API_BASE (default
// https://api.mistral.ai/v1). The reference is Mistral's OpenAPI
// description.
//
// Requests:
//   - seed is sent as random_seed, max_completion_tokens as max_tokens.
//   - Mistral's request admits no field it does not define, so logit_bias,
//     logprobs, top_logprobs, user, store, modalities, audio and
//     web_search_options fail with llm.KindUnsupported, unless
//     llm.WithDropUnsupportedParams is given (then they are dropped).
//     stream_options is never sent: Mistral streams usage unasked.
//   - Tool-call ids must be nine letters or digits. Ids of another form
//     (OpenAI's "call_...", Anthropic's "toolu_...") are replaced, in
//     assistant tool calls and in the tool messages answering them, by
//     nine characters derived from the id with a hash (see ToolCallID), so
//     that a conversation begun with another provider continues on Mistral.
//   - Mistral's roles are system, user, assistant and tool: developer
//     messages are sent as system messages.
//   - File parts: a File.FileID that is an http(s) URL is sent as a
//     document_url chunk (with File.Filename as document_name), any other
//     FileID as a file chunk (a file uploaded to Mistral). A document given
//     inline (File.FileData, or a data: URL) fails with llm.KindUnsupported
//     before sending: Mistral takes documents by URL or uploaded file id.
//   - Audio parts (for Mistral's audio models, Voxtral) are sent as
//     input_audio chunks holding the bare base64 string (the format is not
//     sent).
//   - JSON mode (response_format json_object) and structured output
//     (json_schema) pass through as Mistral takes them.
//   - Mistral's own knobs go in Extra: safe_prompt, prompt_mode
//     ("reasoning" for Magistral), guardrails, prompt_cache_key.
//
// Responses: content given as a list of chunks is folded: text chunks into
// the content, "thinking" chunks (Magistral's reasoning) into
// ReasoningContent (Delta.ReasoningContent when streamed); chunks of any
// other type (references, types not known here) fail nothing and are kept
// raw, in order, as []json.RawMessage in ProviderSpecificFields under
// "content_chunks". Function
// arguments sent as a JSON object become the usual JSON string. The finish
// reason model_length is length. Usage, which Mistral streams with the
// finish reason, arrives on a final chunk of its own, as with every
// provider. Tool calls, which Mistral streams whole, are numbered in order
// when several in one chunk share an index (Mistral's defaults to 0).
//
// Errors: a 422 validation error {"detail": [...]} (the spec's
// HTTPValidationError) is llm.KindInvalidRequest with the details in
// llm.Error.Detail; other errors ({"object": "error", "message", "type",
// "code"} or {"message"}, as observed; the spec describes no other
// envelope) classify by status, with the context-window message pattern
// of package openai.
//
// Mistral has no legacy text completions: llm.TextCompletion fails with
// llm.KindUnsupported.
//
// Not translated: assistant reasoning is not sent back as thinking chunks.
package mistral
