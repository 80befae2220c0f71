package openai

import (
	"strings"

	"github.com/llmux/llm"
)

// OpenAI bills web search in Chat Completions per call of its search models
// (gpt-4o-search-preview and the like), at a price that depends on the
// request's search_context_size. An answer counts one web search in
// Usage.ServerToolUse when it cites a web page (url_citation annotations:
// the rule LiteLLM's cost tracking applies to chat answers), or when a
// search model was asked with web_search_options; the context size is the
// request's ("" is OpenAI's default, medium). Usage the server reports with
// server_tool_use of its own is left as it is.

// isSearchModel reports OpenAI's Chat Completions search models.
func isSearchModel(model string) bool {
	return strings.Contains(model, "-search-preview") || strings.Contains(model, "-search-api")
}

// citesWeb reports whether annotations cite a web page.
func citesWeb(annotations []llm.Annotation) bool {
	for i := range annotations {
		if annotations[i].Type == "url_citation" {
			return true
		}
	}
	return false
}

// countWebSearch records in u the web search an answer to req made, by the
// rule above; cited says whether the answer cites a web page.
func (p *Provider) countWebSearch(req *llm.CompletionRequest, u *llm.Usage, cited bool) {
	if !p.spec.CountWebSearch || u == nil || u.ServerToolUse != nil {
		return
	}
	if !cited && (req.WebSearchOptions == nil || !isSearchModel(req.Model)) {
		return
	}
	st := &llm.ServerToolUse{WebSearchRequests: 1}
	if req.WebSearchOptions != nil {
		st.SearchContextSize = req.WebSearchOptions.SearchContextSize
	}
	u.ServerToolUse = st
}

// responseCitesWeb reports whether any choice of r cites a web page.
func responseCitesWeb(r *llm.CompletionResponse) bool {
	for i := range r.Choices {
		if citesWeb(r.Choices[i].Message.Annotations) {
			return true
		}
	}
	return false
}

// chunkCitesWeb reports whether any delta of c cites a web page.
func chunkCitesWeb(c *llm.Chunk) bool {
	for i := range c.Choices {
		if citesWeb(c.Choices[i].Delta.Annotations) {
			return true
		}
	}
	return false
}
