package anthropic

import (
	"encoding/json"

	"github.com/llmux/llm"
)

// The Messages API wire types, from Anthropic's OpenAPI spec
// (CreateMessageParams, Message, the streaming events).

type request struct {
	AnthropicVersion string        `json:"anthropic_version,omitempty"`
	AnthropicBeta    []string      `json:"anthropic_beta,omitempty"`
	Model            string        `json:"model,omitempty"`
	Messages         []message     `json:"messages"`
	System           []block       `json:"system,omitempty"`
	MaxTokens        int           `json:"max_tokens"`
	Metadata         *metadata     `json:"metadata,omitempty"`
	StopSequences    []string      `json:"stop_sequences,omitempty"`
	Stream           bool          `json:"stream,omitempty"`
	Temperature      *float64      `json:"temperature,omitempty"`
	TopP             *float64      `json:"top_p,omitempty"`
	Thinking         *thinking     `json:"thinking,omitempty"`
	Tools            []tool        `json:"tools,omitempty"`
	ToolChoice       *toolChoice   `json:"tool_choice,omitempty"`
	OutputFormat     *outputFormat `json:"output_format,omitempty"`
}

type message struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

type metadata struct {
	UserID string `json:"user_id"`
}

type thinking struct {
	Type         string `json:"type"`
	BudgetTokens int    `json:"budget_tokens,omitempty"`
}

type tool struct {
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	InputSchema  json.RawMessage   `json:"input_schema"`
	CacheControl *llm.CacheControl `json:"cache_control,omitempty"`
	// Server, when set, is the whole definition of one of Anthropic's own
	// tools (ServerTool, web_search_options), written instead of the
	// fields above.
	Server json.RawMessage `json:"-"`
}

type toolFields tool

// MarshalJSON writes Server when set, else the function tool.
func (t tool) MarshalJSON() ([]byte, error) {
	if len(t.Server) > 0 {
		return t.Server, nil
	}
	return json.Marshal(toolFields(t))
}

type toolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

type outputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

// block is a content block of a request (text, image, document, tool_use,
// tool_result, thinking, redacted_thinking) or of a response.
type block struct {
	Type string `json:"type"`
	// text
	Text string `json:"text,omitempty"`
	// image, document
	Source *source `json:"source,omitempty"`
	Title  string  `json:"title,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string  `json:"tool_use_id,omitempty"`
	Content   []block `json:"content,omitempty"`
	// thinking, redacted_thinking
	Thinking  string `json:"thinking,omitempty"`
	Signature string `json:"signature,omitempty"`
	Data      string `json:"data,omitempty"`

	CacheControl *llm.CacheControl `json:"cache_control,omitempty"`
}

type source struct {
	Type      string `json:"type"` // base64, url, text, file
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
	FileID    string `json:"file_id,omitempty"`
}

// respBlock is a content block of a response or of a content_block_start
// event. Only the fields the translator maps are decoded: a server tool
// result's content is an object or a list depending on the tool, and the
// block is kept raw (BlocksField) instead.
type respBlock struct {
	Type      string            `json:"type"`
	Text      string            `json:"text"`
	Citations []json.RawMessage `json:"citations"`
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Input     json.RawMessage   `json:"input"`
	Thinking  string            `json:"thinking"`
	Signature string            `json:"signature"`
	Data      string            `json:"data"`
}

// UnmarshalJSON decodes a content block. A block of a type the translator
// does not map (kept raw) may hold fields of these names in other shapes: if
// it does not decode, only its type is kept, and the call goes on.
func (b *respBlock) UnmarshalJSON(data []byte) error {
	type plain respBlock
	err := json.Unmarshal(data, (*plain)(b))
	if err == nil {
		return nil
	}
	switch typ, ok := typeOf(data); {
	case !ok:
		return err
	case typ == "text" || typ == "tool_use" || typ == "thinking" || typ == "redacted_thinking":
		return err
	default:
		*b = respBlock{Type: typ}
		return nil
	}
}

// typeOf returns the type field of a JSON object, as encoding/json reads it,
// and whether data is an object.
func typeOf(data []byte) (string, bool) {
	var t struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(data, &t) != nil {
		return "", false
	}
	return t.Type, true
}

// response is a Message object.
type response struct {
	ID           string      `json:"id"`
	Type         string      `json:"type"`
	Role         string      `json:"role"`
	Model        string      `json:"model"`
	Content      []respBlock `json:"content"`
	StopReason   string      `json:"stop_reason"`
	StopSequence *string     `json:"stop_sequence"`
	Usage        usage       `json:"usage"`
}

// usage is Usage and MessageDeltaUsage: the delta's counts are cumulative
// and null when unchanged, hence the pointers.
type usage struct {
	InputTokens              *int           `json:"input_tokens"`
	OutputTokens             *int           `json:"output_tokens"`
	CacheCreationInputTokens *int           `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int           `json:"cache_read_input_tokens"`
	CacheCreation            *cacheCreation `json:"cache_creation"`
	ServerToolUse            *serverToolUse `json:"server_tool_use"`
}

// serverToolUse is ServerToolUsage: the server tools the model ran.
type serverToolUse struct {
	WebSearchRequests int `json:"web_search_requests"`
	WebFetchRequests  int `json:"web_fetch_requests"`
}

type cacheCreation struct {
	Ephemeral1hInputTokens int `json:"ephemeral_1h_input_tokens"`
	Ephemeral5mInputTokens int `json:"ephemeral_5m_input_tokens"`
}

// merge overlays the non-null counts of d on u.
func (u *usage) merge(d *usage) {
	if d.InputTokens != nil {
		u.InputTokens = d.InputTokens
	}
	if d.OutputTokens != nil {
		u.OutputTokens = d.OutputTokens
	}
	if d.CacheCreationInputTokens != nil {
		u.CacheCreationInputTokens = d.CacheCreationInputTokens
	}
	if d.CacheReadInputTokens != nil {
		u.CacheReadInputTokens = d.CacheReadInputTokens
	}
	if d.CacheCreation != nil {
		u.CacheCreation = d.CacheCreation
	}
	if d.ServerToolUse != nil {
		u.ServerToolUse = d.ServerToolUse
	}
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// toLLM converts to OpenAI semantics: prompt tokens include cache reads and
// cache writes. The server tools run (web searches and fetches, billed per
// use) become ServerToolUse.
func (u *usage) toLLM() *llm.Usage {
	in, read, write := deref(u.InputTokens), deref(u.CacheReadInputTokens), deref(u.CacheCreationInputTokens)
	out := deref(u.OutputTokens)
	r := &llm.Usage{
		PromptTokens:     in + read + write,
		CompletionTokens: out,
		TotalTokens:      in + read + write + out,
	}
	r.PromptTokensDetails.CachedTokens = read
	r.PromptTokensDetails.CacheCreationTokens = write
	if u.CacheCreation != nil {
		r.PromptTokensDetails.CacheCreation1hTokens = u.CacheCreation.Ephemeral1hInputTokens
	}
	if st := u.ServerToolUse; st != nil && (st.WebSearchRequests > 0 || st.WebFetchRequests > 0) {
		r.ServerToolUse = &llm.ServerToolUse{WebSearchRequests: st.WebSearchRequests, WebFetchRequests: st.WebFetchRequests}
	}
	return r
}

// event is any streaming event: message_start, content_block_start,
// content_block_delta, content_block_stop, message_delta, message_stop,
// ping, error.
type event struct {
	Type         string     `json:"type"`
	Message      *response  `json:"message"`
	Index        int        `json:"index"`
	ContentBlock *respBlock `json:"content_block"`
	Delta        *delta     `json:"delta"`
	Usage        *usage     `json:"usage"`
	Error        *wireError `json:"error"`
}

// delta is a content_block_delta's delta (text_delta, input_json_delta,
// thinking_delta, signature_delta, citations_delta) or a message_delta's.
type delta struct {
	Type        string          `json:"type"`
	Text        string          `json:"text"`
	PartialJSON string          `json:"partial_json"`
	Thinking    string          `json:"thinking"`
	Signature   string          `json:"signature"`
	Citation    json.RawMessage `json:"citation"`
	StopReason  string          `json:"stop_reason"`
}

// UnmarshalJSON decodes a delta. A delta of a type the translator does not
// know may hold fields of these names in other shapes: if it does not
// decode, only its type is kept, and the call goes on.
func (dl *delta) UnmarshalJSON(data []byte) error {
	type plain delta
	err := json.Unmarshal(data, (*plain)(dl))
	if err == nil {
		return nil
	}
	switch typ, ok := typeOf(data); {
	case !ok || typ == "":
		return err // not an object, or a message_delta's delta
	case typ == "text_delta" || typ == "input_json_delta" || typ == "thinking_delta" || typ == "signature_delta" || typ == "citations_delta":
		return err
	default:
		*dl = delta{Type: typ}
		return nil
	}
}

type wireError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// value returns the delta's string for its type: the text of a text_delta,
// the partial_json of an input_json_delta, the thinking of a thinking_delta
// or the signature of a signature_delta.
func (dl *delta) value() string {
	switch dl.Type {
	case "text_delta":
		return dl.Text
	case "input_json_delta":
		return dl.PartialJSON
	case "thinking_delta":
		return dl.Thinking
	case "signature_delta":
		return dl.Signature
	}
	return ""
}
