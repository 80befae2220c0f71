package openaicompat_test

import (
	"encoding/json"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Perplexity's answer carries its sources beside the choices: "citations"
// (URLs) and "search_results" ({title, url, date, ...}), in the order of the
// [n] markers of the content, and usage.search_context_size and
// num_search_queries (the response schema of
// https://docs.perplexity.ai/api-reference/chat-completions-post;
// testdata/perplexity.response.json follows it).

func wantPerplexityAnnotations() []llm.Annotation {
	wiki := "https://en.wikipedia.org/wiki/Milky_Way"
	esa := "https://www.esa.int/Science_Exploration/Space_Science/Gaia"
	// Indexes count characters, as OpenAI's do ("–" is one).
	return []llm.Annotation{
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 52, EndIndex: 55, Title: "Milky Way - Wikipedia", URL: wiki}},
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 55, EndIndex: 58, Title: "Gaia - ESA", URL: esa}},
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 80, EndIndex: 83, Title: "Gaia - ESA", URL: esa}},
		// [9] names no source: no annotation.
	}
}

func TestPerplexityCitations(t *testing.T) {
	t.Parallel()
	t.Run("response", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, "application/json", providertest.Fixture(t, "perplexity.response.json"))
		resp, err := llm.Completion(t.Context(), chatRequest(t, "perplexity/sonar"), w.client(), llm.WithAPIKey("pplx-1"))
		require.NoError(t, err)
		assert.Equal(t, "https://api.perplexity.ai/chat/completions", w.rw.last())
		m := resp.Message()
		assert.Equal(t, wantPerplexityAnnotations(), m.Annotations)
		// The raw sources stay reachable.
		var results []struct{ Title, URL, Snippet string }
		raw, ok := m.ProviderSpecificFields["search_results"].(json.RawMessage)
		require.True(t, ok, "search_results kept raw: %#v", m.ProviderSpecificFields)
		require.NoError(t, json.Unmarshal(raw, &results))
		require.Len(t, results, 2)
		assert.Equal(t, "The Milky Way is the galaxy...", results[0].Snippet)
		assert.JSONEq(t, `["https://en.wikipedia.org/wiki/Milky_Way","https://www.esa.int/Science_Exploration/Space_Science/Gaia"]`,
			string(m.ProviderSpecificFields["citations"].(json.RawMessage)))
		assert.JSONEq(t, `["How many galaxies are there?"]`, string(m.ProviderSpecificFields["related_questions"].(json.RawMessage)))
		// The search is counted and priced: sonar's low-context request
		// fee is $5 per 1000 requests.
		require.NotNil(t, resp.Usage.ServerToolUse)
		assert.Equal(t, llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "low"}, *resp.Usage.ServerToolUse)
		require.NotNil(t, resp.Meta.Cost)
		assert.InDelta(t, 0.005, resp.Meta.Cost.WebSearch, 1e-12)
		assert.InDelta(t, 0.005+54e-6, resp.Meta.Cost.Total, 1e-12)
	})
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		_, chunks := stream(t, "perplexity/sonar", "perplexity_citations.sse")
		got := collect(chunks)
		m := got.Message()
		assert.Equal(t, "Estimates put the Milky Way at 100–400 billion stars[1][2]. Some say 200 billion[2][9].", m.Content.String())
		assert.Equal(t, wantPerplexityAnnotations(), m.Annotations, "a marker split between chunks is found")
		assert.Contains(t, m.ProviderSpecificFields, "search_results")
		assert.Contains(t, m.ProviderSpecificFields, "citations")
		n := 0
		for _, c := range chunks {
			for _, ch := range c.Choices {
				if len(ch.Delta.Annotations) > 0 {
					n++
					assert.Equal(t, llm.FinishStop, ch.FinishReason, "annotations come with the finish reason")
				}
			}
		}
		assert.Equal(t, 1, n, "annotations are sent once")
		require.NotNil(t, got.Usage)
		assert.Equal(t, &llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "low"}, got.Usage.ServerToolUse)
		assert.InDelta(t, 0.005, chunks[len(chunks)-1].Meta.Cost.WebSearch, 1e-12)
	})
	t.Run("no markers", func(t *testing.T) {
		t.Parallel()
		_, chunks := stream(t, "perplexity/sonar", "perplexity.sse")
		got := collect(chunks).Message()
		assert.Empty(t, got.Annotations, "no marker in the text")
	})
}
