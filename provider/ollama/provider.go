package ollama

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
)

// DefaultBaseURL is where a local Ollama server listens.
const DefaultBaseURL = "http://localhost:11434"

// Provider is the Ollama translator. It is stateless.
type Provider struct{}

// New returns the Ollama provider.
func New() *Provider { return &Provider{} }

func init() {
	p := New()
	llm.Register("ollama", p)
	llm.Register("ollama_chat", p)
}

// Name implements llm.Provider.
func (*Provider) Name() string { return "ollama" }

// baseURL resolves the base URL: the option, OLLAMA_API_BASE, OLLAMA_HOST
// (normalized), or the default.
func baseURL(cfg *llm.Config) string {
	if cfg.BaseURL == "" && providerkit.Env("OLLAMA_API_BASE") == "" {
		if h := providerkit.Env("OLLAMA_HOST"); h != "" {
			return hostURL(h)
		}
	}
	return cfg.BaseURLOr(DefaultBaseURL, "OLLAMA_API_BASE")
}

// hostURL turns an OLLAMA_HOST value ("0.0.0.0", "host:port", "https://h")
// into a base URL: http by default, port 11434 by default, and the wildcard
// listen addresses replaced by the local machine.
func hostURL(h string) string {
	scheme := "http"
	if s, rest, ok := strings.Cut(h, "://"); ok {
		scheme, h = s, rest
	}
	h, path, _ := strings.Cut(h, "/")
	userinfo := ""
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		userinfo, h = h[:i+1], h[i+1:]
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		host, port = strings.Trim(h, "[]"), ""
	}
	if port == "" {
		switch {
		case scheme == "https":
			port = "443"
		default:
			port = "11434"
		}
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	u := scheme + "://" + userinfo + net.JoinHostPort(host, port)
	if path = strings.TrimRight(path, "/"); path != "" {
		u += "/" + path
	}
	return u
}

// send posts body to /api/chat and returns the open response.
func send(ctx context.Context, cfg *llm.Config, model string, body []byte, stream bool) (*http.Response, error) {
	h := cfg.NewHeader()
	if key := cfg.Key("OLLAMA_API_KEY"); key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	if stream {
		h.Set("Accept", "application/x-ndjson")
	} else {
		h.Set("Accept", "application/json")
	}
	base := baseURL(cfg)
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: base + "/api/chat", Header: h, Body: body})
	if err != nil {
		return nil, classify(err, base, model)
	}
	return resp, nil
}

// notRunning is the error of a refused connection: almost always a server
// that is not started.
func notRunning(base string, err error) *llm.Error {
	shown := base
	if u, perr := url.Parse(base); perr == nil {
		shown = u.Redacted()
	}
	return &llm.Error{Kind: llm.KindConnection, Err: err,
		Message: "Ollama does not appear to be running at " + shown +
			" (connection refused): start it with `ollama serve`, or point OLLAMA_API_BASE or llm.WithBaseURL at your server"}
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
