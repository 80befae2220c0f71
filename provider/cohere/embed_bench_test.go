package cohere_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// BenchmarkEmbedding embeds the documented example (two texts, 1,024
// values each) end to end; BenchmarkEmbeddingFloor does the same request
// with plain net/http and encoding/json into [][]float32.
func BenchmarkEmbedding(b *testing.B) {
	srv, hc := benchServer(b, "application/json", providertest.Fixture(b, "embed.response.json"))
	req := llm.EmbeddingRequest{Model: "cohere/embed-v4.0", Input: llm.EmbedTexts("hello", "goodbye"), InputType: llm.InputClassification}
	opts := []llm.Option{llm.WithBaseURL(srv.URL), llm.WithHTTPClient(hc), llm.WithAPIKey("k")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := llm.Embedding(b.Context(), req, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbeddingFloor(b *testing.B) {
	srv, hc := benchServer(b, "application/json", providertest.Fixture(b, "embed.response.json"))
	b.ReportAllocs()
	for b.Loop() {
		body, _ := json.Marshal(map[string]any{"model": "embed-v4.0", "texts": []string{"hello", "goodbye"},
			"input_type": "classification", "embedding_types": []string{"float"}})
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/v2/embed", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer k")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Embeddings struct {
				Float [][]float32 `json:"float"`
			} `json:"embeddings"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
