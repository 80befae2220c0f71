package cohere

import (
	"context"
	"net/http"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// DefaultBaseURL is Cohere's API.
const DefaultBaseURL = "https://api.cohere.com"

// Provider is the Cohere translator. It is stateless.
type Provider struct{}

// New returns the Cohere provider.
func New() *Provider { return &Provider{} }

func init() { llm.Register("cohere", New()) }

// Name implements llm.Provider.
func (*Provider) Name() string { return "cohere" }

// send posts body to path (/v2/chat, /v2/embed) and returns the open
// response.
func send(ctx context.Context, cfg *llm.Config, path string, body []byte, stream bool) (*http.Response, error) {
	key := cfg.Key("COHERE_API_KEY", "CO_API_KEY")
	if key == "" {
		return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "no API key: set COHERE_API_KEY (or CO_API_KEY) or pass llm.WithAPIKey"}
	}
	h := cfg.NewHeader()
	h.Set("Authorization", "Bearer "+key)
	if stream {
		h.Set("Accept", "text/event-stream")
	} else {
		h.Set("Accept", "application/json")
	}
	u := cfg.BaseURLOr(DefaultBaseURL, "COHERE_API_BASE") + path
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: u, Header: h, Body: body})
	if err != nil {
		return nil, classify(err)
	}
	return resp, nil
}
