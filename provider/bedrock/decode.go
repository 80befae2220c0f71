package bedrock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// finishReason maps Converse's stopReason to OpenAI's finish_reason.
func finishReason(s string) string {
	switch s {
	case "max_tokens", "model_context_window_exceeded":
		return llm.FinishLength
	case "tool_use":
		return llm.FinishToolCalls
	case "guardrail_intervened", "content_filtered":
		return llm.FinishContentFilter
	}
	return llm.FinishStop // end_turn, stop_sequence, malformed_*
}

// usageOf converts Converse's token usage to OpenAI's semantics: Bedrock's
// inputTokens exclude cache reads and writes, prompt_tokens include them.
func usageOf(u *tokenUsage) *llm.Usage {
	if u == nil {
		return nil
	}
	prompt := u.InputTokens + u.CacheReadInputTokens + u.CacheWriteInputTokens
	out := &llm.Usage{
		PromptTokens:     prompt,
		CompletionTokens: u.OutputTokens,
		TotalTokens:      prompt + u.OutputTokens,
	}
	out.PromptTokensDetails.CachedTokens = u.CacheReadInputTokens
	out.PromptTokensDetails.CacheCreationTokens = u.CacheWriteInputTokens
	for _, d := range u.CacheDetails {
		if d.TTL == "1h" {
			out.PromptTokensDetails.CacheCreation1hTokens += d.InputTokens
		}
	}
	return out
}

// requestID is the id given to responses and chunks: Bedrock's request id.
func requestID(h http.Header) string {
	if id := h.Get("X-Amzn-Requestid"); id != "" {
		return id
	}
	return "bedrock"
}

// decodeConverse translates a Converse response body into a chat completion.
func decodeConverse(body []byte, model string, h http.Header) (*llm.CompletionResponse, error) {
	var w converseResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badResponse(err, body)
	}
	if w.Output.Message == nil {
		return nil, badResponse(nil, body)
	}
	msg := llm.Message{Role: llm.RoleAssistant}
	var text, reasoning strings.Builder
	jsonOut := false
	var unknown []json.RawMessage
	for i := range w.Output.Message.Content {
		b := &w.Output.Message.Content[i]
		switch {
		case b.ToolUse != nil:
			args := compactJSON(b.ToolUse.Input)
			if b.ToolUse.Name == JSONTool {
				text.WriteString(args)
				jsonOut = true
				continue
			}
			msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ToolUse.ToolUseID, Type: "function",
				Function: llm.FunctionCall{Name: b.ToolUse.Name, Arguments: args}})
		case b.ReasoningContent != nil:
			rc := b.ReasoningContent
			if rt := rc.ReasoningText; rt != nil {
				reasoning.WriteString(rt.Text)
				msg.ThinkingBlocks = append(msg.ThinkingBlocks, llm.ThinkingBlock{Type: "thinking", Thinking: rt.Text, Signature: rt.Signature})
			} else if rc.RedactedContent != "" {
				msg.ThinkingBlocks = append(msg.ThinkingBlocks, llm.ThinkingBlock{Type: "redacted_thinking", Data: rc.RedactedContent})
			}
		case b.CitationsContent != nil:
			for _, c := range b.CitationsContent.Content {
				text.WriteString(c.Text)
			}
		case b.Text == "" && *b == (contentBlock{}):
			// A member this translator does not know: keep the block raw.
			if raw := gjson.GetBytes(body, "output.message.content."+strconv.Itoa(i)); raw.IsObject() && !raw.Get("text").Exists() {
				unknown = append(unknown, json.RawMessage(raw.Raw))
			}
		default:
			text.WriteString(b.Text)
		}
	}
	if w.StopReason == stopGuardrail {
		return nil, guardrailError(text.String(), w.Trace)
	}
	msg.Content = llm.Text(text.String())
	msg.ReasoningContent = reasoning.String()
	if t := traceOf(w.Trace); t != nil {
		msg.ProviderSpecificFields = map[string]any{PSFTrace: t}
	}
	if len(unknown) > 0 {
		if msg.ProviderSpecificFields == nil {
			msg.ProviderSpecificFields = map[string]any{}
		}
		msg.ProviderSpecificFields[PSFUnknown] = unknown
	}
	finish := finishReason(w.StopReason)
	if jsonOut && len(msg.ToolCalls) == 0 && finish == llm.FinishToolCalls {
		finish = llm.FinishStop
	}
	return &llm.CompletionResponse{
		ID:      requestID(h),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   model,
		Choices: []llm.Choice{{Index: 0, Message: msg, FinishReason: finish}},
		Usage:   usageOf(w.Usage),
	}, nil
}

// compactJSON returns tool input as compact JSON text ("{}" when absent).
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "{}"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

func badResponse(err error, raw []byte) *llm.Error {
	snippet := string(raw)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	msg := "cannot decode the Bedrock response"
	if err != nil {
		msg += ": " + err.Error()
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: msg + ": " + snippet, Err: err}
}
