package bedrock

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/llmux/llm/provider/anthropic"
)

// JSONTool is the name of the tool forced for response_format json_schema
// and json_object (Converse has no JSON mode of its own for most models): its
// input is returned as the message content. A caller's own tool may not use
// this name in such a request.
const JSONTool = "json_tool_call"

// topLevelFields are the ConverseRequest members (service model) that an
// Extra key names; they go to the top of the body, replacing the
// translator's value. Every other Extra key is a model-specific field and
// goes into additionalModelRequestFields. An "additionalModelRequestFields"
// object in Extra is merged into that field rather than replacing it.
var topLevelFields = map[string]bool{
	"messages": true, "system": true, "inferenceConfig": true, "toolConfig": true, "guardrailConfig": true,
	"additionalModelRequestFields": true, "promptVariables": true, "additionalModelResponseFieldPaths": true,
	"requestMetadata": true, "performanceConfig": true, "serviceTier": true, "outputConfig": true,
}

func invalid(format string, args ...any) *llm.Error {
	return llm.Errorf(llm.KindInvalidRequest, format, args...)
}

func unsupported(what string) *llm.Error {
	return llm.UnsupportedParam(what, "Converse has no equivalent")
}

// encodeConverse translates a request into a Converse (or ConverseStream)
// body for model id. It does not modify req.
// g is the guardrail of WithGuardrail, or nil.
func encodeConverse(req *llm.CompletionRequest, id string, drop bool, g *guardrail) ([]byte, error) {
	if err := unsupportedParams(req, drop); err != nil {
		return nil, err
	}
	var r converseRequest
	var err error
	if g != nil {
		if g.ID == "" {
			return nil, invalid("bedrock.WithGuardrail needs a guardrail identifier")
		}
		r.GuardrailConfig = g
	}
	if r.System, r.Messages, err = encodeMessages(req.Messages); err != nil {
		return nil, err
	}

	ic := inferenceConfig{Temperature: req.Temperature, TopP: req.TopP}
	ic.MaxTokens = req.MaxCompletionTokens
	if ic.MaxTokens == 0 {
		ic.MaxTokens = req.MaxTokens
	}
	for _, s := range req.Stop {
		if s != "" {
			ic.StopSequences = append(ic.StopSequences, s)
		}
	}

	var extraFields additionalFields
	budget := anthropic.EffortBudget(req.ReasoningEffort)
	switch {
	case budget < 0:
		return nil, invalid("reasoning_effort %q is not none, minimal, low, medium or high", req.ReasoningEffort)
	case budget > 0 && !isAnthropic(id):
		if !drop {
			return nil, unsupported("reasoning_effort for " + id + " (only Claude models map it; pass the model's own reasoning field in Extra)")
		}
		budget = 0
	case budget > 0:
		if ic.MaxTokens == 0 {
			ic.MaxTokens = budget + 4096
		} else if ic.MaxTokens <= budget {
			return nil, invalid("max_tokens (%d) must exceed the thinking budget (%d): raise max_tokens or lower reasoning_effort", ic.MaxTokens, budget)
		}
		extraFields.Thinking = &thinking{Type: "enabled", BudgetTokens: budget}
		if err := thinkingParams(&ic, drop); err != nil {
			return nil, err
		}
	}
	if ic.MaxTokens != 0 || ic.Temperature != nil || ic.TopP != nil || len(ic.StopSequences) > 0 {
		r.InferenceConfig = &ic
	}

	if r.ToolConfig, err = encodeTools(req, r.Messages, budget > 0 && isAnthropic(id), drop); err != nil {
		return nil, err
	}
	switch req.ServiceTier {
	case "priority", "default", "flex":
		r.ServiceTier = &serviceTier{Type: req.ServiceTier}
	}

	top, model := splitExtra(req.Extra)
	if r.AdditionalModelRequestFields, err = additional(extraFields, model, top["additionalModelRequestFields"]); err != nil {
		return nil, err
	}
	delete(top, "additionalModelRequestFields")
	body, err := json.Marshal(&r)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "cannot encode the request: " + err.Error(), Err: err}
	}
	if len(top) > 0 {
		if body, err = jsonx.MergeObject(body, top); err != nil {
			return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "cannot merge extra fields: " + err.Error(), Err: err}
		}
	}
	return body, nil
}

// unsupportedParams rejects (or, with drop, ignores) the OpenAI parameters
// Converse has no equivalent for.
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
		{"web_search_options", req.WebSearchOptions != nil},
	}
	for _, c := range checks {
		if c.set {
			return unsupported(c.name)
		}
	}
	return nil
}

// thinkingParams applies Claude's rules for extended thinking: temperature
// only 1, top_p only in [0.95, 1].
func thinkingParams(ic *inferenceConfig, drop bool) error {
	if ic.Temperature != nil && *ic.Temperature != 1 {
		if !drop {
			return unsupported("temperature with extended thinking enabled")
		}
		ic.Temperature = nil
	}
	if ic.TopP != nil && *ic.TopP < 0.95 {
		if !drop {
			return unsupported("top_p below 0.95 with extended thinking enabled")
		}
		ic.TopP = nil
	}
	return nil
}

// splitExtra sorts Extra's keys into Converse's top-level fields and
// model-specific fields.
func splitExtra(extra map[string]any) (top, model map[string]any) {
	for k, v := range extra {
		m := &model
		if topLevelFields[k] {
			m = &top
		}
		if *m == nil {
			*m = make(map[string]any, len(extra))
		}
		(*m)[k] = v
	}
	return top, model
}

// additional builds additionalModelRequestFields: the translator's fields,
// then the model-specific Extra keys, then an explicit
// additionalModelRequestFields object from Extra, each replacing keys of the
// one before.
func additional(ours additionalFields, model map[string]any, explicit any) (json.RawMessage, error) {
	if ours.Thinking == nil && len(model) == 0 && explicit == nil {
		return nil, nil
	}
	body, err := json.Marshal(ours)
	if err != nil {
		return nil, err
	}
	if explicit != nil {
		raw, err := json.Marshal(explicit)
		if err != nil {
			return nil, invalid("additionalModelRequestFields: %v", err)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, invalid("additionalModelRequestFields must be a JSON object")
		}
		if model == nil {
			model = make(map[string]any, len(obj))
		} else {
			model = maps.Clone(model)
		}
		for k, v := range obj {
			model[k] = v
		}
	}
	if len(model) > 0 {
		if body, err = jsonx.MergeObject(body, model); err != nil {
			return nil, invalid("cannot merge extra fields: %v", err)
		}
	}
	if string(body) == "{}" {
		return nil, nil
	}
	return body, nil
}

// turns assembles alternating turns: consecutive messages of one role
// (tool results count as user) are merged into one turn, as Converse
// requires.
type turns []message

func (t *turns) add(role string, blocks []contentBlock) {
	if len(blocks) == 0 {
		return
	}
	if n := len(*t); n > 0 && (*t)[n-1].Role == role {
		(*t)[n-1].Content = append((*t)[n-1].Content, blocks...)
		return
	}
	*t = append(*t, message{Role: role, Content: blocks})
}

// encodeMessages splits out the system blocks and builds the turns.
func encodeMessages(msgs []llm.Message) ([]systemBlock, []message, error) {
	var system []systemBlock
	t := make(turns, 0, len(msgs))
	docs := 0
	for i := range msgs {
		m := &msgs[i]
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			if m.Content.Parts == nil {
				if m.Content.Text != "" {
					system = append(system, systemBlock{Text: m.Content.Text})
				}
			} else {
				for j, p := range m.Content.Parts {
					if p.Type != llm.PartText {
						return nil, nil, invalid("messages[%d].content[%d]: a system message may only hold text", i, j)
					}
					if p.Text != "" {
						system = append(system, systemBlock{Text: p.Text})
					}
					if cp := cachePointOf(p.CacheControl); cp != nil {
						system = append(system, systemBlock{CachePoint: cp})
					}
				}
			}
			if cp := cachePointOf(m.CacheControl); cp != nil {
				system = append(system, systemBlock{CachePoint: cp})
			}
		case llm.RoleUser:
			blocks, err := contentBlocks(m.Content, i, &docs)
			if err != nil {
				return nil, nil, err
			}
			t.add("user", withCachePoint(blocks, m.CacheControl))
		case llm.RoleTool:
			res, err := toolResult(m, i, &docs)
			if err != nil {
				return nil, nil, err
			}
			t.add("user", withCachePoint([]contentBlock{{ToolResult: res}}, m.CacheControl))
		case llm.RoleAssistant:
			blocks, err := assistantBlocks(m, i, &docs)
			if err != nil {
				return nil, nil, err
			}
			t.add("assistant", withCachePoint(blocks, m.CacheControl))
		default:
			return nil, nil, invalid("messages[%d]: unknown role %q", i, m.Role)
		}
	}
	return system, t, nil
}

func cachePointOf(cc *llm.CacheControl) *cachePoint {
	if cc == nil {
		return nil
	}
	return &cachePoint{Type: "default", TTL: cc.TTL}
}

func withCachePoint(blocks []contentBlock, cc *llm.CacheControl) []contentBlock {
	if cp := cachePointOf(cc); cp != nil && len(blocks) > 0 {
		blocks = append(blocks, contentBlock{CachePoint: cp})
	}
	return blocks
}

// contentBlocks translates user content: text, images, files and audio, each
// followed by a cache point when the part carries cache_control.
func contentBlocks(c llm.Content, i int, docs *int) ([]contentBlock, error) {
	if c.Parts == nil {
		if c.Text == "" {
			return nil, nil
		}
		return []contentBlock{{Text: c.Text}}, nil
	}
	blocks := make([]contentBlock, 0, len(c.Parts))
	for j := range c.Parts {
		p := &c.Parts[j]
		b, err := partBlock(p, docs)
		if err != nil {
			err.Message = fmt.Sprintf("messages[%d].content[%d]: %s", i, j, err.Message)
			return nil, err
		}
		if b != nil {
			blocks = append(blocks, *b)
		}
		if cp := cachePointOf(p.CacheControl); cp != nil && len(blocks) > 0 {
			blocks = append(blocks, contentBlock{CachePoint: cp})
		}
	}
	return blocks, nil
}

func partBlock(p *llm.Part, docs *int) (*contentBlock, *llm.Error) {
	switch p.Type {
	case llm.PartText:
		if p.Text == "" {
			return nil, nil
		}
		return &contentBlock{Text: p.Text}, nil
	case llm.PartImageURL:
		if p.ImageURL == nil {
			return nil, invalid("image_url part without an image_url")
		}
		img, err := image(p.ImageURL.URL, p.ImageURL.Format)
		if err != nil {
			return nil, err
		}
		return &contentBlock{Image: img}, nil
	case llm.PartFile:
		if p.File == nil {
			return nil, invalid("file part without a file")
		}
		return fileBlock(p.File, docs)
	case llm.PartInputAudio:
		if p.InputAudio == nil {
			return nil, invalid("input_audio part without input_audio")
		}
		f := strings.ToLower(p.InputAudio.Format)
		if f == "" {
			return nil, invalid("input_audio part without a format")
		}
		return &contentBlock{Audio: &mediaBlock{Format: f, Source: source{Bytes: p.InputAudio.Data}}}, nil
	case llm.PartRefusal:
		if p.Refusal == "" {
			return nil, nil
		}
		return &contentBlock{Text: p.Refusal}, nil
	}
	return nil, invalid("unknown part type %q", p.Type)
}

var imageFormats = map[string]string{
	"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp",
	".png": "png", ".jpeg": "jpeg", ".jpg": "jpeg", ".gif": "gif", ".webp": "webp",
}

// image translates an image URL: a base64 data URL becomes bytes, an s3://
// URI an S3 location. Bedrock cannot fetch http(s) URLs.
func image(u, format string) (*imageBlock, *llm.Error) {
	if strings.HasPrefix(u, "s3://") {
		f := imageFormats[strings.ToLower(format)]
		if f == "" {
			f = imageFormats[strings.ToLower(path.Ext(u))]
		}
		if f == "" {
			return nil, invalid("cannot tell the image format of %s: set ImageURL.Format (image/png, image/jpeg, image/gif or image/webp)", u)
		}
		return &imageBlock{Format: f, Source: source{S3Location: &s3Location{URI: u}}}, nil
	}
	mime, data, ok := parseDataURL(u)
	if !ok {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			return nil, &llm.Error{Kind: llm.KindUnsupported, Message: "Bedrock takes images as bytes or s3:// URIs, not http(s) URLs: download the image and pass it as a base64 data URL"}
		}
		return nil, invalid("image URL is neither a base64 data URL nor an s3:// URI")
	}
	if format != "" {
		mime = format
	}
	f := imageFormats[strings.ToLower(mime)]
	if f == "" {
		return nil, invalid("image type %q is not supported by Bedrock (png, jpeg, gif or webp)", mime)
	}
	return &imageBlock{Format: f, Source: source{Bytes: data}}, nil
}

// parseDataURL splits "data:<mime>;base64,<data>".
func parseDataURL(u string) (mime, data string, ok bool) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return "", "", false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok {
		return "", "", false
	}
	mime, params, _ := strings.Cut(meta, ";")
	if !strings.Contains(";"+params+";", ";base64;") {
		return "", "", false
	}
	return mime, data, true
}

var documentFormats = map[string]string{
	"application/pdf": "pdf", "text/csv": "csv", "application/msword": "doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
	"application/vnd.ms-excel": "xls",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
	"text/html": "html", "text/plain": "txt", "text/markdown": "md",
}

var videoFormats = map[string]string{
	"video/mp4": "mp4", "video/quicktime": "mov", "video/x-matroska": "mkv", "video/webm": "webm",
	"video/x-flv": "flv", "video/mpeg": "mpeg", "video/x-ms-wmv": "wmv", "video/3gpp": "three_gp",
}

// fileBlock translates a file part: a data URL becomes a document, image or
// video block by its MIME type; an s3:// file id an S3 document (or image or
// video, by Format).
func fileBlock(f *llm.File, docs *int) (*contentBlock, *llm.Error) {
	var src source
	mime := f.Format
	switch {
	case f.FileData != "":
		m, data, ok := parseDataURL(f.FileData)
		if !ok {
			return nil, invalid("file_data is not a base64 data URL")
		}
		if mime == "" {
			mime = m
		}
		src.Bytes = data
	case strings.HasPrefix(f.FileID, "s3://"):
		src.S3Location = &s3Location{URI: f.FileID}
		if mime == "" {
			mime = mimeByExt[strings.ToLower(path.Ext(f.FileID))]
		}
	default:
		return nil, &llm.Error{Kind: llm.KindUnsupported, Message: "Bedrock takes files as bytes or s3:// URIs, not file ids: pass file_data as a base64 data URL"}
	}
	mime = strings.ToLower(mime)
	if f := imageFormats[mime]; f != "" {
		return &contentBlock{Image: &imageBlock{Format: f, Source: src}}, nil
	}
	if f := videoFormats[mime]; f != "" {
		return &contentBlock{Video: &mediaBlock{Format: f, Source: src}}, nil
	}
	format := documentFormats[mime]
	if format == "" {
		return nil, invalid("file type %q is not supported by Bedrock (pdf, csv, doc, docx, xls, xlsx, html, txt, md, an image or a video)", mime)
	}
	*docs++
	return &contentBlock{Document: &documentBlock{Format: format, Name: documentName(f.Filename, *docs), Source: src}}, nil
}

var mimeByExt = map[string]string{
	".pdf": "application/pdf", ".csv": "text/csv", ".doc": "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".html": "text/html", ".txt": "text/plain", ".md": "text/markdown",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".mp4": "video/mp4", ".mov": "video/quicktime", ".mkv": "video/x-matroska", ".webm": "video/webm",
}

// documentName makes a document name Bedrock accepts (letters, digits,
// single spaces, hyphens, parentheses and square brackets) from a file name
// without its extension; an empty name becomes "document-n".
func documentName(filename string, n int) string {
	base := strings.TrimSuffix(filename, path.Ext(filename))
	var b strings.Builder
	space := false
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '(', r == ')', r == '[', r == ']':
			b.WriteRune(r)
			space = false
		case r == ' ' || r == '_' || r == '.':
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	name := strings.TrimSpace(b.String())
	if name == "" {
		return "document-" + strconv.Itoa(n)
	}
	return name
}

// toolResult translates a tool message: text (and image) content into a
// toolResult block.
func toolResult(m *llm.Message, i int, docs *int) (*toolResultBlock, error) {
	res := &toolResultBlock{ToolUseID: m.ToolCallID}
	if m.Content.Parts == nil {
		text := m.Content.Text
		res.Content = []toolResultContent{{Text: &text}}
		return res, nil
	}
	for j := range m.Content.Parts {
		p := &m.Content.Parts[j]
		b, err := partBlock(p, docs)
		if err != nil {
			err.Message = fmt.Sprintf("messages[%d].content[%d]: %s", i, j, err.Message)
			return nil, err
		}
		switch {
		case b == nil:
		case b.Image != nil:
			res.Content = append(res.Content, toolResultContent{Image: b.Image})
		case b.Document != nil:
			res.Content = append(res.Content, toolResultContent{Document: b.Document})
		case b.Text != "":
			text := b.Text
			res.Content = append(res.Content, toolResultContent{Text: &text})
		default:
			return nil, invalid("messages[%d].content[%d]: a tool result may hold text, images and documents", i, j)
		}
	}
	if len(res.Content) == 0 {
		res.Content = []toolResultContent{{Text: new(string)}}
	}
	return res, nil
}

// assistantBlocks translates an assistant message: its raw reasoning blocks
// first (Claude checks their signatures), then text, then tool calls.
func assistantBlocks(m *llm.Message, i int, docs *int) ([]contentBlock, error) {
	var blocks []contentBlock
	for _, tb := range m.ThinkingBlocks {
		switch tb.Type {
		case "thinking":
			blocks = append(blocks, contentBlock{ReasoningContent: &reasoningContent{ReasoningText: &reasoningText{Text: tb.Thinking, Signature: tb.Signature}}})
		case "redacted_thinking":
			blocks = append(blocks, contentBlock{ReasoningContent: &reasoningContent{RedactedContent: tb.Data}})
		}
	}
	cb, err := contentBlocks(m.Content, i, docs)
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, cb...)
	for j, tc := range m.ToolCalls {
		input := json.RawMessage(strings.TrimSpace(tc.Function.Arguments))
		if len(input) == 0 {
			input = json.RawMessage("{}")
		}
		if !json.Valid(input) || input[0] != '{' {
			return nil, invalid("messages[%d].tool_calls[%d] (%s): arguments are not a JSON object", i, j, tc.Function.Name)
		}
		blocks = append(blocks, contentBlock{ToolUse: &toolUseBlock{ToolUseID: tc.ID, Name: tc.Function.Name, Input: input}})
	}
	return blocks, nil
}

var emptyObjectSchema = json.RawMessage(`{"type":"object","properties":{}}`)

// encodeTools builds toolConfig: the tools (each followed by a cache point
// when it carries cache_control), tool_choice, and the forced JSONTool of a
// JSON response_format. tool_choice none has no Converse equivalent: the
// tools are left out, unless the conversation already holds tool blocks
// (Converse then requires toolConfig), in which case they are sent without a
// choice. Claude forbids forcing a tool while thinking: a required or named
// tool_choice then is KindUnsupported, or auto when dropping.
func encodeTools(req *llm.CompletionRequest, msgs []message, thinkingOn, drop bool) (*toolConfig, error) {
	tc := &toolConfig{}
	for i, t := range req.Tools {
		if t.Function == nil {
			return nil, invalid("tools[%d]: no function", i)
		}
		schema := t.Function.Parameters
		if len(schema) == 0 || string(schema) == "null" {
			schema = emptyObjectSchema
		}
		tc.Tools = append(tc.Tools, tool{ToolSpec: &toolSpec{Name: t.Function.Name, Description: t.Function.Description, InputSchema: inputSchema{JSON: schema}}})
		if cp := cachePointOf(t.CacheControl); cp != nil {
			tc.Tools = append(tc.Tools, tool{CachePoint: cp})
		}
	}
	if c := req.ToolChoice; c != nil {
		switch {
		case c.Function != "":
			tc.ToolChoice = &toolChoice{Tool: &specificTool{Name: c.Function}}
		case c.Mode == "required":
			tc.ToolChoice = &toolChoice{Any: &empty{}}
		case c.Mode == "auto":
			tc.ToolChoice = &toolChoice{Auto: &empty{}}
		case c.Mode == "none":
			if !hasToolBlocks(msgs) {
				tc.Tools = nil
			}
		}
		if thinkingOn && tc.ToolChoice != nil && tc.ToolChoice.Auto == nil {
			if !drop {
				return nil, unsupported("a forced tool_choice with extended thinking enabled")
			}
			tc.ToolChoice = &toolChoice{Auto: &empty{}}
		}
	}
	if rf := req.ResponseFormat; rf != nil && (rf.Type == "json_schema" || rf.Type == "json_object") {
		if slices.ContainsFunc(req.Tools, func(t llm.Tool) bool { return t.Function != nil && t.Function.Name == JSONTool }) {
			return nil, invalid("a tool may not be named %q in a request with a JSON response_format", JSONTool)
		}
		schema := json.RawMessage(`{"type":"object"}`)
		desc := "Respond with a JSON object."
		if s := rf.JSONSchema; rf.Type == "json_schema" && s != nil {
			if len(s.Schema) > 0 {
				schema = s.Schema
			}
			desc = "Respond with JSON following the " + s.Name + " schema."
			if s.Description != "" {
				desc = s.Description
			}
		}
		tc.Tools = append(tc.Tools, tool{ToolSpec: &toolSpec{Name: JSONTool, Description: desc, InputSchema: inputSchema{JSON: schema}}})
		// Claude rejects a forced tool while thinking: leave the choice to
		// the model then.
		if thinkingOn {
			tc.ToolChoice = nil
		} else {
			tc.ToolChoice = &toolChoice{Tool: &specificTool{Name: JSONTool}}
		}
	}
	if len(tc.Tools) == 0 {
		return nil, nil
	}
	return tc, nil
}

func hasToolBlocks(msgs []message) bool {
	for _, m := range msgs {
		for _, b := range m.Content {
			if b.ToolUse != nil || b.ToolResult != nil {
				return true
			}
		}
	}
	return false
}
