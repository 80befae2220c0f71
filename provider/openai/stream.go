package openai

import (
	"context"
	"encoding/json"
	"io"
	"iter"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/sse"
)

// chunk is a wire chunk: OpenAI's chunk, plus the error field of an error
// event inside a 200 stream.
type chunk struct {
	llm.Chunk
	Error json.RawMessage `json:"error,omitempty"`
}

// CompletionStream implements llm.Streamer.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		body, err := p.body(req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := p.send(ctx, cfg, "/chat/completions", body, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		meta := &llm.Meta{Header: resp.Header}
		dec := sse.NewDecoder(resp.Body)
		for {
			ev, err := dec.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if string(ev.Data) == "[DONE]" {
				return
			}
			c, err := decodeChunk(ev.Data)
			if err != nil {
				yield(nil, badResponse(err, ev.Data))
				return
			}
			if (len(c.Error) > 0 && string(c.Error) != "null") || string(ev.Type) == "error" {
				yield(nil, errorFromBody(0, resp.Header, ev.Data))
				return
			}
			out := &c.Chunk
			out.Meta = meta
			if !yield(out, nil) {
				return
			}
		}
	}
}
