package llm

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// Content is a message's content: either plain text or a list of parts. On
// the wire it is a JSON string when Parts is nil and an array otherwise.
type Content struct {
	Text  string
	Parts []Part
}

// Text returns text content.
func Text(s string) Content { return Content{Text: s} }

// Parts returns multi-part content.
func Parts(parts ...Part) Content { return Content{Parts: parts} }

// IsZero reports whether c is empty; empty content is omitted on encoding.
func (c Content) IsZero() bool { return c.Text == "" && c.Parts == nil }

// String returns the text of c: Text, or the text parts joined.
func (c Content) String() string {
	if c.Parts == nil {
		return c.Text
	}
	var b strings.Builder
	for _, p := range c.Parts {
		if p.Type == PartText {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// MarshalJSON implements json.Marshaler.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Parts != nil {
		return json.Marshal(c.Parts)
	}
	return jsonx.AppendString(make([]byte, 0, len(c.Text)+2), c.Text), nil
}

// UnmarshalJSON implements json.Unmarshaler; it accepts a string, an array of
// parts or null.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*c = Content{}
		return nil
	case b[0] == '[':
		c.Text = ""
		c.Parts = []Part{}
		return json.Unmarshal(b, &c.Parts)
	}
	c.Parts = nil
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && jsonx.PlainString(b[1:n-1]) {
		c.Text = string(b[1 : n-1])
		return nil
	}
	return json.Unmarshal(b, &c.Text)
}

// TextPart returns a text part.
func TextPart(s string) Part { return Part{Type: PartText, Text: s} }

// ImagePart returns an image part for a URL or data URL; detail may be "".
func ImagePart(url, detail string) Part {
	return Part{Type: PartImageURL, ImageURL: &ImageURL{URL: url, Detail: detail}}
}

// FilePart returns a file part with inline data given as a data URL
// ("data:application/pdf;base64,...").
func FilePart(filename, dataURL string) Part {
	return Part{Type: PartFile, File: &File{Filename: filename, FileData: dataURL}}
}

// AudioPart returns an input-audio part from base64 data.
func AudioPart(base64Data, format string) Part {
	return Part{Type: PartInputAudio, InputAudio: &InputAudio{Data: base64Data, Format: format}}
}

// SystemText returns a system message.
func SystemText(s string) Message { return Message{Role: RoleSystem, Content: Text(s)} }

// UserText returns a user message.
func UserText(s string) Message { return Message{Role: RoleUser, Content: Text(s)} }

// UserParts returns a user message with multi-part content.
func UserParts(parts ...Part) Message { return Message{Role: RoleUser, Content: Parts(parts...)} }

// AssistantText returns an assistant message.
func AssistantText(s string) Message { return Message{Role: RoleAssistant, Content: Text(s)} }

// ToolResult returns a tool message answering the tool call with id.
func ToolResult(id, content string) Message {
	return Message{Role: RoleTool, ToolCallID: id, Content: Text(content)}
}

// FunctionTool returns a function tool. parameters is a JSON Schema object,
// such as `{"type":"object","properties":{"city":{"type":"string"}}}`.
func FunctionTool(name, description, parameters string) Tool {
	return Tool{Type: "function", Function: &Function{Name: name, Description: description, Parameters: json.RawMessage(parameters)}}
}

// ToolChoice says whether and which tool the model must call. On the wire it
// is the string "none", "auto" or "required", or a named function object.
type ToolChoice struct {
	// Mode is "none", "auto" or "required"; it is ignored when Function is
	// set.
	Mode string
	// Function names the one function the model must call.
	Function string
}

// The tool choices that are plain modes.
var (
	ToolChoiceNone     = &ToolChoice{Mode: "none"}
	ToolChoiceAuto     = &ToolChoice{Mode: "auto"}
	ToolChoiceRequired = &ToolChoice{Mode: "required"}
)

// ToolChoiceFunction returns a tool choice forcing a call of the named function.
func ToolChoiceFunction(name string) *ToolChoice { return &ToolChoice{Function: name} }

type namedToolChoice struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// MarshalJSON implements json.Marshaler.
func (t ToolChoice) MarshalJSON() ([]byte, error) {
	if t.Function != "" {
		var n namedToolChoice
		n.Type = "function"
		n.Function.Name = t.Function
		return json.Marshal(n)
	}
	return json.Marshal(t.Mode)
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *ToolChoice) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var n namedToolChoice
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*t = ToolChoice{Function: n.Function.Name}
		return nil
	}
	*t = ToolChoice{}
	return json.Unmarshal(b, &t.Mode)
}

// StringList is a list of strings that also decodes from a single JSON string
// (OpenAI's stop accepts both).
type StringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Ptr returns a pointer to v, for the optional fields of requests:
// Temperature: llm.Ptr(0.2).
func Ptr[T any](v T) *T { return &v }

type completionRequestFields CompletionRequest

// MarshalJSON implements json.Marshaler, merging Extra into the body.
func (r CompletionRequest) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(completionRequestFields(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return mergeObject(b, r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields in Extra.
func (r *CompletionRequest) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*completionRequestFields)(r)); err != nil {
		return err
	}
	r.Extra = unknownFields(b, completionRequestKeys)
	return nil
}

var completionRequestKeys = fieldNames(completionRequestFields{})

var (
	fieldNames  = jsonx.FieldNames
	mergeObject = jsonx.MergeObject
)

// unknownFields returns the top-level fields of the JSON object b that are not
// in known, as raw JSON values, or nil.
func unknownFields(b []byte, known map[string]bool) map[string]any {
	var extra map[string]any
	gjson.ParseBytes(b).ForEach(func(k, v gjson.Result) bool {
		if !known[k.Str] {
			if extra == nil {
				extra = make(map[string]any)
			}
			extra[k.Str] = json.RawMessage(v.Raw)
		}
		return true
	})
	return extra
}
