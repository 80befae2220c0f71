package cohere_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// embedServer answers every request with status and body, after check
// (when not nil) has looked at the request; it counts the requests.
func embedServer(t *testing.T, status int, body string, check func(t *testing.T, r *http.Request, body []byte)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		if check != nil {
			check(t, r, b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Test", "1")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// The documented example: its request as sent and its answer decoded.
func TestEmbeddingWire(t *testing.T) {
	t.Parallel()
	answer := string(providertest.Fixture(t, "embed.response.json"))
	srv, hits := embedServer(t, 200, answer, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v2/embed", r.URL.Path)
		assert.Equal(t, "Bearer co-test", r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, string(providertest.Fixture(t, "embed.request.json")), string(body))
	})
	resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("hello", "goodbye"),
		InputType: llm.InputClassification}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("co-test"), llm.WithRawResponse())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
	require.Len(t, resp.Data, 2)
	for i, d := range resp.Data {
		assert.Equal(t, i, d.Index)
		assert.Equal(t, "embedding", d.Object)
		assert.Len(t, d.Embedding, 1024)
	}
	assert.Equal(t, []float32{0.016296387, -0.008354187, -0.04699707}, resp.Data[0].Embedding[:3])
	assert.Equal(t, []float32{0.04663086, -0.023239136}, resp.Data[1].Embedding[:2])
	assert.Equal(t, "list", resp.Object)
	assert.Equal(t, "embed-v4.0", resp.Model)
	assert.Equal(t, &llm.EmbeddingUsage{PromptTokens: 2, TotalTokens: 2}, resp.Usage)
	assert.Equal(t, "cohere", resp.Meta.Provider)
	assert.Equal(t, "1", resp.Meta.Header.Get("X-Test"))
	assert.JSONEq(t, answer, string(resp.Meta.Raw))
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known)
	assert.InDelta(t, 2*1.2e-7, resp.Meta.Cost.Total, 1e-15, "2 billed tokens at $0.12 per million")
}

func TestEmbeddingInputTypes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                      "search_document",
		llm.InputQuery:          "search_query",
		llm.InputDocument:       "search_document",
		llm.InputClassification: "classification",
		llm.InputClustering:     "clustering",
	} {
		t.Run(want+"/"+in, func(t *testing.T) {
			t.Parallel()
			srv, _ := embedServer(t, 200, `{"embeddings":{"float":[[1,2]]}}`, func(t *testing.T, _ *http.Request, body []byte) {
				assert.JSONEq(t, fmt.Sprintf(`{"model":"embed-v4.0","texts":["x"],"input_type":%q,"embedding_types":["float"]}`, want), string(body))
			})
			resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("x"), InputType: in},
				llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
			require.NoError(t, err)
			assert.Equal(t, [][]float32{{1, 2}}, resp.Vectors())
			assert.Nil(t, resp.Usage, "no billed units, no usage")
		})
	}
}

// Dimensions go as output_dimension, Extra as top-level fields, and the
// vectors are asked for as float whatever EncodingFormat says.
func TestEmbeddingFields(t *testing.T) {
	t.Parallel()
	srv, _ := embedServer(t, 200, `{"embeddings":{"float":[[1],[2]]},"meta":{"billed_units":{"input_tokens":7}}}`, func(t *testing.T, _ *http.Request, body []byte) {
		assert.JSONEq(t, `{"model":"embed-v4.0","texts":["a","b"],"input_type":"search_query","embedding_types":["float"],"output_dimension":256,"truncate":"NONE"}`, string(body))
	})
	resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("a", "b"), InputType: llm.InputQuery,
		Dimensions: 256, EncodingFormat: "base64", Extra: map[string]any{"truncate": "NONE"}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1}, {2}}, resp.Vectors())
	assert.Equal(t, &llm.EmbeddingUsage{PromptTokens: 7, TotalTokens: 7}, resp.Usage)
}

// Token inputs and user are refused before any call; user is dropped
// with WithDropUnsupportedParams, token inputs never.
func TestEmbeddingUnsupported(t *testing.T) {
	t.Parallel()
	srv, hits := embedServer(t, 200, `{"embeddings":{"float":[[1]]}}`, func(t *testing.T, _ *http.Request, body []byte) {
		assert.NotContains(t, string(body), "user")
	})
	for _, tc := range []struct {
		name string
		req  llm.EmbeddingRequest
		msg  string
	}{
		{"tokens", llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTokens([]int{1, 2})}, "token arrays"},
		{"user", llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("x"), User: "u-1"}, "user"},
	} {
		_, err := llm.Embedding(t.Context(), tc.req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		var le *llm.Error
		require.ErrorAs(t, err, &le, tc.name)
		assert.Equal(t, llm.KindUnsupported, le.Kind, tc.name)
		assert.Contains(t, err.Error(), tc.msg, tc.name)
	}
	assert.Zero(t, hits.Load(), "refused before any call")

	_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTokens([]int{1})},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithDropUnsupportedParams())
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindUnsupported, le.Kind)
	_, err = llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("x"), User: "u-1"},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithDropUnsupportedParams())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
}

func TestEmbeddingErrors(t *testing.T) {
	t.Parallel()
	ok := string(providertest.Fixture(t, "embed.response.json"))
	providertest.EmbeddingErrors(t, "cohere/embed-v4.0", "co-secret-key-123", []providertest.EmbeddingErrorCase{
		providertest.EmbedCase("401", 401, errorBody("invalid api token"), 1, llm.KindAuthentication, "invalid api token"),
		providertest.EmbedCase("429", 429, errorBody("trial key rate limit exceeded"), 1, llm.KindRateLimit, "rate limit"),
		providertest.EmbedCase("429 quota", 429, errorBody("you have exceeded your billing quota"), 1, llm.KindQuotaExceeded, "quota"),
		providertest.EmbedCase("400 too long", 400, errorBody("too many tokens: input exceeds 128000"), 1, llm.KindContextWindowExceeded, "too many tokens"),
		providertest.EmbedCase("200 with envelope", 200, errorBody("internal server error"), 1, llm.KindServer, "internal server error"),
		providertest.EmbedCase("empty embeddings", 200, `{"embeddings":{"float":[]}}`, 1, llm.KindBadResponse, "no float embeddings"),
		providertest.EmbedCase("no embeddings", 200, `{}`, 1, llm.KindBadResponse, "no float embeddings"),
		providertest.EmbedCase("only int8", 200, `{"embeddings":{"int8":[[1]]}}`, 1, llm.KindBadResponse, "no float embeddings"),
		providertest.EmbedCase("too few", 200, ok, 3, llm.KindBadResponse, "2 embeddings for 3 inputs"),
		providertest.EmbedCase("too many", 200, ok, 1, llm.KindBadResponse, "2 embeddings for 1 inputs"),
		providertest.EmbedCase("empty vector", 200, `{"embeddings":{"float":[[1],[]]}}`, 2, llm.KindBadResponse, "empty embedding at index 1"),
		providertest.EmbedCase("float out of range", 200, `{"embeddings":{"float":[[1e39]]}}`, 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("string values", 200, `{"embeddings":{"float":[["1"]]}}`, 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("not JSON", 200, `<html>`, 1, llm.KindBadResponse, "cannot decode"),
	})
}

// A body larger than the cap fails without being read past it.
func TestEmbeddingBodyCap(t *testing.T) {
	t.Parallel()
	srv, _ := embedServer(t, 200, string(providertest.Fixture(t, "embed.response.json")), nil)
	_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("hello", "goodbye")},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithMaxResponseBytes(1024))
	assert.ErrorIs(t, err, llm.ErrBadResponse)
}

// A cancelled context stops the call with a context error, before any
// request reaches the server.
func TestEmbeddingCanceled(t *testing.T) {
	t.Parallel()
	srv, hits := embedServer(t, 200, `{"embeddings":{"float":[[1]]}}`, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := llm.Embedding(ctx, llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("x")},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	assert.ErrorIs(t, err, llm.ErrCanceled)
	assert.Zero(t, hits.Load())
}
