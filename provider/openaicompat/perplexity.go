package openaicompat

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// Perplexity's answers carry their sources beside the choices: "citations"
// (URLs) and "search_results" ({title, url, date, ...}) in the order of the
// [n] markers of the content, plus "images" and "related_questions" when
// asked for; usage adds search_context_size and num_search_queries
// (https://docs.perplexity.ai/api-reference/chat-completions-post).
//
// Each marker [n] naming a source becomes a url_citation annotation over
// the marker, its indexes counted in characters as OpenAI's are. The
// fields are kept raw (json.RawMessage) in the message's, or the finishing
// delta's, ProviderSpecificFields under their own names. The searches go
// into Usage.ServerToolUse: num_search_queries of them (one when it is
// missing), at the answer's search_context_size, which the cost table
// prices per request.

// perplexityKeys are the answer's fields kept in ProviderSpecificFields.
var perplexityKeys = []string{"citations", "search_results", "images", "related_questions"}

// source is one cited page.
type source struct{ url, title string }

// perplexitySources reads an answer's or chunk's sources and raw fields; it
// returns nil, nil when there are none.
func perplexitySources(raw []byte) ([]source, map[string]any) {
	if !bytes.Contains(raw, []byte(`"citations"`)) && !bytes.Contains(raw, []byte(`"search_results"`)) &&
		!bytes.Contains(raw, []byte(`"images"`)) && !bytes.Contains(raw, []byte(`"related_questions"`)) {
		return nil, nil
	}
	fields := gjson.GetManyBytes(raw, perplexityKeys...)
	var psf map[string]any
	for i, f := range fields {
		if f.IsArray() {
			if psf == nil {
				psf = map[string]any{}
			}
			psf[perplexityKeys[i]] = json.RawMessage(f.Raw)
		}
	}
	var srcs []source
	citations, results := fields[0].Array(), fields[1].Array()
	for i := range max(len(citations), len(results)) {
		var s source
		if i < len(results) {
			s.url, s.title = results[i].Get("url").String(), results[i].Get("title").String()
		}
		if i < len(citations) && citations[i].Type == gjson.String {
			if s.url != "" && s.url != citations[i].Str {
				s.title = "" // the lists disagree: trust the citation's URL alone
			}
			s.url = citations[i].Str
		}
		srcs = append(srcs, s)
	}
	return srcs, psf
}

// citeMarkers returns a url_citation annotation for each marker [n] of text
// (n from 1, up to four digits, no leading zero) that names one of srcs,
// indexed in characters.
func citeMarkers(text string, srcs []source) []llm.Annotation {
	if len(srcs) == 0 || !strings.Contains(text, "[") {
		return nil
	}
	var out []llm.Annotation
	chars := 0 // characters before text[i]
	for i := 0; i < len(text); {
		if text[i] == '[' && i+1 < len(text) && text[i+1] != '0' {
			j := i + 1
			n := 0
			for j < len(text) && j-i <= 4 && text[j] >= '0' && text[j] <= '9' {
				n = n*10 + int(text[j]-'0')
				j++
			}
			if j > i+1 && j < len(text) && text[j] == ']' {
				if n >= 1 && n <= len(srcs) && srcs[n-1].url != "" {
					s := srcs[n-1]
					out = append(out, llm.Annotation{Type: "url_citation", URLCitation: &llm.URLCitation{
						StartIndex: chars, EndIndex: chars + j + 1 - i, Title: s.title, URL: s.url}})
				}
				chars += j + 1 - i // a marker is ASCII
				i = j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
		chars++
	}
	return out
}

// perplexitySearches moves the answer's search count into ServerToolUse.
func perplexitySearches(raw []byte, u *llm.Usage) {
	if u == nil || u.ServerToolUse != nil || !bytes.Contains(raw, []byte(`"search_context_size"`)) {
		return
	}
	r := gjson.GetManyBytes(raw, "usage.search_context_size", "usage.num_search_queries")
	if r[0].Type != gjson.String {
		return
	}
	n := int(r[1].Int())
	if !r[1].Exists() {
		n = 1
	}
	if n > 0 {
		u.ServerToolUse = &llm.ServerToolUse{WebSearchRequests: n, SearchContextSize: r[0].Str}
	}
}

func perplexityAmend(raw []byte, r *llm.CompletionResponse) {
	perplexitySearches(raw, r.Usage)
	srcs, psf := perplexitySources(raw)
	if psf == nil {
		return
	}
	for i := range r.Choices {
		m := &r.Choices[i].Message
		m.Annotations = append(m.Annotations, citeMarkers(m.Content.String(), srcs)...)
		if m.ProviderSpecificFields == nil {
			m.ProviderSpecificFields = map[string]any{}
		}
		for k, v := range psf {
			m.ProviderSpecificFields[k] = v
		}
	}
}

// perplexityAmendStream keeps the text of each choice and the latest
// sources; when a choice finishes, its annotations, over its whole text
// (so that a marker split between chunks is found), and the raw sources go
// on its finishing delta. Perplexity sends the sources on every chunk or
// only on the last.
func perplexityAmendStream() func([]byte, *llm.Chunk) {
	var (
		texts map[int]*strings.Builder
		done  map[int]bool
		srcs  []source
		psf   map[string]any
	)
	return func(raw []byte, c *llm.Chunk) {
		perplexitySearches(raw, c.Usage)
		if s, p := perplexitySources(raw); p != nil {
			srcs, psf = s, p
		}
		for i := range c.Choices {
			ch := &c.Choices[i]
			if texts == nil {
				texts, done = map[int]*strings.Builder{}, map[int]bool{}
			}
			b := texts[ch.Index]
			if b == nil {
				b = new(strings.Builder)
				texts[ch.Index] = b
			}
			b.WriteString(ch.Delta.Content)
			if ch.FinishReason == "" || done[ch.Index] || psf == nil {
				continue
			}
			done[ch.Index] = true
			ch.Delta.Annotations = append(ch.Delta.Annotations, citeMarkers(b.String(), srcs)...)
			if ch.Delta.ProviderSpecificFields == nil {
				ch.Delta.ProviderSpecificFields = map[string]any{}
			}
			for k, v := range psf {
				ch.Delta.ProviderSpecificFields[k] = v
			}
		}
	}
}
