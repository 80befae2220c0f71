// Package openai is the translator for OpenAI's API (model strings
// "openai/<model>") and the shared engine of every OpenAI-compatible API: a
// Spec describes a vendor's endpoint, credentials and quirks, and the same
// code serves them all.
//
// Keys come from llm.WithAPIKey or OPENAI_API_KEY; the base URL from
// llm.WithBaseURL, OPENAI_BASE_URL or OPENAI_API_BASE (default
// https://api.openai.com/v1); organization and project from WithOrganization
// and WithProject or OPENAI_ORGANIZATION / OPENAI_PROJECT.
//
// Reasoning models (o1, o3, o4 and gpt-5 families) take
// max_completion_tokens, which max_tokens is renamed to, and reject sampling
// parameters (temperature and top_p other than 1, penalties, logprobs,
// logit_bias). A request that sets one fails with llm.KindUnsupported naming
// it, before any network call, unless llm.WithDropUnsupportedParams is given,
// in which case the parameter is dropped.
//
// Legacy text completions (/completions) are served by TextCompletion and,
// streamed, by TextCompletionStream, under the chat stream's rules (usage on
// a last chunk without choices; a stream cut off before [DONE] is
// KindBadResponse). Specs with NoTextCompletion refuse both.
//
// Embeddings (/embeddings) are served by Embedding, which asks for base64
// vectors unless the request names an encoding format and decodes either
// format to []float32, bit for bit the server's values.
//
// Web search: the search models (gpt-4o-search-preview,
// gpt-4o-mini-search-preview, gpt-5-search-api...) take web_search_options
// (CompletionRequest.WebSearchOptions), sent as given. Their citations come
// back as url_citation annotations on the message (Message.Annotations),
// and, streamed, on a delta (Delta.Annotations), which Collect appends to
// the message. OpenAI bills these models per web search call, at a price
// that depends on search_context_size: an answer that cites a web page, or
// a search model's answer to a request with web_search_options, counts one
// search in Usage.ServerToolUse (WebSearchRequests 1, SearchContextSize the
// request's; LiteLLM's rule for chat answers), so Meta.Cost.WebSearch has
// its price from the model table. Compatible APIs count searches only if
// their Spec sets CountWebSearch.
//
// Compatible APIs: NewCompatible(spec) serves any API described by a Spec.
// A Spec with only a name, base URL and key variables runs exactly OpenAI's
// code; its other fields describe how an API departs from OpenAI's
// (parameters refused or renamed, stream_options, the field reasoning text
// arrives in, where stream usage arrives, error codes) and hooks (URL,
// Auth, Prepare, DecodeResponse, DecodeChunk, Amend, AmendStream) cover
// what data cannot.
// Whatever the Spec, a stream's usage is on its last chunk only. Package
// openaicompat holds the table of vendors; packages azure and mistral are
// Specs with hooks.
package openai

import (
	"context"
	"net/http"
	"strings"

	"github.com/llmux/llm"
)

// Spec describes an OpenAI-compatible API.
type Spec struct {
	// Name is the provider name in model strings.
	Name string
	// BaseURL is the default base URL, such as "https://api.openai.com/v1";
	// paths such as "/chat/completions" are appended to it.
	BaseURL string
	// BaseURLEnv are environment variables that override BaseURL, first
	// set wins.
	BaseURLEnv []string
	// KeyEnv are the environment variables holding the API key.
	KeyEnv []string
	// KeyOptional allows calls without a key (local servers).
	KeyOptional bool
	// AuthHeader is the header that carries the key: "" means
	// "Authorization: Bearer <key>"; any other name carries the bare key.
	AuthHeader string
	// OrganizationEnv and ProjectEnv name the environment variables of
	// OpenAI's organization and project headers.
	OrganizationEnv, ProjectEnv string
	// IsReasoningModel reports models that take max_completion_tokens and
	// reject sampling parameters; nil means none.
	IsReasoningModel func(model string) bool

	// The fields below describe how a compatible API departs from OpenAI's.
	// Their zero values mean "as OpenAI does", so a Spec with none of them
	// set runs the same code, at the same cost, as OpenAI's own.

	// Unsupported are request fields (JSON names, such as "logit_bias")
	// the API rejects. A request that sets one fails with
	// llm.KindUnsupported naming it, before any network call, unless
	// llm.WithDropUnsupportedParams is given, in which case it is dropped.
	Unsupported []string
	// Rename maps request fields (JSON names) to the API's own names, such
	// as {"seed": "random_seed"}. A renamed field that collides with one
	// already in the body (from Extra) is dropped: the explicit one wins.
	Rename map[string]string
	// NoStreamOptions leaves stream_options out of streamed requests, for
	// APIs that reject it; they send usage unasked or not at all.
	NoStreamOptions bool
	// ReasoningField is the field of a message or delta in which the API
	// returns reasoning text when it is not "reasoning_content", such as
	// "reasoning" (OpenRouter, vLLM, LM Studio); its text is moved to
	// ReasoningContent. Empty means reasoning_content only.
	ReasoningField string
	// UsagePath is a gjson path, relative to a stream chunk, where the API
	// puts the usage of a stream when not in "usage", such as Groq's
	// "x_groq.usage". Empty means "usage" only.
	UsagePath string
	// NoDone marks APIs that end a stream without "data: [DONE]": a clean
	// end of the stream is then complete once a finish reason has arrived
	// (before it, the stream is cut off, KindBadResponse, as one without
	// [DONE] is for every other API).
	NoDone bool
	// NoTextCompletion marks APIs without the legacy /completions
	// endpoint: TextCompletion fails with llm.KindUnsupported.
	NoTextCompletion bool
	// ErrorCodes maps the API's error codes or types (the "code" or "type"
	// of its error envelope) to Kinds, ahead of OpenAI's.
	ErrorCodes map[string]llm.Kind
	// CountWebSearch counts the web search of an answer in
	// Usage.ServerToolUse, by OpenAI's rule for its search models (see
	// the package documentation), so that its price is in Meta.Cost.
	CountWebSearch bool
	// StatusInCode marks APIs whose error envelope's numeric "code" is the
	// HTTP status of the error (OpenRouter): an error inside a 200 answer
	// or stream with such a code (400 to 599) is classified, and reported,
	// with that status.
	StatusInCode bool

	// Hooks, for APIs whose differences are more than data. Each is
	// optional.

	// URL returns the URL of an endpoint path ("/chat/completions") for
	// model, replacing base URL + path (Azure's deployment routes).
	URL func(cfg *llm.Config, model, path string) (string, error)
	// Auth sets the credentials on h, replacing the default of a key from
	// cfg or KeyEnv in AuthHeader (Azure's Entra ID tokens). An error it
	// returns ends the call.
	Auth func(ctx context.Context, cfg *llm.Config, h http.Header) error
	// Prepare adjusts a copy of the request before it is encoded (such as
	// Mistral's tool-call ids). It must copy any slice or map it changes:
	// they are shared with the caller's request.
	Prepare func(r *llm.CompletionRequest, cfg *llm.Config) error
	// DecodeResponse decodes a non-streamed answer (for APIs whose content
	// is not OpenAI's, such as Mistral's thinking chunks). An answer with
	// an "error" field is classified before it is called.
	DecodeResponse func(raw []byte) (*llm.CompletionResponse, error)
	// DecodeChunk decodes the data of one stream event, as DecodeResponse
	// does an answer.
	DecodeChunk func(data []byte) (*llm.Chunk, error)
	// Amend edits a decoded non-streamed answer (raw is its body), for
	// what a decoder of OpenAI's shape cannot see: vendor fields beside
	// it (Perplexity's citations), usage counted another way (xAI's
	// reasoning tokens), tags inside the content (MiniMax's <think>).
	Amend func(raw []byte, r *llm.CompletionResponse)
	// AmendStream returns, for one stream, a function that edits each
	// decoded chunk (data is the event's data) as Amend does an answer. It
	// may keep state across the chunks of its stream (a tag split between
	// two chunks, the content cited so far); it runs before the stream's
	// usage is moved to its last chunk.
	AmendStream func() func(data []byte, c *llm.Chunk)
}

// Provider is an OpenAI-compatible translator.
type Provider struct {
	spec Spec
	// reasoningKey and usageKey are the quoted last keys of ReasoningField
	// and UsagePath: a chunk that does not contain them is not searched.
	reasoningKey, usageKey []byte
	// deltaReasoning and messageReasoning are the gjson paths of
	// ReasoningField in a one-choice chunk or answer.
	deltaReasoning, messageReasoning string
}

// OpenAI is the Spec of OpenAI's own API.
var OpenAI = Spec{
	Name:             "openai",
	BaseURL:          "https://api.openai.com/v1",
	BaseURLEnv:       []string{"OPENAI_BASE_URL", "OPENAI_API_BASE"},
	KeyEnv:           []string{"OPENAI_API_KEY"},
	OrganizationEnv:  "OPENAI_ORGANIZATION",
	ProjectEnv:       "OPENAI_PROJECT",
	IsReasoningModel: IsReasoningModel,
	CountWebSearch:   true,
}

// New returns the OpenAI provider.
func New() *Provider { return &Provider{spec: OpenAI} }

// NewCompatible returns a provider for an OpenAI-compatible API.
func NewCompatible(spec Spec) *Provider {
	p := &Provider{spec: spec}
	if spec.ReasoningField != "" {
		p.reasoningKey = []byte(`"` + spec.ReasoningField + `"`)
		p.deltaReasoning = "choices.0.delta." + spec.ReasoningField
		p.messageReasoning = "choices.0.message." + spec.ReasoningField
	}
	if spec.UsagePath != "" {
		p.usageKey = []byte(`"` + spec.UsagePath[strings.LastIndexByte(spec.UsagePath, '.')+1:] + `"`)
	}
	return p
}

func init() { llm.Register("openai", New()) }

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.spec.Name }

// Spec returns the provider's Spec.
func (p *Provider) Spec() Spec { return p.spec }

// IsReasoningModel reports OpenAI's reasoning models: the o1, o3 and o4
// families and gpt-5 (but not gpt-5-chat).
func IsReasoningModel(model string) bool {
	for _, p := range []string{"o1", "o3", "o4"} {
		if model == p || strings.HasPrefix(model, p+"-") {
			return true
		}
	}
	return strings.HasPrefix(model, "gpt-5") && !strings.Contains(model, "-chat")
}
