package anthropic

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// DecodeResponse translates a Messages API response body (a Message object)
// into a chat completion: text blocks become the content, tool_use blocks
// tool calls, thinking blocks the reasoning content plus the raw
// ThinkingBlocks, and JSONTool's input the content. Web citations become
// url_citation annotations; every citation is kept under CitationsField and
// every other block (server tools and their results, or a type newer than
// this translator) raw under BlocksField of ProviderSpecificFields. A body holding
// Anthropic's error envelope comes back as the classified error; a body that
// is not a Message is a KindBadResponse error.
func DecodeResponse(body []byte) (*llm.CompletionResponse, error) {
	var w response
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badResponse(err, body)
	}
	if w.Type == "error" {
		return nil, ClassifyError(0, nil, body)
	}
	if (w.Type != "" && w.Type != "message") || (w.Type == "" && len(w.Content) == 0) {
		return nil, badResponse(nil, body) // {}, null, or another API's object
	}
	msg := llm.Message{Role: llm.RoleAssistant}
	var text, reasoning strings.Builder
	var kept []json.RawMessage
	var cites []Citation
	var raws []gjson.Result // the content blocks, raw; split only when a block is kept
	jsonOut := false
	for i := range w.Content {
		b := &w.Content[i]
		switch b.Type {
		case "text":
			if len(b.Citations) > 0 {
				start := utf8.RuneCountInString(text.String())
				end := start + utf8.RuneCountInString(b.Text)
				for _, c := range b.Citations {
					cites = append(cites, Citation{StartIndex: start, EndIndex: end, Citation: compactRaw(c)})
					if a, ok := annotation(c, start, end); ok {
						msg.Annotations = append(msg.Annotations, a)
					}
				}
			}
			text.WriteString(b.Text)
		case "tool_use":
			args := compactJSON(b.Input)
			if b.Name == JSONTool {
				text.WriteString(args)
				jsonOut = true
				continue
			}
			msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ID, Type: "function",
				Function: llm.FunctionCall{Name: b.Name, Arguments: args}})
		case "thinking":
			reasoning.WriteString(b.Thinking)
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llm.ThinkingBlock{Type: "thinking", Thinking: b.Thinking, Signature: b.Signature})
		case "redacted_thinking":
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llm.ThinkingBlock{Type: "redacted_thinking", Data: b.Data})
		default:
			// Server tool calls and results, MCP blocks, container uploads
			// and types added after this translator: kept as sent.
			if raws == nil {
				raws = gjson.GetBytes(body, "content").Array()
			}
			if i < len(raws) {
				kept = append(kept, compactRaw([]byte(raws[i].Raw)))
			}
		}
	}
	if len(kept) > 0 || len(cites) > 0 {
		msg.ProviderSpecificFields = make(map[string]any, 2)
		if len(kept) > 0 {
			msg.ProviderSpecificFields[BlocksField] = kept
		}
		if len(cites) > 0 {
			msg.ProviderSpecificFields[CitationsField] = cites
		}
	}
	msg.Content = llm.Text(text.String())
	msg.ReasoningContent = reasoning.String()
	return &llm.CompletionResponse{
		ID:      w.ID,
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   w.Model,
		Choices: []llm.Choice{{
			Index:        0,
			Message:      msg,
			FinishReason: finishReason(w.StopReason, jsonOut && len(msg.ToolCalls) == 0),
		}},
		Usage: w.Usage.toLLM(),
	}, nil
}

// finishReason maps a stop_reason: end_turn, stop_sequence and pause_turn →
// stop; max_tokens and model_context_window_exceeded → length; tool_use →
// tool_calls (stop when the only tool was JSONTool); refusal →
// content_filter; any other non-empty reason → stop.
func finishReason(stop string, onlyJSONTool bool) string {
	switch stop {
	case "":
		return ""
	case "max_tokens", "model_context_window_exceeded":
		return llm.FinishLength
	case "tool_use":
		if onlyJSONTool {
			return llm.FinishStop
		}
		return llm.FinishToolCalls
	case "refusal":
		return llm.FinishContentFilter
	}
	return llm.FinishStop
}

// compactRaw returns a compacted copy of the JSON value raw.
func compactRaw(raw []byte) json.RawMessage {
	var b bytes.Buffer
	b.Grow(len(raw))
	if err := json.Compact(&b, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return b.Bytes()
}

// compactJSON returns raw without insignificant whitespace, "{}" when empty.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	if !bytes.ContainsAny(raw, " \t\r\n") {
		return string(raw)
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
	msg := "cannot decode the response"
	if err != nil {
		msg += ": " + err.Error()
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: msg + ": " + snippet, Err: err}
}
