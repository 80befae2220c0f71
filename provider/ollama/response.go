package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"time"

	"errors"
	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// chatResponse is a non-streamed answer, or one line of a stream.
type chatResponse struct {
	Model           string  `json:"model"`
	CreatedAt       string  `json:"created_at"`
	Message         message `json:"message"`
	Done            bool    `json:"done"`
	DoneReason      string  `json:"done_reason"`
	PromptEvalCount int     `json:"prompt_eval_count"`
	EvalCount       int     `json:"eval_count"`
	// Logprobs are in OpenAI's shape already (token, logprob, bytes,
	// top_logprobs).
	Logprobs []llm.TokenLogprob `json:"logprobs"`
	// Error is set on an error line inside a stream.
	Error json.RawMessage `json:"error"`
}

func (r *chatResponse) hasError() bool {
	return len(r.Error) > 0 && !bytes.Equal(r.Error, []byte("null"))
}

// Completion implements llm.Completer.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	body, err := encodeRequest(req, cfg, false)
	if err != nil {
		return nil, err
	}
	resp, err := send(ctx, cfg, req.Model, body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := decodeResponse(raw)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// decodeResponse translates a non-streamed answer.
func decodeResponse(raw []byte) (*llm.CompletionResponse, error) {
	var r chatResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, badResponse(err, raw)
	}
	if r.hasError() {
		return nil, errorFromBody(0, nil, raw, "")
	}
	if !r.Done {
		return nil, badResponse(errors.New("not a final (done) answer"), raw) // {}, null, or another API's object
	}
	created := createdAt(r.CreatedAt)
	msg := llm.Message{Role: llm.RoleAssistant, Content: llm.Text(r.Message.Content), ReasoningContent: r.Message.Thinking}
	for i, tc := range r.Message.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, toToolCall(i, tc))
	}
	return &llm.CompletionResponse{
		ID: responseID(created), Object: "chat.completion", Created: created.Unix(), Model: r.Model,
		Choices: []llm.Choice{{Index: 0, Message: msg, FinishReason: finishReason(r.DoneReason, len(msg.ToolCalls) > 0), Logprobs: logprobs(r.Logprobs)}},
		Usage:   usage(&r),
	}, nil
}

// toToolCall translates Ollama's i-th tool call of an answer: arguments
// re-encoded as a JSON string, and a deterministic id when Ollama gave none.
func toToolCall(i int, tc toolCall) llm.ToolCall {
	args := argumentsString(tc.Function.Arguments)
	id := tc.ID
	if id == "" {
		id = toolCallID(i, tc.Function.Name, args)
	}
	return llm.ToolCall{ID: id, Type: "function", Function: llm.FunctionCall{Name: tc.Function.Name, Arguments: args}}
}

// argumentsString encodes Ollama's arguments object as OpenAI's JSON string.
func argumentsString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return "{}"
	case raw[0] == '"':
		// Some servers send the arguments already encoded.
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// toolCallID is a deterministic id for the i-th tool call of an answer.
func toolCallID(i int, name, args string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(args))
	return "call_" + strconv.Itoa(i) + "_" + strconv.FormatUint(h.Sum64(), 36)
}

// finishReason maps done_reason.
func finishReason(reason string, toolCalls bool) string {
	switch reason {
	case "stop", "":
		if toolCalls {
			return llm.FinishToolCalls
		}
		return llm.FinishStop
	case "length":
		return llm.FinishLength
	}
	return reason
}

func usage(r *chatResponse) *llm.Usage {
	return &llm.Usage{PromptTokens: r.PromptEvalCount, CompletionTokens: r.EvalCount, TotalTokens: r.PromptEvalCount + r.EvalCount}
}

func createdAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// responseID derives an id from the answer's creation time (Ollama sends
// none).
func responseID(t time.Time) string {
	if t.IsZero() {
		return "chatcmpl-ollama"
	}
	return "chatcmpl-ollama-" + strconv.FormatInt(t.UnixNano(), 36)
}

func badResponse(err error, raw []byte) *llm.Error {
	snippet := string(raw)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: "cannot decode Ollama's answer: " + err.Error() + ": " + snippet, Err: err}
}

// logprobs wraps an answer's (or a line's) logprobs, or returns nil when
// there are none.
func logprobs(lp []llm.TokenLogprob) *llm.Logprobs {
	if len(lp) == 0 {
		return nil
	}
	for i := range lp {
		if lp[i].TopLogprobs == nil {
			lp[i].TopLogprobs = []llm.TopLogprob{}
		}
	}
	return &llm.Logprobs{Content: lp}
}
