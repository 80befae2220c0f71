package llm

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The mock's embeddings: each input's vector is drawn from a PRNG (PCG)
// seeded with the FNV-1a hash of the input, then scaled to unit length, so
// that the same text always gets the same vector and different texts get
// unrelated ones.
const (
	// MockEmbeddingDimensions is the length of the mock's vectors when
	// the request does not set Dimensions.
	MockEmbeddingDimensions = 8
	// maxMockDimensions bounds the mock's vectors, which size an
	// allocation (OpenAI's largest model has 3,072 dimensions).
	maxMockDimensions = 16384
)

// mockEmbedding is the mock's Embedding. A MockResponse scripts its Err,
// ChunkDelay (waited once) and Usage (PromptTokens); the responder sees the
// texts as one user message, one line each.
func mockEmbedding(ctx context.Context, req *EmbeddingRequest, cfg *Config) (*EmbeddingResponse, error) {
	dims := req.Dimensions
	if dims == 0 {
		dims = MockEmbeddingDimensions
	}
	if dims > maxMockDimensions {
		return nil, Errorf(KindInvalidRequest, "dimensions is %d; the mock makes at most %d", dims, maxMockDimensions)
	}
	texts := req.Input.Texts
	if texts == nil {
		texts = make([]string, len(req.Input.Tokens))
		for i, t := range req.Input.Tokens {
			texts[i] = tokenText(t)
		}
	}
	var r MockResponse
	switch {
	case cfg.responder != nil:
		r = cfg.responder(ctx, &CompletionRequest{Model: req.Model, Messages: []Message{UserText(strings.Join(texts, "\n"))}})
	case cfg.mock != nil:
		r = *cfg.mock
	}
	if err := sleepCtx(ctx, r.ChunkDelay); err != nil {
		return nil, err
	}
	if r.Err != nil {
		return nil, scriptedErr(r.Err)
	}
	resp := &EmbeddingResponse{Object: "list", Model: req.Model, Data: make([]EmbeddingData, len(texts))}
	words := 0
	for i, t := range texts {
		resp.Data[i] = EmbeddingData{Object: "embedding", Index: i, Embedding: MockVector(t, dims)}
		if req.Input.Tokens != nil {
			words += len(req.Input.Tokens[i])
		} else {
			words += max(len(strings.Fields(t)), 1)
		}
	}
	if r.Usage != nil {
		words = r.Usage.PromptTokens
	}
	resp.Usage = &EmbeddingUsage{PromptTokens: words, TotalTokens: words}
	resp.Meta.Cost = mockCost(cfg, req.Model, resp.Usage.usage())
	return resp, nil
}

// MockVector returns the mock provider's vector of text with dims
// dimensions: deterministic, of unit length, and unrelated for different
// texts. It lets tests compute what a "mock/..." model answers.
func MockVector(text string, dims int) []float32 {
	if dims <= 0 {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(text))
	seed := h.Sum64()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	v := make([]float64, dims)
	var norm float64
	for i := range v {
		v[i] = rng.NormFloat64()
		norm += v[i] * v[i]
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	for i := range v {
		out[i] = float32(v[i] / norm)
	}
	return out
}

// tokenText is the text the mock hashes for a token array.
func tokenText(tokens []int) string {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(t))
	}
	return b.String()
}
