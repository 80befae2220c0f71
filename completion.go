package llm

import (
	"encoding/json"
	"net/http"
	"time"
)

// Role is the author of a message.
type Role string

// The roles of OpenAI's Chat Completions API.
const (
	RoleSystem    Role = "system"
	RoleDeveloper Role = "developer"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// CompletionRequest is a chat completion request. Its fields and JSON tags
// mirror OpenAI's Chat Completions request body, so any OpenAI-format body
// decodes into it and encodes back with the same meaning; fields it does not
// name are kept in Extra.
type CompletionRequest struct {
	// Model is "provider/model", such as "openai/gpt-4o" or
	// "anthropic/claude-sonnet-4-20250514". A bare name such as "gpt-4o"
	// resolves to its provider when it is a well-known one.
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`

	Tools             []Tool          `json:"tools,omitempty"`
	ToolChoice        *ToolChoice     `json:"tool_choice,omitempty"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls,omitempty"`
	ResponseFormat    *ResponseFormat `json:"response_format,omitempty"`

	Temperature         *float64       `json:"temperature,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	MaxTokens           int            `json:"max_tokens,omitempty"`
	MaxCompletionTokens int            `json:"max_completion_tokens,omitempty"`
	N                   int            `json:"n,omitempty"`
	Stop                StringList     `json:"stop,omitempty"`
	Seed                *int64         `json:"seed,omitempty"`
	PresencePenalty     *float64       `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64       `json:"frequency_penalty,omitempty"`
	LogitBias           map[string]int `json:"logit_bias,omitempty"`
	Logprobs            bool           `json:"logprobs,omitempty"`
	TopLogprobs         *int           `json:"top_logprobs,omitempty"`
	User                string         `json:"user,omitempty"`
	// ReasoningEffort is "minimal", "low", "medium" or "high" (some
	// providers also accept "none"); translators map it to their own
	// thinking controls.
	ReasoningEffort  string            `json:"reasoning_effort,omitempty"`
	Stream           bool              `json:"stream,omitempty"`
	StreamOptions    *StreamOptions    `json:"stream_options,omitempty"`
	Metadata         map[string]string `json:"metadata,omitempty"`
	Store            *bool             `json:"store,omitempty"`
	Modalities       []string          `json:"modalities,omitempty"`
	Audio            *AudioOutput      `json:"audio,omitempty"`
	Prediction       *Prediction       `json:"prediction,omitempty"`
	ServiceTier      string            `json:"service_tier,omitempty"`
	WebSearchOptions *WebSearchOptions `json:"web_search_options,omitempty"`

	// Extra holds body fields this struct does not name. On encoding they
	// are merged into the outgoing body (replacing a field of the same
	// name); decoding puts unknown fields here. Translators merge Extra into
	// their own wire bodies, which is how provider-specific knobs such as
	// Anthropic's top_k or Gemini's safetySettings are passed.
	Extra map[string]any `json:"-"`
}

// Message is one message of a conversation.
type Message struct {
	Role       Role       `json:"role"`
	Content    Content    `json:"content,omitzero"`
	Name       string     `json:"name,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Refusal    string     `json:"refusal,omitempty"`
	// Annotations are citations attached to the content (web search).
	Annotations []Annotation `json:"annotations,omitempty"`
	// ReasoningContent is the model's visible reasoning, for providers that
	// return it (DeepSeek, Anthropic thinking, Gemini thoughts...).
	ReasoningContent string `json:"reasoning_content,omitempty"`
	// ThinkingBlocks are a provider's raw reasoning blocks with their
	// signatures (Anthropic), to be sent back unchanged in a multi-turn
	// conversation.
	ThinkingBlocks []ThinkingBlock `json:"thinking_blocks,omitempty"`
	Audio          *AudioRef       `json:"audio,omitempty"`
	// CacheControl marks the message for provider prompt caching
	// (Anthropic, Bedrock); providers without it ignore it.
	CacheControl *CacheControl `json:"cache_control,omitempty"`
	// ProviderSpecificFields carries data a provider needs back on a later
	// turn that has no OpenAI field (such as Gemini's thought signatures).
	ProviderSpecificFields map[string]any `json:"provider_specific_fields,omitempty"`
}

// Annotation is a citation of a web page in a message's content.
type Annotation struct {
	Type        string       `json:"type"` // "url_citation"
	URLCitation *URLCitation `json:"url_citation,omitempty"`
}

// URLCitation is where in the content a web page is cited.
type URLCitation struct {
	StartIndex int    `json:"start_index"`
	EndIndex   int    `json:"end_index"`
	Title      string `json:"title"`
	URL        string `json:"url"`
}

// ThinkingBlock is a raw reasoning block. Type is "thinking" (Thinking and
// Signature set) or "redacted_thinking" (Data set).
type ThinkingBlock struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking,omitempty"`
	Signature string `json:"signature,omitempty"`
	Data      string `json:"data,omitempty"`
}

// CacheControl is a prompt-caching marker, as Anthropic defines it: Type
// "ephemeral" and an optional TTL ("5m" or "1h").
type CacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

// AudioRef refers to audio a model produced on an earlier turn.
type AudioRef struct {
	ID string `json:"id"`
}

// PartType is the type of a content part.
type PartType string

// The content part types.
const (
	PartText       PartType = "text"
	PartImageURL   PartType = "image_url"
	PartInputAudio PartType = "input_audio"
	PartFile       PartType = "file"
	PartRefusal    PartType = "refusal"
)

// Part is one part of a multi-part message content.
type Part struct {
	Type         PartType      `json:"type"`
	Text         string        `json:"text,omitempty"`
	ImageURL     *ImageURL     `json:"image_url,omitempty"`
	InputAudio   *InputAudio   `json:"input_audio,omitempty"`
	File         *File         `json:"file,omitempty"`
	Refusal      string        `json:"refusal,omitempty"`
	CacheControl *CacheControl `json:"cache_control,omitempty"`
}

// ImageURL is an image given by URL or as a data URL
// ("data:image/png;base64,...").
type ImageURL struct {
	URL string `json:"url"`
	// Detail is "auto", "low" or "high".
	Detail string `json:"detail,omitempty"`
	// Format is the image's MIME type, for URLs that do not reveal it
	// (used by providers that need one, such as Gemini for gs:// URIs).
	Format string `json:"format,omitempty"`
}

// InputAudio is base64-encoded audio given as input.
type InputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"` // "wav", "mp3", ...
}

// File is a file given as input: inline as a data URL in FileData, or by
// FileID (an uploaded file) or URL-like ID.
type File struct {
	FileData string `json:"file_data,omitempty"`
	FileID   string `json:"file_id,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Format is the file's MIME type where it cannot be inferred.
	Format string `json:"format,omitempty"`
}

// ToolCall is a call of a function that the model asked for.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"` // "function"
	Function FunctionCall `json:"function"`
	// ProviderSpecificFields carries provider data tied to the call (such as
	// Gemini's thought signature) that must go back with it.
	ProviderSpecificFields map[string]any `json:"provider_specific_fields,omitempty"`
}

// FunctionCall is the function and its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Tool is a tool the model may call. Type is "function", with Function
// set; any other type without Function is a provider's server tool (such as
// Gemini's "google_search"), which the provider maps, or refuses with
// KindUnsupported when it has no such tool.
type Tool struct {
	Type         string        `json:"type"`
	Function     *Function     `json:"function,omitempty"`
	CacheControl *CacheControl `json:"cache_control,omitempty"`
}

// Function describes a callable function. Parameters is a JSON Schema
// object.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ResponseFormat asks for text, any JSON object, or JSON following a schema.
type ResponseFormat struct {
	Type       string      `json:"type"` // "text", "json_object" or "json_schema"
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema is a named JSON Schema for structured output.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// StreamOptions are the options of a streamed completion.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// AudioOutput asks for audio output (with Modalities ["text", "audio"]).
type AudioOutput struct {
	Voice  string `json:"voice"`
	Format string `json:"format"`
}

// Prediction is predicted output content, to speed up regeneration.
type Prediction struct {
	Type    string  `json:"type"` // "content"
	Content Content `json:"content"`
}

// WebSearchOptions configures the web search tool of search models.
type WebSearchOptions struct {
	SearchContextSize string        `json:"search_context_size,omitempty"`
	UserLocation      *UserLocation `json:"user_location,omitempty"`
}

// UserLocation is an approximate user location for web search.
type UserLocation struct {
	Type        string `json:"type"` // "approximate"
	Approximate struct {
		City     string `json:"city,omitempty"`
		Country  string `json:"country,omitempty"`
		Region   string `json:"region,omitempty"`
		Timezone string `json:"timezone,omitempty"`
	} `json:"approximate"`
}

// CompletionResponse is a chat completion, shaped as OpenAI's
// chat.completion object.
type CompletionResponse struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
	ServiceTier       string   `json:"service_tier,omitempty"`
	Choices           []Choice `json:"choices"`
	Usage             *Usage   `json:"usage,omitempty"`

	// Meta is what the library knows about the call beyond the body.
	Meta Meta `json:"-"`
}

// Choice is one completion choice.
type Choice struct {
	Index        int       `json:"index"`
	Message      Message   `json:"message"`
	FinishReason string    `json:"finish_reason"`
	Logprobs     *Logprobs `json:"logprobs,omitempty"`
}

// The finish reasons every translator maps its provider's reasons onto.
const (
	FinishStop          = "stop"
	FinishLength        = "length"
	FinishToolCalls     = "tool_calls"
	FinishContentFilter = "content_filter"
)

// Logprobs are the log probabilities of the output tokens.
type Logprobs struct {
	Content []TokenLogprob `json:"content"`
	Refusal []TokenLogprob `json:"refusal,omitempty"`
}

// TokenLogprob is the log probability of one token and its top alternatives.
type TokenLogprob struct {
	Token       string       `json:"token"`
	Logprob     float64      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []TopLogprob `json:"top_logprobs"`
}

// TopLogprob is one alternative token.
type TopLogprob struct {
	Token   string  `json:"token"`
	Logprob float64 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

// Usage counts tokens with OpenAI's semantics: PromptTokens includes cached
// and cache-write tokens, CompletionTokens includes reasoning tokens.
type Usage struct {
	PromptTokens            int                     `json:"prompt_tokens"`
	CompletionTokens        int                     `json:"completion_tokens"`
	TotalTokens             int                     `json:"total_tokens"`
	PromptTokensDetails     PromptTokensDetails     `json:"prompt_tokens_details,omitzero"`
	CompletionTokensDetails CompletionTokensDetails `json:"completion_tokens_details,omitzero"`
	// ServerToolUse counts the provider-side tools the model ran (web
	// searches), which are billed per use; nil when it ran none.
	ServerToolUse *ServerToolUse `json:"server_tool_use,omitempty"`
}

// ServerToolUse counts the provider-side tool uses of a call, in the shape
// Anthropic and LiteLLM report them.
type ServerToolUse struct {
	// WebSearchRequests is the number of web searches the model made.
	WebSearchRequests int `json:"web_search_requests,omitempty"`
	// WebFetchRequests is the number of pages the model fetched.
	WebFetchRequests int `json:"web_fetch_requests,omitempty"`
	// SearchContextSize is the search context size the searches used
	// ("low", "medium" or "high"), where the price depends on it (OpenAI).
	SearchContextSize string `json:"search_context_size,omitempty"`
}

// PromptTokensDetails breaks PromptTokens down. Every count is a part of
// PromptTokens.
type PromptTokensDetails struct {
	// CachedTokens were read from the provider's prompt cache.
	CachedTokens int `json:"cached_tokens"`
	AudioTokens  int `json:"audio_tokens,omitempty"`
	ImageTokens  int `json:"image_tokens,omitempty"`
	TextTokens   int `json:"text_tokens,omitempty"`
	// CacheCreationTokens were written to the provider's prompt cache
	// (Anthropic, Bedrock); they are priced differently from other input.
	CacheCreationTokens int `json:"cache_creation_tokens,omitempty"`
	// CacheCreation1hTokens is the part of CacheCreationTokens written with
	// a one-hour TTL (the rest have the default five-minute TTL).
	CacheCreation1hTokens int `json:"cache_creation_1h_tokens,omitempty"`
}

// CompletionTokensDetails breaks CompletionTokens down. Every count is a part
// of CompletionTokens.
type CompletionTokensDetails struct {
	ReasoningTokens          int `json:"reasoning_tokens"`
	AudioTokens              int `json:"audio_tokens,omitempty"`
	ImageTokens              int `json:"image_tokens,omitempty"`
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens,omitempty"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens,omitempty"`
	// VideoTokens are the generated video tokens (Gemini's VIDEO output
	// modality); they are priced at the model's video rate, not the text
	// rate.
	VideoTokens int `json:"video_tokens,omitempty"`
}

// Chunk is one streamed piece of a chat completion, shaped as OpenAI's
// chat.completion.chunk object.
type Chunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
	ServiceTier       string        `json:"service_tier,omitempty"`
	Choices           []ChunkChoice `json:"choices"`
	// Usage is set on the last chunk of a stream only.
	Usage *Usage `json:"usage,omitempty"`

	// Meta is shared by the chunks of one stream; the last chunk carries a
	// copy completed with latency and cost.
	Meta *Meta `json:"-"`
}

// ChunkChoice is the delta of one choice.
type ChunkChoice struct {
	Index        int       `json:"index"`
	Delta        Delta     `json:"delta"`
	FinishReason string    `json:"finish_reason,omitempty"`
	Logprobs     *Logprobs `json:"logprobs,omitempty"`
}

// Delta is the new content of a choice in a chunk.
//
// Translators stream reasoning text in ReasoningContent; a provider's raw
// thinking block (with its signature) is sent whole, once complete, in
// ThinkingBlocks, so that Collect only appends blocks.
type Delta struct {
	Role                   Role            `json:"role,omitempty"`
	Content                string          `json:"content,omitempty"`
	Refusal                string          `json:"refusal,omitempty"`
	ToolCalls              []ToolCallDelta `json:"tool_calls,omitempty"`
	ReasoningContent       string          `json:"reasoning_content,omitempty"`
	ThinkingBlocks         []ThinkingBlock `json:"thinking_blocks,omitempty"`
	Audio                  json.RawMessage `json:"audio,omitempty"`
	ProviderSpecificFields map[string]any  `json:"provider_specific_fields,omitempty"`
	// Annotations are citations of the choice's content (web search),
	// indexed into the whole message's content; Collect appends them.
	Annotations []Annotation `json:"annotations,omitempty"`
}

// ToolCallDelta is a piece of a tool call. The first piece of a call carries
// its Index, ID and Function.Name; later pieces carry the same Index and
// fragments of Function.Arguments. Index counts tool calls, not content
// blocks.
type ToolCallDelta struct {
	Index    int               `json:"index"`
	ID       string            `json:"id,omitempty"`
	Type     string            `json:"type,omitempty"`
	Function FunctionCallDelta `json:"function"`
	// ProviderSpecificFields as in ToolCall.
	ProviderSpecificFields map[string]any `json:"provider_specific_fields,omitempty"`
}

// FunctionCallDelta is a piece of a function call.
type FunctionCallDelta struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments,omitempty"`
}

// Meta is what the library knows about a call beyond the response body: what
// LiteLLM keeps in its hidden params.
type Meta struct {
	// Provider is the provider's registered name, such as "anthropic".
	Provider string
	// Model is the model string without its provider prefix, as the call
	// named it (the provider's own name for the model it ran is the
	// response's Model field).
	Model string
	// Latency is the time from the call to the complete response (for a
	// stream: to its last chunk).
	Latency time.Duration
	// TimeToFirstToken is, for a stream, the time to its first chunk.
	TimeToFirstToken time.Duration
	// Header holds the provider's response headers (rate-limit remaining,
	// request ids).
	Header http.Header
	// Raw is the provider's response body, kept when the call was made with
	// WithRawResponse (for a stream, unset).
	Raw json.RawMessage
	// Cost is the price of the call in US dollars, itemised; nil until the
	// call completes.
	Cost *Cost
	// Deployment is the ID of the router deployment that served the call
	// (package router); empty for a call that was not routed.
	Deployment string
	// ContinuedFrom is set on the one chunk where a router's mid-stream
	// fallback (router.WithMidStreamFallback) switched deployments: the ID
	// of the deployment whose stream failed after chunks were yielded.
	ContinuedFrom string
}

// Text returns the text content of the first choice, or "" when there is
// none. Use it (and the other accessors) rather than indexing Choices, which
// panics on a response without choices.
func (r *CompletionResponse) Text() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	return r.Choices[0].Message.Content.String()
}

// Message returns the message of the first choice, ready to be appended to
// the conversation, or the zero Message when there is no choice.
func (r *CompletionResponse) Message() Message {
	if r == nil || len(r.Choices) == 0 {
		return Message{}
	}
	return r.Choices[0].Message
}

// ToolCalls returns the tool calls of the first choice, or nil.
func (r *CompletionResponse) ToolCalls() []ToolCall {
	if r == nil || len(r.Choices) == 0 {
		return nil
	}
	return r.Choices[0].Message.ToolCalls
}

// FinishReason returns the finish reason of the first choice (FinishStop,
// FinishToolCalls, ...), or "" when there is no choice.
func (r *CompletionResponse) FinishReason() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	return r.Choices[0].FinishReason
}

// Text returns the content delta of the first choice, or "" when there is
// none, as in the last chunk of a stream, which carries the usage and no
// choices:
//
//	for chunk, err := range llm.CompletionStream(ctx, req) {
//		if err != nil {
//			return err
//		}
//		fmt.Print(chunk.Text())
//	}
func (c *Chunk) Text() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].Delta.Content
}

// FinishReason returns the finish reason of the first choice, or "" when
// the chunk has none (most chunks of a stream).
func (c *Chunk) FinishReason() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].FinishReason
}
