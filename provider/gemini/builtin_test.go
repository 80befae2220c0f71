package gemini_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

// TestBuiltInTools checks how a caller asks for Gemini's built-in tools
// (https://ai.google.dev/gemini-api/docs/google-search, .../url-context,
// .../code-execution: each is a Tool entry of its own, {"googleSearch":{}},
// {"urlContext":{}}, {"codeExecution":{}}): web_search_options is Google
// Search; tools of type google_search, url_context and code_execution (or
// Gemini's camelCase names) are the tools of that name. Another provider's
// server tool is a typed unsupported error, dropped under
// WithDropUnsupportedParams.
func TestBuiltInTools(t *testing.T) {
	t.Parallel()
	fn := llm.Tool{Type: "function", Function: &llm.Function{Name: "now"}}
	cases := []struct {
		name string
		req  llm.CompletionRequest
		want string // the tools of the body
	}{
		{"web_search_options", llm.CompletionRequest{WebSearchOptions: &llm.WebSearchOptions{SearchContextSize: "medium"}},
			`[{"googleSearch":{}}]`},
		{"google_search", llm.CompletionRequest{Tools: []llm.Tool{{Type: "google_search"}}}, `[{"googleSearch":{}}]`},
		{"googleSearch", llm.CompletionRequest{Tools: []llm.Tool{{Type: "googleSearch"}}}, `[{"googleSearch":{}}]`},
		{"both asks, one tool", llm.CompletionRequest{WebSearchOptions: &llm.WebSearchOptions{}, Tools: []llm.Tool{{Type: "google_search"}}},
			`[{"googleSearch":{}}]`},
		{"url_context", llm.CompletionRequest{Tools: []llm.Tool{{Type: "url_context"}}}, `[{"urlContext":{}}]`},
		{"code_execution", llm.CompletionRequest{Tools: []llm.Tool{{Type: "codeExecution"}}}, `[{"codeExecution":{}}]`},
		{"with functions", llm.CompletionRequest{Tools: []llm.Tool{{Type: "url_context"}, fn, {Type: "code_execution"}},
			WebSearchOptions: &llm.WebSearchOptions{}},
			`[{"functionDeclarations":[{"name":"now"}]},{"googleSearch":{}},{"urlContext":{}},{"codeExecution":{}}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.req.Model = "gemini-2.5-flash"
			body, err := encode(t, c.req)
			require.NoError(t, err)
			assert.JSONEq(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":`+c.want+`}`, body)
		})
	}
	for _, typ := range []string{"web_search_20250305", "web_search_preview", "file_search"} {
		t.Run("unsupported "+typ, func(t *testing.T) {
			t.Parallel()
			req := llm.CompletionRequest{Model: "gemini-2.5-flash", Tools: []llm.Tool{{Type: typ}, fn}}
			_, err := encode(t, req)
			require.ErrorIs(t, err, llm.ErrUnsupported)
			var e *llm.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, llm.KindUnsupported, e.Kind)
			assert.Contains(t, e.Message, "tool")
			body, err := encode(t, req, llm.WithDropUnsupportedParams())
			require.NoError(t, err)
			assert.JSONEq(t, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"now"}]}]}`, body)
		})
	}
}

// TestGrounding decodes grounding metadata into url_citation annotations,
// streamed and not (the case's fixtures are built from the example answer
// of https://ai.google.dev/gemini-api/docs/google-search, "Understanding
// the grounding response", with segment indexes made to fit its text), and
// counts the web searches: Gemini 2.x bills grounded prompts (one per
// answer that searched), Gemini 3 each search query it ran
// (https://ai.google.dev/gemini-api/docs/pricing, "Grounding with Google
// Search"), which is how the cost table's per-search prices read
// (0.035 per grounded prompt on gemini-2.5-flash, 0.014 per query on
// gemini-3-pro-preview).
func TestGrounding(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "grounding.response.json")
	want := []llm.Annotation{
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 0, EndIndex: 56, Title: "aljazeera.com",
			URL: "https://vertexaisearch.cloud.google.com/grounding-api-redirect/aljazeera"}},
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 57, EndIndex: 126, Title: "aljazeera.com",
			URL: "https://vertexaisearch.cloud.google.com/grounding-api-redirect/aljazeera"}},
		{Type: "url_citation", URLCitation: &llm.URLCitation{StartIndex: 57, EndIndex: 126, Title: "uefa.com",
			URL: "https://vertexaisearch.cloud.google.com/grounding-api-redirect/uefa"}},
	}
	for _, c := range []struct {
		model    string
		searches int
	}{{"gemini-2.5-flash", 1}, {"gemini-3-pro-preview", 2}} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			raw := []byte(strings.ReplaceAll(string(raw), `"gemini-2.5-flash"`, `"`+c.model+`"`)) // modelVersion
			resp, err := gemini.DecodeResponse(raw, c.model)
			require.NoError(t, err)
			msg := resp.Choices[0].Message
			assert.Equal(t, want, msg.Annotations)
			gm, ok := msg.ProviderSpecificFields[gemini.PSFGroundingMetadata].(json.RawMessage)
			require.True(t, ok, "grounding metadata kept raw")
			assert.JSONEq(t, `["UEFA Euro 2024 winner","who won euro 2024"]`, gjson.GetBytes(gm, "webSearchQueries").Raw)
			require.NotNil(t, resp.Usage.ServerToolUse)
			assert.Equal(t, c.searches, resp.Usage.ServerToolUse.WebSearchRequests)

			// Streamed: the annotations come on the delta of the event that
			// carries the metadata, the searches on the usage chunk.
			sd := gemini.NewStreamDecoder(c.model)
			var got []llm.Annotation
			sse := strings.ReplaceAll(string(fixture(t, "grounding.sse")), `"gemini-2.5-flash"`, `"`+c.model+`"`)
			for _, ev := range strings.Split(strings.TrimSpace(sse), "\r\n\r\n") {
				ch, err := sd.Decode([]byte(strings.TrimPrefix(ev, "data: ")))
				require.NoError(t, err)
				got = append(got, ch.Choices[0].Delta.Annotations...)
			}
			assert.Equal(t, want, got)
			last := sd.Finish()
			require.NotNil(t, last.Usage.ServerToolUse)
			assert.Equal(t, c.searches, last.Usage.ServerToolUse.WebSearchRequests)
		})
	}
	t.Run("repeated metadata is cited once", func(t *testing.T) {
		t.Parallel()
		sd := gemini.NewStreamDecoder("gemini-2.5-flash")
		var got []llm.Annotation
		for range 2 {
			ch, err := sd.Decode(raw)
			require.NoError(t, err)
			got = append(got, ch.Choices[0].Delta.Annotations...)
		}
		assert.Equal(t, want, got)
	})
	t.Run("no search, no count", func(t *testing.T) {
		t.Parallel()
		resp, err := gemini.DecodeResponse(fixture(t, "text.response.json"), "gemini-2.5-flash")
		require.NoError(t, err)
		assert.Nil(t, resp.Usage.ServerToolUse)
	})
}

// TestURLContext: url_context's metadata is kept raw, and its grounding
// (chunks of the pages read) cites them; reading pages is not a search
// (https://ai.google.dev/gemini-api/docs/url-context: the content read is
// billed as input tokens, toolUsePromptTokenCount).
func TestURLContext(t *testing.T) {
	t.Parallel()
	body := `{"candidates":[{"content":{"role":"model","parts":[{"text":"Both recipes use flour."}]},"finishReason":"STOP",
		"groundingMetadata":{"groundingChunks":[{"web":{"uri":"https://example.com/recipe1","title":"Recipe 1"}}],
			"groundingSupports":[{"segment":{"endIndex":23,"text":"Both recipes use flour."},"groundingChunkIndices":[0]}]},
		"urlContextMetadata":{"urlMetadata":[{"retrievedUrl":"https://example.com/recipe1","urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"}]}}],
		"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"toolUsePromptTokenCount":900,"totalTokenCount":915}}`
	resp, err := gemini.DecodeResponse([]byte(body), "gemini-2.5-flash")
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, []llm.Annotation{{Type: "url_citation", URLCitation: &llm.URLCitation{EndIndex: 23, Title: "Recipe 1", URL: "https://example.com/recipe1"}}}, msg.Annotations)
	um, ok := msg.ProviderSpecificFields[gemini.PSFURLContextMetadata].(json.RawMessage)
	require.True(t, ok)
	assert.Equal(t, "URL_RETRIEVAL_STATUS_SUCCESS", gjson.GetBytes(um, "urlMetadata.0.urlRetrievalStatus").String())
	assert.Equal(t, 910, resp.Usage.PromptTokens)
	assert.Nil(t, resp.Usage.ServerToolUse)
}

// TestCodeExecutionParts: the code the model ran and its result
// (executableCode and codeExecutionResult parts, as in the example of
// https://ai.google.dev/gemini-api/docs/code-execution) are kept raw, in
// order, in ProviderSpecificFields[PSFParts]; the text parts are the
// content. Streamed, each delta carries every such part so far, so that
// the collected message equals the answer.
func TestCodeExecutionParts(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "codeexec.response.json")
	resp, err := gemini.DecodeResponse(raw, "gemini-2.5-flash")
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, "I'll calculate the sum of the first 50 prime numbers. The sum of the first 50 prime numbers is 5117.", msg.Content.String())
	parts := rawParts(t, msg.ProviderSpecificFields)
	require.Len(t, parts, 2)
	assert.Equal(t, "PYTHON", gjson.Get(parts[0], "executableCode.language").String())
	assert.Equal(t, "OUTCOME_OK", gjson.Get(parts[1], "codeExecutionResult.outcome").String())

	// One part per event, as a stream sends them.
	var sse strings.Builder
	for i, p := range gjson.GetBytes(raw, "candidates.0.content.parts").Array() {
		finish := ""
		if i == 3 {
			finish = `,"finishReason":"STOP"`
		}
		sse.WriteString(`data: {"candidates":[{"content":{"role":"model","parts":[` + p.Raw + `]}` + finish + `}]}` + "\n\n")
	}
	srv := replay(t, nil, "text/event-stream", []byte(sse.String()))
	req := llm.CompletionRequest{Model: "gemini/gemini-2.5-flash", Messages: []llm.Message{llm.UserText("hi")}, Tools: []llm.Tool{{Type: gemini.ToolCodeExecution}}}
	got, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, msg.Content.String(), got.Choices[0].Message.Content.String())
	assert.Equal(t, parts, rawParts(t, got.Choices[0].Message.ProviderSpecificFields))
}

// TestUnknownPartsAndFields: a part type, a candidate field or a response
// field the translator does not know never fails the call; an unknown part
// is kept raw in ProviderSpecificFields[PSFParts], streamed and not.
func TestUnknownPartsAndFields(t *testing.T) {
	t.Parallel()
	body := `{"candidates":[{"content":{"role":"model","parts":[{"text":"a"},{"futurePart":{"x":[1,{"y":null}]}},{"text":"b","partMetadata":{"k":"v"}}]},
		"finishReason":"STOP","futureCandidateField":{"z":1},"safetyRatings":[{"category":"HARM_CATEGORY_HATE_SPEECH","probability":"NEGLIGIBLE"}]}],
		"futureResponseField":[1,2]}`
	resp, err := gemini.DecodeResponse([]byte(body), "gemini-2.5-flash")
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, "ab", msg.Content.String())
	assert.Equal(t, []string{`{"futurePart":{"x":[1,{"y":null}]}}`, `{"partMetadata":{"k":"v"}}`}, rawParts(t, msg.ProviderSpecificFields))

	c, err := gemini.NewStreamDecoder("gemini-2.5-flash").Decode([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, "ab", c.Choices[0].Delta.Content)
	assert.Equal(t, []string{`{"futurePart":{"x":[1,{"y":null}]}}`, `{"partMetadata":{"k":"v"}}`}, rawParts(t, c.Choices[0].Delta.ProviderSpecificFields))
}

// rawParts returns the raw parts of ProviderSpecificFields[PSFParts] as
// compact JSON texts.
func rawParts(t *testing.T, psf map[string]any) []string {
	t.Helper()
	b, err := json.Marshal(psf[gemini.PSFParts])
	require.NoError(t, err)
	var out []string
	for _, p := range gjson.ParseBytes(b).Array() {
		out = append(out, p.Raw)
	}
	return out
}
