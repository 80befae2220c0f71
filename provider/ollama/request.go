package ollama

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

// chatRequest is the body of POST /api/chat.
type chatRequest struct {
	Model    string          `json:"model"`
	Messages []message       `json:"messages"`
	Tools    []tool          `json:"tools,omitempty"`
	Format   json.RawMessage `json:"format,omitempty"`
	Options  any             `json:"options,omitempty"` // *options, or json.RawMessage merged with Extra["options"]
	Stream   bool            `json:"stream"`
	Think    any             `json:"think,omitempty"`
	// Logprobs and TopLogprobs are passed as OpenAI has them.
	Logprobs    bool `json:"logprobs,omitempty"`
	TopLogprobs *int `json:"top_logprobs,omitempty"`
}

// message is a chat message as Ollama takes and returns it.
type message struct {
	Role      string     `json:"role"`
	Content   string     `json:"content"`
	Thinking  string     `json:"thinking,omitempty"`
	Images    []string   `json:"images,omitempty"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
	ToolName  string     `json:"tool_name,omitempty"`
}

// toolCall is a tool call; Ollama's arguments are a JSON object.
type toolCall struct {
	ID       string       `json:"id,omitempty"`
	Function toolFunction `json:"function"`
}

type toolFunction struct {
	Index     *int            `json:"index,omitempty"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
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

// options are the Modelfile parameters the request maps; Extra["options"]
// adds any other.
type options struct {
	Temperature      *float64 `json:"temperature,omitempty"`
	TopP             *float64 `json:"top_p,omitempty"`
	NumPredict       int      `json:"num_predict,omitempty"`
	Stop             []string `json:"stop,omitempty"`
	Seed             *int64   `json:"seed,omitempty"`
	PresencePenalty  *float64 `json:"presence_penalty,omitempty"`
	FrequencyPenalty *float64 `json:"frequency_penalty,omitempty"`
}

func (o *options) isZero() bool {
	return o.Temperature == nil && o.TopP == nil && o.NumPredict == 0 && len(o.Stop) == 0 && o.Seed == nil &&
		o.PresencePenalty == nil && o.FrequencyPenalty == nil
}

var emptyObject = json.RawMessage(`{}`)

func invalid(format string, args ...any) *llm.Error {
	return llm.Errorf(llm.KindInvalidRequest, format, args...)
}

func unsupported(param, why string) *llm.Error {
	return llm.UnsupportedParam(param, why)
}

// encodeRequest translates req into Ollama's wire body.
func encodeRequest(req *llm.CompletionRequest, cfg *llm.Config, stream bool) ([]byte, error) {
	w := chatRequest{Model: req.Model, Stream: stream}
	drop := cfg.DropUnsupportedParams
	switch {
	case req.N > 1 && !drop:
		return nil, unsupported("n > 1", "it returns one answer per call")
	case len(req.LogitBias) > 0 && !drop:
		return nil, unsupported("logit_bias", "it has no such option")
	case req.WebSearchOptions != nil && !drop:
		return nil, unsupported("web_search_options", "its chat API has no web search tool")
	}
	w.Logprobs, w.TopLogprobs = req.Logprobs, req.TopLogprobs

	var err error
	if w.Messages, err = encodeMessages(req.Messages); err != nil {
		return nil, err
	}

	sendTools := true
	if tc := req.ToolChoice; tc != nil {
		switch {
		case tc.Function == "" && tc.Mode == "none":
			sendTools = false
		case tc.Function == "" && tc.Mode == "auto":
		case !drop:
			return nil, unsupported("tool_choice "+toolChoiceName(tc), "it has no way to force a tool call")
		}
	}
	if sendTools {
		for _, t := range req.Tools {
			if t.Function == nil {
				continue
			}
			params := t.Function.Parameters
			if len(params) == 0 {
				params = json.RawMessage(`{"type":"object","properties":{}}`)
			}
			w.Tools = append(w.Tools, tool{Type: "function", Function: toolDef{
				Name: t.Function.Name, Description: t.Function.Description, Parameters: params}})
		}
	}

	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_object":
			w.Format = json.RawMessage(`"json"`)
		case "json_schema":
			if rf.JSONSchema != nil && len(rf.JSONSchema.Schema) > 0 {
				w.Format = rf.JSONSchema.Schema
			} else {
				w.Format = json.RawMessage(`"json"`)
			}
		}
	}

	switch req.ReasoningEffort {
	case "":
	case "none":
		w.Think = false
	case "minimal":
		w.Think = "low"
	default:
		w.Think = req.ReasoningEffort
	}

	opts := options{Temperature: req.Temperature, TopP: req.TopP, NumPredict: req.MaxTokens, Stop: req.Stop,
		Seed: req.Seed, PresencePenalty: req.PresencePenalty, FrequencyPenalty: req.FrequencyPenalty}
	if req.MaxCompletionTokens > 0 {
		opts.NumPredict = req.MaxCompletionTokens
	}
	extra := req.Extra
	if w.Options, extra, err = encodeOptions(opts, extra); err != nil {
		return nil, err
	}

	body, err := json.Marshal(w)
	if err != nil {
		return nil, invalid("cannot encode the request: %v", err)
	}
	if body, err = jsonx.MergeObject(body, extra); err != nil {
		return nil, invalid("cannot merge Extra into the request: %v", err)
	}
	return body, nil
}

func toolChoiceName(tc *llm.ToolChoice) string {
	if tc.Function != "" {
		return "naming function " + tc.Function
	}
	return fmt.Sprintf("%q", tc.Mode)
}

// encodeOptions returns the options field: opts itself (nil when empty), or
// opts merged with extra["options"] key by key, and extra without "options".
func encodeOptions(opts options, extra map[string]any) (any, map[string]any, error) {
	eo, ok := extra["options"]
	if !ok {
		if opts.isZero() {
			return nil, extra, nil
		}
		return &opts, extra, nil
	}
	raw, err := json.Marshal(eo)
	if err != nil {
		return nil, nil, invalid("Extra[\"options\"]: %v", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, invalid("Extra[\"options\"] must be a JSON object of Modelfile parameters: %v", err)
	}
	add := make(map[string]any, len(m))
	for k, v := range m {
		add[k] = v
	}
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, nil, invalid("cannot encode options: %v", err)
	}
	if b, err = jsonx.MergeObject(b, add); err != nil {
		return nil, nil, invalid("Extra[\"options\"]: %v", err)
	}
	rest := maps.Clone(extra)
	delete(rest, "options")
	if bytes.Equal(b, emptyObject) {
		return nil, rest, nil
	}
	return json.RawMessage(b), rest, nil
}

// encodeMessages translates the conversation.
func encodeMessages(msgs []llm.Message) ([]message, error) {
	out := make([]message, 0, len(msgs))
	names := map[string]string{} // tool-call id → function name, latest wins
	for i := range msgs {
		m := &msgs[i]
		w := message{Role: string(m.Role)}
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			w.Role = "system"
		case llm.RoleTool:
			w.ToolName = m.Name
			if w.ToolName == "" {
				w.ToolName = names[m.ToolCallID]
			}
		case llm.RoleAssistant:
			w.Thinking = m.ReasoningContent
			for j, tc := range m.ToolCalls {
				args, err := argumentsObject(tc.Function.Arguments)
				if err != nil {
					return nil, invalid("messages[%d].tool_calls[%d] (%s): arguments are not a JSON object: %v", i, j, tc.Function.Name, err)
				}
				w.ToolCalls = append(w.ToolCalls, toolCall{Function: toolFunction{Name: tc.Function.Name, Arguments: args}})
				if tc.ID != "" {
					names[tc.ID] = tc.Function.Name
				}
			}
		}
		if err := encodeContent(&w, m.Content, i); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// argumentsObject decodes OpenAI's JSON-string arguments into the object
// Ollama takes; an empty string is an empty object.
func argumentsObject(s string) (json.RawMessage, error) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 {
		return emptyObject, nil
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("invalid JSON %.60q", s)
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("got %.60q", s)
	}
	return json.RawMessage(b), nil
}

// encodeContent sets w's content and images from c.
func encodeContent(w *message, c llm.Content, i int) error {
	if c.Parts == nil {
		w.Content = c.Text
		return nil
	}
	var text strings.Builder
	for j, p := range c.Parts {
		switch p.Type {
		case llm.PartText:
			if text.Len() > 0 {
				text.WriteByte('\n')
			}
			text.WriteString(p.Text)
		case llm.PartImageURL:
			if p.ImageURL == nil {
				return invalid("messages[%d].content[%d]: image_url part without image_url", i, j)
			}
			data, ok := dataURLBase64(p.ImageURL.URL)
			if !ok {
				return invalid("messages[%d].content[%d]: Ollama takes images inline only: give a base64 data URL (data:image/png;base64,...), not %.40q; this library does not fetch image URLs", i, j, p.ImageURL.URL)
			}
			w.Images = append(w.Images, data)
		case llm.PartRefusal:
			text.WriteString(p.Refusal)
		default:
			return &llm.Error{Kind: llm.KindUnsupported, Message: fmt.Sprintf("messages[%d].content[%d]: Ollama chat does not take %s parts", i, j, p.Type)}
		}
	}
	w.Content = text.String()
	return nil
}

// dataURLBase64 returns the base64 payload of a "data:<mime>;base64,<data>" URL.
func dataURLBase64(u string) (string, bool) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return "", false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", false
	}
	return data, true
}
