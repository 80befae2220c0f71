package openai

import (
	"context"
	"encoding/json"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// TextCompletion implements llm.TextCompleter with the legacy
// /completions endpoint.
func (p *Provider) TextCompletion(ctx context.Context, req *llm.TextCompletionRequest, cfg *llm.Config) (*llm.TextCompletionResponse, error) {
	if p.spec.NoTextCompletion {
		return nil, &llm.Error{Kind: llm.KindUnsupported, Message: "provider " + p.spec.Name + " does not support text completions; use chat completions"}
	}
	r := *req
	r.Stream = false
	r.StreamOptions = nil
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, cfg, req.Model, "/completions", body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	var out struct {
		llm.TextCompletionResponse
		Error json.RawMessage `json:"error,omitempty"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, badResponse(err, raw)
	}
	if len(out.Error) > 0 && string(out.Error) != "null" {
		return nil, p.errorFromBody(0, resp.Header, raw)
	}
	t := &out.TextCompletionResponse
	t.Meta.Header = resp.Header
	if cfg.RawResponse {
		t.Meta.Raw = raw
	}
	return t, nil
}
