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
		meta := &llm.Meta{Header: resp.Header}
		var amend func([]byte, *llm.Chunk)
		if p.spec.AmendStream != nil {
			amend = p.spec.AmendStream()
		}
		cited := false // a delta has cited a web page
		streamChunks(p, resp, cfg, yield, streamShape[llm.Chunk]{
			decode: func(ev sse.Event) (*llm.Chunk, error) {
				out, err := p.decodeEvent(ev.Type, ev.Data, resp.Header)
				if err != nil {
					return nil, err
				}
				out.Meta = meta
				if amend != nil {
					amend(ev.Data, out)
				}
				cited = cited || chunkCitesWeb(out)
				return out, nil
			},
			fields: func(c *llm.Chunk) (**llm.Usage, int, bool) {
				finished := false
				for i := range c.Choices {
					finished = finished || c.Choices[i].FinishReason != ""
				}
				return &c.Usage, len(c.Choices), finished
			},
			last: func(held *llm.Chunk) *llm.Chunk {
				last := &llm.Chunk{Object: "chat.completion.chunk", Choices: []llm.ChunkChoice{}, Meta: meta}
				if held != nil {
					last.ID, last.Created, last.Model, last.SystemFingerprint = held.ID, held.Created, held.Model, held.SystemFingerprint
				}
				return last
			},
			final: func(u *llm.Usage) { p.countWebSearch(req, u, cited) },
		})
	}
}

// streamShape is what streamChunks needs to know of a stream's chunks, C
// being llm.Chunk or llm.TextChunk.
type streamShape[C any] struct {
	// decode decodes an event's chunk, or returns the error it carries.
	decode func(ev sse.Event) (*C, error)
	// fields returns the chunk's usage field, how many choices it has and
	// whether one of them has a finish reason.
	fields func(c *C) (usage **llm.Usage, choices int, finished bool)
	// last returns a new chunk without choices for the usage, with the ids
	// of held (if not nil).
	last func(held *C) *C
	// final, if not nil, amends the usage before it goes out.
	final func(u *llm.Usage)
}

// streamChunks yields the chunks of a streamed answer, decoded from resp's
// events with s, until data: [DONE] (or, for Specs with NoDone, the end of
// the body after a finish reason); a body that ends before is cut off,
// KindBadResponse. Usage is normalised onto the last chunk, as
// CompletionStream describes.
func streamChunks[C any](p *Provider, resp *http.Response, cfg *llm.Config, yield func(*C, error) bool, s streamShape[C]) {
	body, err := p.streamBody(resp, cfg)
	if err != nil {
		yield(nil, err)
		return
	}
	dec := sse.NewDecoder(body)
	dec.SetMaxEventSize(cfg.MaxEventBytes)
	finished := false // a finish reason has arrived (for Specs with NoDone)
	var held *C       // the usage-only chunk, or the last chunk seen, to carry the usage
	var usage *llm.Usage
	flush := func() {
		if usage == nil {
			return
		}
		if s.final != nil {
			s.final(usage)
		}
		if held == nil {
			held = s.last(nil)
		} else if _, n, _ := s.fields(held); n > 0 {
			held = s.last(held)
		}
		u, _, _ := s.fields(held)
		*u = usage
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
		out, err := s.decode(ev)
		if err != nil {
			yield(nil, err)
			return
		}
		u, choices, fin := s.fields(out)
		finished = finished || fin
		if *u != nil {
			usage = *u
			if choices == 0 {
				held = out // OpenAI's usage-only chunk: sent at the end
				continue
			}
			*u = nil
		}
		if usage != nil {
			held = out
		}
		if !yield(out, nil) {
			return
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
