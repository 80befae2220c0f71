package openai

import (
	"context"
	"encoding/json"
	"io"
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
		sbody, err := p.streamBody(resp, cfg)
		if err != nil {
			yield(nil, err)
			return
		}
		meta := &llm.Meta{Header: resp.Header}
		dec := sse.NewDecoder(sbody)
		dec.SetMaxEventSize(cfg.MaxEventBytes)
		var jd jsonx.Decoder
		finished := false
		var held *llm.TextChunk // the usage-only chunk, or the last chunk seen
		var usage *llm.Usage
		flush := func() {
			if usage == nil {
				return
			}
			if held == nil || len(held.Choices) > 0 {
				last := &llm.TextChunk{Object: "text_completion", Choices: []llm.TextChoice{}, Meta: meta}
				if held != nil {
					last.ID, last.Created, last.Model, last.SystemFingerprint = held.ID, held.Created, held.Model, held.SystemFingerprint
				}
				held = last
			}
			held.Usage = usage
			yield(held, nil)
		}
		for {
			ev, err := dec.Next()
			if err == io.EOF {
				if p.spec.NoDone && finished {
					flush()
					return
				}
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: p.cutOff(), Err: io.ErrUnexpectedEOF})
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if string(ev.Data) == "[DONE]" {
				flush()
				httpx.Drain(resp.Body)
				return
			}
			if string(ev.Type) == "error" || hasError(ev.Data) {
				yield(nil, p.errorFromBody(0, resp.Header, ev.Data))
				return
			}
			out := new(llm.TextChunk)
			if err := jd.Decode(ev.Data, out); err != nil {
				yield(nil, badResponse(err, ev.Data))
				return
			}
			out.Meta = meta
			for i := range out.Choices {
				finished = finished || out.Choices[i].FinishReason != ""
			}
			if out.Usage != nil {
				usage = out.Usage
				if len(out.Choices) == 0 {
					held = out
					continue
				}
				out.Usage = nil
			}
			if usage != nil {
				held = out
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}
