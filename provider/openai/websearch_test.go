package openai_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The websearch fixtures follow the example of OpenAI's web search guide for
// Chat Completions (https://platform.openai.com/docs/guides/tools-web-search?api-mode=chat:
// web_search_options with search_context_size and an approximate
// user_location; the answer's message.annotations of type url_citation) and
// the ChatCompletionResponseMessage.annotations schema of
// /work/shared/specs/openai-openapi.yaml. The stream sends the annotations
// on a delta of their own, after the content.

// searchCitation is the citation of the websearch fixtures.
var searchCitation = llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{
	StartIndex: 53, EndIndex: 113, Title: "Riverside garden reopens", URL: "https://example.org/garden?utm_source=openai"}}

// searchRequest is websearch.request.json as a request.
func searchRequest(t *testing.T) llm.CompletionRequest {
	t.Helper()
	var req llm.CompletionRequest
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "websearch.request.json"), &req))
	require.NotNil(t, req.WebSearchOptions)
	req.Model = "openai/" + req.Model
	return req
}

func TestWebSearch(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "websearch.request.json")
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "/v1/chat/completions", r.URL.Path)
		assert.JSONEq(t, string(wire), string(body), "web_search_options goes over the wire as given")
	}, "application/json", providertest.Fixture(t, "websearch.response.json"))
	resp, err := llm.Completion(t.Context(), searchRequest(t), llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, []llm.Annotation{searchCitation}, resp.Message().Annotations)
	require.NotNil(t, resp.Usage)
	assert.Equal(t, &llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "low"}, resp.Usage.ServerToolUse,
		"a search model's answer is one web search call at the request's context size")
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known, resp.Meta.Cost.Reason)
	assert.InDelta(t, 0.03, resp.Meta.Cost.WebSearch, 1e-12, "gpt-4o-search-preview, low context: $30 per 1,000 calls")
}

func TestWebSearchStream(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, nil, "text/event-stream", providertest.Fixture(t, "websearch.sse"))
	got, err := llm.Collect(llm.CompletionStream(t.Context(), searchRequest(t), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)

	var want llm.CompletionResponse
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "websearch.response.json"), &want))
	assert.Equal(t, want.Text(), got.Text())
	assert.Equal(t, []llm.Annotation{searchCitation}, got.Message().Annotations)
	require.NotNil(t, got.Usage)
	assert.Equal(t, &llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "low"}, got.Usage.ServerToolUse)
	require.NotNil(t, got.Meta.Cost)
	assert.True(t, got.Meta.Cost.Known, got.Meta.Cost.Reason)
	assert.InDelta(t, 0.03, got.Meta.Cost.WebSearch, 1e-12)
}

// TestWebSearchCount pins the rule by which a chat answer counts a web
// search (LiteLLM's, in litellm_core_utils/llm_cost_calc/tool_call_cost_tracking.py:
// a chat answer with url_citation annotations made a search; OpenAI bills
// the search models per call): one search when the answer cites a page, or
// when a search model was asked with web_search_options; none otherwise.
func TestWebSearchCount(t *testing.T) {
	t.Parallel()
	answer := func(annotations string) []byte {
		return []byte(`{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-search-preview","choices":[{"index":0,"message":{"role":"assistant","content":"x"` +
			annotations + `},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}
	cited := `,"annotations":[{"type":"url_citation","url_citation":{"start_index":0,"end_index":1,"title":"t","url":"https://example.org/"}}]`
	other := `,"annotations":[{"type":"file_citation","file_citation":{"file_id":"f"}}]`
	opts := &llm.WebSearchOptions{SearchContextSize: "high"}
	cases := []struct {
		name  string
		model string
		opts  *llm.WebSearchOptions
		body  []byte
		want  *llm.ServerToolUse
	}{
		{"search model, options, cited", "gpt-4o-search-preview", opts, answer(cited), &llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "high"}},
		{"search model, options, no citation", "gpt-4o-mini-search-preview", opts, answer(""), &llm.ServerToolUse{WebSearchRequests: 1, SearchContextSize: "high"}},
		{"search model, no options, cited", "gpt-4o-search-preview", nil, answer(cited), &llm.ServerToolUse{WebSearchRequests: 1}},
		{"search model, no options, no citation", "gpt-4o-search-preview", nil, answer(""), nil},
		{"other model, cited", "gpt-4o", nil, answer(cited), &llm.ServerToolUse{WebSearchRequests: 1}},
		{"other model, options, no citation", "gpt-4o", opts, answer(""), nil},
		{"unknown annotation type", "gpt-4o", nil, answer(other), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, nil, "application/json", c.body)
			req := llm.CompletionRequest{Model: "openai/" + c.model, Messages: []llm.Message{llm.UserText("news?")}, WebSearchOptions: c.opts}
			resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
			require.NoError(t, err)
			assert.Equal(t, c.want, resp.Usage.ServerToolUse)
		})
	}
}

// TestUnknownTypesDoNotFail feeds a stream and an answer with an annotation
// type, a content part type, a delta field and an event type that do not
// exist: the call goes on, with what it knows.
func TestUnknownTypesDoNotFail(t *testing.T) {
	t.Parallel()
	stream := `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"a","x_new_field":{"k":[1]}},"finish_reason":null}],"usage":null}` + "\n\n" +
		"event: x_new_event\ndata: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n" +
		`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"annotations":[{"type":"x_new_citation","x_new_citation":{"a":1}}]},"finish_reason":"stop"}],"usage":null}` + "\n\n" +
		"data: [DONE]\n\n"
	srv, _ := server(t, nil, "text/event-stream", []byte(stream))
	req := llm.CompletionRequest{Model: "openai/gpt-4o", Messages: []llm.Message{llm.UserText("hi")}}
	got, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, "a", got.Text())
	assert.Equal(t, []llm.Annotation{{Type: "x_new_citation"}}, got.Message().Annotations)

	answer := `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"x_new_part","x":1},{"type":"text","text":"b"}],"x_new_field":true},"finish_reason":"stop"}]}`
	srv2, _ := server(t, nil, "application/json", []byte(answer))
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv2.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	require.Len(t, resp.Message().Content.Parts, 2)
	assert.Equal(t, llm.PartType("x_new_part"), resp.Message().Content.Parts[0].Type)
}
