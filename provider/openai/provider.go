// Package openai is the translator for OpenAI's API (model strings
// "openai/<model>") and the shared engine of every OpenAI-compatible API: a
// Spec describes a vendor's endpoint, credentials and quirks, and the same
// code serves them all.
//
// Keys come from llm.WithAPIKey or OPENAI_API_KEY; the base URL from
// llm.WithBaseURL, OPENAI_BASE_URL or OPENAI_API_BASE (default
// https://api.openai.com/v1); organization and project from the options or
// OPENAI_ORGANIZATION / OPENAI_PROJECT.
//
// Reasoning models (o1, o3, o4 and gpt-5 families) take
// max_completion_tokens, which max_tokens is renamed to, and reject sampling
// parameters (temperature and top_p other than 1, penalties, logprobs,
// logit_bias). A request that sets one fails with llm.KindUnsupported naming
// it, before any network call, unless llm.WithDropUnsupportedParams is given,
// in which case the parameter is dropped.
package openai

import (
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
}

// Provider is an OpenAI-compatible translator.
type Provider struct {
	spec Spec
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
}

// New returns the OpenAI provider.
func New() *Provider { return &Provider{spec: OpenAI} }

// NewCompatible returns a provider for an OpenAI-compatible API.
func NewCompatible(spec Spec) *Provider { return &Provider{spec: spec} }

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
