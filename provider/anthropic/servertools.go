package anthropic

import (
	"encoding/json"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// The keys of a message's (and a delta's) ProviderSpecificFields under which
// the translator keeps what Anthropic sends that has no OpenAI field.
const (
	// BlocksField holds the content blocks that have no OpenAI equivalent,
	// as a []json.RawMessage in the order of the answer, each as Anthropic
	// sent it (compacted): server tool calls and their results
	// (server_tool_use; web_search_tool_result, whose web_search_result
	// blocks are the raw search results; web_fetch_tool_result;
	// code_execution_tool_result, bash_code_execution_tool_result,
	// text_editor_code_execution_tool_result), mcp_tool_use and
	// mcp_tool_result, container_upload, and any block type newer than this
	// translator. A streamed server_tool_use block carries its input
	// assembled from the input_json_delta fragments.
	BlocksField = "anthropic_blocks"
	// CitationsField holds every citation of the text, as a []Citation in
	// the order of the answer. The web ones are also the message's
	// url_citation annotations.
	CitationsField = "citations"
)

// Citation is one of Anthropic's citations with the span of the message
// content that the cited text block became. StartIndex and EndIndex count
// characters (Unicode code points), as the annotations do.
type Citation struct {
	StartIndex int `json:"start_index"`
	EndIndex   int `json:"end_index"`
	// Citation is Anthropic's citation object as sent (compacted):
	// web_search_result_location, search_result_location, char_location,
	// page_location, content_block_location, or a newer type.
	Citation json.RawMessage `json:"citation"`
}

// annotation returns the url_citation of a web citation, spanning [start,
// end) of the content: a web_search_result_location (its url and title) or
// a search_result_location whose source is an http(s) URL. Document
// citations (char_location, page_location, content_block_location) have no
// URL and give none.
func annotation(raw json.RawMessage, start, end int) (llm.Annotation, bool) {
	c := gjson.ParseBytes(raw)
	var url string
	switch c.Get("type").Str {
	case "web_search_result_location":
		url = c.Get("url").Str
	case "search_result_location":
		if src := c.Get("source").Str; isHTTP(src) {
			url = src
		}
	}
	if url == "" {
		return llm.Annotation{}, false
	}
	return llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{
		URL: url, Title: c.Get("title").Str, StartIndex: start, EndIndex: end}}, true
}
