package openai

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/llmux/llm/internal/providerkit"
)

// header builds the request headers: the configured extra headers, auth, and
// OpenAI's organization and project.
func (p *Provider) header(ctx context.Context, cfg *llm.Config) (http.Header, error) {
	h := cfg.NewHeader()
	if p.spec.Auth != nil {
		if err := p.spec.Auth(ctx, cfg, h); err != nil {
			return nil, err
		}
		return h, nil
	}
	key := cfg.Key(p.spec.KeyEnv...)
	if key == "" && !p.spec.KeyOptional {
		return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "no API key: set " + envList(p.spec.KeyEnv) + " or pass llm.WithAPIKey"}
	}
	if key != "" {
		if p.spec.AuthHeader == "" {
			h.Set("Authorization", "Bearer "+key)
		} else {
			h.Set(p.spec.AuthHeader, key)
		}
	}
	org := stringValue(cfg, organizationKey{})
	if org == "" && p.spec.OrganizationEnv != "" {
		org = providerkit.Env(p.spec.OrganizationEnv)
	}
	if org != "" {
		h.Set("OpenAI-Organization", org)
	}
	proj := stringValue(cfg, projectKey{})
	if proj == "" && p.spec.ProjectEnv != "" {
		proj = providerkit.Env(p.spec.ProjectEnv)
	}
	if proj != "" {
		h.Set("OpenAI-Project", proj)
	}
	return h, nil
}

func envList(vars []string) string {
	if len(vars) == 0 {
		return "an API key"
	}
	return strings.Join(vars, " or ")
}

func (p *Provider) url(cfg *llm.Config, model, path string) (string, error) {
	if p.spec.URL != nil {
		return p.spec.URL(cfg, model, path)
	}
	base := cfg.BaseURLOr(p.spec.BaseURL, p.spec.BaseURLEnv...)
	if base == "" {
		return "", &llm.Error{Kind: llm.KindInvalidRequest, Message: "no base URL for provider " + p.spec.Name + ": set " + envList(p.spec.BaseURLEnv) + " or pass llm.WithBaseURL"}
	}
	return base + path, nil
}

// body encodes the request as OpenAI's wire body: the request itself, with
// the fields OpenAI does not know stripped and reasoning-model rules applied.
func (p *Provider) body(req *llm.CompletionRequest, cfg *llm.Config, stream bool) ([]byte, error) {
	r := *req
	if p.spec.Prepare != nil {
		if err := p.spec.Prepare(&r, cfg); err != nil {
			return nil, err
		}
	}
	r.Stream = stream
	if stream && !p.spec.NoStreamOptions {
		so := llm.StreamOptions{IncludeUsage: true}
		r.StreamOptions = &so
	} else {
		r.StreamOptions = nil
	}
	r.Messages = wireMessages(r.Messages)
	if hasToolCacheControl(r.Tools) {
		tools := make([]llm.Tool, len(r.Tools))
		for i, t := range r.Tools {
			t.CacheControl = nil
			tools[i] = t
		}
		r.Tools = tools
	}
	if p.spec.IsReasoningModel != nil && p.spec.IsReasoningModel(r.Model) {
		if err := reasoningParams(&r, cfg.DropUnsupportedParams); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal((*wireRequest)(&r))
	if err == nil && len(r.Extra) > 0 {
		b, err = jsonx.MergeObject(b, r.Extra)
	}
	if err != nil || (len(p.spec.Unsupported) == 0 && len(p.spec.Rename) == 0) {
		return b, err
	}
	return p.editBody(b, r.Model, cfg.DropUnsupportedParams)
}

// wireRequest is llm.CompletionRequest without its MarshalJSON method, so
// that encoding/json encodes the fields directly (the method would encode
// twice and have encoding/json re-validate the bytes); Extra is merged
// after.
type wireRequest llm.CompletionRequest

// EncodeRequest returns the wire body of req as the OpenAI provider sends
// it (for benchmarks and for translators built on this one).
func EncodeRequest(req *llm.CompletionRequest, cfg *llm.Config, stream bool) ([]byte, error) {
	return New().body(req, cfg, stream)
}

// reasoningParams applies the rules of reasoning models to r.
func reasoningParams(r *llm.CompletionRequest, drop bool) error {
	if r.MaxTokens > 0 && r.MaxCompletionTokens == 0 {
		r.MaxCompletionTokens, r.MaxTokens = r.MaxTokens, 0
	}
	type param struct {
		name  string
		set   bool
		clear func()
	}
	params := []param{
		{"temperature", r.Temperature != nil && *r.Temperature != 1, func() { r.Temperature = nil }},
		{"top_p", r.TopP != nil && *r.TopP != 1, func() { r.TopP = nil }},
		{"presence_penalty", r.PresencePenalty != nil && *r.PresencePenalty != 0, func() { r.PresencePenalty = nil }},
		{"frequency_penalty", r.FrequencyPenalty != nil && *r.FrequencyPenalty != 0, func() { r.FrequencyPenalty = nil }},
		{"logprobs", r.Logprobs, func() { r.Logprobs = false }},
		{"top_logprobs", r.TopLogprobs != nil, func() { r.TopLogprobs = nil }},
		{"logit_bias", len(r.LogitBias) > 0, func() { r.LogitBias = nil }},
	}
	for _, pr := range params {
		if !pr.set {
			continue
		}
		if !drop {
			return llm.UnsupportedParam(pr.name, "reasoning model "+r.Model)
		}
		pr.clear()
	}
	return nil
}

// wireMessages returns msgs without the fields that are ours rather than
// OpenAI's request (reasoning_content, annotations, thinking_blocks, cache_control,
// provider_specific_fields, part formats); it copies only when one is set.
func wireMessages(msgs []llm.Message) []llm.Message {
	dirty := false
	for i := range msgs {
		if messageHasExtras(&msgs[i]) {
			dirty = true
			break
		}
	}
	if !dirty {
		return msgs
	}
	out := make([]llm.Message, len(msgs))
	for i, m := range msgs {
		m.ReasoningContent = ""
		m.Annotations = nil
		m.ThinkingBlocks = nil
		m.CacheControl = nil
		m.ProviderSpecificFields = nil
		if m.ToolCalls != nil {
			calls := make([]llm.ToolCall, len(m.ToolCalls))
			for j, tc := range m.ToolCalls {
				tc.ProviderSpecificFields = nil
				calls[j] = tc
			}
			m.ToolCalls = calls
		}
		if m.Content.Parts != nil {
			parts := make([]llm.Part, len(m.Content.Parts))
			for j, pt := range m.Content.Parts {
				pt.CacheControl = nil
				if pt.ImageURL != nil && pt.ImageURL.Format != "" {
					u := *pt.ImageURL
					u.Format = ""
					pt.ImageURL = &u
				}
				if pt.File != nil && pt.File.Format != "" {
					f := *pt.File
					f.Format = ""
					pt.File = &f
				}
				parts[j] = pt
			}
			m.Content = llm.Parts(parts...)
		}
		out[i] = m
	}
	return out
}

func messageHasExtras(m *llm.Message) bool {
	if m.ReasoningContent != "" || m.Annotations != nil || m.ThinkingBlocks != nil || m.CacheControl != nil || m.ProviderSpecificFields != nil {
		return true
	}
	for _, tc := range m.ToolCalls {
		if tc.ProviderSpecificFields != nil {
			return true
		}
	}
	for _, pt := range m.Content.Parts {
		if pt.CacheControl != nil || (pt.ImageURL != nil && pt.ImageURL.Format != "") || (pt.File != nil && pt.File.Format != "") {
			return true
		}
	}
	return false
}

func hasToolCacheControl(tools []llm.Tool) bool {
	for _, t := range tools {
		if t.CacheControl != nil {
			return true
		}
	}
	return false
}

// chatResponse is the wire response: OpenAI's body, plus the error field
// some compatible servers put in a 200 answer.
type chatResponse struct {
	llm.CompletionResponse
	Error json.RawMessage `json:"error,omitempty"`
}

// send posts body to path and returns the open response.
func (p *Provider) send(ctx context.Context, cfg *llm.Config, model, path string, body []byte, stream bool) (*http.Response, error) {
	h, err := p.header(ctx, cfg)
	if err != nil {
		return nil, err
	}
	u, err := p.url(cfg, model, path)
	if err != nil {
		return nil, err
	}
	if stream {
		h.Set("Accept", "text/event-stream")
	}
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: u, Header: h, Body: body})
	if err != nil {
		return nil, p.classify(err)
	}
	return resp, nil
}

// Completion implements llm.Completer.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	body, err := p.body(req, cfg, false)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, cfg, req.Model, "/chat/completions", body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	r, err := p.decodeResponse(raw, resp.Header)
	if err != nil {
		return nil, err
	}
	p.countWebSearch(req, r.Usage, responseCitesWeb(r))
	r.Meta.Header = resp.Header
	if cfg.RawResponse {
		r.Meta.Raw = raw
	}
	return r, nil
}

// decodeResponse decodes a non-streamed answer, with the Spec's decoder and
// reasoning field. An answer carrying an error is returned as that error.
func (p *Provider) decodeResponse(raw []byte, header http.Header) (*llm.CompletionResponse, error) {
	if p.spec.DecodeResponse != nil {
		if hasError(raw) {
			return nil, p.errorFromBody(0, header, raw)
		}
		r, err := p.spec.DecodeResponse(raw)
		if err != nil {
			return nil, badResponse(err, raw)
		}
		if len(r.Choices) == 0 {
			return nil, noChoices(raw)
		}
		if p.spec.Amend != nil {
			p.spec.Amend(raw, r)
		}
		return r, nil
	}
	out, err := decodeChatResponse(raw)
	if err != nil {
		return nil, badResponse(err, raw)
	}
	if len(out.Error) > 0 && string(out.Error) != "null" {
		return nil, p.errorFromBody(0, header, raw)
	}
	r := &out.CompletionResponse
	if len(r.Choices) == 0 {
		return nil, noChoices(raw)
	}
	if p.spec.ReasoningField != "" {
		p.moveReasoning(raw, r.Choices, nil)
	}
	if p.spec.Amend != nil {
		p.spec.Amend(raw, r)
	}
	return r, nil
}

func badResponse(err error, raw []byte) *llm.Error {
	return &llm.Error{Kind: llm.KindBadResponse, Message: "cannot decode the response: " + err.Error() + ": " + snippet(raw), Err: err}
}

// noChoices is the error of an answer without choices ({}, null, or
// "choices": []), which the protocol does not allow.
func noChoices(raw []byte) *llm.Error {
	return &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has no choices: " + snippet(raw)}
}

func snippet(raw []byte) string {
	s := string(raw)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
