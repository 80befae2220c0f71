package mistral

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
)

// Mistral's answer, where it differs from OpenAI's: content is a string or
// a list of chunks (text, and "thinking" chunks holding the reasoning of
// Magistral models), and function arguments are a string or an object.
type (
	wireResponse struct {
		ID      string       `json:"id"`
		Object  string       `json:"object"`
		Created int64        `json:"created"`
		Model   string       `json:"model"`
		Choices []wireChoice `json:"choices"`
		Usage   *llm.Usage   `json:"usage"`
	}
	wireChoice struct {
		Index        int         `json:"index"`
		Message      wireMessage `json:"message"`
		Delta        wireMessage `json:"delta"`
		FinishReason *string     `json:"finish_reason"`
	}
	wireMessage struct {
		Role      llm.Role        `json:"role"`
		Content   json.RawMessage `json:"content"`
		ToolCalls []wireToolCall  `json:"tool_calls"`
	}
	wireToolCall struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Index    *int   `json:"index"`
		Function struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		} `json:"function"`
	}
	// wireChunk is one content chunk; Thinking holds a thinking chunk's
	// own chunks.
	wireChunk struct {
		Type     string      `json:"type"`
		Text     string      `json:"text"`
		Thinking []wireChunk `json:"thinking"`
	}
)

// content splits Mistral's content into its text and its reasoning; the
// chunks of other types (references, and types it does not know) are
// returned raw, in order, in other.
func content(raw json.RawMessage) (text, reasoning string, other []json.RawMessage, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", "", nil, nil
	case raw[0] == '"':
		err = json.Unmarshal(raw, &text)
		return text, "", nil, err
	}
	var chunks []json.RawMessage
	if err := json.Unmarshal(raw, &chunks); err != nil {
		return "", "", nil, err
	}
	var t, r strings.Builder
	for _, rc := range chunks {
		var c wireChunk
		if err := json.Unmarshal(rc, &c); err != nil {
			// A chunk of another shape: kept, not a failure.
			other = append(other, rc)
			continue
		}
		switch c.Type {
		case "text", "":
			t.WriteString(c.Text)
		case "thinking":
			for _, tc := range c.Thinking {
				if tc.Type == "text" || tc.Type == "" {
					r.WriteString(tc.Text)
				}
			}
		default:
			other = append(other, rc)
		}
	}
	return t.String(), r.String(), other, nil
}

// otherChunksKey is the ProviderSpecificFields key of the content chunks
// that are neither text nor thinking.
const otherChunksKey = "content_chunks"

// arguments returns function arguments as a JSON string, from Mistral's
// string or object.
func arguments(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	return string(raw), nil
}

// finish maps Mistral's finish reasons to OpenAI's.
func finish(r *string) string {
	if r == nil {
		return ""
	}
	if *r == "model_length" {
		return llm.FinishLength
	}
	return *r
}

func decodeResponse(raw []byte) (*llm.CompletionResponse, error) {
	var w wireResponse
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	out := &llm.CompletionResponse{ID: w.ID, Object: w.Object, Created: w.Created, Model: w.Model, Usage: w.Usage,
		Choices: make([]llm.Choice, len(w.Choices))}
	for i, c := range w.Choices {
		text, reasoning, other, err := content(c.Message.Content)
		if err != nil {
			return nil, err
		}
		m := llm.Message{Role: c.Message.Role, Content: llm.Text(text), ReasoningContent: reasoning}
		if other != nil {
			m.ProviderSpecificFields = map[string]any{otherChunksKey: other}
		}
		if m.Role == "" {
			m.Role = llm.RoleAssistant
		}
		for _, tc := range c.Message.ToolCalls {
			args, err := arguments(tc.Function.Arguments)
			if err != nil {
				return nil, err
			}
			m.ToolCalls = append(m.ToolCalls, llm.ToolCall{ID: tc.ID, Type: "function", Function: llm.FunctionCall{Name: tc.Function.Name, Arguments: args}})
		}
		out.Choices[i] = llm.Choice{Index: c.Index, Message: m, FinishReason: finish(c.FinishReason)}
	}
	return out, nil
}

// decodeChunk decodes a Mistral stream event: with the engine's fast OpenAI
// decoder when the event has OpenAI's shape (string content, string
// arguments), else with Mistral's types; then maps the finish reason and
// numbers tool calls that share an index.
func decodeChunk(data []byte) (*llm.Chunk, error) {
	c, err := openai.DecodeChunk(data)
	if err != nil {
		if c, err = decodeMistralChunk(data); err != nil {
			return nil, err
		}
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.FinishReason == "model_length" {
			ch.FinishReason = llm.FinishLength
		}
		calls := ch.Delta.ToolCalls
		for j := 1; j < len(calls); j++ {
			if calls[j].Index <= calls[j-1].Index {
				calls[j].Index = calls[j-1].Index + 1
			}
		}
		for j := range calls {
			if calls[j].Type == "" {
				calls[j].Type = "function"
			}
		}
	}
	return c, nil
}

func decodeMistralChunk(data []byte) (*llm.Chunk, error) {
	var w wireResponse
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, err
	}
	out := &llm.Chunk{ID: w.ID, Object: w.Object, Created: w.Created, Model: w.Model, Usage: w.Usage,
		Choices: make([]llm.ChunkChoice, len(w.Choices))}
	for i, c := range w.Choices {
		text, reasoning, other, err := content(c.Delta.Content)
		if err != nil {
			return nil, err
		}
		d := llm.Delta{Role: c.Delta.Role, Content: text, ReasoningContent: reasoning}
		if other != nil {
			d.ProviderSpecificFields = map[string]any{otherChunksKey: other}
		}
		for j, tc := range c.Delta.ToolCalls {
			args, err := arguments(tc.Function.Arguments)
			if err != nil {
				return nil, err
			}
			// Mistral sends each call whole; its index defaults to 0
			// (decodeChunk numbers calls that share one).
			idx := j
			if tc.Index != nil {
				idx = *tc.Index
			}
			d.ToolCalls = append(d.ToolCalls, llm.ToolCallDelta{Index: idx, ID: tc.ID, Type: "function",
				Function: llm.FunctionCallDelta{Name: tc.Function.Name, Arguments: args}})
		}
		out.Choices[i] = llm.ChunkChoice{Index: c.Index, Delta: d, FinishReason: finish(c.FinishReason)}
	}
	return out, nil
}
