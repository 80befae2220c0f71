package cohere_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCitationAnnotations: citations of the answer's text whose sources are
// documents with an http(s) url (the caller's documents, which Cohere echoes
// in each source, as in the v2 chat response's citations[].sources[].document)
// come out as OpenAI url_citation annotations, streamed and not; a source
// without a url, and citations of the reasoning, give none.
func TestCitationAnnotations(t *testing.T) {
	t.Parallel()
	text := "Cats sleep a lot. Dogs bark."
	cites := []any{
		map[string]any{"start": 0, "end": 17, "text": "Cats sleep a lot.", "type": "TEXT_CONTENT", "sources": []any{
			map[string]any{"type": "document", "id": "doc-0", "document": map[string]any{"id": "doc-0", "title": "Cat facts", "url": "https://example.com/cats", "snippet": "Cats sleep."}},
			map[string]any{"type": "document", "id": "doc-1", "document": map[string]any{"id": "doc-1", "snippet": "no url here"}}}},
		map[string]any{"start": 18, "end": 28, "text": "Dogs bark.", "type": "TEXT_CONTENT", "sources": []any{
			map[string]any{"type": "tool", "id": "t-0", "tool_output": map[string]any{"title": "Dog search", "url": "http://example.org/dogs"}}}},
		map[string]any{"start": 0, "end": 4, "text": "Cats", "type": "THINKING_CONTENT", "sources": []any{
			map[string]any{"type": "document", "id": "doc-2", "document": map[string]any{"url": "https://example.com/thinking"}}}},
	}
	want := []llm.Annotation{
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 0, EndIndex: 17, Title: "Cat facts", URL: "https://example.com/cats"}},
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 18, EndIndex: 28, Title: "Dog search", URL: "http://example.org/dogs"}},
	}
	body, _ := json.Marshal(map[string]any{"id": "x", "finish_reason": "COMPLETE",
		"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": text}}, "citations": cites},
		"usage":   map[string]any{"tokens": map[string]any{"input_tokens": 3, "output_tokens": 7}}})
	srv, _ := providertest.Server(t, nil, "application/json", body)
	req := llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.UserText("hi")}}
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("co-test"))
	require.NoError(t, err)
	assert.Equal(t, want, resp.Choices[0].Message.Annotations)

	var sse strings.Builder
	ev := func(typ string, v map[string]any) {
		v["type"] = typ
		b, _ := json.Marshal(v)
		sse.WriteString("event: " + typ + "\ndata: " + string(b) + "\n\n")
	}
	ev("message-start", map[string]any{"id": "x", "delta": map[string]any{"message": map[string]any{"role": "assistant"}}})
	ev("content-start", map[string]any{"index": 0, "delta": map[string]any{"message": map[string]any{"content": map[string]any{"type": "text", "text": ""}}}})
	ev("content-delta", map[string]any{"index": 0, "delta": map[string]any{"message": map[string]any{"content": map[string]any{"text": text}}}})
	ev("content-end", map[string]any{"index": 0})
	for i, c := range cites {
		ev("citation-start", map[string]any{"index": i, "delta": map[string]any{"message": map[string]any{"citations": c}}})
		ev("citation-end", map[string]any{"index": i})
	}
	ev("message-end", map[string]any{"delta": map[string]any{"finish_reason": "COMPLETE",
		"usage": map[string]any{"tokens": map[string]any{"input_tokens": 3, "output_tokens": 7}}}})
	stream, _ := providertest.Server(t, nil, "text/event-stream", []byte(sse.String()))
	col, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL), llm.WithAPIKey("co-test")))
	require.NoError(t, err)
	assert.Equal(t, text, col.Text())
	assert.Equal(t, want, col.Choices[0].Message.Annotations)
}
