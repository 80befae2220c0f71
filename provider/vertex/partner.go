package vertex

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/mistral"
	"github.com/llmux/llm/provider/openai"
)

// IsMistral reports the models served as Mistral's API (Mistral's body, to
// publishers/mistralai): "mistralai/<model>", and Mistral's model families
// named bare ("mistral-large-2411", "codestral-2501").
func IsMistral(model string) bool {
	return strings.HasPrefix(model, "mistralai/") || strings.HasPrefix(model, "mistral-") || strings.HasPrefix(model, "codestral-")
}

// IsOpenModel reports the models served through Vertex AI's Chat
// Completions endpoint: publisher-qualified names ("meta/llama-3.1-405b-instruct-maas",
// "deepseek-ai/...", "qwen/...", "openai/gpt-oss-...") other than Mistral's.
func IsOpenModel(model string) bool {
	return strings.Contains(model, "/") && !IsMistral(model)
}

// newPartners builds the OpenAI-engine providers of the partner models:
// open models on the Chat Completions endpoint, and Mistral's models on
// rawPredict and streamRawPredict (one provider each, as the method is in
// the URL).
func (p *Provider) newPartners() {
	auth := func(_ context.Context, cfg *llm.Config, h http.Header) error {
		token, _, err := p.creds.token(cfg)
		if err != nil {
			return err
		}
		h.Set("Authorization", "Bearer "+token)
		return nil
	}
	p.openModels = openai.NewCompatible(openai.Spec{
		Name: "vertex_ai",
		URL: func(cfg *llm.Config, _, path string) (string, error) {
			base, err := p.base(cfg)
			return base + "/endpoints/openapi" + path, err
		},
		Auth:             auth,
		NoTextCompletion: true,
	})
	mistralSpec := func(method string) openai.Spec {
		s := mistral.Spec
		s.Name, s.BaseURL, s.BaseURLEnv, s.KeyEnv = "vertex_ai", "", nil, nil
		s.Auth = auth
		s.URL = func(cfg *llm.Config, model, _ string) (string, error) {
			base, err := p.base(cfg)
			return base + "/publishers/mistralai/models/" + url.PathEscape(strings.TrimPrefix(model, "mistralai/")) + method, err
		}
		prepare := s.Prepare
		s.Prepare = func(r *llm.CompletionRequest, cfg *llm.Config) error {
			r.Model = strings.TrimPrefix(r.Model, "mistralai/")
			if prepare != nil {
				return prepare(r, cfg)
			}
			return nil
		}
		return s
	}
	p.mistral = openai.NewCompatible(mistralSpec(":rawPredict"))
	p.mistralStream = openai.NewCompatible(mistralSpec(":streamRawPredict"))
}

// partner returns the provider of a partner model (stream selects the
// streaming one), or nil for Gemini and Claude models.
func (p *Provider) partner(model string, stream bool) *openai.Provider {
	switch {
	case IsMistral(model) && stream:
		return p.mistralStream
	case IsMistral(model):
		return p.mistral
	case IsOpenModel(model):
		return p.openModels
	}
	return nil
}
