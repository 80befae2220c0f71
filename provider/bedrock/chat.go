package bedrock

import (
	"context"
	"errors"
	"io"
	"iter"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
	"github.com/llmux/llm/internal/httpx"
)

// EventStreamContentType is the Content-Type of Bedrock's streamed answers.
const EventStreamContentType = "application/vnd.amazon.eventstream"

// Completion implements llm.Completer: Converse, or InvokeModel for
// "invoke/<id>" model strings.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	rt, id := parseModel(req.Model)
	if id == "" {
		return nil, invalid("model id is empty")
	}
	if rt == routeInvoke {
		return p.invoke(ctx, req, cfg, id)
	}
	req, err := fetchMedia(ctx, cfg.HTTPClient, req)
	if err != nil {
		return nil, err
	}
	body, err := encodeConverse(req, id, cfg.DropUnsupportedParams, guardrailOf(cfg))
	if err != nil {
		return nil, err
	}
	h := cfg.NewHeader()
	h.Set("Accept", "application/json")
	resp, err := p.post(ctx, cfg, id, "/converse", body, h)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := decodeConverse(raw, id, resp.Header)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// CompletionStream implements llm.Streamer: ConverseStream, or
// InvokeModelWithResponseStream for "invoke/<id>" model strings.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		rt, id := parseModel(req.Model)
		if id == "" {
			yield(nil, invalid("model id is empty"))
			return
		}
		if rt == routeInvoke {
			p.invokeStream(ctx, req, cfg, id, yield)
			return
		}
		req, err := fetchMedia(ctx, cfg.HTTPClient, req)
		if err != nil {
			yield(nil, err)
			return
		}
		g := guardrailOf(cfg)
		body, err := encodeConverse(req, id, cfg.DropUnsupportedParams, g)
		if err != nil {
			yield(nil, err)
			return
		}
		h := cfg.NewHeader()
		h.Set("Accept", EventStreamContentType)
		resp, err := p.post(ctx, cfg, id, "/converse-stream", body, h)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		meta := &llm.Meta{Header: resp.Header}
		frames := eventstream.NewDecoder(resp.Body)
		frames.SetMaxMessageSize(cfg.MaxEventBytes)
		dec := newConverseDecoder(requestID(resp.Header), id)
		_, extraGuardrail := req.Extra["guardrailConfig"]
		dec.guardrail = g != nil || extraGuardrail
		for {
			m, err := frames.Next()
			if err == io.EOF {
				// The stream ends with metadata (the usage), after messageStop.
				last := "messageStop"
				if dec.stopped {
					last = "its metadata event"
				}
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the Bedrock stream ended before " + last, Err: io.ErrUnexpectedEOF})
				return
			}
			if err != nil {
				yield(nil, streamError(err))
				return
			}
			c, done, err := dec.decode(m)
			if err != nil {
				yield(nil, err)
				return
			}
			if c != nil {
				c.Meta = meta
				if !yield(c, nil) {
					return
				}
			}
			if done {
				httpx.Drain(resp.Body) // let net/http reuse the connection
				return
			}
		}
	}
}

// streamError turns a framing error into a KindBadResponse error; read
// errors (a canceled context, a reset connection) pass through for the
// client to classify.
func streamError(err error) error {
	var fe *eventstream.FrameError
	if errors.As(err, &fe) {
		return &llm.Error{Kind: llm.KindBadResponse, Message: "corrupt Bedrock event stream: " + fe.Error(), Err: err}
	}
	return err
}
