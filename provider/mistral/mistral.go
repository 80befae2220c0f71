package mistral

import (
	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
)

// Spec is the Spec of Mistral's API for the shared OpenAI-compatible engine.
var Spec = openai.Spec{
	Name:       "mistral",
	BaseURL:    "https://api.mistral.ai/v1",
	KeyEnv:     []string{"MISTRAL_API_KEY"},
	BaseURLEnv: []string{"MISTRAL_API_BASE"},
	// Mistral's request object admits no fields but its own
	// (additionalProperties: false): OpenAI's that it lacks are refused.
	Unsupported: []string{"logit_bias", "logprobs", "top_logprobs", "user", "store", "modalities", "audio", "web_search_options"},
	Rename:      map[string]string{"seed": "random_seed", "max_completion_tokens": "max_tokens"},
	// Mistral sends usage with the finish reason, unasked, and has no
	// stream_options.
	NoStreamOptions: true,
	// Mistral has no /completions (its fill-in-the-middle API is another).
	NoTextCompletion: true,
	Prepare:          prepare,
	DecodeResponse:   decodeResponse,
	DecodeChunk:      decodeChunk,
}

// New returns the Mistral provider.
func New() *openai.Provider { return openai.NewCompatible(Spec) }

func init() { llm.Register("mistral", New()) }
