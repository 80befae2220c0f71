package vertex_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Vertex AI has no embeddings yet: its text embedding models use :predict,
// not the Gemini API's batchEmbedContents, so the provider lacks the
// Embedder capability and the call fails with KindUnsupported before any
// request, for Gemini and text-embedding models alike.
func TestEmbeddingUnsupported(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	for _, model := range []string{"vertex_ai/text-embedding-005", "vertex_ai/gemini-embedding-001"} {
		_, err := llm.Embedding(t.Context(), llm.EmbeddingRequest{Model: model, Input: llm.EmbedTexts("x")}, llm.WithBaseURL(srv.URL))
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, llm.KindUnsupported, le.Kind, "%v", err)
		assert.Contains(t, err.Error(), "vertex_ai")
		assert.Contains(t, err.Error(), "embeddings")
	}
	assert.Zero(t, hits.Load())
}
