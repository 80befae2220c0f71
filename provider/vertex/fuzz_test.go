package vertex

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// FuzzClassifyClaude: any error answer to a Claude call classifies as an
// *llm.Error, whichever envelope it looks like.
func FuzzClassifyClaude(f *testing.F) {
	f.Add(429, []byte(`{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}`))
	f.Add(529, []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	f.Add(404, []byte(`[{"error":{"code":404}}]`))
	f.Add(400, []byte(`{"error":{"code":"x"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := classifyClaude(&httpx.StatusError{StatusCode: status, Body: body})
		if _, ok := err.(*llm.Error); !ok {
			t.Fatalf("got %T, want *llm.Error", err)
		}
	})
}
