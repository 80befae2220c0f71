// Package gemini is the translator for Google's Gemini API (Google AI
// Studio, model strings "gemini/<model>", such as "gemini/gemini-2.5-flash")
// and the shared Gemini engine of Vertex AI (package vertex, model strings
// "vertex_ai/<model>"): one encoder, decoder, stream decoder and error
// classifier, bound to an Endpoint that says where a call goes and how it
// authenticates (NewWithEndpoint).
//
// Calls go to POST {base}/v1beta/models/{model}:generateContent, and
// :streamGenerateContent?alt=sse for streams. The key comes from
// llm.WithAPIKey, GEMINI_API_KEY or GOOGLE_API_KEY and is sent in the
// x-goog-api-key header; the base URL from llm.WithBaseURL or
// GEMINI_API_BASE (default DefaultBaseURL); the version from
// llm.WithAPIVersion (default v1beta). A model "tunedModels/x" is addressed
// as that resource.
//
// # Requests
//
// System and developer messages become systemInstruction; user turns role
// "user", assistant turns role "model"; consecutive turns of one role are
// merged. Assistant tool calls become functionCall parts (arguments must be
// a JSON object); tool results become functionResponse parts of a user
// turn, named after the earlier tool call with the same id (or the
// message's name). A result that is a JSON object is the response as it is;
// anything else is wrapped as {"output": value}.
//
// Images and files: data URLs become inlineData; any other URI (gs://,
// https://, a Files API URI) becomes fileData, its MIME type taken from the
// part's format, else from the URI's extension. Input audio becomes
// inlineData of type audio/<format>.
//
// Tools become one Tool of functionDeclarations. Their JSON Schemas are
// converted to Gemini's Schema (its OpenAPI 3.0 subset) in the parameters
// field, which every Gemini model and Vertex AI accept: $ref to $defs or
// definitions inlined, allOf merged, anyOf/oneOf and type lists with null
// made nullable (the remaining member inlined, several kept as anyOf), const
// made a one-value enum, types upper-cased, non-string enums and formats
// Gemini rejects dropped, and keywords it lacks (additionalProperties,
// $schema, $id, examples...) stripped; property order is kept. A recursive
// schema, which the subset cannot express, is sent unchanged as
// parametersJsonSchema instead. A function whose parameters are an empty
// object is declared without parameters. Converted schemas are memoized.
//
// tool_choice: auto → AUTO, required → ANY, none → NONE, a named function →
// ANY with allowedFunctionNames. response_format json_object sets
// responseMimeType application/json; json_schema adds the converted schema
// as responseSchema (responseJsonSchema when recursive).
//
// generationConfig: max_completion_tokens (else max_tokens) →
// maxOutputTokens, stop → stopSequences, n → candidateCount, temperature,
// top_p → topP, seed, presence and frequency penalties, logprobs and
// top_logprobs → responseLogprobs and logprobs; top_k (or topK) in Extra →
// topK; safety_settings in Extra → the top-level safetySettings; any other
// Extra key is merged into the body as it is (cachedContent, labels...).
// logit_bias, audio output and prediction have no Gemini equivalent: they
// fail with llm.KindUnsupported unless llm.WithDropUnsupportedParams is
// given. web_search_options turns on Google Search (its fields have no
// Gemini equivalent and are ignored); see Built-in tools. user, metadata, store,
// service_tier and parallel_tool_calls are ignored.
//
// # Thinking
//
// reasoning_effort sets thinkingConfig with includeThoughts, so that the
// thoughts come back as reasoning_content. Gemini 2.5 models take a budget
// (EffortBudget: none 0, minimal 128 — 512 on flash-lite —, low 1024,
// medium 2048, high 4096); Gemini 3 models a thinkingLevel (minimal, low,
// medium, high; none, which they cannot do, is MINIMAL without thoughts).
// WithThinkingBudget sets the budget explicitly and wins.
//
// Function calls that Gemini gave an id (Gemini 3 gives every call one)
// keep it as the tool call's ID and in ProviderSpecificFields
// [PSFFunctionCallID]; EncodeRequest sends it back on the functionCall part
// and on the functionResponse that answers it.
//
// Gemini 2.5 and 3 sign their function calls (and Gemini 3 its text) with a
// thoughtSignature that must be sent back on the next turn. It is kept in
// ProviderSpecificFields[PSFThoughtSignature] of the ToolCall (streamed in
// the ToolCallDelta), or of the Message for a text part, and put back on the
// same part by EncodeRequest: pass the assistant message back as it came.
//
// # Responses
//
// Text parts are the content, thought parts the reasoning_content,
// functionCall parts complete tool calls with the id Gemini gave or
// "call_<n>" (n counting the candidate's calls from 0, in streams too, so a
// collected stream equals the answer). Candidates are choices.
// finishReason: STOP → stop, or tool_calls when the candidate called a
// function; MAX_TOKENS → length; SAFETY, RECITATION, BLOCKLIST,
// PROHIBITED_CONTENT, SPII and the IMAGE_ safety reasons → content_filter;
// others (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL...) → stop. A prompt
// blocked by promptFeedback.blockReason is a llm.KindContentPolicy error
// whose Code is the reason. Safety ratings are not carried. Parts without
// an OpenAI field (code execution's executableCode and codeExecutionResult,
// inline data, part types the translator does not know) are kept raw, in
// order, in ProviderSpecificFields[PSFParts]; unknown parts and fields
// never fail a call.
//
// # Built-in tools
//
// web_search_options, or a tool of type google_search (ToolGoogleSearch),
// turns on Grounding with Google Search ({"googleSearch": {}}); tools of
// type url_context and code_execution turn on those tools (camelCase type
// names are accepted too). A tool of any other non-function type (another
// provider's server tool) is a llm.KindUnsupported error, or left out under
// llm.WithDropUnsupportedParams. Tool options (such as googleSearch's
// timeRangeFilter) are not mapped: give the whole tools list in
// Extra["tools"] instead.
//
// A candidate's groundingMetadata becomes url_citation annotations, one
// per grounding support and chunk it cites (url and title of the chunk;
// start and end index of the support's segment, byte offsets in the
// candidate's text, as Gemini gives them), on the message or on the delta
// of the event that carries it (a citation repeated on a later event is not
// sent again). The metadata itself (search queries, chunks, supports, the
// search entry point Google's terms ask apps to display) is kept raw in
// ProviderSpecificFields[PSFGroundingMetadata], url_context's
// urlContextMetadata in ProviderSpecificFields[PSFURLContextMetadata].
//
// Web searches are counted in usage.server_tool_use.web_search_requests,
// which the cost table prices per search: Gemini 3 and later bill each
// search query (the length of webSearchQueries), earlier models each
// grounded prompt (1 for an answer that searched). Free daily allowances
// are not accounted for. url_context and code_execution have no charge of
// their own: what they read is in the tool-use prompt tokens.
//
// usageMetadata: prompt_tokens = promptTokenCount + toolUsePromptTokenCount;
// completion_tokens = candidatesTokenCount + thoughtsTokenCount, with
// reasoning_tokens = thoughtsTokenCount; cached_tokens =
// cachedContentTokenCount; text, image and audio prompt tokens from the
// modality details; total_tokens = totalTokenCount.
//
// # Streams
//
// Each SSE event is a whole GenerateContentResponse; function calls arrive
// whole and are sent as complete tool-call deltas. Gemini repeats the usage
// on every event: it is held and sent once, on a final chunk without
// choices. A stream that ends before any finish reason is a
// llm.KindBadResponse error (Gemini has no end-of-stream event).
//
// # Embeddings
//
// Embedding (llm.Embedder) posts models/{model}:batchEmbedContents on the
// Gemini API, one EmbedContentRequest per input text: InputType becomes
// taskType, Dimensions outputDimensionality, and Extra is merged into each
// request. Token inputs are llm.KindUnsupported. The answer has no token
// counts, so Usage is nil and the cost is not known. The translator under
// another Endpoint (Vertex AI) refuses embeddings, as Vertex AI serves its
// embedding models through :predict.
//
// # Errors
//
// Error answers are google.rpc.Status envelopes {"error": {"code",
// "message", "status", "details"}} (Vertex AI may wrap one in an array).
// The status decides the Kind: INVALID_ARGUMENT → invalid request, or
// context window exceeded when the message says the input token count
// exceeds the maximum (the documented message; Google gives no code);
// FAILED_PRECONDITION → invalid request; UNAUTHENTICATED → authentication;
// PERMISSION_DENIED → permission denied; NOT_FOUND → not found;
// RESOURCE_EXHAUSTED → rate limit; UNAVAILABLE → overloaded;
// DEADLINE_EXCEEDED → timeout; INTERNAL and UNKNOWN → server; an ErrorInfo
// reason API_KEY_INVALID (sent with a 400) → authentication. RetryAfter is
// the RetryInfo retryDelay when given, else the Retry-After header. The
// status name is the error's Code. An error object inside a 200 stream is
// classified the same way.
package gemini
