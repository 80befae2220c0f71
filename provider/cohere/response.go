package cohere

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/tidwall/gjson"
)

// chatResponse is a non-streamed answer.
type chatResponse struct {
	ID           string           `json:"id"`
	FinishReason string           `json:"finish_reason"`
	Message      *responseMessage `json:"message"`
	Usage        *usage           `json:"usage"`
	Logprobs     []logprobItem    `json:"logprobs"`
}

// logprobItem is a LogprobItem: the log probabilities of the tokens of one
// chunk of text.
type logprobItem struct {
	Text     string    `json:"text"`
	TokenIDs []int     `json:"token_ids"`
	Logprobs []float64 `json:"logprobs"`
}

// tokenLogprob maps a chunk of text to one OpenAI entry: the chunk is the
// token, its log probability the sum of its tokens' (the probability of the
// whole chunk). Cohere gives no alternatives.
func (it *logprobItem) tokenLogprob() llm.TokenLogprob {
	sum := 0.0
	for _, lp := range it.Logprobs {
		sum += lp
	}
	b := make([]int, len(it.Text))
	for i := 0; i < len(it.Text); i++ {
		b[i] = int(it.Text[i])
	}
	return llm.TokenLogprob{Token: it.Text, Logprob: sum, Bytes: b, TopLogprobs: []llm.TopLogprob{}}
}

type responseMessage struct {
	Role string `json:"role"`
	// Content is kept raw so that a block of an unknown type, whatever its
	// fields, is kept rather than failing the answer.
	Content   []json.RawMessage `json:"content"`
	ToolPlan  string            `json:"tool_plan"`
	ToolCalls []toolCall        `json:"tool_calls"`
	Citations []Citation        `json:"citations"`
}

// usage is Cohere's usage object.
type usage struct {
	BilledUnits  *BilledUnits `json:"billed_units"`
	Tokens       *tokens      `json:"tokens"`
	CachedTokens float64      `json:"cached_tokens"`
}

type tokens struct {
	InputTokens  float64 `json:"input_tokens"`
	OutputTokens float64 `json:"output_tokens"`
}

// BilledUnits are the units Cohere bills for a call, which can differ from
// the token counts (Cohere does not bill the tokens of its own prompt
// template). A response keeps them in the message's
// ProviderSpecificFields["billed_units"].
type BilledUnits struct {
	InputTokens     float64 `json:"input_tokens,omitempty"`
	OutputTokens    float64 `json:"output_tokens,omitempty"`
	SearchUnits     float64 `json:"search_units,omitempty"`
	Classifications float64 `json:"classifications,omitempty"`
}

// Citation is a span of the answer backed by documents or tool results.
// A response keeps its citations in the message's
// ProviderSpecificFields["citations"] as a []Citation.
type Citation struct {
	Start        int               `json:"start"`
	End          int               `json:"end"`
	Text         string            `json:"text"`
	Sources      []json.RawMessage `json:"sources,omitempty"`
	ContentIndex int               `json:"content_index,omitempty"`
	// Type is TEXT_CONTENT, THINKING_CONTENT or PLAN.
	Type string `json:"type,omitempty"`
}

// Completion implements llm.Completer.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	body, err := encodeRequest(req, cfg, false)
	if err != nil {
		return nil, err
	}
	resp, err := send(ctx, cfg, "/v2/chat", body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := decodeResponse(raw, req.Model)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// decodeResponse translates a non-streamed answer. The v2 contract
// requires id, finish_reason and message; only the message is needed to
// make an answer of it, so only its absence is refused.
func decodeResponse(raw []byte, model string) (*llm.CompletionResponse, error) {
	var r chatResponse
	err := json.Unmarshal(raw, &r)
	if err != nil || r.Message == nil {
		if gjson.GetBytes(raw, "message").Type == gjson.String {
			return nil, errorFromBody(0, nil, raw) // an error envelope in a 200 answer
		}
		if err == nil {
			err = errNoAnswer
		}
		return nil, badResponse(err, raw)
	}
	finish, ferr := finishReason(r.FinishReason, "", len(r.Message.ToolCalls) > 0)
	if ferr != nil {
		return nil, ferr
	}
	var text, reasoning strings.Builder
	var unknown []json.RawMessage
	for _, raw := range r.Message.Content {
		switch gjson.GetBytes(raw, "type").Str {
		case "text", "thinking":
			var b contentBlock
			if err := json.Unmarshal(raw, &b); err != nil {
				return nil, badResponse(err, raw)
			}
			text.WriteString(b.Text)
			reasoning.WriteString(b.Thinking)
		default:
			unknown = append(unknown, compact(raw))
		}
	}
	reasoning.WriteString(r.Message.ToolPlan)
	msg := llm.Message{Role: llm.RoleAssistant, Content: llm.Text(text.String()), ReasoningContent: reasoning.String()}
	for _, tc := range r.Message.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: tc.ID, Type: "function",
			Function: llm.FunctionCall{Name: tc.Function.Name, Arguments: tc.Function.Arguments}})
	}
	plan := ""
	if len(msg.ToolCalls) > 0 {
		plan = r.Message.ToolPlan
	}
	msg.ProviderSpecificFields = extras(r.Usage, r.Message.Citations, plan, unknown)
	msg.Annotations = annotations(r.Message.Citations)
	var lp *llm.Logprobs
	if len(r.Logprobs) > 0 {
		lp = &llm.Logprobs{Content: make([]llm.TokenLogprob, len(r.Logprobs))}
		for i := range r.Logprobs {
			lp.Content[i] = r.Logprobs[i].tokenLogprob()
		}
	}
	return &llm.CompletionResponse{ID: r.ID, Object: "chat.completion", Created: time.Now().Unix(), Model: model,
		Choices: []llm.Choice{{Index: 0, Message: msg, FinishReason: finish, Logprobs: lp}},
		Usage:   toUsage(r.Usage)}, nil
}

// compact returns raw without insignificant whitespace (raw itself when it
// is not valid JSON).
func compact(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return b.Bytes()
}

// annotations returns the OpenAI url_citation annotations of the citations
// of the answer's text whose sources are documents (or tool outputs) with an
// http(s) "url" field: Cohere's sources are the caller's documents, so only
// those that name a web page become url citations; every citation stays in
// ProviderSpecificFields["citations"].
func annotations(citations []Citation) []llm.Annotation {
	var out []llm.Annotation
	for _, c := range citations {
		if c.Type != "" && c.Type != "TEXT_CONTENT" {
			continue
		}
		for _, src := range c.Sources {
			doc := gjson.GetBytes(src, "document")
			if !doc.Exists() {
				doc = gjson.GetBytes(src, "tool_output")
			}
			u := doc.Get("url").String()
			if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				continue
			}
			out = append(out, llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{
				StartIndex: c.Start, EndIndex: c.End, Title: doc.Get("title").String(), URL: u}})
		}
	}
	return out
}

// compactSources re-encodes the raw sources of c without insignificant
// whitespace, so that equal answers give equal values.
func compactSources(c *Citation) {
	for i, src := range c.Sources {
		c.Sources[i] = compact(src)
	}
}

// extras are the fields of an answer with no OpenAI equivalent.
func extras(u *usage, citations []Citation, toolPlan string, unknown []json.RawMessage) map[string]any {
	for i := range citations {
		compactSources(&citations[i])
	}
	var m map[string]any
	set := func(k string, v any) {
		if m == nil {
			m = map[string]any{}
		}
		m[k] = v
	}
	if u != nil && u.BilledUnits != nil {
		set("billed_units", *u.BilledUnits)
	}
	if len(citations) > 0 {
		set("citations", citations)
	}
	if toolPlan != "" {
		set(PSFToolPlan, toolPlan)
	}
	if len(unknown) > 0 {
		set(PSFUnknown, unknown)
	}
	return m
}

// finishReason maps Cohere's finish reason. ERROR and TIMEOUT are errors:
// the generation failed, whatever was produced before. A missing reason is
// tool_calls when the answer has tool calls, else stop.
func finishReason(reason, message string, toolCalls bool) (string, error) {
	switch reason {
	case "":
		if toolCalls {
			return llm.FinishToolCalls, nil
		}
		return llm.FinishStop, nil
	case "COMPLETE", "STOP_SEQUENCE":
		return llm.FinishStop, nil
	case "MAX_TOKENS":
		return llm.FinishLength, nil
	case "TOOL_CALL":
		return llm.FinishToolCalls, nil
	case "ERROR":
		if message == "" {
			message = "the generation failed (finish_reason ERROR)"
		}
		return "", &llm.Error{Kind: llm.KindServer, Code: reason, Message: message}
	case "TIMEOUT":
		if message == "" {
			message = "the generation exceeded Cohere's time limit (finish_reason TIMEOUT)"
		}
		return "", &llm.Error{Kind: llm.KindTimeout, Code: reason, Message: message}
	}
	return strings.ToLower(reason), nil
}

// toUsage maps usage.tokens (the model's token counts) to OpenAI's usage,
// falling back to billed_units when tokens is absent.
func toUsage(u *usage) *llm.Usage {
	if u == nil {
		return nil
	}
	in, out := 0, 0
	switch {
	case u.Tokens != nil:
		in, out = int(u.Tokens.InputTokens), int(u.Tokens.OutputTokens)
	case u.BilledUnits != nil:
		in, out = int(u.BilledUnits.InputTokens), int(u.BilledUnits.OutputTokens)
	}
	return &llm.Usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out,
		PromptTokensDetails: llm.PromptTokensDetails{CachedTokens: int(u.CachedTokens)}}
}

type constError string

func (e constError) Error() string { return string(e) }

const errNoAnswer = constError("no message: not a chat answer")

func badResponse(err error, raw []byte) *llm.Error {
	snippet := string(raw)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: "cannot decode Cohere's answer: " + err.Error() + ": " + snippet, Err: err}
}

// Keys of the ProviderSpecificFields of a message (or of the last chunk's
// delta) that hold what Cohere sent beyond OpenAI's shape.
const (
	// PSFToolPlan holds the tool_plan string of an answer with tool calls,
	// which is also in ReasoningContent. A message sent back with this key
	// and tool calls sends it as tool_plan (and only the rest of its
	// reasoning as thinking content).
	PSFToolPlan = "tool_plan"
	// PSFUnknown holds, as a []json.RawMessage, the content blocks and
	// stream events of types this translator does not know, raw.
	PSFUnknown = "unknown"
)
