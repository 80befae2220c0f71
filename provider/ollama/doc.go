// Package ollama is the translator for Ollama's native chat API
// (POST /api/chat), for model strings "ollama/<model>" and
// "ollama_chat/<model>": both names are the same translator, kept for
// LiteLLM compatibility (LiteLLM's "ollama/" once meant /api/generate; here
// both speak /api/chat). The model is Ollama's name, tag included:
// "ollama/llama3.2", "ollama_chat/qwen3:8b".
//
// # Endpoint and credentials
//
// The base URL comes from llm.WithBaseURL, else OLLAMA_API_BASE, else
// OLLAMA_HOST (Ollama's own variable; "0.0.0.0:11434" or "myhost" are
// accepted: a missing scheme means http, a missing port means 11434, and the
// wildcard addresses 0.0.0.0 and [::] mean the local machine), else
// http://localhost:11434. A key is optional: when llm.WithAPIKey or
// OLLAMA_API_KEY is set it goes in "Authorization: Bearer <key>" (hosted
// Ollama, or a proxy in front of it).
//
// # Request mapping
//
//   - messages: system and developer → system; user text parts are joined
//     with "\n"; image parts must be data URLs ("data:image/png;base64,...")
//     and go to the message's images as bare base64. An http(s) image URL is a
//     KindInvalidRequest error: Ollama only takes inline images and this
//     package never fetches URLs on your behalf. Audio and file parts are
//     KindUnsupported.
//   - assistant tool_calls: the JSON-string arguments are decoded into the
//     object Ollama wants (invalid JSON is KindInvalidRequest);
//     reasoning_content goes back as thinking.
//   - tool results: Ollama identifies a result by tool_name, not by id; the
//     name is found from the assistant tool call whose id equals
//     tool_call_id (or taken from the message's name).
//   - options: temperature, top_p, num_predict ← max_completion_tokens or
//     max_tokens, stop, seed, presence_penalty, frequency_penalty. Any other
//     Modelfile option (num_ctx, top_k, min_p, repeat_penalty, ...) goes in
//     Extra under "options", merged key by key into the options object:
//     Extra: map[string]any{"options": map[string]any{"num_ctx": 8192}}.
//   - format: "json" for response_format json_object, the schema itself for
//     json_schema ("json" when it has no schema).
//   - think ← reasoning_effort: "low", "medium" and "high" are passed as
//     levels, "minimal" as "low", "none" as false. Models that only take a
//     boolean accept Extra {"think": true}; Extra keys replace body keys.
//   - keep_alive and any other top-level field: through Extra.
//   - tool_choice: "none" sends no tools; "auto" is the default; "required" or a
//     named function has no Ollama equivalent and is KindUnsupported (dropped
//     with llm.WithDropUnsupportedParams). n > 1, logit_bias and
//     web_search_options (no server-side tools) are handled the same way.
//   - logprobs and top_logprobs: as is (Ollama's own fields).
//
// # Response mapping
//
// message.content → content, message.thinking → reasoning_content,
// message.tool_calls → tool_calls. Ollama gives tool calls no id (newer
// servers may; an id that is sent is kept) and arguments as an object: the
// arguments are re-encoded as a compact JSON string and each call gets a
// deterministic id, "call_<index>_<hash of name and arguments>", so the same
// answer streamed or not yields the same ids. done_reason "stop" →
// stop (tool_calls when the answer has tool calls), "length" → length; other
// values pass through. Usage: prompt_tokens = prompt_eval_count,
// completion_tokens = eval_count, from the final (done) message. logprobs
// (token, logprob, bytes, top_logprobs: OpenAI's shape) → logprobs.content,
// streamed with each line's chunk. The response
// id is derived from created_at.
//
// # Streaming
//
// Ollama streams newline-delimited JSON, not SSE; the package reads it with
// internal/ndjson (lines of any length). Each line becomes a chunk; tool calls
// arrive whole, each in one delta with its id, name and arguments. The done
// line carries the finish reason and the usage; the rest of the body is then
// read (up to 64 KiB) so that net/http can reuse the connection. A body that
// ends before the done line is cut off: llm.KindBadResponse (wrapping
// io.ErrUnexpectedEOF), as on every provider; a connection that breaks
// mid-body is llm.KindConnection. An {"error": ...} line ends the stream
// with that error, and a non-streamed answer without "done": true ({},
// null) is llm.KindBadResponse.
//
// # Errors
//
// Ollama's envelope is {"error": "<message>"} with an HTTP status. Status →
// Kind as usual; 404 (model not found) is KindNotFound with a hint to run
// "ollama pull <model>". Documented message patterns (Ollama gives no codes):
// "does not support tools", "does not support thinking", "does not support
// insert" and "does not support chat" → KindUnsupported. A refused connection
// is KindConnection with a message saying Ollama does not appear to be
// running at the base URL.
package ollama
