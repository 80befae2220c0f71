package cost

import (
	"strings"
)

// ModelInfo is what the table knows about one model: its limits, what it
// supports and its prices.
type ModelInfo struct {
	// Name is the entry's canonical name, "provider/model", such as
	// "openai/gpt-4o" or "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0".
	Name string
	// Provider is the provider's name as the library spells it ("openai",
	// "anthropic", "vertex_ai", "bedrock", ...). It is the part of Name
	// before the first slash.
	Provider string
	// Mode is the kind of calls the model serves.
	Mode Mode
	// MaxInputTokens is the context window for the prompt; 0 if unknown.
	MaxInputTokens int
	// MaxOutputTokens is the most tokens one response may hold; 0 if unknown.
	MaxOutputTokens int
	// Supports lists the capabilities the source data says the model has.
	Supports Capability
	// Lacks lists the capabilities the source data says the model does not
	// have. A capability in neither set is not documented either way.
	Lacks Capability
	// Prices are the model's prices in US dollars.
	Prices Prices
	// Aliases are other spellings of the model that resolve to this entry,
	// such as the bare "gpt-4o" for "openai/gpt-4o".
	Aliases []string
	// DeprecationDate is the date (YYYY-MM-DD) the provider retires the
	// model, where the source data gives one.
	DeprecationDate string
	// Source names the source of the entry (see [Table.Sources]); it is
	// empty for entries registered at run time. In the embedded table, an
	// entry whose prices the generator corrected (source "fix", with the
	// URL of each correction in cost/internal/gen/corrections.json) has
	// "+fix" after its source, as in "litellm+fix".
	Source string
}

// ModelID returns the model's name without its provider prefix, such as
// "gpt-4o" for "openai/gpt-4o".
func (m *ModelInfo) ModelID() string {
	if m.Provider != "" {
		if rest, ok := strings.CutPrefix(m.Name, m.Provider+"/"); ok {
			return rest
		}
	}
	return m.Name
}

// Cost prices the usage u with the model's prices. It is [Prices.Cost] on
// m.Prices, with the result's Model set to m.Name.
func (m *ModelInfo) Cost(u Usage) (Cost, error) { return m.cost(&u) }

func (m *ModelInfo) cost(u *Usage) (Cost, error) {
	c := Cost{Model: m.Name}
	if missing := m.Prices.cost(u, &c); missing != 0 {
		err := &priceError{model: m.Name, units: missing}
		c.Reason = err.reason()
		return c, err
	}
	return c, nil
}

// Mode is the kind of calls a model serves, as the source data spells it.
type Mode string

// The modes of the source data.
const (
	ModeChat               Mode = "chat"
	ModeCompletion         Mode = "completion"
	ModeResponses          Mode = "responses"
	ModeEmbedding          Mode = "embedding"
	ModeImageGeneration    Mode = "image_generation"
	ModeImageEdit          Mode = "image_edit"
	ModeAudioTranscription Mode = "audio_transcription"
	ModeAudioSpeech        Mode = "audio_speech"
	ModeRealtime           Mode = "realtime"
	ModeRerank             Mode = "rerank"
	ModeModeration         Mode = "moderation"
	ModeVideoGeneration    Mode = "video_generation"
	ModeSearch             Mode = "search"
	ModeOCR                Mode = "ocr"
)

// Capability is a set of model capabilities, one bit each.
type Capability uint32

// The capabilities the table records.
const (
	// Vision means the model reads images in the prompt.
	Vision Capability = 1 << iota
	// Tools means the model calls functions (tools).
	Tools
	// ParallelTools means the model may call several tools in one turn.
	ParallelTools
	// ToolChoice means the model honours tool_choice.
	ToolChoice
	// ResponseSchema means the model follows a JSON schema response format.
	ResponseSchema
	// Reasoning means the model reasons (thinks) before it answers.
	Reasoning
	// PromptCaching means the provider caches prompts for the model.
	PromptCaching
	// PDFInput means the model reads PDF documents.
	PDFInput
	// AudioInput means the model hears audio in the prompt.
	AudioInput
	// AudioOutput means the model speaks.
	AudioOutput
	// WebSearch means the model can search the web.
	WebSearch
	// SystemMessages means the model accepts system messages.
	SystemMessages
)

// capabilityNames maps each capability to its name in the table and to the
// source data's supports_* flag.
var capabilityNames = [...]struct {
	c      Capability
	name   string
	source string
}{
	{Vision, "vision", "supports_vision"},
	{Tools, "tools", "supports_function_calling"},
	{ParallelTools, "parallel_tools", "supports_parallel_function_calling"},
	{ToolChoice, "tool_choice", "supports_tool_choice"},
	{ResponseSchema, "response_schema", "supports_response_schema"},
	{Reasoning, "reasoning", "supports_reasoning"},
	{PromptCaching, "prompt_caching", "supports_prompt_caching"},
	{PDFInput, "pdf_input", "supports_pdf_input"},
	{AudioInput, "audio_input", "supports_audio_input"},
	{AudioOutput, "audio_output", "supports_audio_output"},
	{WebSearch, "web_search", "supports_web_search"},
	{SystemMessages, "system_messages", "supports_system_messages"},
}

// Has reports whether every capability in want is in c.
func (c Capability) Has(want Capability) bool { return want != 0 && c&want == want }

// String returns the capabilities' names separated by commas, such as
// "vision,tools".
func (c Capability) String() string {
	var b strings.Builder
	for _, n := range capabilityNames {
		if c&n.c != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n.name)
		}
	}
	return b.String()
}

// parseCapabilities is the inverse of Capability.String; it reports false
// for an unknown name.
func parseCapabilities(s string) (Capability, bool) {
	var c Capability
	for name := range strings.SplitSeq(s, ",") {
		found := false
		for _, n := range capabilityNames {
			if n.name == name {
				c |= n.c
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return c, true
}
