// Package azure is the translator for Azure OpenAI (model strings
// "azure/<deployment>") and Azure AI Foundry model inference ("azure_ai/<model>"),
// both served by the shared OpenAI-compatible engine of package openai.
//
// # Azure OpenAI
//
// The model string names a deployment, not a model: "azure/my-gpt-4o". The
// endpoint comes from llm.WithBaseURL, AZURE_API_BASE or
// AZURE_OPENAI_ENDPOINT (such as https://my-resource.openai.azure.com); the
// API version from llm.WithAPIVersion, AZURE_API_VERSION or
// OPENAI_API_VERSION, defaulting to DefaultAPIVersion (2024-10-21, the
// latest GA version). Calls go to
//
//	{endpoint}/openai/deployments/{deployment}/chat/completions?api-version={version}
//
// With the version "v1" (or "latest"), or a base URL ending in /openai/v1,
// they go to the v1 route instead, which takes no dated version and carries
// the deployment as the body's model:
//
//	{endpoint}/openai/v1/chat/completions
//
// ("preview" selects the v1 route with ?api-version=preview.)
//
// Credentials, first found wins: an Entra ID TokenSource given with
// WithTokenSource (sent as "Authorization: Bearer"); an API key from
// llm.WithAPIKey, AZURE_API_KEY or AZURE_OPENAI_API_KEY (sent in the
// api-key header); a static Entra ID token in AZURE_AD_TOKEN. The package
// needs no Azure SDK: wrap any credential in a TokenFunc (see its example).
// Entra ID tokens, like keys, are scrubbed from the call's errors.
//
// Errors: Azure's content filter answers 400 with code "content_filter";
// such errors are llm.KindContentPolicy, and the inner error with the
// filter results (innererror.content_filter_result on the wire) is kept in
// llm.Error.Detail as raw JSON. A response cut by the filter keeps its
// finish_reason "content_filter". Reasoning-model rules (max_completion_tokens,
// no sampling parameters) apply when the deployment is named after an
// o-series or gpt-5 model.
//
// # Azure AI Foundry
//
// "azure_ai/<model>" calls an Azure AI Foundry (formerly AI Studio)
// endpoint that speaks the OpenAI chat API: the base URL from
// llm.WithBaseURL or AZURE_AI_API_BASE is used as is, plus
// /chat/completions; a Foundry resource's ".../models" endpoint (the Azure
// AI Model Inference API) also gets ?api-version=DefaultAIAPIVersion unless
// llm.WithAPIVersion or AZURE_AI_API_VERSION names another. The key comes
// from llm.WithAPIKey or AZURE_AI_API_KEY and goes in the api-key header;
// WithTokenSource works here too.
package azure
