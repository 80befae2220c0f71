// Package vertex is the Vertex AI provider (model strings
// "vertex_ai/<model>"). Gemini models ("vertex_ai/gemini-2.5-pro") go
// through the Gemini translator of package gemini, unchanged but for the
// endpoint and authentication (built-in tools, grounding citations and
// function-call ids included); Claude models ("vertex_ai/claude-...", such
// as "vertex_ai/claude-sonnet-4-5@20250929") through the Anthropic
// translator of package anthropic; partner models through the shared
// OpenAI engine: open models named with their publisher
// ("vertex_ai/meta/llama-3.1-405b-instruct-maas", "vertex_ai/deepseek-ai/...",
// "vertex_ai/qwen/...", "vertex_ai/openai/gpt-oss-120b-maas") on Vertex AI's
// Chat Completions endpoint (IsOpenModel), Mistral's ("vertex_ai/mistral-large-2411",
// "vertex_ai/codestral-2501", "vertex_ai/mistralai/<model>") with package
// mistral's body (IsMistral).
//
// # Endpoints
//
//	https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent
//	                                                                                                         ...:streamGenerateContent?alt=sse
//	                                                           .../publishers/anthropic/models/{model}:rawPredict
//	                                                                                                   ...:streamRawPredict
//	                                                           .../publishers/mistralai/models/{model}:rawPredict
//	                                                                                                   ...:streamRawPredict
//	                                                           .../endpoints/openapi/chat/completions   (open models)
//
// The host is aiplatform.googleapis.com when the location is "global".
// llm.WithBaseURL or VERTEXAI_API_BASE replaces the scheme and host;
// llm.WithAPIVersion replaces v1 (such as v1beta1). The project comes from
// WithProject, VERTEXAI_PROJECT (or VERTEX_PROJECT, GOOGLE_CLOUD_PROJECT),
// else the credentials' project; the location from WithLocation,
// VERTEXAI_LOCATION (or VERTEX_LOCATION), else DefaultLocation.
//
// Embeddings are not supported yet: the provider has no Embedding method,
// so llm.Embedding fails with llm.KindUnsupported before any request.
// Vertex AI serves its text embedding models through :predict, not the
// Gemini API's batchEmbedContents.
//
// # Authentication
//
// Calls carry an OAuth2 bearer token (scope Scope) from, in order:
// WithTokenSource; llm.WithAPIKey, taken as a ready access token; the
// credentials JSON of WithCredentialsJSON, else of the file
// GOOGLE_APPLICATION_CREDENTIALS names (service-account key, authorized
// user or external account); else Application Default Credentials
// (gcloud's file, the metadata server). Nothing is read or fetched at
// import. Credentials are loaded on first use and kept, per Provider, for
// the life of the process; golang.org/x/oauth2 caches their token and
// refreshes it shortly before it expires, so that calls fetch a token only
// when needed. Token requests go through the call's HTTP transport (that
// of the first call using a credential) with a 30 s timeout, not the
// call's context, since the token outlives the call. Any failure to get a
// token (the token endpoint refusing, unreachable, or credentials that do
// not parse) is a llm.KindAuthentication error wrapping oauth2's error.
// The access token of a call (and the private key, client secret and
// refresh token of its credentials file) is scrubbed from the call's
// errors like an API key; the credentials JSON never prints.
//
// # Claude on Vertex AI
//
// The body is Anthropic's Messages body without model and with
// anthropic_version AnthropicVersion ("vertex-2023-10-16"); beta features
// go in the anthropic-beta header. response_format uses Anthropic's forced
// tool technique, as Vertex AI does not document Anthropic's native
// structured outputs. Errors in Anthropic's envelope are classified by
// package anthropic, Vertex AI's own (quota, permission, unknown model, in
// the google.rpc envelope) by package gemini. Everything else (thinking,
// tools, caching, usage) is as package anthropic documents.
package vertex
