// Package replicate is the translator for Replicate's predictions API, for
// model strings "replicate/<owner>/<model>[:<version>]", such as
// "replicate/meta/meta-llama-3-70b-instruct" or
// "replicate/anthropic/claude-4-sonnet".
//
// # Models and endpoints
//
//   - "<owner>/<model>" (official models, and the latest version of others):
//     POST /v1/models/<owner>/<model>/predictions;
//   - "<owner>/<model>:<version>" and a bare 64-character version ID:
//     POST /v1/predictions with {"version": "<version>"};
//   - "deployments/<owner>/<name>": POST
//     /v1/deployments/<owner>/<name>/predictions.
//
// Any other shape is a KindInvalidRequest error before sending.
//
// # Endpoint and credentials
//
// The token comes from llm.WithAPIKey, else REPLICATE_API_TOKEN (the
// variable Replicate's SDKs read), else REPLICATE_API_KEY (the one
// LiteLLM reads), sent as "Authorization: Bearer <token>"; a missing token
// is a KindAuthentication error naming the variables. The base URL comes
// from llm.WithBaseURL, else REPLICATE_API_BASE, else REPLICATE_BASE_URL
// (replicate-python's), else https://api.replicate.com; the "/v1/..."
// paths are appended to it.
//
// # Request mapping
//
// Replicate runs models, each with an input schema of its own; the create
// body is {"input": {...}} (plus "version"). Language models take a prompt
// and apply their own chat template, so the translator builds the input
// most of them declare (models ignore inputs they do not declare):
//
//   - system and developer messages → system_prompt (joined by blank lines);
//   - one user message → prompt, its text; a longer conversation → prompt,
//     a transcript of "User: ..." and "Assistant: ..." turns separated by
//     blank lines and ending with "Assistant:";
//   - max_completion_tokens or max_tokens → both max_tokens (today's
//     official models) and max_new_tokens (older ones, such as Llama 2);
//   - stop → stop_sequences, one comma-separated string (a stop sequence
//     holding a comma is KindUnsupported, dropped with
//     llm.WithDropUnsupportedParams);
//   - temperature, top_p, seed, presence_penalty, frequency_penalty as is;
//   - Extra → merged into the input: the model's other inputs (top_k,
//     prompt_template, min_tokens, image...), or a prompt of your own that
//     replaces the one built from the messages.
//
// Refused with KindUnsupported before sending (dropped with
// llm.WithDropUnsupportedParams): tools (a server tool is named by its
// type), tool_choice, tool messages and
// assistant tool calls; response_format other than text; n > 1; logprobs;
// logit_bias; audio output; web_search_options (Replicate has no
// server-side tools); reasoning_effort (a model's reasoning input, if any,
// goes through Extra); and image, audio and file content parts (each model
// names its media input differently: pass it in Extra). The deprecated
// "stream" field of the create body is never sent.
//
// # Response mapping
//
// The prediction's output, an array of text pieces or a string, joined →
// content; any other output is KindBadResponse (not a chat model). The
// finish reason is stop (Replicate does not say why a model stopped).
// metrics.input_token_count and output_token_count, which Replicate's
// official language models report, → usage; the metrics (predict_time,
// total_time, the token counts...) are kept in the message's
// ProviderSpecificFields["metrics"] as a Metrics, with "prediction_id" and
// "version". The response's model is the prediction's "owner/name", so
// that the model table prices it; a prediction without token counts
// (Replicate bills most models by the time they run) has Meta.Cost with
// Known false and the reason.
//
// # Waiting and polling
//
// Completion sends "Prefer: wait" (wait=n when the context's deadline is
// nearer than 60 seconds): Replicate holds the answer until the prediction
// ends, up to a minute. A prediction still starting or processing is then
// polled (GET /v1/predictions/<id>, built from the configured base URL,
// never from the answer's URLs) 0.5 s later, each poll twice as long after
// the last, at most 5 s apart, every sleep watching the context. A context
// with a deadline also sends Cancel-After (whole seconds, at least 5), so
// that Replicate stops a prediction its caller gave up on even if the
// cancel request below is lost. When the context ends, or a poll fails,
// while a prediction runs, the translator cancels it (POST
// /v1/predictions/<id>/cancel), best effort, synchronously and bounded by
// one second, so that it stops costing; the call's error is the
// context's.
//
// A prediction that ends with status failed is an error with Code
// "failed" and the prediction's error text: KindServer, or
// KindContextWindowExceeded or KindContentPolicy when the text says so
// ("context length", "prompt is too long"..., "NSFW", "content policy"...).
// Status canceled is KindCanceled; aborted (its deadline passed before it
// started) is KindTimeout. A status Replicate may add later counts as
// still running.
//
// # Streaming
//
// CompletionStream creates the prediction without waiting, then reads its
// urls.stream with internal/sse ("Accept: text/event-stream",
// "Cache-Control: no-store"). The stream URL must be an absolute http(s)
// URL, https when the API is; the token goes with it only to the
// configured API host or, from Replicate's own API, to *.replicate.com and
// *.replicate.net over https (replicate-javascript sends none; the URL is
// unguessable). Events, as Replicate's SDKs define them: output → a chunk
// of content (invalid UTF-8 bytes become U+FFFD); logs → skipped; error →
// the stream's error (its text classified as for a failed prediction, or
// a problem-details object as an error answer); done → the end: the rest
// of the body is drained so that the connection is reused, then the
// prediction is fetched once for its final status and token counts, which
// the last chunk carries (with the finish reason stop and the metrics in
// its delta's ProviderSpecificFields). If that fetch fails, the last chunk
// has no usage, or, when the done event gave a reason, the stream ends
// with KindCanceled (reason "canceled") or KindServer. Events of an
// unknown type are kept as a chunk with
// Delta.ProviderSpecificFields["event"] = RawEvent and never fail the
// stream. A body that ends before done is KindBadResponse (wrapping
// io.ErrUnexpectedEOF); a done event whose data is not a JSON object is
// KindBadResponse. Breaking out of the loop or canceling the context
// closes the body and cancels the prediction as above.
//
// A model that does not stream (its prediction has no stream URL) is
// polled to its end as in Completion and its output yielded as one chunk,
// so that every model can be called with CompletionStream.
//
// # Errors
//
// Replicate's error envelope is RFC 7807 problem details: {"type",
// "title", "status", "detail"} (a model's input validation error has a list
// of {"loc", "msg"} as its detail). Status → Kind as usual (401
// KindAuthentication, 402 KindQuotaExceeded, 404 KindNotFound, 422
// KindInvalidRequest, 429 KindRateLimit with Retry-After, 5xx
// KindServer/KindOverloaded), a 400/422 whose text names the context
// length → KindContextWindowExceeded; Code is the envelope's type. An
// envelope inside a 2xx answer (streamed or not) is an error of the Kind
// its own status gives.
package replicate
