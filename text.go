package llm

import "encoding/json"

// TextCompletionRequest is a legacy text completion request (OpenAI's
// /v1/completions), field for field.
type TextCompletionRequest struct {
	Model            string         `json:"model"`
	Prompt           StringList     `json:"prompt"`
	Suffix           string         `json:"suffix,omitempty"`
	MaxTokens        int            `json:"max_tokens,omitempty"`
	Temperature      *float64       `json:"temperature,omitempty"`
	TopP             *float64       `json:"top_p,omitempty"`
	N                int            `json:"n,omitempty"`
	Stop             StringList     `json:"stop,omitempty"`
	Echo             bool           `json:"echo,omitempty"`
	Logprobs         *int           `json:"logprobs,omitempty"`
	BestOf           int            `json:"best_of,omitempty"`
	Seed             *int64         `json:"seed,omitempty"`
	PresencePenalty  *float64       `json:"presence_penalty,omitempty"`
	FrequencyPenalty *float64       `json:"frequency_penalty,omitempty"`
	LogitBias        map[string]int `json:"logit_bias,omitempty"`
	User             string         `json:"user,omitempty"`
	Stream           bool           `json:"stream,omitempty"`
	StreamOptions    *StreamOptions `json:"stream_options,omitempty"`

	// Extra holds body fields this struct does not name, as in
	// CompletionRequest.
	Extra map[string]any `json:"-"`
}

type textCompletionRequestFields TextCompletionRequest

var textCompletionRequestKeys = fieldNames(textCompletionRequestFields{})

// MarshalJSON implements json.Marshaler, merging Extra into the body.
func (r TextCompletionRequest) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(textCompletionRequestFields(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return mergeObject(b, r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields in Extra.
func (r *TextCompletionRequest) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*textCompletionRequestFields)(r)); err != nil {
		return err
	}
	r.Extra = unknownFields(b, textCompletionRequestKeys)
	return nil
}

// TextCompletionResponse is a legacy text completion (OpenAI's
// text_completion object).
type TextCompletionResponse struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint,omitempty"`
	Choices           []TextChoice `json:"choices"`
	Usage             *Usage       `json:"usage,omitempty"`

	// Meta is what the library knows about the call beyond the body.
	Meta Meta `json:"-"`
}

// Text returns the text of the first choice, or "" when there is none.
func (r *TextCompletionResponse) Text() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	return r.Choices[0].Text
}

// FinishReason returns the finish reason of the first choice, or "" when
// there is none.
func (r *TextCompletionResponse) FinishReason() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	return r.Choices[0].FinishReason
}

// TextChoice is one text completion choice.
type TextChoice struct {
	Index        int           `json:"index"`
	Text         string        `json:"text"`
	FinishReason string        `json:"finish_reason"`
	Logprobs     *TextLogprobs `json:"logprobs,omitempty"`
}

// TextLogprobs are the legacy completion log probabilities.
type TextLogprobs struct {
	Tokens        []string             `json:"tokens"`
	TokenLogprobs []float64            `json:"token_logprobs"`
	TopLogprobs   []map[string]float64 `json:"top_logprobs"`
	TextOffset    []int                `json:"text_offset"`
}
