package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// maxN is the most choices (n, best_of) a request may ask for: OpenAI's
// limit, and far more than any other provider accepts.
const maxN = 128

// validateCompletion checks a request before any network call, so that bad
// input is a KindInvalidRequest error naming the problem, never a panic or a
// provider's 400.
func validateCompletion(r *CompletionRequest) error {
	if len(r.Messages) == 0 {
		return Errorf(KindInvalidRequest, "messages is empty: a completion needs at least one message")
	}
	for i := range r.Messages {
		m := &r.Messages[i]
		switch m.Role {
		case RoleSystem, RoleDeveloper, RoleUser, RoleAssistant:
		case RoleTool:
			if m.ToolCallID == "" {
				return Errorf(KindInvalidRequest, "messages[%d]: a tool message needs tool_call_id", i)
			}
		case "":
			return Errorf(KindInvalidRequest, "messages[%d]: role is empty", i)
		default:
			return Errorf(KindInvalidRequest, "messages[%d]: unknown role %q (want system, developer, user, assistant or tool)", i, m.Role)
		}
		for j, tc := range m.ToolCalls {
			if tc.Function.Name == "" {
				return Errorf(KindInvalidRequest, "messages[%d].tool_calls[%d]: function name is empty", i, j)
			}
			if err := validateEncodable(fmt.Sprintf("messages[%d].tool_calls[%d].provider_specific_fields", i, j), tc.ProviderSpecificFields); err != nil {
				return err
			}
		}
		if err := validateEncodable(fmt.Sprintf("messages[%d].provider_specific_fields", i), m.ProviderSpecificFields); err != nil {
			return err
		}
		for j, p := range m.Content.Parts {
			if err := validatePart(p); err != "" {
				return Errorf(KindInvalidRequest, "messages[%d].content[%d]: %s", i, j, err)
			}
		}
	}
	names := make(map[string]bool, len(r.Tools))
	for i, t := range r.Tools {
		if t.Type == "" {
			return Errorf(KindInvalidRequest, "tools[%d]: type is empty (want \"function\" or a provider's server tool)", i)
		}
		if t.Type != "function" && t.Function == nil {
			continue // a provider's server tool: the provider maps it, or refuses it with KindUnsupported
		}
		if t.Function == nil || t.Function.Name == "" {
			return Errorf(KindInvalidRequest, "tools[%d]: function name is empty", i)
		}
		if !validToolName(t.Function.Name) {
			return Errorf(KindInvalidRequest, "tools[%d]: function name %q must be 1 to 64 letters, digits, '_' or '-'", i, t.Function.Name)
		}
		if names[t.Function.Name] {
			return Errorf(KindInvalidRequest, "tools[%d]: function name %q is used twice", i, t.Function.Name)
		}
		names[t.Function.Name] = true
		if len(t.Function.Parameters) > 0 {
			if err := validateSchema(t.Function.Parameters, true); err != "" {
				return Errorf(KindInvalidRequest, "tools[%d] (%s): invalid parameters schema: %s", i, t.Function.Name, err)
			}
		}
	}
	if tc := r.ToolChoice; tc != nil {
		switch {
		case tc.Function != "":
			if !names[tc.Function] {
				return Errorf(KindInvalidRequest, "tool_choice names function %q, which is not in tools", tc.Function)
			}
		case tc.Mode == "none", tc.Mode == "auto":
		case tc.Mode == "required":
			if len(r.Tools) == 0 {
				return Errorf(KindInvalidRequest, "tool_choice is \"required\" but tools is empty")
			}
		default:
			return Errorf(KindInvalidRequest, "tool_choice %q is not none, auto, required or a function", tc.Mode)
		}
	}
	if rf := r.ResponseFormat; rf != nil {
		switch rf.Type {
		case "text", "json_object":
		case "json_schema":
			if rf.JSONSchema == nil || rf.JSONSchema.Name == "" {
				return Errorf(KindInvalidRequest, "response_format json_schema needs json_schema with a name")
			}
			if len(rf.JSONSchema.Schema) > 0 {
				if err := validateSchema(rf.JSONSchema.Schema, false); err != "" {
					return Errorf(KindInvalidRequest, "response_format: invalid schema: %s", err)
				}
			}
		default:
			return Errorf(KindInvalidRequest, "response_format type %q is not text, json_object or json_schema", rf.Type)
		}
	}
	if err := validateSampling(r.MaxTokens, r.MaxCompletionTokens, r.N, r.TopLogprobs); err != nil {
		return err
	}
	if err := validateFloats(r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty); err != nil {
		return err
	}
	return validateEncodable("extra", r.Extra)
}

func validateTextCompletion(r *TextCompletionRequest) error {
	if len(r.Prompt) == 0 {
		return Errorf(KindInvalidRequest, "prompt is empty")
	}
	if r.Logprobs != nil && *r.Logprobs < 0 {
		return Errorf(KindInvalidRequest, "logprobs is negative")
	}
	if r.BestOf < 0 || r.BestOf > maxN {
		return Errorf(KindInvalidRequest, "best_of is %d, want 0 to %d", r.BestOf, maxN)
	}
	if err := validateSampling(r.MaxTokens, 0, r.N, nil); err != nil {
		return err
	}
	if err := validateFloats(r.Temperature, r.TopP, r.PresencePenalty, r.FrequencyPenalty); err != nil {
		return err
	}
	return validateEncodable("extra", r.Extra)
}

// validateSampling checks the counts of a request.
func validateSampling(maxTokens, maxCompletionTokens, n int, topLogprobs *int) error {
	switch {
	case maxTokens < 0:
		return Errorf(KindInvalidRequest, "max_tokens is negative (%d)", maxTokens)
	case maxCompletionTokens < 0:
		return Errorf(KindInvalidRequest, "max_completion_tokens is negative (%d)", maxCompletionTokens)
	case n < 0 || n > maxN:
		return Errorf(KindInvalidRequest, "n is %d, want 0 to %d", n, maxN)
	case topLogprobs != nil && *topLogprobs < 0:
		return Errorf(KindInvalidRequest, "top_logprobs is negative (%d)", *topLogprobs)
	}
	return nil
}

// validateFloats checks the sampling parameters every request type shares:
// each must be a finite number (JSON has no NaN or infinity), and
// temperature and top_p must be in range.
func validateFloats(temperature, topP, presencePenalty, frequencyPenalty *float64) error {
	for _, p := range []struct {
		name string
		v    *float64
	}{{"temperature", temperature}, {"top_p", topP}, {"presence_penalty", presencePenalty}, {"frequency_penalty", frequencyPenalty}} {
		if p.v != nil && (math.IsNaN(*p.v) || math.IsInf(*p.v, 0)) {
			return Errorf(KindInvalidRequest, "%s is %g: want a finite number", p.name, *p.v)
		}
	}
	switch {
	case temperature != nil && *temperature < 0:
		return Errorf(KindInvalidRequest, "temperature is negative (%g)", *temperature)
	case topP != nil && (*topP < 0 || *topP > 1):
		return Errorf(KindInvalidRequest, "top_p %g is outside [0, 1]", *topP)
	}
	return nil
}

// validateEncodable checks that every value of m (Extra, provider-specific
// fields) encodes as JSON, so that a value no translator could send (a func,
// a channel, NaN, malformed json.RawMessage) is an invalid-request error
// naming its key, before any call.
func validateEncodable(what string, m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	if _, err := json.Marshal(m); err == nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := json.Marshal(m[k]); err != nil {
			return &Error{Kind: KindInvalidRequest, Message: fmt.Sprintf("%s[%s] cannot be encoded as JSON: %v", what, quote(k), err), Err: err}
		}
	}
	return nil
}

// isEncodeError reports whether err is a failure to encode a value as JSON:
// a caller's value that no request can carry.
func isEncodeError(err error) bool {
	var ut *json.UnsupportedTypeError
	var uv *json.UnsupportedValueError
	var me *json.MarshalerError
	return errors.As(err, &ut) || errors.As(err, &uv) || errors.As(err, &me)
}

// isDecodeError reports whether err is a failure to decode a provider's
// answer: JSON that does not parse or does not fit. (A body that breaks off
// is a connection error: see httpx.IsConnectionError.)
func isDecodeError(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te)
}

func validatePart(p Part) string {
	switch p.Type {
	case PartText, PartRefusal:
	case PartImageURL:
		if p.ImageURL == nil || p.ImageURL.URL == "" {
			return "image_url part without a url"
		}
	case PartInputAudio:
		if p.InputAudio == nil || p.InputAudio.Data == "" {
			return "input_audio part without data"
		}
	case PartFile:
		if p.File == nil || (p.File.FileData == "" && p.File.FileID == "") {
			return "file part without file_data or file_id"
		}
	default:
		return fmt.Sprintf("unknown part type %q", p.Type)
	}
	return ""
}

func validToolName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

var schemaTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true, "null": true,
}

// validateSchema checks that raw is a JSON Schema object whose "type"
// keywords name JSON Schema types, recursively; topObject requires the root to
// be of type object (as function parameters must be). It returns "" when the
// schema is acceptable.
func validateSchema(raw []byte, topObject bool) string {
	if !gjson.ValidBytes(raw) {
		return "not valid JSON"
	}
	root := gjson.ParseBytes(raw)
	if !root.IsObject() {
		return "not a JSON object"
	}
	if topObject {
		if t := root.Get("type"); t.Exists() && t.String() != "object" {
			return fmt.Sprintf("type is %s, want \"object\"", t.Raw)
		}
	}
	return checkSchemaNode(root, "$", 0)
}

func checkSchemaNode(n gjson.Result, path string, depth int) string {
	if depth > 64 {
		return path + ": nested too deeply"
	}
	if !n.IsObject() {
		if n.Type == gjson.True || n.Type == gjson.False {
			return "" // boolean schemas are valid
		}
		return path + ": a schema must be an object"
	}
	if t := n.Get("type"); t.Exists() {
		switch {
		case t.Type == gjson.String:
			if !schemaTypes[t.Str] {
				return fmt.Sprintf("%s: unknown type %q", path, t.Str)
			}
		case t.IsArray():
			for _, e := range t.Array() {
				if e.Type != gjson.String || !schemaTypes[e.Str] {
					return fmt.Sprintf("%s: unknown type %s", path, e.Raw)
				}
			}
		default:
			return fmt.Sprintf("%s: type must be a string or an array of strings", path)
		}
	}
	var problem string
	check := func(sub gjson.Result, p string) bool {
		problem = checkSchemaNode(sub, p, depth+1)
		return problem == ""
	}
	for _, kw := range []string{"properties", "$defs", "definitions", "patternProperties"} {
		if m := n.Get(kw); m.IsObject() {
			m.ForEach(func(k, v gjson.Result) bool { return check(v, path+"."+kw+"."+k.Str) })
			if problem != "" {
				return problem
			}
		}
	}
	for _, kw := range []string{"anyOf", "oneOf", "allOf", "prefixItems"} {
		if a := n.Get(kw); a.IsArray() {
			for i, v := range a.Array() {
				if !check(v, fmt.Sprintf("%s.%s[%d]", path, kw, i)) {
					return problem
				}
			}
		}
	}
	for _, kw := range []string{"items", "additionalProperties", "not"} {
		if v := n.Get(kw); v.Exists() && (v.IsObject() || v.IsArray()) {
			if v.IsArray() {
				for i, e := range v.Array() {
					if !check(e, fmt.Sprintf("%s.%s[%d]", path, kw, i)) {
						return problem
					}
				}
			} else if !check(v, path+"."+kw) {
				return problem
			}
		}
	}
	return ""
}

// maxEcho is how many bytes of a caller's string an error message quotes.
const maxEcho = 100

// quote quotes s for an error message, cut as capped cuts it.
func quote(s string) string {
	if len(s) <= maxEcho {
		return strconv.Quote(s)
	}
	c := capped(s)
	return strconv.Quote(c[:len(c)-len("…")]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// capped returns s, or its first maxEcho bytes (cut at a rune boundary)
// followed by "…" when it is longer, so that a huge input does not make a
// huge error.
func capped(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
