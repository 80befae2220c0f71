package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
)

// Input types of an EmbeddingRequest: what the vectors are for, for the
// providers whose models embed queries and documents differently.
const (
	InputQuery          = "query"
	InputDocument       = "document"
	InputClassification = "classification"
	InputClustering     = "clustering"
)

// EmbeddingRequest asks for embedding vectors (OpenAI's /v1/embeddings),
// field for field, plus InputType.
type EmbeddingRequest struct {
	Model string `json:"model"`
	// Input is what to embed: one string, many strings or token arrays.
	Input EmbeddingInput `json:"input"`
	// Dimensions asks for vectors of that length, for the models that can
	// shorten theirs; 0 leaves the model's default.
	Dimensions int `json:"dimensions,omitempty"`
	// EncodingFormat is the wire format of the vectors, "float" or
	// "base64". Empty lets the provider choose (the OpenAI engine asks for
	// base64, which is smaller and faster to decode). Whatever the format,
	// the response holds decoded []float32 vectors.
	EncodingFormat string `json:"encoding_format,omitempty"`
	// InputType is what the vectors are for (InputQuery, InputDocument,
	// InputClassification, InputClustering), for the providers that take
	// it; the others refuse it with KindUnsupported unless
	// WithDropUnsupportedParams is given.
	InputType string `json:"input_type,omitempty"`
	User      string `json:"user,omitempty"`

	// Extra holds body fields this struct does not name, as in
	// CompletionRequest.
	Extra map[string]any `json:"-"`
}

type embeddingRequestFields EmbeddingRequest

var embeddingRequestKeys = fieldNames(embeddingRequestFields{})

// MarshalJSON implements json.Marshaler, merging Extra into the body.
func (r EmbeddingRequest) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(embeddingRequestFields(r))
	if err != nil || len(r.Extra) == 0 {
		return b, err
	}
	return mergeObject(b, r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields in Extra.
func (r *EmbeddingRequest) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*embeddingRequestFields)(r)); err != nil {
		return err
	}
	r.Extra = unknownFields(b, embeddingRequestKeys)
	return nil
}

// EmbeddingInput is the input of an EmbeddingRequest: texts, or token
// arrays, one vector each. It decodes every form OpenAI's "input" takes (a
// string, an array of strings, an array of integers, an array of integer
// arrays) and encodes as an array of strings or of integer arrays, which
// means the same to the API.
type EmbeddingInput struct {
	// Texts are the strings to embed.
	Texts []string
	// Tokens are token arrays to embed, for the providers that take
	// tokens; a request has Texts or Tokens, not both.
	Tokens [][]int
}

// EmbedTexts returns the input that embeds each of texts.
func EmbedTexts(texts ...string) EmbeddingInput { return EmbeddingInput{Texts: texts} }

// EmbedTokens returns the input that embeds each of the token arrays.
func EmbedTokens(tokens ...[]int) EmbeddingInput { return EmbeddingInput{Tokens: tokens} }

// Len returns the number of inputs, which is the number of vectors asked for.
func (in EmbeddingInput) Len() int { return len(in.Texts) + len(in.Tokens) }

// MarshalJSON implements json.Marshaler.
func (in EmbeddingInput) MarshalJSON() ([]byte, error) {
	if in.Tokens != nil && in.Texts == nil {
		return json.Marshal(in.Tokens)
	}
	if in.Texts == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(in.Texts)
}

// UnmarshalJSON implements json.Unmarshaler.
func (in *EmbeddingInput) UnmarshalJSON(b []byte) error {
	*in = EmbeddingInput{}
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		in.Texts = []string{s}
		return nil
	case len(b) == 0 || b[0] != '[':
		return errors.New("embedding input is not a string or an array")
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		in.Texts = []string{}
		return nil
	}
	switch raw[0][0] {
	case '"':
		return json.Unmarshal(b, &in.Texts)
	case '[':
		return json.Unmarshal(b, &in.Tokens)
	}
	var one []int // one token array
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	in.Tokens = [][]int{one}
	return nil
}

// EmbeddingResponse is the answer to an EmbeddingRequest, in OpenAI's shape:
// one EmbeddingData per input, in the order of the inputs.
type EmbeddingResponse struct {
	Object string          `json:"object"`
	Data   []EmbeddingData `json:"data"`
	Model  string          `json:"model"`
	Usage  *EmbeddingUsage `json:"usage,omitempty"`

	// Meta is what the library knows about the call beyond the body.
	Meta Meta `json:"-"`
}

// Vectors returns the vectors of r in the order of the inputs.
func (r *EmbeddingResponse) Vectors() [][]float32 {
	if r == nil {
		return nil
	}
	out := make([][]float32, len(r.Data))
	for i := range r.Data {
		out[i] = r.Data[i].Embedding
	}
	return out
}

// EmbeddingData is the vector of one input; Index is the input's position
// in the request. (OpenAI calls it the embedding object; the name Embedding
// is the function's.)
type EmbeddingData struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

// EmbeddingUsage counts the tokens of an embedding call.
type EmbeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// Embedder creates embeddings. For provider authors: the capability behind
// Embedding. The response has one EmbeddingData per input, ordered by Index.
type Embedder interface {
	Provider
	// Embedding sends req, whose Model is the provider's model name. It
	// must not modify req.
	Embedding(ctx context.Context, req *EmbeddingRequest, cfg *Config) (*EmbeddingResponse, error)
}

// embedding is the Embedding operation.
var embedding = operation[Embedder, EmbeddingRequest, EmbeddingResponse]{
	name:  "embeddings",
	model: func(r *EmbeddingRequest) *string { return &r.Model },
	check: func(_ call, r *EmbeddingRequest) error { return validateEmbedding(r) },
	call:  Embedder.Embedding,
	mock:  mockEmbedding,
	meta:  func(r *EmbeddingResponse) *Meta { return &r.Meta },
	cost: func(provider, model string, r *EmbeddingResponse) *Cost {
		return costOf(provider, model, r.Model, "", r.Usage.usage())
	},
}

// usage returns u as chat token counts, for pricing; nil for nil.
func (u *EmbeddingUsage) usage() *Usage {
	if u == nil {
		return nil
	}
	return &Usage{PromptTokens: u.PromptTokens, TotalTokens: u.TotalTokens}
}

// Embedding creates embedding vectors with the default client.
func Embedding(ctx context.Context, req EmbeddingRequest, opts ...Option) (*EmbeddingResponse, error) {
	return Default().Embedding(ctx, req, opts...)
}

// Embedding creates embedding vectors, one per input. An invalid request
// (no input, an empty string or token array, negative dimensions, an
// unknown encoding format or input type) fails with KindInvalidRequest
// before any network call; a provider without embeddings fails with
// KindUnsupported. Meta.Cost is priced from the model table.
func (c *Client) Embedding(ctx context.Context, req EmbeddingRequest, opts ...Option) (*EmbeddingResponse, error) {
	return do(ctx, c, &embedding, &req, opts)
}

// validateEmbedding checks an embedding request.
func validateEmbedding(r *EmbeddingRequest) error {
	in := &r.Input
	switch {
	case in.Len() == 0:
		return Errorf(KindInvalidRequest, "input is empty")
	case len(in.Texts) > 0 && len(in.Tokens) > 0:
		return Errorf(KindInvalidRequest, "input has both texts and token arrays")
	}
	for i, s := range in.Texts {
		if s == "" {
			return Errorf(KindInvalidRequest, "input[%d] is an empty string", i)
		}
	}
	for i, t := range in.Tokens {
		if len(t) == 0 {
			return Errorf(KindInvalidRequest, "input[%d] is an empty token array", i)
		}
		for _, tok := range t {
			if tok < 0 {
				return Errorf(KindInvalidRequest, "input[%d] has a negative token %d", i, tok)
			}
		}
	}
	if r.Dimensions < 0 {
		return Errorf(KindInvalidRequest, "dimensions is %d, want a positive number or 0 for the model's default", r.Dimensions)
	}
	switch r.EncodingFormat {
	case "", "float", "base64":
	default:
		return Errorf(KindInvalidRequest, "encoding_format %s is not float or base64", strconv.Quote(r.EncodingFormat))
	}
	switch r.InputType {
	case "", InputQuery, InputDocument, InputClassification, InputClustering:
	default:
		return Errorf(KindInvalidRequest, "input_type %s is not query, document, classification or clustering", strconv.Quote(r.InputType))
	}
	return validateEncodable("extra", r.Extra)
}
