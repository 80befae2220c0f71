package cohere

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

// chatRequest is the body of POST /v2/chat.
type chatRequest struct {
	Model            string          `json:"model"`
	Messages         []message       `json:"messages"`
	Tools            []tool          `json:"tools,omitempty"`
	StrictTools      bool            `json:"strict_tools,omitempty"`
	ToolChoice       string          `json:"tool_choice,omitempty"`
	ResponseFormat   *responseFormat `json:"response_format,omitempty"`
	MaxTokens        int             `json:"max_tokens,omitempty"`
	StopSequences    []string        `json:"stop_sequences,omitempty"`
	Temperature      *float64        `json:"temperature,omitempty"`
	Seed             *int64          `json:"seed,omitempty"`
	FrequencyPenalty *float64        `json:"frequency_penalty,omitempty"`
	PresencePenalty  *float64        `json:"presence_penalty,omitempty"`
	P                *float64        `json:"p,omitempty"`
	Thinking         *thinking       `json:"thinking,omitempty"`
	Logprobs         bool            `json:"logprobs,omitempty"`
	Stream           bool            `json:"stream"`
}

// message is a v2 chat message. Content is a string or a list of content
// blocks.
type message struct {
	Role       string     `json:"role"`
	Content    any        `json:"content,omitempty"`
	ToolCalls  []toolCall `json:"tool_calls,omitempty"`
	ToolPlan   string     `json:"tool_plan,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

// contentBlock is a text, image_url or thinking block.
type contentBlock struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	Thinking string    `json:"thinking,omitempty"`
	ImageURL *imageURL `json:"image_url,omitempty"`
}

type imageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// toolCall is a tool call; arguments are a JSON string, as in OpenAI's API.
type toolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function functionCall `json:"function"`
}

type functionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type tool struct {
	Type     string  `json:"type"`
	Function toolDef `json:"function"`
}

type toolDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

type responseFormat struct {
	Type       string          `json:"type"`
	JSONSchema json.RawMessage `json:"json_schema,omitempty"`
}

type thinking struct {
	Type string `json:"type"` // "enabled" or "disabled"
}

func invalid(format string, args ...any) *llm.Error {
	return llm.Errorf(llm.KindInvalidRequest, format, args...)
}

func unsupported(param, why string) *llm.Error {
	return llm.UnsupportedParam(param, why)
}

// encodeRequest translates req into Cohere's v2 chat body.
func encodeRequest(req *llm.CompletionRequest, cfg *llm.Config, stream bool) ([]byte, error) {
	drop := cfg.DropUnsupportedParams
	switch {
	case req.N > 1 && !drop:
		return nil, unsupported("n > 1", "it returns one answer per call")
	case len(req.LogitBias) > 0 && !drop:
		return nil, unsupported("logit_bias", "it has no such parameter")
	case req.WebSearchOptions != nil && !drop:
		return nil, unsupported("web_search_options", "it has no web search tool (ground answers with documents in Extra instead)")
	case req.TopLogprobs != nil && *req.TopLogprobs > 0 && !drop:
		return nil, unsupported("top_logprobs", "it returns no alternative tokens")
	}
	w := chatRequest{Model: req.Model, Stream: stream, Temperature: req.Temperature, Seed: req.Seed, P: req.TopP,
		FrequencyPenalty: req.FrequencyPenalty, PresencePenalty: req.PresencePenalty, StopSequences: req.Stop,
		MaxTokens: req.MaxTokens, Logprobs: req.Logprobs}
	if req.MaxCompletionTokens > 0 {
		w.MaxTokens = req.MaxCompletionTokens
	}
	var err error
	if w.Messages, err = encodeMessages(req.Messages); err != nil {
		return nil, err
	}
	for _, t := range req.Tools {
		if t.Function == nil {
			continue
		}
		params := t.Function.Parameters
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		w.Tools = append(w.Tools, tool{Type: "function", Function: toolDef{Name: t.Function.Name, Description: t.Function.Description, Parameters: params}})
		if t.Function.Strict != nil && *t.Function.Strict {
			w.StrictTools = true
		}
	}
	if tc := req.ToolChoice; tc != nil {
		switch {
		case tc.Function != "":
			if !drop {
				return nil, unsupported("tool_choice naming function "+tc.Function, "it can only require some tool (\"required\") or none")
			}
		case tc.Mode == "required":
			w.ToolChoice = "REQUIRED"
		case tc.Mode == "none":
			w.ToolChoice = "NONE"
		}
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_object":
			w.ResponseFormat = &responseFormat{Type: "json_object"}
		case "json_schema":
			w.ResponseFormat = &responseFormat{Type: "json_object"}
			if rf.JSONSchema != nil {
				w.ResponseFormat.JSONSchema = rf.JSONSchema.Schema
			}
		}
	}
	switch req.ReasoningEffort {
	case "":
	case "none":
		w.Thinking = &thinking{Type: "disabled"}
	default:
		w.Thinking = &thinking{Type: "enabled"}
	}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, invalid("cannot encode the request: %v", err)
	}
	if body, err = jsonx.MergeObject(body, req.Extra); err != nil {
		return nil, invalid("cannot merge Extra into the request: %v", err)
	}
	return body, nil
}

// encodeMessages translates the conversation.
func encodeMessages(msgs []llm.Message) ([]message, error) {
	out := make([]message, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		w := message{Role: string(m.Role)}
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			w.Role = "system"
		case llm.RoleTool:
			w.ToolCallID = m.ToolCallID
		case llm.RoleAssistant:
			for _, tc := range m.ToolCalls {
				args := tc.Function.Arguments
				if args == "" {
					args = "{}"
				}
				w.ToolCalls = append(w.ToolCalls, toolCall{ID: tc.ID, Type: "function", Function: functionCall{Name: tc.Function.Name, Arguments: args}})
			}
		}
		thinking := ""
		if m.Role == llm.RoleAssistant {
			// The reasoning goes back as thinking content, except a tool
			// plan Cohere wrote, which goes back as tool_plan with the calls
			// it led to.
			thinking = m.ReasoningContent
			if plan, _ := m.ProviderSpecificFields[PSFToolPlan].(string); plan != "" && len(w.ToolCalls) > 0 {
				w.ToolPlan = plan
				thinking = strings.TrimSuffix(thinking, plan)
			}
		}
		content, err := encodeContent(m, i, thinking)
		if err != nil {
			return nil, err
		}
		w.Content = content
		out = append(out, w)
	}
	return out, nil
}

// encodeContent returns a message's content: a string, or a list of blocks
// for multi-part content or content after a thinking block. It is nil
// (omitted) for an assistant message with tool calls and no text.
func encodeContent(m *llm.Message, i int, thinking string) (any, error) {
	c := m.Content
	if thinking != "" {
		blocks := []contentBlock{{Type: "thinking", Thinking: thinking}}
		if c.Parts == nil {
			if c.Text != "" {
				blocks = append(blocks, contentBlock{Type: "text", Text: c.Text})
			}
			return blocks, nil
		}
		rest, err := encodeContent(m, i, "")
		if err != nil {
			return nil, err
		}
		return append(blocks, rest.([]contentBlock)...), nil
	}
	if c.Parts == nil {
		if c.Text == "" && (m.Role == llm.RoleAssistant || m.Role == llm.RoleTool) {
			if m.Role == llm.RoleTool {
				return "", nil
			}
			return nil, nil
		}
		return c.Text, nil
	}
	blocks := make([]contentBlock, 0, len(c.Parts))
	for j, p := range c.Parts {
		switch p.Type {
		case llm.PartText:
			blocks = append(blocks, contentBlock{Type: "text", Text: p.Text})
		case llm.PartRefusal:
			blocks = append(blocks, contentBlock{Type: "text", Text: p.Refusal})
		case llm.PartImageURL:
			if m.Role != llm.RoleUser {
				return nil, invalid("messages[%d].content[%d]: Cohere takes images in user messages only", i, j)
			}
			if p.ImageURL == nil {
				return nil, invalid("messages[%d].content[%d]: image_url part without image_url", i, j)
			}
			blocks = append(blocks, contentBlock{Type: "image_url", ImageURL: &imageURL{URL: p.ImageURL.URL, Detail: p.ImageURL.Detail}})
		default:
			return nil, &llm.Error{Kind: llm.KindUnsupported, Message: fmt.Sprintf("messages[%d].content[%d]: Cohere chat does not take %s parts", i, j, p.Type)}
		}
	}
	return blocks, nil
}
