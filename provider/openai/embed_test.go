package openai_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The documented example: the request as sent (the one input goes as a
// one-element array, which means the same to the API) and its answer.
func TestEmbeddingWire(t *testing.T) {
	t.Parallel()
	var req llm.EmbeddingRequest
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "embedding.request.json"), &req))
	srv, hits := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v1/embeddings", r.URL.Path)
		assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		assert.Equal(t, "org-1", r.Header.Get("OpenAI-Organization"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"input":["The food was delicious and the waiter..."],"model":"text-embedding-ada-002","encoding_format":"float"}`, string(body))
	}, "application/json", providertest.Fixture(t, "embedding.response.json"))
	req.Model = "openai/text-embedding-ada-002"
	resp, err := llm.Embedding(t.Context(), req, llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("sk-test"),
		openai.WithOrganization("org-1"), llm.WithRawResponse())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
	assert.Equal(t, "list", resp.Object)
	assert.Equal(t, "text-embedding-ada-002", resp.Model)
	assert.Equal(t, []llm.EmbeddingData{{Object: "embedding", Index: 0, Embedding: []float32{0.0023064255, -0.009327292, -0.0028842222}}}, resp.Data)
	assert.Equal(t, &llm.EmbeddingUsage{PromptTokens: 8, TotalTokens: 8}, resp.Usage)
	assert.Equal(t, "openai", resp.Meta.Provider)
	assert.Equal(t, "text-embedding-ada-002", resp.Meta.Model)
	assert.Equal(t, "99", resp.Meta.Header.Get("X-Ratelimit-Remaining-Requests"))
	assert.JSONEq(t, string(providertest.Fixture(t, "embedding.response.json")), string(resp.Meta.Raw))
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known)
	assert.InDelta(t, 8*1e-7, resp.Meta.Cost.Total, 1e-15, "ada-002 at $0.10 per million tokens")
}

// Without an encoding format the request asks for base64, and every other
// field goes as given.
func TestEmbeddingDefaultsToBase64(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.JSONEq(t, `{"model":"text-embedding-3-small","input":[[1212,318],[257]],"dimensions":3,"encoding_format":"base64","user":"u-1","x_custom":true}`, string(body))
	}, "application/json", twoVectors(t))
	resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTokens([]int{1212, 318}, []int{257}),
		Dimensions: 3, User: "u-1", Extra: map[string]any{"x_custom": true}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1, 2, 3}, {-1, 0.5, 0}}, resp.Vectors(), "data ordered by index")
	require.NotNil(t, resp.Meta.Cost)
	assert.InDelta(t, 5*2e-8, resp.Meta.Cost.Total, 1e-15)
}

// twoVectors is an answer with two base64 vectors, out of order.
func twoVectors(t *testing.T) []byte {
	t.Helper()
	return []byte(`{"object":"list","model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5},"data":[` +
		`{"object":"embedding","index":1,"embedding":"` + b64(-1, 0.5, 0) + `"},` +
		`{"object":"embedding","index":0,"embedding":"` + b64(1, 2, 3) + `"}]}`)
}

func b64(v ...float32) string {
	var b []byte
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// The base64 answer decodes bit for bit to the float answer: in the
// documented example, and for 1,536 random values of every magnitude.
func TestEmbeddingBase64EqualsFloat(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]float32, 1536)
	for i := range random {
		random[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30)))
	}
	floatJSON, err := json.Marshal(random)
	require.NoError(t, err)
	for _, tc := range []struct{ name, float, base64 string }{
		{"documented", string(providertest.Fixture(t, "embedding.response.json")), string(providertest.Fixture(t, "embedding.base64.response.json"))},
		{"random", embeddingAnswer(string(floatJSON)), embeddingAnswer(`"` + b64(random...) + `"`)},
		{"escaped slash", embeddingAnswer(`[1e-30,-2.5]`), embeddingAnswer(`"` + strings.ReplaceAll(b64(1e-30, -2.5), "/", `\/`) + `"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(map[string][]float32)
			for format, body := range map[string]string{"float": tc.float, "base64": tc.base64} {
				srv, _ := server(t, nil, "application/json", []byte(body))
				resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("x"), EncodingFormat: format},
					llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
				require.NoError(t, err, format)
				got[format] = resp.Data[0].Embedding
			}
			require.Len(t, got["base64"], len(got["float"]))
			require.NotEmpty(t, got["float"])
			for i := range got["float"] {
				if math.Float32bits(got["float"][i]) != math.Float32bits(got["base64"][i]) {
					t.Fatalf("value %d: base64 gives %v, float JSON %v", i, got["base64"][i], got["float"][i])
				}
			}
			var want []float32 // encoding/json's reading of the float answer
			require.NoError(t, json.Unmarshal([]byte(gjsonEmbedding(t, tc.float)), &want))
			assert.Equal(t, want, got["float"])
		})
	}
}

func embeddingAnswer(vec string) string {
	return `{"object":"list","model":"m","usage":{"prompt_tokens":1,"total_tokens":1},"data":[{"object":"embedding","index":0,"embedding":` + vec + `}]}`
}

func gjsonEmbedding(t *testing.T, body string) string {
	t.Helper()
	var w struct {
		Data []struct {
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &w))
	return string(w.Data[0].Embedding)
}

func TestEmbeddingErrors(t *testing.T) {
	t.Parallel()
	ok := string(providertest.Fixture(t, "embedding.response.json"))
	providertest.EmbeddingErrors(t, "openai/text-embedding-3-small", "sk-secret-key-123", []providertest.EmbeddingErrorCase{
		providertest.EmbedCase("401", 401, errorBody("invalid_request_error", "invalid_api_key", "Incorrect API key provided"), 1, llm.KindAuthentication, "Incorrect API key"),
		providertest.EmbedCase("429", 429, errorBody("requests", "rate_limit_exceeded", "Rate limit reached for text-embedding-3-small"), 1, llm.KindRateLimit, "Rate limit reached"),
		providertest.EmbedCase("400 too long", 400, errorBody("invalid_request_error", "", "This model's maximum context length is 8192 tokens, however you requested 9000 tokens"), 1, llm.KindContextWindowExceeded, "maximum context length"),
		providertest.EmbedCase("200 with error", 200, errorBody("server_error", "", "The server had an error"), 1, llm.KindServer, "The server had an error"),
		providertest.EmbedCase("empty data", 200, `{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}`, 1, llm.KindBadResponse, "no embeddings"),
		providertest.EmbedCase("no data", 200, `{}`, 1, llm.KindBadResponse, "no embeddings"),
		providertest.EmbedCase("too few", 200, ok, 2, llm.KindBadResponse, "1 embeddings for 2 inputs"),
		providertest.EmbedCase("duplicate index", 200, embeddingAnswer2(0, 0), 2, llm.KindBadResponse, "index 0 twice"),
		providertest.EmbedCase("index out of range", 200, embeddingAnswer2(0, 5), 2, llm.KindBadResponse, "index 5"),
		providertest.EmbedCase("empty vector", 200, embeddingAnswer(`[]`), 1, llm.KindBadResponse, "empty embedding"),
		providertest.EmbedCase("empty base64", 200, embeddingAnswer(`""`), 1, llm.KindBadResponse, "empty embedding"),
		providertest.EmbedCase("bad base64", 200, embeddingAnswer(`"@@@@@@@@@@@@@@@@"`), 1, llm.KindBadResponse, "illegal base64"),
		providertest.EmbedCase("partial float32", 200, embeddingAnswer(`"AAAAAAA="`), 1, llm.KindBadResponse, "whole number of float32"),
		providertest.EmbedCase("NaN", 200, embeddingAnswer(`"`+b64(1, float32(math.NaN()))+`"`), 1, llm.KindBadResponse, "NaN"),
		providertest.EmbedCase("float out of range", 200, embeddingAnswer(`[1e39]`), 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("string values", 200, embeddingAnswer(`["1"]`), 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("not JSON", 200, `<html>`, 1, llm.KindBadResponse, "cannot decode"),
	})
}

func embeddingAnswer2(i, j int) string {
	return fmt.Sprintf(`{"object":"list","model":"m","data":[{"object":"embedding","index":%d,"embedding":[1]},{"object":"embedding","index":%d,"embedding":[2]}]}`, i, j)
}

// A body larger than the cap fails without being read past it.
func TestEmbeddingBodyCap(t *testing.T) {
	t.Parallel()
	body := embeddingAnswer(`"` + b64(make([]float32, 4096)...) + `"`)
	srv, _ := server(t, nil, "application/json", []byte(body))
	_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("x")},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithMaxResponseBytes(1024))
	assert.ErrorIs(t, err, llm.ErrBadResponse)
}

func TestEmbeddingInputType(t *testing.T) {
	t.Parallel()
	srv, hits := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.NotContains(t, string(body), "input_type")
	}, "application/json", providertest.Fixture(t, "embedding.response.json"))
	req := llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("x"), InputType: llm.InputQuery}
	_, err := llm.Embedding(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindUnsupported, le.Kind)
	assert.Contains(t, err.Error(), "input_type")
	assert.Zero(t, hits.Load(), "refused before any call")

	_, err = llm.Embedding(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithDropUnsupportedParams())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
}

// A cancelled context stops the call with a context error.
func TestEmbeddingCanceled(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, nil, "application/json", providertest.Fixture(t, "embedding.response.json"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := llm.Embedding(ctx, llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts("x")},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	assert.ErrorIs(t, err, llm.ErrCanceled)
}
