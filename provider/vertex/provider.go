package vertex

import (
	"context"
	"iter"
	"net/url"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/llmux/llm/provider/gemini"
	"github.com/llmux/llm/provider/openai"
)

// DefaultLocation is the location used when neither WithLocation nor
// VERTEXAI_LOCATION is set.
const DefaultLocation = "us-central1"

// DefaultAPIVersion is the Vertex AI API version in request paths;
// llm.WithAPIVersion replaces it (such as "v1beta1").
const DefaultAPIVersion = "v1"

// Provider is the Vertex AI provider: Gemini models through the shared
// Gemini translator, Claude models (names starting with "claude-") through
// the Anthropic translator.
type Provider struct {
	creds  *credentials
	gemini *gemini.Provider
	// The partner models' providers (partner.go).
	openModels, mistral, mistralStream *openai.Provider
}

// New returns a Vertex AI provider. Providers made by New do not share
// their token cache.
func New() *Provider {
	p := &Provider{creds: &credentials{}}
	p.gemini = gemini.NewWithEndpoint("vertex_ai", p.geminiEndpoint)
	p.newPartners()
	return p
}

func init() { llm.Register("vertex_ai", New()) }

// Name implements llm.Provider.
func (p *Provider) Name() string { return "vertex_ai" }

// IsClaude reports the models served through Anthropic's translator.
func IsClaude(model string) bool { return strings.HasPrefix(model, "claude-") }

// Completion implements llm.Completer.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	if IsClaude(req.Model) {
		return p.claudeCompletion(ctx, req, cfg)
	}
	if pp := p.partner(req.Model, false); pp != nil {
		return pp.Completion(ctx, req, cfg)
	}
	return p.gemini.Completion(ctx, req, cfg)
}

// CompletionStream implements llm.Streamer.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	if IsClaude(req.Model) {
		return p.claudeStream(ctx, req, cfg)
	}
	if pp := p.partner(req.Model, true); pp != nil {
		return pp.CompletionStream(ctx, req, cfg)
	}
	return p.gemini.CompletionStream(ctx, req, cfg)
}

// geminiEndpoint is the gemini.Endpoint of Vertex AI's Google models.
func (p *Provider) geminiEndpoint(_ context.Context, cfg *llm.Config, model string, stream bool) (gemini.Target, error) {
	return p.target(cfg, "google", model, gemini.Method(stream))
}

// target builds the URL of publishers/{publisher}/models/{model}{method}
// and the authenticated headers of a call:
//
//	https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/...
//
// with host aiplatform.googleapis.com for the global location.
func (p *Provider) target(cfg *llm.Config, publisher, model, method string) (gemini.Target, error) {
	token, _, err := p.creds.token(cfg)
	if err != nil {
		return gemini.Target{}, err
	}
	base, err := p.base(cfg)
	if err != nil {
		return gemini.Target{}, err
	}
	h := cfg.NewHeader()
	h.Set("Authorization", "Bearer "+token)
	return gemini.Target{URL: base + "/publishers/" + publisher + "/models/" + url.PathEscape(model) + method, Header: h}, nil
}

// base returns the URL of the call's project and location:
// {host}/{version}/projects/{project}/locations/{location}. The project may
// come from the credentials, whose token is cached.
func (p *Provider) base(cfg *llm.Config) (string, error) {
	project, _ := cfg.Value(projectKey{}).(string)
	if project == "" {
		project = providerkit.Env("VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		_, credsProject, err := p.creds.token(cfg)
		if err != nil {
			return "", err
		}
		project = credsProject
	}
	if project == "" {
		return "", &llm.Error{Kind: llm.KindInvalidRequest, Message: "no Vertex AI project: set VERTEXAI_PROJECT or pass vertex.WithProject"}
	}
	location, _ := cfg.Value(locationKey{}).(string)
	if location == "" {
		location = providerkit.Env("VERTEXAI_LOCATION", "VERTEX_LOCATION")
	}
	if location == "" {
		location = DefaultLocation
	}
	host := "https://" + location + "-aiplatform.googleapis.com"
	if location == "global" {
		host = "https://aiplatform.googleapis.com"
	}
	version := cfg.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	return cfg.BaseURLOr(host, "VERTEXAI_API_BASE") + "/" + version +
		"/projects/" + url.PathEscape(project) + "/locations/" + url.PathEscape(location), nil
}
