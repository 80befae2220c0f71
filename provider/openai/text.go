package openai

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/llmux/llm/internal/sse"
)

// TextCompletion implements llm.TextCompleter with the legacy
// /completions endpoint.
func (p *Provider) TextCompletion(ctx context.Context, req *llm.TextCompletionRequest, cfg *llm.Config) (*llm.TextCompletionResponse, error) {
	if p.spec.NoTextCompletion {
		return nil, p.noTextCompletion()
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

func (p *Provider) noTextCompletion() *llm.Error {
	return &llm.Error{Kind: llm.KindUnsupported, Message: "provider " + p.spec.Name + " does not support text completions; use chat completions"}
}

// TextCompletionStream implements llm.TextStreamer with the legacy
// /completions endpoint and "stream": true. As in CompletionStream, the
// usage goes out on a last chunk without choices, whichever chunk the
// server sent it on, and a stream that ends before data: [DONE] (or, for
// Specs with NoDone, before a finish reason) is cut off, KindBadResponse.
func (p *Provider) TextCompletionStream(ctx context.Context, req *llm.TextCompletionRequest, cfg *llm.Config) iter.Seq2[*llm.TextChunk, error] {
	return func(yield func(*llm.TextChunk, error) bool) {
		if p.spec.NoTextCompletion {
			yield(nil, p.noTextCompletion())
			return
		}
		r := *req
		r.Stream = true
		r.StreamOptions = nil
		if !p.spec.NoStreamOptions {
			r.StreamOptions = &llm.StreamOptions{IncludeUsage: true}
		}
		body, err := json.Marshal(r)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := p.send(ctx, cfg, req.Model, "/completions", body, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		meta := &llm.Meta{Header: resp.Header}
		var jd jsonx.Decoder
		streamChunks(p, resp, cfg, yield, streamShape[llm.TextChunk]{
			decode: func(ev sse.Event) (*llm.TextChunk, error) {
				if string(ev.Type) == "error" || hasError(ev.Data) {
					return nil, p.errorFromBody(0, resp.Header, ev.Data)
				}
				out := new(llm.TextChunk)
				if err := jd.Decode(ev.Data, out); err != nil {
					return nil, badResponse(err, ev.Data)
				}
				out.Meta = meta
				return out, nil
			},
			fields: func(c *llm.TextChunk) (**llm.Usage, int, bool) {
				finished := false
				for i := range c.Choices {
					finished = finished || c.Choices[i].FinishReason != ""
				}
				return &c.Usage, len(c.Choices), finished
			},
			last: func(held *llm.TextChunk) *llm.TextChunk {
				last := &llm.TextChunk{Object: "text_completion", Choices: []llm.TextChoice{}, Meta: meta}
				if held != nil {
					last.ID, last.Created, last.Model, last.SystemFingerprint = held.ID, held.Created, held.Model, held.SystemFingerprint
				}
				return last
			},
		})
	}
}
