package gemini

import (
	"encoding/json"
	"strings"
)

// The wire types of the Generative Language API v1beta (and Vertex AI's v1,
// which shares them), as its OpenAPI description names them. Only the
// fields the translator reads or writes are declared.

// generateRequest is a GenerateContentRequest.
type generateRequest struct {
	Contents          []content         `json:"contents"`
	SystemInstruction *content          `json:"systemInstruction,omitempty"`
	Tools             []tool            `json:"tools,omitempty"`
	ToolConfig        *toolConfig       `json:"toolConfig,omitempty"`
	SafetySettings    json.RawMessage   `json:"safetySettings,omitempty"`
	GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
}

// content is a Content: a turn of the conversation.
type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

// part is a Part; exactly one of its data fields is set.
type part struct {
	Text             string            `json:"text,omitempty"`
	InlineData       *blob             `json:"inlineData,omitempty"`
	FileData         *fileData         `json:"fileData,omitempty"`
	FunctionCall     *functionCall     `json:"functionCall,omitempty"`
	FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
	Thought          bool              `json:"thought,omitempty"`
	ThoughtSignature string            `json:"thoughtSignature,omitempty"`
}

// blob is inline media bytes, base64-encoded.
type blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

// fileData is media given by URI.
type fileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

// functionCall is a call predicted by the model; Args is a JSON object.
type functionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

// functionResponse is the result of a call; Response is a JSON object. ID
// is the id of the call it answers, when Gemini gave the call one.
type functionResponse struct {
	ID       string          `json:"id,omitempty"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

// tool is a Tool: function declarations, or one built-in tool (an empty
// object turns it on).
type tool struct {
	FunctionDeclarations []functionDeclaration `json:"functionDeclarations,omitempty"`
	GoogleSearch         *struct{}             `json:"googleSearch,omitempty"`
	URLContext           *struct{}             `json:"urlContext,omitempty"`
	CodeExecution        *struct{}             `json:"codeExecution,omitempty"`
}

// functionDeclaration declares a function. Parameters is Gemini's OpenAPI
// subset; ParametersJSONSchema (mutually exclusive with it) is plain JSON
// Schema, used for schemas the subset cannot express.
type functionDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	Parameters           json.RawMessage `json:"parameters,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type toolConfig struct {
	FunctionCallingConfig functionCallingConfig `json:"functionCallingConfig"`
}

type functionCallingConfig struct {
	Mode                 string   `json:"mode"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

// generationConfig is a GenerationConfig.
type generationConfig struct {
	CandidateCount     int             `json:"candidateCount,omitempty"`
	StopSequences      []string        `json:"stopSequences,omitempty"`
	MaxOutputTokens    int             `json:"maxOutputTokens,omitempty"`
	Temperature        *float64        `json:"temperature,omitempty"`
	TopP               *float64        `json:"topP,omitempty"`
	TopK               *float64        `json:"topK,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	PresencePenalty    *float64        `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty,omitempty"`
	ResponseMimeType   string          `json:"responseMimeType,omitempty"`
	ResponseSchema     json.RawMessage `json:"responseSchema,omitempty"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
	ResponseLogprobs   bool            `json:"responseLogprobs,omitempty"`
	Logprobs           *int            `json:"logprobs,omitempty"`
	ThinkingConfig     *thinkingConfig `json:"thinkingConfig,omitempty"`
}

type thinkingConfig struct {
	IncludeThoughts bool   `json:"includeThoughts,omitempty"`
	ThinkingBudget  *int   `json:"thinkingBudget,omitempty"`
	ThinkingLevel   string `json:"thinkingLevel,omitempty"`
}

// generateResponse is a GenerateContentResponse, also each streamed chunk,
// decoded by decodeGenerateResponse (fastdec.go): a field added here or in
// the types below it must be added there too.
// Error is set on an error object sent inside a 200 stream.
type generateResponse struct {
	Candidates     []candidate     `json:"candidates"`
	PromptFeedback *promptFeedback `json:"promptFeedback,omitempty"`
	UsageMetadata  *usageMetadata  `json:"usageMetadata,omitempty"`
	ModelVersion   string          `json:"modelVersion,omitempty"`
	ResponseID     string          `json:"responseId,omitempty"`
	Error          json.RawMessage `json:"error,omitempty"`
}

type candidate struct {
	Index          int             `json:"index"`
	Content        respContent     `json:"content"`
	FinishReason   string          `json:"finishReason,omitempty"`
	FinishMessage  string          `json:"finishMessage,omitempty"`
	LogprobsResult *logprobsResult `json:"logprobsResult,omitempty"`
	// meta is set when the candidate has grounding or url_context metadata
	// (rare: a pointer keeps every other candidate small). encoding/json
	// fills it through UnmarshalJSON.
	meta *candidateMeta
}

// UnmarshalJSON decodes a candidate as encoding/json decodes its fields,
// and its grounding and url_context metadata into meta when either is
// present and not null.
func (c *candidate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	type plain candidate
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	var m struct {
		GroundingMetadata  *json.RawMessage `json:"groundingMetadata"`
		URLContextMetadata *json.RawMessage `json:"urlContextMetadata"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m.GroundingMetadata != nil || m.URLContextMetadata != nil {
		c.meta = &candidateMeta{}
		if m.GroundingMetadata != nil {
			c.meta.GroundingMetadata = *m.GroundingMetadata
		}
		if m.URLContextMetadata != nil {
			c.meta.URLContextMetadata = *m.URLContextMetadata
		}
	}
	return nil
}

// candidateMeta is a candidate's grounding and url_context metadata, kept
// raw (they go to ProviderSpecificFields as they came); groundingMetadata
// is also read for citations.
type candidateMeta struct {
	GroundingMetadata  json.RawMessage `json:"groundingMetadata,omitempty"`
	URLContextMetadata json.RawMessage `json:"urlContextMetadata,omitempty"`
}

type logprobsResult struct {
	TopCandidates    []topCandidates     `json:"topCandidates"`
	ChosenCandidates []logprobsCandidate `json:"chosenCandidates"`
}

type topCandidates struct {
	Candidates []logprobsCandidate `json:"candidates"`
}

type logprobsCandidate struct {
	Token          string  `json:"token"`
	LogProbability float64 `json:"logProbability"`
}

// respContent is a Content of an answer. Its parts declare only what the
// translator reads (text, thoughts, signatures, function calls): a smaller
// struct keeps stream decoding close to a plain json.Unmarshal.
type respContent struct {
	Parts []respPart `json:"parts"`
}

type respPart struct {
	Text             string        `json:"text"`
	Thought          bool          `json:"thought"`
	ThoughtSignature string        `json:"thoughtSignature"`
	FunctionCall     *functionCall `json:"functionCall"`
	// Other holds the part's keys that match none of the fields above,
	// raw: code execution's executableCode and codeExecutionResult, inline
	// data, and any part type the translator does not know are kept, not
	// lost.
	Other map[string]json.RawMessage `json:"-"`
}

// partKeys are the JSON names of respPart's fields.
var partKeys = []string{"text", "thought", "thoughtSignature", "functionCall"}

// UnmarshalJSON decodes a part as encoding/json decodes its fields, and
// keeps every other key in Other.
func (p *respPart) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	type plain respPart
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if !knownKey(k, partKeys) {
			if p.Other == nil {
				p.Other = map[string]json.RawMessage{}
			}
			p.Other[k] = v
		}
	}
	return nil
}

// knownKey reports whether encoding/json matches k to one of names (it
// matches case-insensitively).
func knownKey(k string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(k, n) {
			return true
		}
	}
	return false
}

// groundingMetadata is what the translator reads of a GroundingMetadata:
// the search queries (counted for billing) and the chunks and supports
// (turned into citations). Chunks come from the web (Google Search,
// url_context), from retrieval or from Maps; each has a uri and a title.
type groundingMetadata struct {
	WebSearchQueries  []string           `json:"webSearchQueries"`
	GroundingChunks   []groundingChunk   `json:"groundingChunks"`
	GroundingSupports []groundingSupport `json:"groundingSupports"`
}

type groundingChunk struct {
	Web              *groundingSource `json:"web"`
	RetrievedContext *groundingSource `json:"retrievedContext"`
	Maps             *groundingSource `json:"maps"`
}

type groundingSource struct {
	URI   string `json:"uri"`
	Title string `json:"title"`
}

type groundingSupport struct {
	Segment struct {
		StartIndex int `json:"startIndex"`
		EndIndex   int `json:"endIndex"`
	} `json:"segment"`
	GroundingChunkIndices []int `json:"groundingChunkIndices"`
}

type promptFeedback struct {
	BlockReason        string `json:"blockReason,omitempty"`
	BlockReasonMessage string `json:"blockReasonMessage,omitempty"` // Vertex AI
}

type usageMetadata struct {
	PromptTokenCount        int                  `json:"promptTokenCount"`
	CachedContentTokenCount int                  `json:"cachedContentTokenCount"`
	CandidatesTokenCount    int                  `json:"candidatesTokenCount"`
	ToolUsePromptTokenCount int                  `json:"toolUsePromptTokenCount"`
	ThoughtsTokenCount      int                  `json:"thoughtsTokenCount"`
	TotalTokenCount         int                  `json:"totalTokenCount"`
	PromptTokensDetails     []modalityTokenCount `json:"promptTokensDetails,omitempty"`
	CandidatesTokensDetails []modalityTokenCount `json:"candidatesTokensDetails,omitempty"`
}

type modalityTokenCount struct {
	Modality   string `json:"modality"`
	TokenCount int    `json:"tokenCount"`
}
