package anthropic

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

// EncodeOptions adapt the Messages body to the platforms that serve Claude
// with their own envelope (Vertex AI, Amazon Bedrock).
type EncodeOptions struct {
	// Version, when set, is written as the body's anthropic_version field
	// ("vertex-2023-10-16", "bedrock-2023-05-31"). Anthropic's own API takes
	// the version as a header instead and leaves this empty.
	Version string
	// OmitModel leaves out the model field, for platforms that take the
	// model from the URL. The model still selects defaults (max_tokens,
	// structured outputs).
	OmitModel bool
	// Stream sets the body's stream field.
	Stream bool
	// BetasInBody writes the request's beta features (see Betas) as the
	// body's anthropic_beta array, as Bedrock expects, instead of leaving
	// them to the anthropic-beta header.
	BetasInBody bool
	// NativeStructuredOutput reports whether a model takes output_format;
	// nil means SupportsStructuredOutput. A platform without the feature
	// passes func(string) bool { return false } to always use JSONTool.
	NativeStructuredOutput func(model string) bool
}

func (o *EncodeOptions) native(model string) bool {
	if o.NativeStructuredOutput != nil {
		return o.NativeStructuredOutput(model)
	}
	return SupportsStructuredOutput(model)
}

// EncodeRequest translates an OpenAI-shaped request into a Messages API body
// (POST /v1/messages). It does not modify req. cfg supplies the typed options
// (WithThinkingBudget, WithBeta) and DropUnsupportedParams; it may be nil.
// Bad input (tool arguments that are not JSON, an image that is neither a
// data URL nor an http(s) URL, an unknown reasoning_effort) is a
// KindInvalidRequest error; a parameter Anthropic lacks is a KindUnsupported
// error unless cfg.DropUnsupportedParams is set.
func EncodeRequest(req *llm.CompletionRequest, cfg *llm.Config, opts EncodeOptions) ([]byte, error) {
	r, extra, err := build(req, cfg, opts)
	if err != nil {
		return nil, err
	}
	body, err := r.appendJSON(make([]byte, 0, r.sizeHint()))
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "cannot encode the request: " + err.Error(), Err: err}
	}
	return mergeExtra(body, extra)
}

func mergeExtra(body []byte, extra map[string]any) ([]byte, error) {
	if len(extra) == 0 {
		return body, nil
	}
	body, err := jsonx.MergeObject(body, extra)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "cannot merge extra fields: " + err.Error(), Err: err}
	}
	return body, nil
}

// build translates req into the wire request and the Extra fields to merge.
func build(req *llm.CompletionRequest, cfg *llm.Config, opts EncodeOptions) (*request, map[string]any, error) {
	if cfg == nil {
		cfg = &llm.Config{}
	}
	r := &request{
		AnthropicVersion: opts.Version,
		Stream:           opts.Stream,
		Temperature:      req.Temperature,
		TopP:             req.TopP,
		StopSequences:    req.Stop,
	}
	if !opts.OmitModel {
		r.Model = req.Model
	}
	if req.User != "" {
		r.Metadata = &metadata{UserID: req.User}
	}
	if err := unsupportedParams(req, cfg.DropUnsupportedParams); err != nil {
		return nil, nil, err
	}

	explicitMax := true
	r.MaxTokens = req.MaxCompletionTokens
	if r.MaxTokens == 0 {
		r.MaxTokens = req.MaxTokens
	}
	if r.MaxTokens == 0 {
		r.MaxTokens, explicitMax = DefaultMaxTokens(req.Model), false
	}

	extra := req.Extra
	budget, set := thinkingBudget(cfg)
	if !set {
		budget = EffortBudget(req.ReasoningEffort)
		if budget < 0 {
			return nil, nil, invalid("reasoning_effort %q is not none, minimal, low, medium or high", req.ReasoningEffort)
		}
	}
	if budget > 0 {
		if budget < 1024 {
			return nil, nil, invalid("thinking budget %d is below Anthropic's minimum of 1024 tokens", budget)
		}
		if budget >= r.MaxTokens {
			if explicitMax {
				return nil, nil, invalid("max_tokens (%d) must exceed the thinking budget (%d): raise max_tokens or lower reasoning_effort", r.MaxTokens, budget)
			}
			r.MaxTokens = budget + 4096
		}
		r.Thinking = &thinking{Type: "enabled", BudgetTokens: budget}
		var err error
		if extra, err = thinkingParams(r, extra, cfg.DropUnsupportedParams); err != nil {
			return nil, nil, err
		}
	}

	if r.Temperature != nil && r.TopP != nil && OneSamplingParam(req.Model) {
		if !cfg.DropUnsupportedParams {
			return nil, nil, unsupportedParam("top_p together with temperature", "this model takes only one of the two")
		}
		r.TopP = nil
	}

	var err error
	if r.System, r.Messages, err = encodeMessages(req.Messages); err != nil {
		return nil, nil, err
	}
	encodeTools(r, req)
	if err := encodeServerTools(r, req, cfg); err != nil {
		return nil, nil, err
	}
	if tc := r.ToolChoice; r.Thinking != nil && tc != nil && (tc.Type == "any" || tc.Type == "tool") {
		if !cfg.DropUnsupportedParams {
			return nil, nil, unsupportedParam("a forced tool_choice (required or a named function)", " with extended thinking enabled")
		}
		tc.Type, tc.Name = "auto", ""
	}
	if err := encodeResponseFormat(r, req, &opts); err != nil {
		return nil, nil, err
	}
	if opts.BetasInBody {
		r.AnthropicBeta = Betas(req, cfg, opts)
	}
	return r, extra, nil
}

// sizeHint estimates the encoded size of r, so that the body is written
// into one allocation.
func (r *request) sizeHint() int {
	n := 256
	var blocks func(bs []block)
	blocks = func(bs []block) {
		for i := range bs {
			b := &bs[i]
			n += 32 + len(b.Text) + len(b.Input) + len(b.Thinking) + len(b.Signature) + len(b.Data) + len(b.ID) + len(b.Name) + len(b.ToolUseID)
			if b.Source != nil {
				n += 48 + len(b.Source.Data) + len(b.Source.URL)
			}
			blocks(b.Content)
		}
	}
	blocks(r.System)
	for i := range r.Messages {
		n += 32
		blocks(r.Messages[i].Content)
	}
	for i := range r.Tools {
		n += 48 + len(r.Tools[i].Name) + len(r.Tools[i].Description) + len(r.Tools[i].InputSchema) + len(r.Tools[i].Server)
	}
	if r.OutputFormat != nil {
		n += len(r.OutputFormat.Schema)
	}
	return n + n/16
}

// Betas returns the anthropic-beta features a request needs: those given
// with WithBeta or an anthropic-beta header option, StructuredOutputsBeta
// when req uses native structured outputs, and the features of the
// WithServerTools tools that need one (WebFetchBeta, CodeExecutionBeta).
// Order is kept, duplicates dropped.
func Betas(req *llm.CompletionRequest, cfg *llm.Config, opts EncodeOptions) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if cfg != nil {
		for _, v := range cfg.Header.Values("Anthropic-Beta") {
			for b := range strings.SplitSeq(v, ",") {
				add(b)
			}
		}
		if bs, ok := cfg.Value(betaKey{}).([]string); ok {
			for _, b := range bs {
				add(b)
			}
		}
	}
	if usesNativeOutput(req, &opts) {
		add(StructuredOutputsBeta)
	}
	for _, t := range serverTools(cfg) {
		if b := t.beta(); b != "" {
			add(b)
		}
	}
	return out
}

func usesNativeOutput(req *llm.CompletionRequest, opts *EncodeOptions) bool {
	rf := req.ResponseFormat
	return rf != nil && rf.Type == "json_schema" && rf.JSONSchema != nil && opts.native(req.Model)
}

func invalid(format string, args ...any) *llm.Error {
	return llm.Errorf(llm.KindInvalidRequest, format, args...)
}

func unsupportedParam(name, why string) *llm.Error {
	return llm.UnsupportedParam(name, strings.TrimPrefix(strings.TrimSpace(why), "with "))
}

// unsupportedParams rejects (or, with drop, ignores) the OpenAI parameters
// the Messages API has no equivalent for.
func unsupportedParams(req *llm.CompletionRequest, drop bool) error {
	if drop {
		return nil
	}
	checks := []struct {
		name string
		set  bool
	}{
		{"n > 1", req.N > 1},
		{"logprobs", req.Logprobs || req.TopLogprobs != nil},
		{"logit_bias", len(req.LogitBias) > 0},
		{"presence_penalty", req.PresencePenalty != nil && *req.PresencePenalty != 0},
		{"frequency_penalty", req.FrequencyPenalty != nil && *req.FrequencyPenalty != 0},
		{"seed", req.Seed != nil},
		{"audio output", req.Audio != nil},
		{"prediction", req.Prediction != nil},
	}
	for _, c := range checks {
		if c.set {
			return unsupportedParam(c.name, "")
		}
	}
	return nil
}

// thinkingParams applies Anthropic's rules for extended thinking: no
// temperature other than 1, no top_k, top_p only in [0.95, 1]. It returns
// extra without top_k when it drops it.
func thinkingParams(r *request, extra map[string]any, drop bool) (map[string]any, error) {
	const why = " with extended thinking enabled"
	if r.Temperature != nil && *r.Temperature != 1 {
		if !drop {
			return nil, unsupportedParam("temperature", why)
		}
		r.Temperature = nil
	}
	if r.TopP != nil && *r.TopP < 0.95 {
		if !drop {
			return nil, unsupportedParam("top_p below 0.95", why)
		}
		r.TopP = nil
	}
	if _, ok := extra["top_k"]; ok {
		if !drop {
			return nil, unsupportedParam("top_k", why)
		}
		m := make(map[string]any, len(extra))
		for k, v := range extra {
			if k != "top_k" {
				m[k] = v
			}
		}
		extra = m
	}
	return extra, nil
}

// encodeMessages splits out the system prompt and builds alternating
// user/assistant turns: consecutive messages of one role are merged, tool
// results join the user turn. All turns' blocks are appended to one slice in
// message order, so that a turn is a contiguous run of it.
func encodeMessages(msgs []llm.Message) (system []block, turns []message, err error) {
	n := 0
	for i := range msgs {
		m := &msgs[i]
		n += max(1, len(m.Content.Parts)) + len(m.ToolCalls) + len(m.ThinkingBlocks)
	}
	all := make([]block, 0, n)
	type span struct {
		role       string
		start, end int
	}
	spans := make([]span, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		var role string
		start := len(all)
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			first := len(system)
			if system, err = appendContent(system, m.Content, i); err != nil {
				return nil, nil, err
			}
			for _, b := range system[first:] {
				if b.Type != "text" {
					return nil, nil, invalid("messages[%d]: a system message may only hold text", i)
				}
			}
			markLast(system[first:], m.CacheControl)
			continue
		case llm.RoleUser:
			role = "user"
			if all, err = appendContent(all, m.Content, i); err != nil {
				return nil, nil, err
			}
		case llm.RoleTool:
			role = "user"
			res := block{Type: "tool_result", ToolUseID: m.ToolCallID}
			if res.Content, err = appendContent(nil, m.Content, i); err != nil {
				return nil, nil, err
			}
			all = append(all, res)
		case llm.RoleAssistant:
			role = "assistant"
			if all, err = appendAssistant(all, m, i); err != nil {
				return nil, nil, err
			}
		default:
			return nil, nil, invalid("messages[%d]: unknown role %q", i, m.Role)
		}
		if len(all) == start {
			continue
		}
		markLast(all[start:], m.CacheControl)
		if k := len(spans); k > 0 && spans[k-1].role == role {
			spans[k-1].end = len(all)
			continue
		}
		spans = append(spans, span{role, start, len(all)})
	}
	if len(spans) == 0 {
		return nil, nil, invalid("anthropic needs at least one user or assistant message with content")
	}
	turns = make([]message, len(spans))
	for k, sp := range spans {
		turns[k] = message{Role: sp.role, Content: all[sp.start:sp.end:sp.end]}
	}
	return system, turns, nil
}

// markLast puts a message-level cache_control on the message's last block,
// which is where Anthropic reads breakpoints.
func markLast(bs []block, cc *llm.CacheControl) {
	if cc != nil && len(bs) > 0 && bs[len(bs)-1].CacheControl == nil {
		bs[len(bs)-1].CacheControl = cc
	}
}

// appendAssistant appends thinking blocks first (unchanged, as Anthropic
// requires), then text, then tool_use.
func appendAssistant(out []block, m *llm.Message, i int) ([]block, error) {
	for _, tb := range m.ThinkingBlocks {
		switch tb.Type {
		case "thinking":
			out = append(out, block{Type: "thinking", Thinking: tb.Thinking, Signature: tb.Signature})
		case "redacted_thinking":
			out = append(out, block{Type: "redacted_thinking", Data: tb.Data})
		default:
			return nil, invalid("messages[%d]: thinking block type %q is not thinking or redacted_thinking", i, tb.Type)
		}
	}
	out, err := appendContent(out, m.Content, i)
	if err != nil {
		return nil, err
	}
	for j, tc := range m.ToolCalls {
		input := json.RawMessage(strings.TrimSpace(tc.Function.Arguments))
		if len(input) == 0 {
			input = json.RawMessage("{}")
		} else if input[0] != '{' || !json.Valid(input) {
			return nil, invalid("messages[%d].tool_calls[%d] (%s): arguments are not a JSON object", i, j, tc.Function.Name)
		}
		out = append(out, block{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	return out, nil
}

// appendContent appends the blocks of message content; empty text is left
// out, as Anthropic rejects empty text blocks.
func appendContent(out []block, c llm.Content, i int) ([]block, error) {
	if c.Parts == nil {
		if c.Text == "" {
			return out, nil
		}
		return append(out, block{Type: "text", Text: c.Text}), nil
	}
	for j := range c.Parts {
		p := &c.Parts[j]
		var b block
		switch p.Type {
		case llm.PartText:
			if p.Text == "" {
				continue
			}
			b = block{Type: "text", Text: p.Text}
		case llm.PartRefusal:
			if p.Refusal == "" {
				continue
			}
			b = block{Type: "text", Text: p.Refusal}
		case llm.PartImageURL:
			if p.ImageURL == nil {
				return nil, invalid("messages[%d].content[%d]: image_url part without a url", i, j)
			}
			src, err := imageSource(p.ImageURL.URL)
			if err != nil {
				return nil, invalid("messages[%d].content[%d]: %s", i, j, err)
			}
			b = block{Type: "image", Source: src}
		case llm.PartFile:
			if p.File == nil {
				return nil, invalid("messages[%d].content[%d]: file part without a file", i, j)
			}
			src, err := documentSource(p.File)
			if err != nil {
				return nil, invalid("messages[%d].content[%d]: %s", i, j, err)
			}
			b = block{Type: "document", Source: src}
		case llm.PartInputAudio:
			return nil, &llm.Error{Kind: llm.KindUnsupported, Message: fmt.Sprintf("messages[%d].content[%d]: anthropic does not accept audio input", i, j)}
		default:
			return nil, invalid("messages[%d].content[%d]: unknown part type %q", i, j, p.Type)
		}
		b.CacheControl = p.CacheControl
		out = append(out, b)
	}
	return out, nil
}

// parseDataURL splits "data:<media type>;base64,<data>".
func parseDataURL(u string) (mediaType, data string, ok bool) {
	rest, found := strings.CutPrefix(u, "data:")
	if !found {
		return "", "", false
	}
	meta, data, found := strings.Cut(rest, ",")
	if !found {
		return "", "", false
	}
	mediaType, enc, _ := strings.Cut(meta, ";")
	if enc != "base64" || mediaType == "" {
		return "", "", false
	}
	return mediaType, data, true
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

func imageSource(u string) (*source, error) {
	if mt, data, ok := parseDataURL(u); ok {
		return &source{Type: "base64", MediaType: mt, Data: data}, nil
	}
	if isHTTP(u) {
		return &source{Type: "url", URL: u}, nil
	}
	return nil, fmt.Errorf("image url must be a base64 data URL or an http(s) URL")
}

// documentSource maps a file part: a PDF data URL to a base64 source, a
// text/plain data URL to a text source, an http(s) URL to a url source and
// any other file_id to a Files API source.
func documentSource(f *llm.File) (*source, error) {
	if f.FileData != "" {
		if isHTTP(f.FileData) {
			return &source{Type: "url", URL: f.FileData}, nil
		}
		mt, data, ok := parseDataURL(f.FileData)
		if !ok {
			return nil, fmt.Errorf("file_data must be a base64 data URL")
		}
		if f.Format != "" {
			mt = f.Format
		}
		switch mt {
		case "application/pdf":
			return &source{Type: "base64", MediaType: mt, Data: data}, nil
		case "text/plain":
			txt, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return nil, fmt.Errorf("text/plain file_data is not valid base64")
			}
			return &source{Type: "text", MediaType: mt, Data: string(txt)}, nil
		}
		return nil, fmt.Errorf("file type %q is not supported (want application/pdf or text/plain)", mt)
	}
	if isHTTP(f.FileID) {
		return &source{Type: "url", URL: f.FileID}, nil
	}
	return &source{Type: "file", FileID: f.FileID}, nil
}

var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// encodeTools maps tools, tool_choice and parallel_tool_calls.
func encodeTools(r *request, req *llm.CompletionRequest) {
	for _, t := range req.Tools {
		if t.Function == nil {
			continue
		}
		schema := t.Function.Parameters
		if len(schema) == 0 {
			schema = emptySchema
		}
		r.Tools = append(r.Tools, tool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema, CacheControl: t.CacheControl})
	}
	if tc := req.ToolChoice; tc != nil {
		switch {
		case tc.Function != "":
			r.ToolChoice = &toolChoice{Type: "tool", Name: tc.Function}
		case tc.Mode == "required":
			r.ToolChoice = &toolChoice{Type: "any"}
		case tc.Mode == "none":
			r.ToolChoice = &toolChoice{Type: "none"}
		case tc.Mode == "auto":
			r.ToolChoice = &toolChoice{Type: "auto"}
		}
	}
	if p := req.ParallelToolCalls; p != nil && !*p && len(r.Tools) > 0 {
		if r.ToolChoice == nil {
			r.ToolChoice = &toolChoice{Type: "auto"}
		}
		if r.ToolChoice.Type != "none" {
			r.ToolChoice.DisableParallelToolUse = true
		}
	}
}

var anyObject = json.RawMessage(`{"type":"object"}`)

// encodeResponseFormat maps response_format: json_schema to output_format on
// models that support it, else (and json_object always) to the forced
// JSONTool whose input DecodeResponse and StreamDecoder turn back into text.
func encodeResponseFormat(r *request, req *llm.CompletionRequest, opts *EncodeOptions) error {
	rf := req.ResponseFormat
	if rf == nil || rf.Type == "" || rf.Type == "text" {
		return nil
	}
	schema, desc := anyObject, "Respond with a JSON object."
	if rf.Type == "json_schema" {
		if rf.JSONSchema == nil {
			return invalid("response_format json_schema needs json_schema")
		}
		if len(rf.JSONSchema.Schema) > 0 {
			schema = rf.JSONSchema.Schema
		}
		if rf.JSONSchema.Description != "" {
			desc = rf.JSONSchema.Description
		}
		if usesNativeOutput(req, opts) {
			r.OutputFormat = &outputFormat{Type: "json_schema", Schema: schema}
			return nil
		}
	}
	for _, t := range r.Tools {
		if t.Name == JSONTool {
			return invalid("tool name %q is reserved for response_format on this model", JSONTool)
		}
	}
	r.Tools = append(r.Tools, tool{Name: JSONTool, Description: desc, InputSchema: schema})
	if r.Thinking == nil {
		// Forcing a tool is not allowed with extended thinking; the tool's
		// description then has to do.
		r.ToolChoice = &toolChoice{Type: "tool", Name: JSONTool}
	}
	return nil
}
