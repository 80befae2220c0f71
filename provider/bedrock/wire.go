package bedrock

import "encoding/json"

// The Converse wire shapes, named and tagged as the service model
// (bedrock-runtime-2023-09-30) defines them. Unions are structs with one
// member set.

type converseRequest struct {
	Messages                     []message        `json:"messages"`
	System                       []systemBlock    `json:"system,omitempty"`
	InferenceConfig              *inferenceConfig `json:"inferenceConfig,omitempty"`
	ToolConfig                   *toolConfig      `json:"toolConfig,omitempty"`
	AdditionalModelRequestFields json.RawMessage  `json:"additionalModelRequestFields,omitempty"`
	ServiceTier                  *serviceTier     `json:"serviceTier,omitempty"`
	GuardrailConfig              *guardrail       `json:"guardrailConfig,omitempty"`
}

type message struct {
	Role    string         `json:"role"`
	Content []contentBlock `json:"content"`
}

// contentBlock is the ContentBlock union (request and response).
type contentBlock struct {
	Text             string            `json:"text,omitempty"`
	Image            *imageBlock       `json:"image,omitempty"`
	Document         *documentBlock    `json:"document,omitempty"`
	Video            *mediaBlock       `json:"video,omitempty"`
	Audio            *mediaBlock       `json:"audio,omitempty"`
	ToolUse          *toolUseBlock     `json:"toolUse,omitempty"`
	ToolResult       *toolResultBlock  `json:"toolResult,omitempty"`
	CachePoint       *cachePoint       `json:"cachePoint,omitempty"`
	ReasoningContent *reasoningContent `json:"reasoningContent,omitempty"`
	CitationsContent *citationsContent `json:"citationsContent,omitempty"`
}

type systemBlock struct {
	Text       string      `json:"text,omitempty"`
	CachePoint *cachePoint `json:"cachePoint,omitempty"`
}

type cachePoint struct {
	Type string `json:"type"` // "default"
	TTL  string `json:"ttl,omitempty"`
}

// source is the ImageSource / DocumentSource / VideoSource / AudioSource
// union. Bytes is the base64 text of the blob, as REST-JSON encodes blobs.
type source struct {
	Bytes      string      `json:"bytes,omitempty"`
	S3Location *s3Location `json:"s3Location,omitempty"`
}

type s3Location struct {
	URI         string `json:"uri"`
	BucketOwner string `json:"bucketOwner,omitempty"`
}

type imageBlock struct {
	Format string `json:"format"`
	Source source `json:"source"`
}

type mediaBlock struct {
	Format string `json:"format"`
	Source source `json:"source"`
}

type documentBlock struct {
	Format string `json:"format,omitempty"`
	Name   string `json:"name"`
	Source source `json:"source"`
}

type toolUseBlock struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type toolResultBlock struct {
	ToolUseID string              `json:"toolUseId"`
	Content   []toolResultContent `json:"content"`
	Status    string              `json:"status,omitempty"`
}

// toolResultContent is the ToolResultContentBlock union; Text is a pointer so
// that an empty result is still sent as {"text":""}.
type toolResultContent struct {
	Text     *string        `json:"text,omitempty"`
	Image    *imageBlock    `json:"image,omitempty"`
	Document *documentBlock `json:"document,omitempty"`
}

type reasoningContent struct {
	ReasoningText   *reasoningText `json:"reasoningText,omitempty"`
	RedactedContent string         `json:"redactedContent,omitempty"` // base64
}

type reasoningText struct {
	Text      string `json:"text"`
	Signature string `json:"signature,omitempty"`
}

type citationsContent struct {
	Content []struct {
		Text string `json:"text"`
	} `json:"content"`
}

type inferenceConfig struct {
	MaxTokens     int      `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

type toolConfig struct {
	Tools      []tool      `json:"tools"`
	ToolChoice *toolChoice `json:"toolChoice,omitempty"`
}

type tool struct {
	ToolSpec   *toolSpec   `json:"toolSpec,omitempty"`
	CachePoint *cachePoint `json:"cachePoint,omitempty"`
}

type toolSpec struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	InputSchema inputSchema `json:"inputSchema"`
}

type inputSchema struct {
	JSON json.RawMessage `json:"json"`
}

type empty struct{}

type toolChoice struct {
	Auto *empty        `json:"auto,omitempty"`
	Any  *empty        `json:"any,omitempty"`
	Tool *specificTool `json:"tool,omitempty"`
}

type specificTool struct {
	Name string `json:"name"`
}

type serviceTier struct {
	Type string `json:"type"`
}

// additionalFields is what the translator itself puts in
// additionalModelRequestFields; Extra is merged over it.
type additionalFields struct {
	Thinking *thinking `json:"thinking,omitempty"`
}

type thinking struct {
	Type         string `json:"type"` // "enabled"
	BudgetTokens int    `json:"budget_tokens"`
}

type converseResponse struct {
	Output struct {
		Message *message `json:"message"`
	} `json:"output"`
	StopReason string          `json:"stopReason"`
	Usage      *tokenUsage     `json:"usage"`
	Trace      json.RawMessage `json:"trace"`
}

type tokenUsage struct {
	InputTokens           int `json:"inputTokens"`
	OutputTokens          int `json:"outputTokens"`
	TotalTokens           int `json:"totalTokens"`
	CacheReadInputTokens  int `json:"cacheReadInputTokens"`
	CacheWriteInputTokens int `json:"cacheWriteInputTokens"`
	CacheDetails          []struct {
		TTL         string `json:"ttl"`
		InputTokens int    `json:"inputTokens"`
	} `json:"cacheDetails"`
}

// streamEvent is the payload of any ConverseStream event; the :event-type
// header says which fields are set.
type streamEvent struct {
	Role              string          `json:"role"`              // messageStart
	ContentBlockIndex int             `json:"contentBlockIndex"` // contentBlock*
	Start             *blockStart     `json:"start"`             // contentBlockStart
	Delta             *blockDelta     `json:"delta"`             // contentBlockDelta
	StopReason        string          `json:"stopReason"`        // messageStop
	Usage             *tokenUsage     `json:"usage"`             // metadata
	Trace             json.RawMessage `json:"trace"`             // metadata
}

type blockStart struct {
	ToolUse *struct {
		ToolUseID string `json:"toolUseId"`
		Name      string `json:"name"`
	} `json:"toolUse"`
}

type blockDelta struct {
	Text    string `json:"text"`
	ToolUse *struct {
		Input string `json:"input"`
	} `json:"toolUse"`
	ReasoningContent *struct {
		Text            string `json:"text"`
		Signature       string `json:"signature"`
		RedactedContent string `json:"redactedContent"`
	} `json:"reasoningContent"`
}
