package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llm"
)

// DecodeResponse decodes a generateContent answer into a chat completion.
// model names the model when the answer does not (modelVersion). A prompt
// blocked by Gemini's filters (promptFeedback.blockReason, no candidates)
// is a KindContentPolicy error; an error envelope is classified as an HTTP
// error would be; a body that is not a GenerateContentResponse is
// KindBadResponse.
func DecodeResponse(raw []byte, model string) (*llm.CompletionResponse, error) {
	w, err := decodeGenerateResponse(raw)
	if err != nil {
		return nil, badResponse(err, raw)
	}
	if len(w.Error) > 0 && string(w.Error) != "null" {
		return nil, errorFromBody(0, nil, raw)
	}
	if err := blocked(w); err != nil {
		return nil, err
	}
	if len(w.Candidates) == 0 {
		return nil, badResponse(errNoCandidates, raw) // {}, null, or another API's object
	}
	out := &llm.CompletionResponse{
		ID:      responseID(w),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   modelOf(w, model),
		Choices: make([]llm.Choice, 0, len(w.Candidates)),
		Usage:   usage(w.UsageMetadata),
	}
	searches := make([]int, len(w.Candidates))
	for i := range w.Candidates {
		c := &w.Candidates[i]
		var st choiceState
		d := st.delta(c)
		searches[i] = st.searches
		msg := llm.Message{Role: llm.RoleAssistant, Content: llm.Text(d.Content), ReasoningContent: d.ReasoningContent,
			Annotations: d.Annotations, ProviderSpecificFields: d.ProviderSpecificFields}
		for _, tc := range d.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: tc.ID, Type: "function",
				Function: llm.FunctionCall{Name: tc.Function.Name, Arguments: tc.Function.Arguments}, ProviderSpecificFields: tc.ProviderSpecificFields})
		}
		out.Choices = append(out.Choices, llm.Choice{Index: candidateIndex(c, i), Message: msg, FinishReason: st.finish(c.FinishReason),
			Logprobs: logprobs(c.LogprobsResult)})
	}
	withSearches(out.Usage, webSearches(out.Model, searches...))
	return out, nil
}

// candidateIndex is the choice index of a candidate: its index (which the
// API omits when it is 0), or its position when that is out of range.
func candidateIndex(c *candidate, pos int) int {
	if c.Index >= 0 && c.Index < 1024 {
		return c.Index
	}
	return pos
}

func responseID(w *generateResponse) string {
	if w.ResponseID != "" {
		return w.ResponseID
	}
	return "gemini-" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

func modelOf(w *generateResponse, model string) string {
	if w.ModelVersion != "" {
		return w.ModelVersion
	}
	return model
}

// blocked returns the content-policy error of a blocked prompt.
func blocked(w *generateResponse) *llm.Error {
	if w.PromptFeedback == nil || w.PromptFeedback.BlockReason == "" || len(w.Candidates) > 0 {
		return nil
	}
	msg := "the prompt was blocked by Gemini's safety filters (" + w.PromptFeedback.BlockReason + ")"
	if w.PromptFeedback.BlockReasonMessage != "" {
		msg += ": " + w.PromptFeedback.BlockReasonMessage
	}
	return &llm.Error{Kind: llm.KindContentPolicy, Code: w.PromptFeedback.BlockReason, Message: msg}
}

// choiceState follows one candidate through a stream (or one answer): it
// numbers the tool calls, remembers whether there were any, and keeps the
// unmapped parts, the citations sent and the searches of the latest
// grounding metadata.
type choiceState struct {
	started  bool
	calls    int
	searches int                          // webSearchQueries of the latest groundingMetadata
	parts    []map[string]json.RawMessage // unmapped parts so far (PSFParts)
	cited    map[llm.URLCitation]bool     // citations already sent
}

// delta turns the parts of c into a delta: text, thoughts as reasoning,
// function calls as complete tool calls with ids "call_<n>" (or the id
// Gemini gave, also kept as PSFFunctionCallID), thought signatures in
// ProviderSpecificFields; unmapped parts (code execution, unknown types) in
// ProviderSpecificFields[PSFParts], grounding metadata as citations.
func (st *choiceState) delta(c *candidate) llm.Delta {
	var d llm.Delta
	newParts := false
	for i := range c.Content.Parts {
		p := &c.Content.Parts[i]
		switch {
		case p.FunctionCall != nil:
			id := p.FunctionCall.ID
			if id == "" {
				id = "call_" + strconv.Itoa(st.calls)
			}
			tc := llm.ToolCallDelta{Index: st.calls, ID: id, Type: "function",
				Function: llm.FunctionCallDelta{Name: p.FunctionCall.Name, Arguments: arguments(p.FunctionCall.Args)}}
			if p.ThoughtSignature != "" || p.FunctionCall.ID != "" {
				tc.ProviderSpecificFields = make(map[string]any, 2)
				if p.ThoughtSignature != "" {
					tc.ProviderSpecificFields[PSFThoughtSignature] = p.ThoughtSignature
				}
				if p.FunctionCall.ID != "" {
					tc.ProviderSpecificFields[PSFFunctionCallID] = p.FunctionCall.ID
				}
			}
			d.ToolCalls = append(d.ToolCalls, tc)
			st.calls++
		case p.Thought:
			d.ReasoningContent = appendText(d.ReasoningContent, p.Text)
		default:
			d.Content = appendText(d.Content, p.Text)
			if p.ThoughtSignature != "" {
				setPSF(&d, PSFThoughtSignature, p.ThoughtSignature)
			}
		}
		if up := unmapped(p); up != nil {
			st.parts = append(st.parts, up)
			newParts = true
		}
	}
	if newParts {
		setPSF(&d, PSFParts, slices.Clip(st.parts))
	}
	if m := c.meta; m != nil {
		if present(m.GroundingMetadata) {
			setPSF(&d, PSFGroundingMetadata, m.GroundingMetadata)
			d.Annotations = st.cite(m.GroundingMetadata)
		}
		if present(m.URLContextMetadata) {
			setPSF(&d, PSFURLContextMetadata, m.URLContextMetadata)
		}
	}
	return d
}

func setPSF(d *llm.Delta, k string, v any) {
	if d.ProviderSpecificFields == nil {
		d.ProviderSpecificFields = make(map[string]any, 1)
	}
	d.ProviderSpecificFields[k] = v
}

// present reports a raw field that was sent and is not null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// unmapped returns the keys of p that have no OpenAI field (code
// execution's, and any the translator does not know), or nil.
func unmapped(p *respPart) map[string]json.RawMessage {
	if len(p.Other) == 0 {
		return nil
	}
	return p.Other
}

// cite turns grounding metadata into url_citation annotations: one per
// grounding support and chunk it cites, with the segment's start and end
// (byte offsets in the candidate's text, as Gemini gives them). Citations
// already sent (Gemini may repeat the metadata on later stream events) are
// not sent again. Metadata that does not decode gives no citation but
// never fails the call: it stays reachable raw.
func (st *choiceState) cite(raw json.RawMessage) []llm.Annotation {
	var gm groundingMetadata
	if json.Unmarshal(raw, &gm) != nil {
		return nil
	}
	st.searches = len(gm.WebSearchQueries)
	var out []llm.Annotation
	for _, s := range gm.GroundingSupports {
		for _, i := range s.GroundingChunkIndices {
			if i < 0 || i >= len(gm.GroundingChunks) {
				continue
			}
			src := gm.GroundingChunks[i].source()
			if src == nil {
				continue
			}
			uc := llm.URLCitation{StartIndex: s.Segment.StartIndex, EndIndex: s.Segment.EndIndex, Title: src.Title, URL: src.URI}
			if st.cited[uc] {
				continue
			}
			if st.cited == nil {
				st.cited = map[llm.URLCitation]bool{}
			}
			st.cited[uc] = true
			out = append(out, llm.Annotation{Type: "url_citation", URLCitation: &uc})
		}
	}
	return out
}

// source returns the chunk's page: from the web, retrieval or Maps.
func (c *groundingChunk) source() *groundingSource {
	for _, s := range []*groundingSource{c.Web, c.RetrievedContext, c.Maps} {
		if s != nil && s.URI != "" {
			return s
		}
	}
	return nil
}

// webSearches is the number of billed web searches of an answer whose
// candidates ran searches queries each: Gemini 3 and later bill each
// search query, earlier models each grounded prompt (one per answer that
// searched at all).
func webSearches(model string, searches ...int) int {
	n, grounded := 0, false
	for _, s := range searches {
		n += s
		grounded = grounded || s > 0
	}
	if billedPerQuery(model) {
		return n
	}
	if grounded {
		return 1
	}
	return 0
}

// billedPerQuery reports the models that bill Google Search per query:
// Gemini 3 and later.
func billedPerQuery(model string) bool {
	m := model[strings.LastIndexByte(model, '/')+1:]
	rest, ok := strings.CutPrefix(m, "gemini-")
	if !ok {
		return false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	major, err := strconv.Atoi(rest[:end])
	return err == nil && major >= 3
}

// withSearches sets the web searches on u (nil u, or none, leaves it).
func withSearches(u *llm.Usage, n int) *llm.Usage {
	if u != nil && n > 0 {
		u.ServerToolUse = &llm.ServerToolUse{WebSearchRequests: n}
	}
	return u
}

// appendText joins texts, without allocating in the common case of one
// part.
func appendText(s, t string) string {
	if s == "" {
		return t
	}
	return s + t
}

// arguments returns a call's args as compact JSON text ("{}" when absent).
func arguments(args json.RawMessage) string {
	if len(args) == 0 || string(args) == "null" {
		return "{}"
	}
	var b bytes.Buffer
	if json.Compact(&b, args) != nil {
		return string(args)
	}
	return b.String()
}

// finish maps a finishReason: STOP is tool_calls when the candidate called
// functions; MAX_TOKENS length; the safety family content_filter; anything
// else (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL...) stop. "" stays "".
func (st *choiceState) finish(reason string) string {
	switch reason {
	case "", "FINISH_REASON_UNSPECIFIED":
		return ""
	case "MAX_TOKENS":
		return llm.FinishLength
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
		"IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return llm.FinishContentFilter
	}
	if st.calls > 0 {
		return llm.FinishToolCalls
	}
	return llm.FinishStop
}

// logprobs maps logprobsResult: one entry per chosen token, with the top
// candidates of the same decoding step as its alternatives.
func logprobs(r *logprobsResult) *llm.Logprobs {
	if r == nil || len(r.ChosenCandidates) == 0 {
		return nil
	}
	out := &llm.Logprobs{Content: make([]llm.TokenLogprob, len(r.ChosenCandidates))}
	for i, c := range r.ChosenCandidates {
		tl := llm.TokenLogprob{Token: c.Token, Logprob: c.LogProbability, TopLogprobs: []llm.TopLogprob{}}
		if i < len(r.TopCandidates) {
			for _, alt := range r.TopCandidates[i].Candidates {
				tl.TopLogprobs = append(tl.TopLogprobs, llm.TopLogprob{Token: alt.Token, Logprob: alt.LogProbability})
			}
		}
		out.Content[i] = tl
	}
	return out
}

// usage maps usageMetadata to OpenAI's usage: prompt = prompt + tool-use
// prompt tokens, completion = candidates + thoughts (thoughts also as
// reasoning_tokens), cached_tokens = cachedContentTokenCount.
func usage(u *usageMetadata) *llm.Usage {
	if u == nil {
		return nil
	}
	out := &llm.Usage{
		PromptTokens:     u.PromptTokenCount + u.ToolUsePromptTokenCount,
		CompletionTokens: u.CandidatesTokenCount + u.ThoughtsTokenCount,
	}
	out.TotalTokens = u.TotalTokenCount
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	out.PromptTokensDetails.CachedTokens = u.CachedContentTokenCount
	out.CompletionTokensDetails.ReasoningTokens = u.ThoughtsTokenCount
	for _, m := range u.PromptTokensDetails {
		switch m.Modality {
		case "AUDIO":
			out.PromptTokensDetails.AudioTokens += m.TokenCount
		case "IMAGE":
			out.PromptTokensDetails.ImageTokens += m.TokenCount
		case "TEXT":
			out.PromptTokensDetails.TextTokens += m.TokenCount
		}
	}
	for _, m := range u.CandidatesTokensDetails {
		switch m.Modality {
		case "AUDIO":
			out.CompletionTokensDetails.AudioTokens += m.TokenCount
		case "IMAGE":
			out.CompletionTokensDetails.ImageTokens += m.TokenCount
		case "VIDEO":
			out.CompletionTokensDetails.VideoTokens += m.TokenCount
		}
	}
	return out
}

var errNoCandidates = errors.New("no candidates")

func badResponse(err error, raw []byte) *llm.Error {
	snippet := string(raw)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: "cannot decode Gemini's response: " + err.Error() + ": " + snippet, Err: err}
}

// Keys of the ProviderSpecificFields of a Message or Delta.
const (
	// PSFGroundingMetadata holds a candidate's groundingMetadata as Gemini
	// sent it (a json.RawMessage): the search queries, the grounding chunks
	// (pages) and supports, and the Google Search entry point that Google's
	// terms ask apps to display.
	PSFGroundingMetadata = "grounding_metadata"
	// PSFURLContextMetadata holds a candidate's urlContextMetadata (a
	// json.RawMessage): each URL url_context read, with its status.
	PSFURLContextMetadata = "url_context_metadata"
	// PSFParts holds, in order, the parts that have no OpenAI field, raw
	// (a []map[string]json.RawMessage of each part's unmapped keys): code
	// execution's executableCode and codeExecutionResult, inline data, and
	// any part type the translator does not know. A streamed delta carries
	// every such part so far, so that Collect keeps them all.
	PSFParts = "parts"
)
