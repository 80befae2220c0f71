// Package bedrock is the translator for Amazon Bedrock's runtime API (model
// strings "bedrock/<modelId>"): the Converse and ConverseStream APIs for
// every model Bedrock serves (Claude, Nova, Llama, Mistral, Cohere,
// DeepSeek...), and InvokeModel / InvokeModelWithResponseStream in
// Anthropic's own format for Claude.
//
// # Model strings
//
//	bedrock/<id>            Converse (the default route, for every model)
//	bedrock/converse/<id>   Converse, explicitly
//	bedrock/invoke/<id>     InvokeModel with Anthropic's Messages body (Claude only)
//
// The id is a foundation model id ("anthropic.claude-3-5-haiku-20241022-v1:0",
// "amazon.nova-pro-v1:0"), a cross-region inference profile id
// ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "eu.", "apac.", "global."),
// or an ARN (provisioned throughput, imported and custom models, application
// inference profiles, prompt routers). It is percent-encoded into the path as
// AWS's REST-JSON protocol does (everything but A-Z a-z 0-9 - . _ ~), so the
// ':' and '/' of ARNs stay inside one path segment.
//
// # Region and endpoint
//
// The region comes from WithRegion, else the ARN's region, else AWS_REGION,
// AWS_DEFAULT_REGION, else the shared config profile's region. The endpoint
// is https://bedrock-runtime.{region}.amazonaws.com (.com.cn in China)
// unless llm.WithBaseURL, AWS_BEDROCK_RUNTIME_ENDPOINT or
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME gives another (a VPC endpoint, a proxy, a
// test server); the host signed is the host of that URL.
//
// # Credentials
//
// The first that is set wins:
//
//  1. llm.WithAPIKey: a Bedrock API key, sent as "Authorization: Bearer".
//  2. WithCredentials (static keys) or WithCredentialsProvider: SigV4.
//  3. AWS_BEARER_TOKEN_BEDROCK: a Bedrock API key.
//  4. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN): SigV4.
//  5. The AWS SDK's default chain (config.LoadDefaultConfig) for the profile
//     of WithProfile or AWS_PROFILE: shared config and credentials files,
//     SSO, web identity, ECS and EC2 roles. It is loaded on the first call
//     that needs it, never at import, and cached in the Provider; the SDK's
//     credential cache refreshes expiring credentials.
//
// Requests are signed with the SDK's SigV4 signer (signing name "bedrock"),
// the payload hash being the SHA-256 of the exact body sent. Bedrock API
// keys, secret access keys and session tokens, whatever their source, are
// scrubbed from the call's errors, and never print with a Config.
//
// # Converse requests
//
// System and developer messages become system blocks. User and tool
// messages become user turns and assistant messages assistant turns;
// consecutive messages of one role are merged into one turn (so consecutive
// tool results share one user turn, as Converse requires). Text parts become
// text blocks; image parts image blocks (base64 data URLs as bytes, s3:// URIs
// as S3 locations; http(s) URLs, which Bedrock cannot fetch, are downloaded
// with the call's ctx and HTTP client, no credentials sent, at most
// MaxDownloadBytes each, and sent as bytes: a URL that fails, is too large or
// is not an image is KindInvalidRequest, its query never shown); file parts
// (file_data data URLs, s3:// file ids, or http(s) file ids downloaded the
// same way) document blocks (pdf, csv, doc, docx, xls, xlsx, html,
// txt, md by MIME type, the name cleaned to Bedrock's alphabet or
// "document-n"), or image and video blocks by MIME type; input_audio parts
// audio blocks. Assistant tool calls become toolUse blocks (arguments must
// be a JSON object) and an assistant's ThinkingBlocks are sent back first as
// reasoningContent blocks with their signatures (redacted ones as
// redactedContent). cache_control on a part, a message or a tool adds a
// cachePoint block after it (ttl kept).
//
// max_completion_tokens (else max_tokens), temperature, top_p and stop go in
// inferenceConfig. tools become toolSpec entries with inputSchema.json;
// tool_choice auto, required and a named function become auto, any and tool.
// tool_choice none has no Converse equivalent: the tools are left out, or,
// when the conversation already holds tool blocks (Converse then requires a
// toolConfig), sent without a choice. service_tier priority, default and
// flex become serviceTier.
//
// n > 1, logprobs, logit_bias, presence and frequency penalties, seed, audio
// output, prediction and web_search_options fail with KindUnsupported before
// any request, unless llm.WithDropUnsupportedParams drops them.
//
// # Extra
//
// An Extra key that names a top-level ConverseRequest member of the service
// model (guardrailConfig, promptVariables, additionalModelResponseFieldPaths,
// requestMetadata, performanceConfig, serviceTier, outputConfig,
// inferenceConfig, toolConfig, system, messages) is written at the top of the
// body, replacing the translator's value. Every other key (top_k,
// anthropic_beta, a model's own reasoning settings...) goes into
// additionalModelRequestFields. An "additionalModelRequestFields" object in
// Extra is merged into that field, its keys winning.
//
// # Reasoning and JSON output
//
// reasoning_effort on a Claude model sets additionalModelRequestFields
// thinking {type: enabled, budget_tokens} with the Anthropic translator's
// budgets (minimal 1024, low 2048, medium 8192, high 24576; none is off).
// Without max_tokens, maxTokens becomes the budget plus 4096; a max_tokens
// at or below the budget is KindInvalidRequest. With thinking on, Claude
// rejects temperature other than 1, top_p below 0.95 and a forced
// tool_choice: KindUnsupported unless dropped (the choice becomes auto). On other models reasoning_effort is KindUnsupported (or
// dropped): pass the model's own field in Extra.
//
// response_format json_schema and json_object use the forced-tool technique
// (Converse has no JSON mode for most models): a tool named JSONTool whose
// input schema is the requested schema (an open object for json_object) is
// added and forced with toolChoice tool (left unforced when thinking is on,
// which Claude forbids). Its input comes back as the message content (JSON
// text) with finish reason stop, streamed as content deltas. Models that
// support Converse's native outputConfig.textFormat can be given it through
// Extra instead.
//
// # Responses and streams
//
// Text (and citationsContent text) becomes the content, toolUse blocks tool
// calls, reasoningContent the ReasoningContent plus raw ThinkingBlocks.
// stopReason end_turn, stop_sequence (and malformed_*) → stop; max_tokens and
// model_context_window_exceeded → length; tool_use → tool_calls;
// content_filtered → content_filter. guardrail_intervened (a 200 answer whose
// message is the guardrail's blocked message, not the model's) fails the call
// with a KindContentPolicy error, Code "guardrail_intervened", whose Detail
// is {"text": <blocked message>, "trace": <trace>}, so that content-policy
// fallbacks run; a stream yields the blocked text, then that error. An
// answer's trace (the guardrail assessment) is kept in
// ProviderSpecificFields[PSFTrace]. WithGuardrail sets the guardrail
// (guardrailConfig; Extra["guardrailConfig"] replaces it). Usage follows
// OpenAI's semantics: prompt_tokens = inputTokens + cacheReadInputTokens +
// cacheWriteInputTokens, with cached_tokens (reads), cache_creation_tokens
// (writes) and cache_creation_1h_tokens (cacheDetails with ttl 1h). The id is
// Bedrock's x-amzn-RequestId.
//
// ConverseStream answers are application/vnd.amazon.eventstream frames,
// decoded by internal/eventstream (both CRC32s verified). messageStart gives
// the role chunk; contentBlockStart (toolUse) the first chunk of a tool call
// with its index (counting tool calls, not content blocks), id and name;
// contentBlockDelta text, tool input fragments and reasoning text;
// contentBlockStop sends a finished reasoning block whole in ThinkingBlocks,
// or the arguments "{}" of a tool call that streamed no input (as Converse
// gives it); messageStop's reason and metadata's usage arrive together on the last
// chunk; events of unknown types are kept, as {"<type>": <payload>}, in its
// ProviderSpecificFields[PSFUnknown], as unknown content blocks of an answer
// are kept raw in the message's. Exception frames (throttlingException, validationException,
// modelStreamErrorException, serviceUnavailableException,
// internalServerException) end the stream with the classified error; a
// corrupt or truncated frame, or a stream that ends before messageStop and
// the metadata event after it, ends it with KindBadResponse; a connection
// that breaks mid-frame is KindConnection.
//
// # InvokeModel
//
// bedrock/invoke/<claude id> sends the body the anthropic package's
// EncodeRequest builds, with anthropic_version "bedrock-2023-05-31", no model
// field and betas in anthropic_beta; JSON output uses the forced tool. The
// answer is decoded by anthropic.DecodeResponse, its model set to the Bedrock
// id (which the cost table prices); streamed answers carry one
// Anthropic event per chunk frame ({"bytes": base64}) for the Anthropic
// StreamDecoder. Extra's guardrailConfig (else WithGuardrail's) becomes the X-Amzn-Bedrock-Guardrail*
// and X-Amzn-Bedrock-Trace headers. Models other than Claude are
// KindUnsupported on this route; an ARN is taken to name a Claude model.
//
// # Errors
//
// The error name comes from the x-amzn-ErrorType header or the body's
// __type, the message from the body. ValidationException → invalid request,
// or context window exceeded when the message contains one of
// contextPatterns ("too many input tokens", "input is too long", "prompt is
// too long", "maximum context length"...; Bedrock has no distinct name for
// it); AccessDeniedException → permission denied;
// UnrecognizedClientException, InvalidSignatureException,
// ExpiredTokenException and missing-token errors → authentication;
// ResourceNotFoundException → not found; ThrottlingException → rate limit;
// ServiceQuotaExceededException → quota exceeded; ModelTimeoutException →
// timeout; ModelNotReadyException and ServiceUnavailableException →
// overloaded; InternalServerException and ModelErrorException → server;
// ModelStreamErrorException → the kind of its originalStatusCode, else
// server; otherwise the HTTP status decides. Whatever the name, a message
// saying "blocked by content filtering policy" (Claude's documented
// content-filter error, passed through) is content policy.
package bedrock
