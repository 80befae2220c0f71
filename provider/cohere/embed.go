package cohere

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// embedRequest is the body of POST /v2/embed, for text inputs.
type embedRequest struct {
	Model           string   `json:"model"`
	Texts           []string `json:"texts"`
	InputType       string   `json:"input_type"`
	EmbeddingTypes  []string `json:"embedding_types"`
	OutputDimension int      `json:"output_dimension,omitempty"`
}

// inputTypes maps llm input types to Cohere's input_type.
var inputTypes = map[string]string{
	"":                      "search_document",
	llm.InputQuery:          "search_query",
	llm.InputDocument:       "search_document",
	llm.InputClassification: "classification",
	llm.InputClustering:     "clustering",
}

// Embedding implements llm.Embedder with Cohere's POST /v2/embed, for text
// inputs. InputType goes as input_type (query → search_query, document →
// search_document, classification, clustering); Cohere requires one, so an
// empty InputType sends search_document. Dimensions goes as
// output_dimension (embed-v4 and newer). The vectors are always asked for
// as float (embedding_types ["float"]), whatever EncodingFormat says, since
// the response holds []float32 either way. Token inputs fail with
// llm.KindUnsupported; User, which Cohere lacks, too, unless
// llm.WithDropUnsupportedParams drops it. Usage is
// meta.billed_units.input_tokens.
func (p *Provider) Embedding(ctx context.Context, req *llm.EmbeddingRequest, cfg *llm.Config) (*llm.EmbeddingResponse, error) {
	body, err := encodeEmbedding(req, cfg)
	if err != nil {
		return nil, err
	}
	resp, err := send(ctx, cfg, "/v2/embed", body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := decodeEmbedding(raw, req.Model, req.Input.Len())
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// encodeEmbedding translates req into the body of /v2/embed.
func encodeEmbedding(req *llm.EmbeddingRequest, cfg *llm.Config) ([]byte, error) {
	if len(req.Input.Tokens) > 0 {
		return nil, &llm.Error{Kind: llm.KindUnsupported, Message: "Cohere embeddings take texts, not token arrays"}
	}
	if req.User != "" && !cfg.DropUnsupportedParams {
		return nil, unsupported("user", "Cohere embeddings have no user field")
	}
	it, ok := inputTypes[req.InputType]
	if !ok {
		return nil, invalid("input_type %s is not query, document, classification or clustering", strconv.Quote(req.InputType))
	}
	body, err := json.Marshal(embedRequest{Model: req.Model, Texts: req.Input.Texts, InputType: it,
		EmbeddingTypes: []string{"float"}, OutputDimension: req.Dimensions})
	if err != nil {
		return nil, invalid("cannot encode the request: %v", err)
	}
	if body, err = jsonx.MergeObject(body, req.Extra); err != nil {
		return nil, invalid("cannot merge Extra into the request: %v", err)
	}
	return body, nil
}

// embedResponse is the answer of /v2/embed with float embeddings.
type embedResponse struct {
	Embeddings struct {
		Float [][]float32 `json:"float"`
	} `json:"embeddings"`
	Meta struct {
		BilledUnits *struct {
			InputTokens *float64 `json:"input_tokens"`
		} `json:"billed_units"`
	} `json:"meta"`
}

// decodeEmbedding decodes an answer of /v2/embed to a request of n inputs
// of model. An error envelope ({"message": ...}) is classified as an error
// answer; an answer without exactly n non-empty float vectors is
// llm.KindBadResponse.
func decodeEmbedding(raw []byte, model string, n int) (*llm.EmbeddingResponse, error) {
	var w embedResponse
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badResponse(err, raw)
	}
	vecs := w.Embeddings.Float
	if len(vecs) == 0 {
		if gjson.GetBytes(raw, "message").Type == gjson.String {
			return nil, errorFromBody(0, nil, raw) // an error envelope in a 200 answer
		}
		return nil, badResponse(constError("the answer has no float embeddings"), raw)
	}
	if len(vecs) != n {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "Cohere's answer has " + strconv.Itoa(len(vecs)) + " embeddings for " + strconv.Itoa(n) + " inputs"}
	}
	out := &llm.EmbeddingResponse{Object: "list", Model: model, Data: make([]llm.EmbeddingData, n)}
	for i, v := range vecs {
		if len(v) == 0 {
			return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "Cohere's answer has an empty embedding at index " + strconv.Itoa(i)}
		}
		out.Data[i] = llm.EmbeddingData{Object: "embedding", Index: i, Embedding: v}
	}
	if bu := w.Meta.BilledUnits; bu != nil && bu.InputTokens != nil {
		t := int(*bu.InputTokens)
		out.Usage = &llm.EmbeddingUsage{PromptTokens: t, TotalTokens: t}
	}
	return out, nil
}
