// Package openaicompat registers the OpenAI-compatible vendors: one table of
// rows of data (name, default base URL, key and base-URL environment
// variables, auth style, quirks) served by the one translator of package
// openai. Import it (or provider/all) for its side effect:
//
//	import _ "github.com/llmux/llm/provider/openaicompat"
//
//	resp, err := llm.Completion(ctx, llm.CompletionRequest{Model: "groq/llama-3.3-70b-versatile", ...})
//
// The model string is "<vendor>/<vendor's model>", the model keeping any
// slashes of its own ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo").
// The vendors are groq, deepseek, together_ai, fireworks_ai, openrouter,
// xai, perplexity, deepinfra, cerebras, sambanova, nvidia_nim, hosted_vllm,
// lm_studio, dashscope, zai, zhipu, moonshot, volcengine, qianfan, baichuan,
// siliconflow, minimax, novita, nebius, hyperbolic, github, huggingface and
// openai_like; docs/vendors.md lists each one's environment variables,
// default base URL and quirks.
//
// Credentials and endpoints: llm.WithAPIKey and llm.WithBaseURL win;
// otherwise the first set variable of the row's key list and base-URL list,
// read at call time; otherwise the row's default base URL. A missing key is
// an llm.KindAuthentication error naming the variables to set; a missing
// base URL (hosted_vllm, openai_like, which have no default) is an
// llm.KindInvalidRequest error naming its variable. lm_studio, hosted_vllm
// and openai_like send no Authorization header when no key is set. Vendor
// headers (OpenRouter's HTTP-Referer and X-Title) go through llm.WithHeader;
// vendor body fields (Groq's reasoning_format, OpenRouter's provider
// routing, vLLM's guided decoding) through CompletionRequest.Extra.
//
// The quirks a row can set are the fields of openai.Spec: parameters the
// vendor refuses (an llm.KindUnsupported error, or dropped with
// llm.WithDropUnsupportedParams), parameters it names differently, whether
// it takes stream_options, the field its reasoning text arrives in
// ("reasoning" rather than "reasoning_content", moved to ReasoningContent),
// where its stream usage arrives (Groq's x_groq.usage, Moonshot's last
// choice), and its error codes. Whatever the vendor, a stream's usage is on
// its last chunk only: usage sent with the finish reason or on every chunk
// is held and sent once, on a final chunk without choices.
//
// Vendor answers that OpenAI's shape cannot carry are handled by hooks of
// the rows: Perplexity's [n] markers become url_citation annotations (its
// citations and search_results stay raw in ProviderSpecificFields, its
// searches go into Usage.ServerToolUse and the cost); xAI's reasoning
// tokens, counted beside completion_tokens, are counted inside it;
// MiniMax's <think> tags are split into ReasoningContent, streamed and not,
// and put back in the history; OpenRouter's error inside a 200 is
// classified by its code, the HTTP status.
//
// Hugging Face ("huggingface/<org>/<model>", optionally with the router's
// ":<provider>" suffix) goes through the Inference Providers router; with a
// base URL (HF_API_BASE or llm.WithBaseURL) it reaches a dedicated Inference
// Endpoint or a TGI server instead, whose OpenAI API lives under /v1 (added
// when the base URL lacks it). Any other OpenAI-compatible server is
// "openai_like/<model>" with a base URL.
//
// To add a vendor, add a row to the table and a fixture test; the table
// test runs the conformance suite and the wire checks against every row.
// Outside this module, build an openai.Spec and use
// llm.WithProvider(openai.NewCompatible(spec)).
package openaicompat
