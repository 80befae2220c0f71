package cohere

import (
	"errors"
	"testing"

	"github.com/llmux/llm"
)

// FuzzEmbeddingDecode holds the embedding decoder to its contract on any
// body: no panic; an *llm.Error of a known Kind, or exactly one non-empty
// vector per input in index order.
func FuzzEmbeddingDecode(f *testing.F) {
	f.Add([]byte(`{"id":"x","texts":["a"],"embeddings":{"float":[[0.016296387,-0.008354187]]},"meta":{"billed_units":{"input_tokens":2}}}`), 1)
	f.Add([]byte(`{"embeddings":{"float":[[1],[2,3]]},"meta":{"billed_units":{"input_tokens":1e300}}}`), 2)
	f.Add([]byte(`{"embeddings":{"float":[[1,null]]}}`), 1)
	f.Add([]byte(`{"id":"e","message":"boom"}`), 1)
	f.Add([]byte(`{"embeddings":{"float":[[]]}}`), 1)
	f.Fuzz(func(t *testing.T, raw []byte, n int) {
		n = max(0, min(n, 8))
		r, err := decodeEmbedding(raw, "m", n)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) || le.Kind == llm.KindUnknown {
				t.Fatalf("error %v is not a classified *llm.Error", err)
			}
			return
		}
		if len(r.Data) != n {
			t.Fatalf("got %d vectors, want %d", len(r.Data), n)
		}
		for i, d := range r.Data {
			if d.Index != i || len(d.Embedding) == 0 {
				t.Fatalf("data[%d] has index %d and %d values", i, d.Index, len(d.Embedding))
			}
		}
	})
}
