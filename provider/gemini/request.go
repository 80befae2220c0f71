package gemini

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"path"
	"reflect"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

// PSFThoughtSignature is the key of a thought signature in the
// ProviderSpecificFields of a ToolCall, a ToolCallDelta, a Message or a Delta.
// Gemini 2.5 and 3 sign the function calls (and, in Gemini 3, the first text
// part) they produce; the signature must come back with the call on the
// next turn, which EncodeRequest does from this field.
const PSFThoughtSignature = "thought_signature"

// PSFFunctionCallID is the key, in the ProviderSpecificFields of a ToolCall
// or ToolCallDelta, of the id Gemini gave the function call (Gemini 3 gives
// every call one; the call's ID is then that id too). EncodeRequest sends
// it back on the functionCall part and on the functionResponse answering
// the call, as Gemini requires; a call without it (an id the translator
// made up, or another provider's) is sent without an id, matched by name
// and position.
const PSFFunctionCallID = "function_call_id"

// EncodeRequest returns the generateContent body of req: the same body for
// the Gemini API and Vertex AI. req.Model is the provider-side model name
// (it selects the thinking controls). cfg supplies the typed options of this
// package (WithThinkingBudget); it may be nil.
func EncodeRequest(req *llm.CompletionRequest, cfg *llm.Config) ([]byte, error) {
	if err := unsupportedParams(req, cfg); err != nil {
		return nil, err
	}
	var w generateRequest
	var err error
	w.SystemInstruction, w.Contents, err = encodeMessages(req.Messages)
	if err != nil {
		return nil, err
	}
	if w.Tools, err = encodeTools(req.Tools, req.WebSearchOptions != nil, cfg != nil && cfg.DropUnsupportedParams); err != nil {
		return nil, err
	}
	w.ToolConfig = encodeToolChoice(req.ToolChoice)
	extra := req.Extra
	gc, extra, err := encodeGenerationConfig(req, cfg, extra)
	if err != nil {
		return nil, err
	}
	w.GenerationConfig = gc
	if v, ok := extra["safety_settings"]; ok {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, invalid("safety_settings: " + err.Error())
		}
		w.SafetySettings = b
		extra = without(extra, "safety_settings")
	}
	body, err := json.Marshal(&w)
	if err != nil {
		return nil, invalid("cannot encode the request: " + err.Error())
	}
	if len(extra) > 0 {
		if body, err = jsonx.MergeObject(body, extra); err != nil {
			return nil, invalid("cannot merge Extra into the request: " + err.Error())
		}
	}
	return body, nil
}

// unsupportedParams rejects the parameters Gemini has no equivalent for,
// unless the caller asked for them to be dropped (encoding then ignores
// them). user, metadata, store, service_tier and parallel_tool_calls are
// ignored without an error: they do not change the answer.
func unsupportedParams(req *llm.CompletionRequest, cfg *llm.Config) error {
	if cfg != nil && cfg.DropUnsupportedParams {
		return nil
	}
	for _, p := range []struct {
		name string
		set  bool
	}{
		{"logit_bias", len(req.LogitBias) > 0},
		{"audio", req.Audio != nil},
		{"prediction", req.Prediction != nil},
	} {
		if p.set {
			return llm.UnsupportedParam(p.name, "")
		}
	}
	return nil
}

func invalid(msg string) *llm.Error { return &llm.Error{Kind: llm.KindInvalidRequest, Message: msg} }

// without returns m minus key, copying m (the caller's map is not changed).
func without(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// encodeMessages splits the conversation into the system instruction and
// the contents: assistant turns have role "model", tool results become
// functionResponse parts of a user turn, and consecutive turns of one role
// are merged.
func encodeMessages(msgs []llm.Message) (*content, []content, error) {
	var system *content
	var contents []content
	callNames := map[string]string{} // tool-call id → function name
	callIDs := map[string]string{}   // tool-call id → Gemini's id of the call
	add := func(role string, parts []part) {
		if len(parts) == 0 {
			return
		}
		if n := len(contents); n > 0 && contents[n-1].Role == role {
			contents[n-1].Parts = append(contents[n-1].Parts, parts...)
			return
		}
		contents = append(contents, content{Role: role, Parts: parts})
	}
	for i := range msgs {
		m := &msgs[i]
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			parts, err := encodeContent(m.Content)
			if err != nil {
				return nil, nil, err
			}
			if system == nil {
				system = &content{}
			}
			system.Parts = append(system.Parts, parts...)
		case llm.RoleUser:
			parts, err := encodeContent(m.Content)
			if err != nil {
				return nil, nil, err
			}
			add("user", parts)
		case llm.RoleAssistant:
			parts, err := encodeContent(m.Content)
			if err != nil {
				return nil, nil, err
			}
			if sig, _ := m.ProviderSpecificFields[PSFThoughtSignature].(string); sig != "" && len(parts) > 0 {
				parts[0].ThoughtSignature = sig
			}
			for _, tc := range m.ToolCalls {
				args := json.RawMessage(strings.TrimSpace(tc.Function.Arguments))
				if len(args) == 0 {
					args = json.RawMessage("{}")
				}
				if !json.Valid(args) || args[0] != '{' {
					return nil, nil, invalid("tool call " + tc.ID + ": arguments are not a JSON object")
				}
				gid, _ := tc.ProviderSpecificFields[PSFFunctionCallID].(string)
				p := part{FunctionCall: &functionCall{ID: gid, Name: tc.Function.Name, Args: args}}
				p.ThoughtSignature, _ = tc.ProviderSpecificFields[PSFThoughtSignature].(string)
				parts = append(parts, p)
				callNames[tc.ID] = tc.Function.Name
				callIDs[tc.ID] = gid
			}
			add("model", parts)
		case llm.RoleTool:
			name, ok := callNames[m.ToolCallID]
			if !ok {
				name = m.Name
			}
			if name == "" {
				return nil, nil, invalid("tool message " + m.ToolCallID + " answers no earlier tool call: Gemini needs the function's name")
			}
			add("user", []part{{FunctionResponse: &functionResponse{ID: callIDs[m.ToolCallID], Name: name, Response: toolResponse(m.Content.String())}}})
		default:
			return nil, nil, invalid("unknown role " + string(m.Role))
		}
	}
	return system, contents, nil
}

// toolResponse wraps a tool's output as the JSON object a functionResponse
// needs: a JSON object is sent as it is; anything else as {"output": value},
// the key Google's SDKs use, where value is the decoded JSON or the text.
func toolResponse(s string) json.RawMessage {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	var v json.RawMessage
	if json.Valid([]byte(t)) && t != "" {
		v = json.RawMessage(t)
	} else {
		v, _ = json.Marshal(s)
	}
	var b bytes.Buffer
	b.WriteString(`{"output":`)
	b.Write(v)
	b.WriteByte('}')
	return b.Bytes()
}

// encodeContent turns a message's content into parts.
func encodeContent(c llm.Content) ([]part, error) {
	if c.Parts == nil {
		if c.Text == "" {
			return nil, nil
		}
		return []part{{Text: c.Text}}, nil
	}
	parts := make([]part, 0, len(c.Parts))
	for _, p := range c.Parts {
		switch p.Type {
		case llm.PartText:
			if p.Text != "" {
				parts = append(parts, part{Text: p.Text})
			}
		case llm.PartImageURL:
			if p.ImageURL == nil {
				return nil, invalid("image_url part without image_url")
			}
			gp, err := mediaPart(p.ImageURL.URL, p.ImageURL.Format)
			if err != nil {
				return nil, err
			}
			parts = append(parts, gp)
		case llm.PartInputAudio:
			if p.InputAudio == nil {
				return nil, invalid("input_audio part without input_audio")
			}
			parts = append(parts, part{InlineData: &blob{MimeType: "audio/" + p.InputAudio.Format, Data: p.InputAudio.Data}})
		case llm.PartFile:
			if p.File == nil {
				return nil, invalid("file part without file")
			}
			ref := p.File.FileData
			if ref == "" {
				ref = p.File.FileID
			}
			if ref == "" {
				return nil, invalid("file part without file_data or file_id")
			}
			format := p.File.Format
			if format == "" && p.File.FileData == "" {
				format = mimeOf(p.File.Filename)
			}
			gp, err := mediaPart(ref, format)
			if err != nil {
				return nil, err
			}
			parts = append(parts, gp)
		case llm.PartRefusal:
			if p.Refusal != "" {
				parts = append(parts, part{Text: p.Refusal})
			}
		default:
			return nil, invalid("unsupported content part type " + string(p.Type))
		}
	}
	return parts, nil
}

// mediaPart turns a data URL into inlineData and any other URI (gs://,
// https://, a Files API URI) into fileData, with format as the MIME type or,
// failing that, the one the URI's extension implies.
func mediaPart(ref, format string) (part, error) {
	if rest, ok := strings.CutPrefix(ref, "data:"); ok {
		meta, data, ok := strings.Cut(rest, ",")
		mt, enc, _ := strings.Cut(meta, ";")
		if !ok || enc != "base64" {
			return part{}, invalid("data URL is not base64-encoded (want data:<mime>;base64,<data>)")
		}
		if mt == "" {
			mt = format
		}
		if mt == "" {
			return part{}, invalid("data URL has no MIME type")
		}
		return part{InlineData: &blob{MimeType: mt, Data: data}}, nil
	}
	if format == "" {
		if u, err := url.Parse(ref); err == nil {
			format = mimeOf(u.Path)
		}
	}
	return part{FileData: &fileData{MimeType: format, FileURI: ref}}, nil
}

// mediaTypes are the MIME types of the extensions Gemini takes, fixed here
// so that the result does not depend on the system's mime.types.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
	".gif": "image/gif", ".heic": "image/heic", ".heif": "image/heif",
	".pdf": "application/pdf", ".txt": "text/plain", ".html": "text/html", ".csv": "text/csv",
	".md": "text/md", ".json": "application/json",
	".mp3": "audio/mp3", ".wav": "audio/wav", ".aac": "audio/aac", ".ogg": "audio/ogg", ".flac": "audio/flac",
	".mp4": "video/mp4", ".mpeg": "video/mpeg", ".mov": "video/mov", ".avi": "video/avi",
	".webm": "video/webm", ".wmv": "video/wmv", ".flv": "video/x-flv", ".3gp": "video/3gpp",
}

func mimeOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := mediaTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	return ""
}

// Built-in tool types: a Tool of one of these types (snake_case as in
// Google's SDKs, or camelCase as in the REST body) turns the built-in tool
// of that name on.
const (
	// ToolGoogleSearch is Grounding with Google Search, also what
	// web_search_options asks for.
	ToolGoogleSearch = "google_search"
	// ToolURLContext lets the model read the URLs of the prompt.
	ToolURLContext = "url_context"
	// ToolCodeExecution lets the model run the Python code it writes.
	ToolCodeExecution = "code_execution"
)

// builtIn maps a tool type to the built-in tool it names.
var builtIn = map[string]string{
	ToolGoogleSearch: ToolGoogleSearch, "googleSearch": ToolGoogleSearch,
	ToolURLContext: ToolURLContext, "urlContext": ToolURLContext,
	ToolCodeExecution: ToolCodeExecution, "codeExecution": ToolCodeExecution,
}

// encodeTools turns function tools into one Tool of function declarations,
// followed by one Tool per built-in tool asked for (search is asked for by
// a google_search tool or by web_search_options). A tool of another type
// (another provider's server tool) is a KindUnsupported error, or left out
// when drop is set.
func encodeTools(tools []llm.Tool, search, drop bool) ([]tool, error) {
	if len(tools) == 0 && !search {
		return nil, nil
	}
	var decls []functionDeclaration
	on := map[string]bool{ToolGoogleSearch: search}
	for _, t := range tools {
		if t.Function == nil {
			if b, ok := builtIn[t.Type]; ok {
				on[b] = true
				continue
			}
			if t.Type == "" || t.Type == "function" {
				return nil, invalid("function tool without a function")
			}
			if drop {
				continue
			}
			return nil, llm.Errorf(llm.KindUnsupported, "tool type %q is not a Gemini tool (want function, %s, %s or %s)",
				t.Type, ToolGoogleSearch, ToolURLContext, ToolCodeExecution)
		}
		d := functionDeclaration{Name: t.Function.Name, Description: t.Function.Description}
		if len(t.Function.Parameters) > 0 && string(t.Function.Parameters) != "null" {
			es, err := encodeSchema(t.Function.Parameters)
			if err != nil {
				return nil, invalid("tool " + t.Function.Name + ": parameters: " + err.Error())
			}
			if !es.EmptyObject {
				d.Parameters = es.Subset
			}
			d.ParametersJSONSchema = es.Raw
		}
		decls = append(decls, d)
	}
	var out []tool
	if len(decls) > 0 {
		out = append(out, tool{FunctionDeclarations: decls})
	}
	if on[ToolGoogleSearch] {
		out = append(out, tool{GoogleSearch: &struct{}{}})
	}
	if on[ToolURLContext] {
		out = append(out, tool{URLContext: &struct{}{}})
	}
	if on[ToolCodeExecution] {
		out = append(out, tool{CodeExecution: &struct{}{}})
	}
	return out, nil
}

// encodeToolChoice maps tool_choice to functionCallingConfig: auto → AUTO,
// required → ANY, none → NONE, a named function → ANY limited to it.
func encodeToolChoice(tc *llm.ToolChoice) *toolConfig {
	if tc == nil {
		return nil
	}
	var c functionCallingConfig
	switch {
	case tc.Function != "":
		c = functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{tc.Function}}
	case tc.Mode == "required":
		c.Mode = "ANY"
	case tc.Mode == "none":
		c.Mode = "NONE"
	case tc.Mode == "auto":
		c.Mode = "AUTO"
	default:
		return nil
	}
	return &toolConfig{FunctionCallingConfig: c}
}

// encodeGenerationConfig maps the sampling, output and thinking parameters.
// It takes top_k (or topK) out of extra and returns the rest of extra.
func encodeGenerationConfig(req *llm.CompletionRequest, cfg *llm.Config, extra map[string]any) (*generationConfig, map[string]any, error) {
	gc := generationConfig{
		CandidateCount:   req.N,
		StopSequences:    req.Stop,
		MaxOutputTokens:  req.MaxCompletionTokens,
		Temperature:      req.Temperature,
		TopP:             req.TopP,
		Seed:             req.Seed,
		PresencePenalty:  req.PresencePenalty,
		FrequencyPenalty: req.FrequencyPenalty,
		ResponseLogprobs: req.Logprobs,
		Logprobs:         req.TopLogprobs,
	}
	if gc.MaxOutputTokens == 0 {
		gc.MaxOutputTokens = req.MaxTokens
	}
	for _, k := range []string{"top_k", "topK"} {
		v, ok := extra[k]
		if !ok {
			continue
		}
		f, ok := number(v)
		if !ok {
			return nil, nil, invalid(k + " is not a number")
		}
		gc.TopK = &f
		extra = without(extra, k)
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_object":
			gc.ResponseMimeType = "application/json"
		case "json_schema":
			gc.ResponseMimeType = "application/json"
			if rf.JSONSchema != nil && len(rf.JSONSchema.Schema) > 0 {
				es, err := encodeSchema(rf.JSONSchema.Schema)
				if err != nil {
					return nil, nil, invalid("response_format schema: " + err.Error())
				}
				gc.ResponseSchema, gc.ResponseJSONSchema = es.Subset, es.Raw
			}
		}
	}
	tc, err := thinking(req.Model, req.ReasoningEffort, cfg)
	if err != nil {
		return nil, nil, err
	}
	gc.ThinkingConfig = tc
	if reflect.ValueOf(gc).IsZero() {
		return nil, extra, nil
	}
	return &gc, extra, nil
}

// number reads a JSON number given as a Go number or raw JSON.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case json.RawMessage:
		var f float64
		return f, json.Unmarshal(n, &f) == nil
	}
	return 0, false
}
