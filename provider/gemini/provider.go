package gemini

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// DefaultBaseURL is the Gemini API's endpoint.
const DefaultBaseURL = "https://generativelanguage.googleapis.com"

// DefaultAPIVersion is the Gemini API version in request paths.
const DefaultAPIVersion = "v1beta"

// Target is where one call goes: the full URL and the request headers,
// authentication included.
type Target struct {
	URL    string
	Header http.Header
}

// Endpoint resolves the Target of a call of model, streamed or not. It is
// what differs between the Gemini API and Vertex AI, which share the
// translator: see NewWithEndpoint.
type Endpoint func(ctx context.Context, cfg *llm.Config, model string, stream bool) (Target, error)

// Provider is the Gemini translator bound to an Endpoint.
type Provider struct {
	name     string
	endpoint Endpoint
	// embeds is set for the Gemini API's own endpoint, the one that serves
	// batchEmbedContents (embed.go).
	embeds bool
}

// New returns the Gemini API (Google AI Studio) provider.
func New() *Provider { return &Provider{name: "gemini", endpoint: studio, embeds: true} }

// NewWithEndpoint returns the Gemini translator under name, sending its
// calls where ep says. Vertex AI's provider is built on it.
func NewWithEndpoint(name string, ep Endpoint) *Provider {
	return &Provider{name: name, endpoint: ep}
}

func init() { llm.Register("gemini", New()) }

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.name }

// Method returns the generateContent method of a call: ":generateContent",
// or ":streamGenerateContent?alt=sse" for a stream.
func Method(stream bool) string {
	if stream {
		return ":streamGenerateContent?alt=sse"
	}
	return ":generateContent"
}

// studio is the Gemini API's Endpoint: key in x-goog-api-key, base URL from
// the options or GEMINI_API_BASE.
func studio(_ context.Context, cfg *llm.Config, model string, stream bool) (Target, error) {
	return studioTarget(cfg, model, Method(stream))
}

// studioTarget is the Gemini API's Target of method (":generateContent",
// ":batchEmbedContents") on model.
func studioTarget(cfg *llm.Config, model, method string) (Target, error) {
	key := cfg.Key("GEMINI_API_KEY", "GOOGLE_API_KEY")
	if key == "" {
		return Target{}, &llm.Error{Kind: llm.KindAuthentication, Message: "no API key: set GEMINI_API_KEY or GOOGLE_API_KEY, or pass llm.WithAPIKey"}
	}
	h := cfg.NewHeader()
	h.Set("x-goog-api-key", key)
	version := cfg.APIVersion
	if version == "" {
		version = DefaultAPIVersion
	}
	// "models/x" and "tunedModels/x" are resource names; a bare name is a model.
	resource := "models/" + url.PathEscape(model)
	if strings.HasPrefix(model, "models/") || strings.HasPrefix(model, "tunedModels/") {
		coll, id, _ := strings.Cut(model, "/")
		resource = coll + "/" + url.PathEscape(id)
	}
	base := cfg.BaseURLOr(DefaultBaseURL, "GEMINI_API_BASE")
	return Target{URL: base + "/" + version + "/" + resource + method, Header: h}, nil
}

// send encodes req and posts it; it returns the open response.
func (p *Provider) send(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config, stream bool) (*http.Response, error) {
	body, err := EncodeRequest(req, cfg)
	if err != nil {
		return nil, err
	}
	t, err := p.endpoint(ctx, cfg, req.Model, stream)
	if err != nil {
		return nil, err
	}
	if stream {
		t.Header.Set("Accept", "text/event-stream")
	}
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: t.URL, Header: t.Header, Body: body})
	if err != nil {
		return nil, ClassifyError(err)
	}
	return resp, nil
}

// Completion implements llm.Completer.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	resp, err := p.send(ctx, req, cfg, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := DecodeResponse(raw, req.Model)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}
