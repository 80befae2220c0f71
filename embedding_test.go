package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddingInputJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     llm.EmbeddingInput
		out      string
	}{
		{"string", `"The food was delicious"`, llm.EmbedTexts("The food was delicious"), `["The food was delicious"]`},
		{"strings", `["a", "b"]`, llm.EmbedTexts("a", "b"), `["a","b"]`},
		{"tokens", `[1212, 318, 257]`, llm.EmbedTokens([]int{1212, 318, 257}), `[[1212,318,257]]`},
		{"token arrays", `[[1, 2], [3]]`, llm.EmbedTokens([]int{1, 2}, []int{3}), `[[1,2],[3]]`},
		{"empty", `[]`, llm.EmbeddingInput{Texts: []string{}}, `[]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var req llm.EmbeddingRequest
			require.NoError(t, json.Unmarshal([]byte(`{"model":"m","input":`+tc.in+`,"x_custom":1}`), &req))
			assert.Equal(t, tc.want, req.Input)
			assert.Equal(t, json.RawMessage("1"), req.Extra["x_custom"])
			b, err := json.Marshal(req)
			require.NoError(t, err)
			assert.JSONEq(t, `{"model":"m","input":`+tc.out+`,"x_custom":1}`, string(b))
		})
	}
	for _, bad := range []string{`1`, `{}`, `["a", 1]`, `[1, "a"]`, `[[1], "a"]`, `[true]`} {
		var in llm.EmbeddingInput
		assert.Error(t, json.Unmarshal([]byte(bad), &in), "input %s", bad)
	}
}

func TestEmbeddingValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  llm.EmbeddingRequest
		msg  string
	}{
		{"no input", llm.EmbeddingRequest{}, "input is empty"},
		{"empty list", llm.EmbeddingRequest{Input: llm.EmbedTexts()}, "input is empty"},
		{"empty string", llm.EmbeddingRequest{Input: llm.EmbedTexts("a", "")}, "input[1] is an empty string"},
		{"empty tokens", llm.EmbeddingRequest{Input: llm.EmbedTokens([]int{1}, nil)}, "input[1] is an empty token array"},
		{"negative token", llm.EmbeddingRequest{Input: llm.EmbedTokens([]int{1, -2})}, "negative token"},
		{"both", llm.EmbeddingRequest{Input: llm.EmbeddingInput{Texts: []string{"a"}, Tokens: [][]int{{1}}}}, "both texts and token arrays"},
		{"dimensions", llm.EmbeddingRequest{Input: llm.EmbedTexts("a"), Dimensions: -1}, "dimensions is -1"},
		{"format", llm.EmbeddingRequest{Input: llm.EmbedTexts("a"), EncodingFormat: "int8"}, `encoding_format "int8"`},
		{"input type", llm.EmbeddingRequest{Input: llm.EmbedTexts("a"), InputType: "search"}, `input_type "search"`},
		{"extra", llm.EmbeddingRequest{Input: llm.EmbedTexts("a"), Extra: map[string]any{"x": math.NaN()}}, "extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Invalid before any call: the scripted reply would answer
			// a valid request, and a real provider is never reached.
			fake := &fakeEmbedder{}
			for _, model := range []string{"mock/e", "openai/text-embedding-3-small"} {
				tc.req.Model = model
				_, err := llm.Embedding(t.Context(), tc.req, llm.WithProvider(fake))
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, llm.KindInvalidRequest, le.Kind, "%s: %v", model, err)
				assert.Contains(t, err.Error(), tc.msg)
			}
			assert.Zero(t, fake.calls.Load(), "no call reached the provider")
		})
	}
}

func TestEmbeddingMock(t *testing.T) {
	t.Parallel()
	req := llm.EmbeddingRequest{Model: "mock/e", Input: llm.EmbedTexts("hello world", "goodbye", "hello world")}
	a, err := llm.Embedding(t.Context(), req)
	require.NoError(t, err)
	b, err := llm.Embedding(t.Context(), req)
	require.NoError(t, err)
	require.Len(t, a.Data, 3)
	assert.Equal(t, a.Data, b.Data, "deterministic across calls")
	assert.Equal(t, "list", a.Object)
	assert.Equal(t, "e", a.Model)
	for i, d := range a.Data {
		assert.Equal(t, i, d.Index)
		assert.Equal(t, "embedding", d.Object)
		assert.Len(t, d.Embedding, llm.MockEmbeddingDimensions)
		assert.InDelta(t, 1, norm(d.Embedding), 1e-6, "unit length")
	}
	assert.Equal(t, a.Data[0].Embedding, a.Data[2].Embedding, "same text, same vector")
	assert.NotEqual(t, a.Data[0].Embedding, a.Data[1].Embedding, "different texts, different vectors")
	assert.Equal(t, llm.MockVector("goodbye", llm.MockEmbeddingDimensions), a.Data[1].Embedding)
	assert.Equal(t, &llm.EmbeddingUsage{PromptTokens: 5, TotalTokens: 5}, a.Usage, "words, at least one per input")
	assert.Equal(t, "mock", a.Meta.Provider)
	assert.Equal(t, "e", a.Meta.Model)
	require.NotNil(t, a.Meta.Cost)
	assert.False(t, a.Meta.Cost.Known, "an unknown mock model has no price, not $0")

	for _, dims := range []int{1, 3, 1536} {
		r, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "mock/e", Input: llm.EmbedTokens([]int{1, 2, 3}), Dimensions: dims})
		require.NoError(t, err)
		require.Len(t, r.Data[0].Embedding, dims)
		assert.InDelta(t, 1, norm(r.Data[0].Embedding), 1e-6)
		assert.Equal(t, 3, r.Usage.PromptTokens, "one per token")
	}
	_, err = llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "mock/e", Input: llm.EmbedTexts("a"), Dimensions: 1 << 20})
	assert.ErrorIs(t, err, llm.ErrInvalidRequest, "the mock bounds its allocation")
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestEmbeddingMockPriced(t *testing.T) {
	t.Parallel()
	r, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "mock/text-embedding-3-small", Input: llm.EmbedTexts("one two three", "four")})
	require.NoError(t, err)
	require.NotNil(t, r.Meta.Cost)
	assert.True(t, r.Meta.Cost.Known)
	assert.InDelta(t, 4*2e-8, r.Meta.Cost.Total, 1e-15, "4 tokens at the table's $0.02 per million")
}

func TestEmbeddingMockScripted(t *testing.T) {
	t.Parallel()
	req := llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("hi")}
	_, err := llm.Embedding(t.Context(), req, llm.WithMockResponse(llm.MockResponse{Err: &llm.Error{Kind: llm.KindRateLimit}}))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindRateLimit, le.Kind)
	assert.Equal(t, "openai", le.Provider)

	_, err = llm.Embedding(t.Context(), req, llm.WithMockResponse(llm.MockResponse{Err: errors.New("boom")}))
	assert.ErrorIs(t, err, llm.ErrServer)

	calls := 0
	r, err := llm.Embedding(t.Context(), req, llm.WithMockResponder(func(_ context.Context, creq *llm.CompletionRequest) llm.MockResponse {
		calls++
		assert.Equal(t, "hi", creq.Messages[0].Content.String())
		return llm.MockResponse{Usage: &llm.Usage{PromptTokens: 7}}
	}))
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
	assert.Equal(t, 7, r.Usage.PromptTokens)
	require.NotNil(t, r.Meta.Cost, "a scripted call to a real model is priced as that model")
	assert.True(t, r.Meta.Cost.Known)
	assert.InDelta(t, 7*2e-8, r.Meta.Cost.Total, 1e-15)
}

func TestEmbeddingUnsupported(t *testing.T) {
	t.Parallel()
	_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "chatonly/m", Input: llm.EmbedTexts("hi")},
		llm.WithProvider(chatOnly{}))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindUnsupported, le.Kind)
	assert.Contains(t, err.Error(), "provider chatonly does not support embeddings")
}

// chatOnly is a provider without the Embedder capability.
type chatOnly struct{}

func (chatOnly) Name() string { return "chatonly" }

// fakeEmbedder is an Embedder named "openai" that answers a fixed response.
type fakeEmbedder struct {
	calls atomic.Int32
}

func (*fakeEmbedder) Name() string { return "openai" }

func (f *fakeEmbedder) Embedding(_ context.Context, req *llm.EmbeddingRequest, _ *llm.Config) (*llm.EmbeddingResponse, error) {
	f.calls.Add(1)
	r := &llm.EmbeddingResponse{Object: "list", Model: req.Model, Usage: &llm.EmbeddingUsage{PromptTokens: 1000, TotalTokens: 1000}}
	for i := range req.Input.Len() {
		r.Data = append(r.Data, llm.EmbeddingData{Object: "embedding", Index: i, Embedding: []float32{1, 0}})
	}
	return r, nil
}

func TestEmbeddingProviderPathPriced(t *testing.T) {
	t.Parallel()
	fake := &fakeEmbedder{}
	r, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("a", "b")}, llm.WithProvider(fake))
	require.NoError(t, err)
	assert.Equal(t, int32(1), fake.calls.Load())
	assert.Equal(t, "text-embedding-3-small", r.Model, "the provider gets the model without its prefix")
	assert.Equal(t, [][]float32{{1, 0}, {1, 0}}, r.Vectors())
	assert.Equal(t, "openai", r.Meta.Provider)
	assert.Positive(t, r.Meta.Latency)
	require.NotNil(t, r.Meta.Cost)
	assert.True(t, r.Meta.Cost.Known)
	assert.InDelta(t, 1000*2e-8, r.Meta.Cost.Total, 1e-15)

	r, err = llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "openai/my-own-embedder", Input: llm.EmbedTexts("a")}, llm.WithProvider(fake))
	require.NoError(t, err)
	require.NotNil(t, r.Meta.Cost)
	assert.False(t, r.Meta.Cost.Known, "an unknown model's price is unknown, never $0")
}
