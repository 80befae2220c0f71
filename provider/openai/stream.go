package openai

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/sse"
)

// chunk is a wire chunk: OpenAI's chunk, plus the error field of an error
// event inside a 200 stream.
type chunk struct {
	llm.Chunk
	Error json.RawMessage `json:"error,omitempty"`
}

// CompletionStream implements llm.Streamer.
//
// Usage is normalised onto the last chunk: OpenAI sends it on a final chunk
// without choices, but compatible APIs also send it with the finish reason
// or on every chunk. Usage found on a chunk that has choices is taken off it
// and held; when the stream ends, the held usage (the latest) goes out on a
// final chunk without choices, as OpenAI's would.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		body, err := p.body(req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := p.send(ctx, cfg, req.Model, "/chat/completions", body, true)
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
		var amend func([]byte, *llm.Chunk)
		if p.spec.AmendStream != nil {
			amend = p.spec.AmendStream()
		}
		finished := false   // a finish reason has arrived (for Specs with NoDone)
		var held *llm.Chunk // the usage-only chunk, or the last chunk seen, to carry the usage
		var usage *llm.Usage
		cited := false // a delta has cited a web page
		flush := func() {
			if usage == nil {
				return
			}
			p.countWebSearch(req, usage, cited)
			if held == nil || len(held.Choices) > 0 {
				last := &llm.Chunk{Object: "chat.completion.chunk", Choices: []llm.ChunkChoice{}, Meta: meta}
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
				// A clean end without [DONE]: the answer is cut off.
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: p.cutOff(), Err: io.ErrUnexpectedEOF})
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if string(ev.Data) == "[DONE]" {
				flush()
				httpx.Drain(resp.Body) // let net/http reuse the connection
				return
			}
			out, err := p.decodeEvent(ev.Type, ev.Data, resp.Header)
			if err != nil {
				yield(nil, err)
				return
			}
			out.Meta = meta
			if amend != nil {
				amend(ev.Data, out)
			}
			cited = cited || chunkCitesWeb(out)
			if p.spec.NoDone && !finished {
				for i := range out.Choices {
					finished = finished || out.Choices[i].FinishReason != ""
				}
			}
			if out.Usage != nil {
				usage = out.Usage
				if len(out.Choices) == 0 {
					held = out // OpenAI's usage-only chunk: sent at the end
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

// cutOff is the message of a stream that ended before its end.
func (p *Provider) cutOff() string {
	if p.spec.NoDone {
		return "the stream ended before a finish reason"
	}
	return "the stream ended before data: [DONE]"
}

// streamBody returns what to decode a 200 answer to a streamed request
// from (see httpx.StreamBody): an HTML page is an error, and so is a JSON
// answer carrying an error.
func (p *Provider) streamBody(resp *http.Response, cfg *llm.Config) (io.Reader, error) {
	body, raw, err := httpx.StreamBody(resp, cfg.MaxResponseBytes)
	if err == nil && raw != nil && hasError(raw) {
		err = p.errorFromBody(0, resp.Header, raw)
	}
	return body, err
}

// decodeEvent decodes the data of one stream event with the Spec's decoder
// (else the fast decodeChunk), reasoning field and usage path. An error
// event is returned as its error.
func (p *Provider) decodeEvent(typ, data []byte, header http.Header) (*llm.Chunk, error) {
	var out *llm.Chunk
	if p.spec.DecodeChunk != nil {
		if string(typ) == "error" || hasError(data) {
			return nil, p.errorFromBody(0, header, data)
		}
		c, err := p.spec.DecodeChunk(data)
		if err != nil {
			return nil, badResponse(err, data)
		}
		out = c
	} else {
		c, err := decodeChunk(data)
		if err != nil {
			return nil, badResponse(err, data)
		}
		if (len(c.Error) > 0 && string(c.Error) != "null") || string(typ) == "error" {
			return nil, p.errorFromBody(0, header, data)
		}
		out = &c.Chunk
		if p.spec.ReasoningField != "" {
			p.moveReasoning(data, nil, out.Choices)
		}
	}
	if out.Usage == nil && p.spec.UsagePath != "" {
		out.Usage = p.usageAt(data)
	}
	return out, nil
}
