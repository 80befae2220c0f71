package anthropic

import (
	"context"
	"io"
	"iter"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/sse"
	"github.com/tidwall/gjson"
)

// send encodes req, posts it to /v1/messages and returns the open response.
func send(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config, stream bool) (*http.Response, error) {
	body, err := EncodeRequest(req, cfg, EncodeOptions{Stream: stream})
	if err != nil {
		return nil, err
	}
	key := cfg.Key("ANTHROPIC_API_KEY")
	if key == "" {
		return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "no API key: set ANTHROPIC_API_KEY or pass llm.WithAPIKey"}
	}
	h := cfg.NewHeader()
	h.Set("X-Api-Key", key)
	v := cfg.APIVersion
	if v == "" {
		v = Version
	}
	h.Set("Anthropic-Version", v)
	if betas := Betas(req, cfg, EncodeOptions{}); len(betas) > 0 {
		h.Set("Anthropic-Beta", strings.Join(betas, ","))
	}
	if stream {
		h.Set("Accept", "text/event-stream")
	}
	u := cfg.BaseURLOr(DefaultBaseURL, "ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL") + "/v1/messages"
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: u, Header: h, Body: body})
	if err != nil {
		return nil, classify(err)
	}
	return resp, nil
}

// Completion implements llm.Completer.
func (*Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	resp, err := send(ctx, req, cfg, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := DecodeResponse(raw)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// CompletionStream implements llm.Streamer.
func (*Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		resp, err := send(ctx, req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		ReadStream(resp, cfg, yield)
	}
}

// ReadStream reads an Anthropic SSE stream (the Messages API's, or Vertex
// AI's streamRawPredict) from resp and yields its chunks, each with one Meta
// holding resp's headers, until message_stop, an error, or yield returning
// false. It then leaves the connection for reuse; closing resp.Body is the
// caller's. A stream that ends before message_stop is a KindBadResponse
// error, and so is an answer that is an HTML page or a JSON error envelope
// (its own Kind). cfg's MaxEventBytes caps one event, and MaxResponseBytes
// a JSON answer.
func ReadStream(resp *http.Response, cfg *llm.Config, yield func(*llm.Chunk, error) bool) {
	body, raw, err := httpx.StreamBody(resp, cfg.MaxResponseBytes)
	if err == nil && raw != nil && gjson.GetBytes(raw, "type").Str == "error" {
		err = ClassifyError(0, resp.Header, raw)
	}
	if err != nil {
		yield(nil, err)
		return
	}
	meta := &llm.Meta{Header: resp.Header}
	events := sse.NewDecoder(body)
	events.SetMaxEventSize(cfg.MaxEventBytes)
	var dec StreamDecoder
	for {
		ev, err := events.Next()
		if err == io.EOF {
			if !dec.Done() {
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the stream ended before message_stop", Err: io.ErrUnexpectedEOF})
			}
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		c, err := dec.Decode(string(ev.Type), ev.Data)
		if err != nil {
			yield(nil, err)
			return
		}
		if c == nil {
			continue
		}
		c.Meta = meta
		if !yield(c, nil) {
			return
		}
		if dec.Done() {
			httpx.Drain(resp.Body) // let net/http reuse the connection
			return
		}
	}
}
