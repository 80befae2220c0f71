package gemini_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// embedServer answers every request with status and body after check (if
// not nil) has looked at it; hits counts the requests.
func embedServer(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
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

// The documented batchEmbedContents example: path, headers and body as
// sent, and the answer decoded in the order of the inputs.
func TestEmbeddingWire(t *testing.T) {
	t.Parallel()
	srv, hits := embedServer(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v1beta/models/gemini-embedding-001:batchEmbedContents", r.URL.Path)
		assert.Equal(t, "g-key", r.Header.Get("x-goog-api-key"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, string(fixture(t, "embedding.request.json")), string(body))
	}, http.StatusOK, string(fixture(t, "embedding.response.json")))
	resp, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{
		Model:     "gemini/gemini-embedding-001",
		Input:     llm.EmbedTexts("What is the meaning of life?", "How much wood would a woodchuck chuck?"),
		InputType: llm.InputQuery, Dimensions: 3, User: "u-1", EncodingFormat: "float",
	}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("g-key"), llm.WithRawResponse())
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
	assert.Equal(t, "list", resp.Object)
	assert.Equal(t, "gemini-embedding-001", resp.Model)
	assert.Equal(t, []llm.EmbeddingData{
		{Object: "embedding", Index: 0, Embedding: []float32{0.0023064255, -0.009327292, -0.0028842222}},
		{Object: "embedding", Index: 1, Embedding: []float32{-0.015173451, 0.0034276657, 0.025836013}},
	}, resp.Data)
	assert.Nil(t, resp.Usage, "batchEmbedContents reports no token counts")
	assert.Nil(t, resp.Meta.Cost, "no usage, no cost")
	assert.Equal(t, "gemini", resp.Meta.Provider)
	assert.Equal(t, "1", resp.Meta.Header.Get("X-Test"))
	assert.JSONEq(t, string(fixture(t, "embedding.response.json")), string(resp.Meta.Raw))
}

// InputType maps to taskType; without InputType or Dimensions neither field
// is sent, a "models/" name is not prefixed twice, and Extra goes into
// every request.
func TestEmbeddingInputType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{llm.InputQuery, "RETRIEVAL_QUERY"},
		{llm.InputDocument, "RETRIEVAL_DOCUMENT"},
		{llm.InputClassification, "CLASSIFICATION"},
		{llm.InputClustering, "CLUSTERING"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			want := `{"model":"models/text-embedding-004","content":{"parts":[{"text":"x"}]},"title":"T"}`
			if tc.want != "" {
				want = `{"model":"models/text-embedding-004","content":{"parts":[{"text":"x"}]},"title":"T","taskType":"` + tc.want + `"}`
			}
			srv, _ := embedServer(t, func(t *testing.T, r *http.Request, body []byte) {
				assert.Equal(t, "/v1beta/models/text-embedding-004:batchEmbedContents", r.URL.Path)
				assert.JSONEq(t, `{"requests":[`+want+`]}`, string(body))
			}, http.StatusOK, `{"embeddings":[{"values":[1]}]}`)
			_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "gemini/models/text-embedding-004", Input: llm.EmbedTexts("x"),
				InputType: tc.in, Extra: map[string]any{"title": "T"}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
			require.NoError(t, err)
		})
	}
}

// Token inputs have no Gemini equivalent: refused before any call, even
// with WithDropUnsupportedParams (the input cannot be dropped).
func TestEmbeddingTokensUnsupported(t *testing.T) {
	t.Parallel()
	srv, hits := embedServer(t, nil, http.StatusOK, `{"embeddings":[{"values":[1]}]}`)
	for _, opts := range [][]llm.Option{nil, {llm.WithDropUnsupportedParams()}} {
		_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "gemini/gemini-embedding-001", Input: llm.EmbedTokens([]int{1, 2})},
			append(opts, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))...)
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, llm.KindUnsupported, le.Kind, "%v", err)
		assert.Contains(t, err.Error(), "token")
	}
	assert.Zero(t, hits.Load(), "refused before any call")
}

func TestEmbeddingErrors(t *testing.T) {
	t.Parallel()
	ok := string(fixture(t, "embedding.response.json"))
	providertest.EmbeddingErrors(t, "gemini/gemini-embedding-001", "AIza-secret-key-123", []providertest.EmbeddingErrorCase{
		providertest.EmbedCase("401", 401, statusBody(401, "UNAUTHENTICATED", "API key not valid. Please pass a valid API key."), 1, llm.KindAuthentication, "API key not valid"),
		providertest.EmbedCase("400 bad key", 400, statusBody(400, "INVALID_ARGUMENT", "API key not valid.", `{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}`), 1, llm.KindAuthentication, "API key not valid"),
		providertest.EmbedCase("429", 429, statusBody(429, "RESOURCE_EXHAUSTED", "Quota exceeded for metric embed_content_requests"), 1, llm.KindRateLimit, "Quota exceeded"),
		providertest.EmbedCase("400 invalid", 400, statusBody(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: too many requests in one batch"), 1, llm.KindInvalidRequest, "too many requests"),
		providertest.EmbedCase("404 model", 404, statusBody(404, "NOT_FOUND", "models/nope is not found for API version v1beta"), 1, llm.KindNotFound, "not found"),
		providertest.EmbedCase("200 with error", 200, statusBody(500, "INTERNAL", "An internal error has occurred."), 1, llm.KindServer, "internal error"),
		providertest.EmbedCase("200 with odd code", 200, `{"error":{"code":1,"message":"odd"}}`, 1, llm.KindServer, "odd"),
		providertest.EmbedCase("empty embeddings", 200, `{"embeddings":[]}`, 1, llm.KindBadResponse, "no embeddings"),
		providertest.EmbedCase("no embeddings", 200, `{}`, 1, llm.KindBadResponse, "no embeddings"),
		providertest.EmbedCase("null", 200, `null`, 1, llm.KindBadResponse, "no embeddings"),
		providertest.EmbedCase("too few", 200, ok, 3, llm.KindBadResponse, "2 embeddings for 3 inputs"),
		providertest.EmbedCase("too many", 200, ok, 1, llm.KindBadResponse, "2 embeddings for 1 inputs"),
		providertest.EmbedCase("empty vector", 200, `{"embeddings":[{"values":[1]},{"values":[]}]}`, 2, llm.KindBadResponse, "empty embedding at index 1"),
		providertest.EmbedCase("no values", 200, `{"embeddings":[{}]}`, 1, llm.KindBadResponse, "empty embedding at index 0"),
		providertest.EmbedCase("float out of range", 200, `{"embeddings":[{"values":[1e39]}]}`, 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("string values", 200, `{"embeddings":[{"values":["1"]}]}`, 1, llm.KindBadResponse, "cannot decode"),
		providertest.EmbedCase("not JSON", 200, `<html>`, 1, llm.KindBadResponse, "cannot decode"),
	})
}

// A body larger than the cap fails as a bad response.
func TestEmbeddingBodyCap(t *testing.T) {
	t.Parallel()
	body := `{"embeddings":[{"values":[` + strings.Repeat("0.125,", 1000) + `1]}]}`
	srv, _ := embedServer(t, nil, http.StatusOK, body)
	_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: "gemini/gemini-embedding-001", Input: llm.EmbedTexts("x")},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithMaxResponseBytes(1024))
	assert.ErrorIs(t, err, llm.ErrBadResponse)
}

// A cancelled context stops the call with a context error; one cancelled
// while the server holds the answer returns without waiting for it.
func TestEmbeddingCanceled(t *testing.T) {
	t.Parallel()
	t.Run("before", func(t *testing.T) {
		t.Parallel()
		srv, _ := embedServer(t, nil, http.StatusOK, string(fixture(t, "embedding.response.json")))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := llm.Embedding(ctx, llm.EmbeddingRequest{Model: "gemini/gemini-embedding-001", Input: llm.EmbedTexts("x")},
			llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		assert.ErrorIs(t, err, llm.ErrCanceled)
	})
	t.Run("during", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) })
		_, err := llm.Embedding(ctx, llm.EmbeddingRequest{Model: "gemini/gemini-embedding-001", Input: llm.EmbedTexts("x")},
			llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
		assert.ErrorIs(t, err, llm.ErrCanceled)
	})
}

// The translator under another Endpoint (Vertex AI) refuses embeddings:
// Vertex AI's text embedding models use :predict, not batchEmbedContents.
func TestEmbeddingOtherEndpointUnsupported(t *testing.T) {
	t.Parallel()
	called := false
	p := gemini.NewWithEndpoint("vertex_ai", func(context.Context, *llm.Config, string, bool) (gemini.Target, error) {
		called = true
		return gemini.Target{}, nil
	})
	_, err := p.Embedding(t.Context(), &llm.EmbeddingRequest{Model: "text-embedding-005", Input: llm.EmbedTexts("x")}, &llm.Config{})
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindUnsupported, le.Kind)
	assert.Contains(t, err.Error(), "vertex_ai")
	assert.False(t, called, "refused before resolving a target")
}

// DecodeEmbedding gives one vector per input, in order, and nothing else.
func TestDecodeEmbedding(t *testing.T) {
	t.Parallel()
	resp, err := gemini.DecodeEmbedding([]byte(`{"embeddings":[{"values":[1,2.5,-3e-2]},{"values":[0],"shape":[1]}],"x":1}`), 2)
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1, 2.5, -0.03}, {0}}, resp.Vectors())
	assert.Equal(t, 1, resp.Data[1].Index)
	assert.Nil(t, resp.Usage)
}

func BenchmarkDecodeEmbedding(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"embeddings":[`)
	for i := range 16 {
		if i > 0 {
			sb.WriteByte(',')
		}
		vals := make([]float32, 768)
		for j := range vals {
			vals[j] = float32(i*j%97)/97 - 0.5
		}
		v, _ := json.Marshal(vals)
		fmt.Fprintf(&sb, `{"values":%s}`, v)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gemini.DecodeEmbedding(body, 16); err != nil {
			b.Fatal(err)
		}
	}
}
