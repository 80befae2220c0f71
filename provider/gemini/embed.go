package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/jsonx"
)

// Embedding implements llm.Embedder with the Gemini API's
// models/{model}:batchEmbedContents, one EmbedContentRequest per input text.
// InputType maps to taskType (RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT,
// CLASSIFICATION, CLUSTERING) and Dimensions to outputDimensionality; Extra
// fields (such as "title") go into every EmbedContentRequest. Token inputs
// fail with llm.KindUnsupported, as Gemini embeds text only. The answer has
// no token counts, so Usage is nil and Meta.Cost is not known. Gemini sends
// floats only: EncodingFormat changes nothing, and User is not sent.
//
// The translator under another Endpoint (Vertex AI) refuses embeddings
// with llm.KindUnsupported: Vertex AI's text embedding models are served
// by :predict, a different API.
func (p *Provider) Embedding(ctx context.Context, req *llm.EmbeddingRequest, cfg *llm.Config) (*llm.EmbeddingResponse, error) {
	if !p.embeds {
		return nil, llm.Errorf(llm.KindUnsupported, "embeddings are not supported by provider %s through the Gemini translator", p.name)
	}
	if len(req.Input.Tokens) > 0 {
		return nil, llm.Errorf(llm.KindUnsupported, "token inputs are not supported by provider %s: Gemini embeds text only", p.name)
	}
	body, err := encodeEmbedding(req)
	if err != nil {
		return nil, err
	}
	t, err := studioTarget(cfg, req.Model, ":batchEmbedContents")
	if err != nil {
		return nil, err
	}
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: t.URL, Header: t.Header, Body: body})
	if err != nil {
		return nil, ClassifyError(err)
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	out, err := DecodeEmbedding(raw, len(req.Input.Texts))
	if err != nil {
		return nil, err
	}
	out.Model = req.Model
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// taskTypes maps llm input types to Gemini's TaskType.
var taskTypes = map[string]string{
	llm.InputQuery:          "RETRIEVAL_QUERY",
	llm.InputDocument:       "RETRIEVAL_DOCUMENT",
	llm.InputClassification: "CLASSIFICATION",
	llm.InputClustering:     "CLUSTERING",
}

// embedContentRequest is Gemini's EmbedContentRequest.
type embedContentRequest struct {
	Model                string       `json:"model"`
	Content              embedContent `json:"content"`
	TaskType             string       `json:"taskType,omitempty"`
	OutputDimensionality int          `json:"outputDimensionality,omitempty"`
}

type embedContent struct {
	Parts []embedPart `json:"parts"`
}

type embedPart struct {
	Text string `json:"text"`
}

// encodeEmbedding encodes the BatchEmbedContentsRequest of req's texts.
func encodeEmbedding(req *llm.EmbeddingRequest) ([]byte, error) {
	model := req.Model
	if !strings.HasPrefix(model, "models/") {
		model = "models/" + model
	}
	task := ""
	if req.InputType != "" {
		var ok bool
		if task, ok = taskTypes[req.InputType]; !ok {
			return nil, invalid("input_type " + strconv.Quote(req.InputType) + " has no Gemini taskType")
		}
	}
	reqs := make([]json.RawMessage, len(req.Input.Texts))
	for i, text := range req.Input.Texts {
		b, err := json.Marshal(embedContentRequest{Model: model, Content: embedContent{Parts: []embedPart{{Text: text}}},
			TaskType: task, OutputDimensionality: req.Dimensions})
		if err != nil {
			return nil, invalid("cannot encode the request: " + err.Error())
		}
		if b, err = jsonx.MergeObject(b, req.Extra); err != nil {
			return nil, invalid("cannot merge Extra into the request: " + err.Error())
		}
		reqs[i] = b
	}
	body, err := json.Marshal(struct {
		Requests []json.RawMessage `json:"requests"`
	}{reqs})
	if err != nil {
		return nil, invalid("cannot encode the request: " + err.Error())
	}
	return body, nil
}

// DecodeEmbedding decodes a batchEmbedContents answer to a request of n
// texts into an OpenAI-shaped response with no Usage (Gemini gives no
// token counts). An error envelope is classified as an HTTP error would be;
// an answer that does not hold exactly n non-empty vectors, or is not a
// BatchEmbedContentsResponse, is llm.KindBadResponse.
func DecodeEmbedding(raw []byte, n int) (*llm.EmbeddingResponse, error) {
	var w struct {
		Embeddings []struct {
			Values []float32 `json:"values"`
		} `json:"embeddings"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badResponse(err, raw)
	}
	if len(w.Error) > 0 && string(w.Error) != "null" {
		return nil, errorFromBody(0, nil, raw)
	}
	if len(w.Embeddings) == 0 {
		return nil, badResponse(errNoEmbeddings, raw)
	}
	if len(w.Embeddings) != n {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has " + strconv.Itoa(len(w.Embeddings)) + " embeddings for " + strconv.Itoa(n) + " inputs"}
	}
	out := &llm.EmbeddingResponse{Object: "list", Data: make([]llm.EmbeddingData, n)}
	for i, e := range w.Embeddings {
		if len(e.Values) == 0 {
			return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has an empty embedding at index " + strconv.Itoa(i)}
		}
		out.Data[i] = llm.EmbeddingData{Object: "embedding", Index: i, Embedding: e.Values}
	}
	return out, nil
}

var errNoEmbeddings = errors.New("the answer has no embeddings")
