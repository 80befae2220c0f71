package vertex

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/gemini"
	"github.com/tidwall/gjson"
)

// AnthropicVersion is the anthropic_version Vertex AI's Claude models take
// in the body.
const AnthropicVersion = "vertex-2023-10-16"

// claudeOptions adapt the Anthropic body to Vertex AI: the version in the
// body, the model in the URL, and the forced-tool technique for
// response_format (Vertex does not document Anthropic's native
// structured outputs).
func claudeOptions(stream bool) anthropic.EncodeOptions {
	return anthropic.EncodeOptions{Version: AnthropicVersion, OmitModel: true, Stream: stream,
		NativeStructuredOutput: func(string) bool { return false }}
}

// sendClaude posts a Claude request to :rawPredict or :streamRawPredict.
func (p *Provider) sendClaude(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config, stream bool) (*http.Response, error) {
	opts := claudeOptions(stream)
	body, err := anthropic.EncodeRequest(req, cfg, opts)
	if err != nil {
		return nil, err
	}
	method := ":rawPredict"
	if stream {
		method = ":streamRawPredict"
	}
	t, err := p.target(cfg, "anthropic", req.Model, method)
	if err != nil {
		return nil, err
	}
	if betas := anthropic.Betas(req, cfg, opts); len(betas) > 0 {
		t.Header.Set("Anthropic-Beta", strings.Join(betas, ","))
	}
	if stream {
		t.Header.Set("Accept", "text/event-stream")
	}
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: t.URL, Header: t.Header, Body: body})
	if err != nil {
		return nil, classifyClaude(err)
	}
	return resp, nil
}

// classifyClaude classifies an error answer to a Claude call: Vertex AI's
// own errors (quota, permissions, unknown model) come in the google.rpc
// envelope, the model's in Anthropic's.
func classifyClaude(err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	root := gjson.ParseBytes(se.Body)
	if root.IsArray() || root.Get("error.status").Exists() || root.Get("error.code").Type == gjson.Number {
		return gemini.ClassifyError(err)
	}
	e := anthropic.ClassifyError(se.StatusCode, se.Header, se.Body)
	e.Err = err
	return e
}

func (p *Provider) claudeCompletion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	resp, err := p.sendClaude(ctx, req, cfg, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := anthropic.DecodeResponse(raw)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

func (p *Provider) claudeStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		resp, err := p.sendClaude(ctx, req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		anthropic.ReadStream(resp, cfg, yield)
	}
}
