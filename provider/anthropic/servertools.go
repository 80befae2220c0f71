package anthropic

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
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

// The versioned types of Anthropic's server tools, for ServerTool.Type.
const (
	// WebSearchTool is the web search tool (usage.server_tool_use counts
	// its searches, which are billed per search). A request's
	// web_search_options ask for it too.
	WebSearchTool = "web_search_20250305"
	// WebFetchTool is the web fetch tool; it needs the WebFetchBeta
	// feature, which WithServerTools adds.
	WebFetchTool = "web_fetch_20250910"
	// CodeExecutionTool is the code execution tool (bash and file editing
	// in a sandbox); it needs the CodeExecutionBeta feature, which
	// WithServerTools adds.
	CodeExecutionTool = "code_execution_20250825"
)

// The anthropic-beta features of the server tools that need one.
const (
	WebFetchBeta      = "web-fetch-2025-09-10"
	CodeExecutionBeta = "code-execution-2025-08-25"
)

// ServerTool is one of Anthropic's own tools — run by Anthropic (web search,
// web fetch, code execution) or defined by Anthropic for the caller to run
// (bash, text editor, memory, computer use) — sent in the request's tools
// beside its function tools.
type ServerTool struct {
	// Type is the tool's versioned type, such as WebFetchTool.
	Type string
	// Name is the tool's name. Empty means Type without its date suffix
	// (web_search, web_fetch, code_execution, bash, memory...); a tool
	// whose fixed name differs (the text editor's
	// str_replace_based_edit_tool) must name it.
	Name string
	// Params are the tool's other fields, sent as given: max_uses,
	// allowed_domains, blocked_domains, user_location, citations,
	// max_content_tokens, cache_control...
	Params map[string]any
}

type serverToolsKey struct{}

// WithServerTools adds Anthropic's own tools to the request (after its
// function tools and the web search tool of web_search_options), with the
// anthropic-beta features the known ones need. Repeated options accumulate.
// Their calls and results come back raw under BlocksField, their citations
// as annotations.
func WithServerTools(tools ...ServerTool) llm.Option {
	return func(c *llm.Config) {
		prev, _ := c.Value(serverToolsKey{}).([]ServerTool)
		llm.WithValue(serverToolsKey{}, append(append([]ServerTool(nil), prev...), tools...))(c)
	}
}

func serverTools(cfg *llm.Config) []ServerTool {
	if cfg == nil {
		return nil
	}
	ts, _ := cfg.Value(serverToolsKey{}).([]ServerTool)
	return ts
}

// name returns the tool's name.
func (t *ServerTool) name() string {
	if t.Name != "" {
		return t.Name
	}
	if i := strings.LastIndexByte(t.Type, '_'); i > 0 && len(t.Type)-i == 9 {
		return t.Type[:i]
	}
	return t.Type
}

// beta returns the anthropic-beta feature the tool needs, if any.
func (t *ServerTool) beta() string {
	switch t.Type {
	case WebFetchTool:
		return WebFetchBeta
	case CodeExecutionTool:
		return CodeExecutionBeta
	}
	return ""
}

// wire returns the tool's JSON definition.
func (t *ServerTool) wire(i int) (tool, error) {
	if t.Type == "" {
		return tool{}, invalid("anthropic.WithServerTools: tool %d has no type", i)
	}
	name := t.name()
	def := struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}{t.Type, name}
	b, err := json.Marshal(def)
	if err == nil {
		b, err = jsonx.MergeObject(b, t.Params)
	}
	if err != nil {
		return tool{}, invalid("anthropic.WithServerTools: tool %d (%s): %v", i, t.Type, err)
	}
	return tool{Name: name, Server: b}, nil
}

// searchUses maps web_search_options.search_context_size, which Anthropic
// lacks, to the web search tool's max_uses: the more context asked for, the
// more searches allowed.
var searchUses = map[string]int{"low": 1, "medium": 5, "high": 10}

// webSearchTool maps web_search_options to the web search tool: the
// approximate user_location flattened, search_context_size as max_uses.
func webSearchTool(o *llm.WebSearchOptions) (tool, error) {
	type location struct {
		Type     string `json:"type"`
		City     string `json:"city,omitempty"`
		Region   string `json:"region,omitempty"`
		Country  string `json:"country,omitempty"`
		Timezone string `json:"timezone,omitempty"`
	}
	def := struct {
		Type         string    `json:"type"`
		Name         string    `json:"name"`
		MaxUses      int       `json:"max_uses,omitempty"`
		UserLocation *location `json:"user_location,omitempty"`
	}{Type: WebSearchTool, Name: "web_search"}
	if s := o.SearchContextSize; s != "" {
		n, ok := searchUses[s]
		if !ok {
			return tool{}, invalid("web_search_options.search_context_size %q is not low, medium or high", s)
		}
		def.MaxUses = n
	}
	if u := o.UserLocation; u != nil {
		a := u.Approximate
		def.UserLocation = &location{Type: "approximate", City: a.City, Region: a.Region, Country: a.Country, Timezone: a.Timezone}
	}
	b, err := json.Marshal(def)
	if err != nil {
		return tool{}, invalid("web_search_options: %v", err)
	}
	return tool{Name: def.Name, Server: b}, nil
}

// encodeServerTools appends the web search tool of web_search_options
// (unless a server tool of that name is given) and the WithServerTools
// tools to r.Tools.
func encodeServerTools(r *request, req *llm.CompletionRequest, cfg *llm.Config) error {
	ts := serverTools(cfg)
	if o := req.WebSearchOptions; o != nil && !slices.ContainsFunc(ts, func(t ServerTool) bool { return t.name() == "web_search" }) {
		t, err := webSearchTool(o)
		if err != nil {
			return err
		}
		r.Tools = append(r.Tools, t)
	}
	for i := range ts {
		t, err := ts[i].wire(i)
		if err != nil {
			return err
		}
		r.Tools = append(r.Tools, t)
	}
	return nil
}
