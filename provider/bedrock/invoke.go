package bedrock

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/provider/anthropic"
)

// AnthropicVersion is the anthropic_version Bedrock's InvokeModel takes in
// the body of Claude requests.
const AnthropicVersion = "bedrock-2023-05-31"

// invokeOptions adapt the Anthropic translator's body to InvokeModel: the
// version in the body, no model field (it is in the URL), betas as the
// body's anthropic_beta, and JSON output through the forced tool.
var invokeOptions = anthropic.EncodeOptions{
	Version:                AnthropicVersion,
	OmitModel:              true,
	BetasInBody:            true,
	NativeStructuredOutput: func(string) bool { return false },
}

// invokeBody encodes a Claude request for InvokeModel and sets the headers
// that carry what Converse puts in its body: Extra's guardrailConfig
// (guardrailIdentifier, guardrailVersion, trace), else WithGuardrail's, becomes the
// X-Amzn-Bedrock-Guardrail* and X-Amzn-Bedrock-Trace headers. Other models
// than Claude are unsupported on this route; an ARN (such as an application
// inference profile's, which does not name its model) is taken to be one.
func (p *Provider) invokeBody(req *llm.CompletionRequest, cfg *llm.Config, id string, h http.Header) ([]byte, error) {
	if !isAnthropic(id) && !strings.HasPrefix(id, "arn:") {
		return nil, &llm.Error{Kind: llm.KindUnsupported, Message: "bedrock/invoke/ supports Anthropic Claude models only; use bedrock/" + id + " (the Converse API) for other models"}
	}
	r := *req
	r.Model = id
	if g, ok := req.Extra["guardrailConfig"]; ok {
		var gc struct {
			ID      string `json:"guardrailIdentifier"`
			Version string `json:"guardrailVersion"`
			Trace   string `json:"trace"`
		}
		raw, err := json.Marshal(g)
		if err == nil {
			err = json.Unmarshal(raw, &gc)
		}
		if err != nil || gc.ID == "" {
			return nil, invalid("guardrailConfig must be an object with guardrailIdentifier and guardrailVersion")
		}
		h.Set("X-Amzn-Bedrock-Guardrailidentifier", gc.ID)
		h.Set("X-Amzn-Bedrock-Guardrailversion", gc.Version)
		if gc.Trace != "" {
			h.Set("X-Amzn-Bedrock-Trace", strings.ToUpper(gc.Trace))
		}
		r.Extra = maps.Clone(req.Extra)
		delete(r.Extra, "guardrailConfig")
	} else if g := guardrailOf(cfg); g != nil {
		if g.ID == "" {
			return nil, invalid("bedrock.WithGuardrail needs a guardrail identifier")
		}
		h.Set("X-Amzn-Bedrock-Guardrailidentifier", g.ID)
		h.Set("X-Amzn-Bedrock-Guardrailversion", g.Version)
		if g.Trace != "" {
			h.Set("X-Amzn-Bedrock-Trace", strings.ToUpper(string(g.Trace)))
		}
	}
	return anthropic.EncodeRequest(&r, cfg, invokeOptions)
}

// invoke sends a Claude request in Anthropic's format to InvokeModel.
func (p *Provider) invoke(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config, id string) (*llm.CompletionResponse, error) {
	h := cfg.NewHeader()
	body, err := p.invokeBody(req, cfg, id, h)
	if err != nil {
		return nil, err
	}
	h.Set("Accept", "application/json")
	resp, err := p.post(ctx, cfg, id, "/invoke", body, h)
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
	// The Bedrock model id, not Anthropic's name, is what Bedrock prices.
	out.Model = id
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// payloadPart is the payload of an InvokeModelWithResponseStream chunk
// event: the bytes of one Anthropic streaming event (JSON), base64-encoded.
type payloadPart struct {
	Bytes []byte `json:"bytes"`
}

// invokeStream streams a Claude request from InvokeModelWithResponseStream:
// each chunk event carries one Anthropic event, decoded by the Anthropic
// translator's StreamDecoder.
func (p *Provider) invokeStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config, id string, yield func(*llm.Chunk, error) bool) {
	h := cfg.NewHeader()
	body, err := p.invokeBody(req, cfg, id, h)
	if err != nil {
		yield(nil, err)
		return
	}
	h.Set("Accept", EventStreamContentType)
	h.Set("X-Amzn-Bedrock-Accept", "application/json")
	resp, err := p.post(ctx, cfg, id, "/invoke-with-response-stream", body, h)
	if err != nil {
		yield(nil, err)
		return
	}
	defer resp.Body.Close()
	meta := &llm.Meta{Header: resp.Header}
	frames := eventstream.NewDecoder(resp.Body)
	frames.SetMaxMessageSize(cfg.MaxEventBytes)
	var dec anthropic.StreamDecoder
	var part payloadPart
	for {
		m, err := frames.Next()
		if err == io.EOF {
			if !dec.Done() {
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the Bedrock stream ended before message_stop", Err: io.ErrUnexpectedEOF})
			}
			return
		}
		if err != nil {
			yield(nil, streamError(err))
			return
		}
		if err := frameError(m); err != nil {
			yield(nil, err)
			return
		}
		if string(m.Value(":event-type")) != "chunk" {
			continue
		}
		part.Bytes = part.Bytes[:0]
		if err := json.Unmarshal(m.Payload, &part); err != nil {
			yield(nil, badResponse(err, m.Payload))
			return
		}
		c, err := dec.Decode("", part.Bytes)
		if err != nil {
			yield(nil, err)
			return
		}
		if c != nil {
			c.Model = id
			c.Meta = meta
			if !yield(c, nil) {
				return
			}
		}
		if dec.Done() {
			httpx.Drain(resp.Body)
			return
		}
	}
}
