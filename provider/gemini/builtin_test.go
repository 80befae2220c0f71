package gemini_test

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
