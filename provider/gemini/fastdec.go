package gemini

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// decodeGenerateResponse decodes a GenerateContentResponse (a whole answer
// or one stream event) with the same result as json.Unmarshal into a
// generateResponse (a differential fuzz test holds it to that: same value,
// same nil or non-nil error), but faster on the common shape. The data is
// copied to a string once and every string without escapes is a substring
// of it; candidates, parts and usage are decoded by hand. Rare fields
// (function calls, logprobs, prompt feedback, an error object) go through
// encoding/json; input the fast path cannot decode exactly as
// encoding/json would (duplicate object keys, keys matching a field only
// case-insensitively or escaped, wrong types, deep nesting) and any error
// are decoded by encoding/json whole, so errors read the same too.
func decodeGenerateResponse(data []byte) (*generateResponse, error) {
	w := new(generateResponse)
	if !gjson.ValidBytes(data) || (len(data) > maxNestingDepth && tooDeep(data)) {
		return w, json.Unmarshal(data, w)
	}
	root := gjson.Parse(string(data))
	if root.Type == gjson.Null {
		return w, nil
	}
	if !root.IsObject() || decodeResponseFields(root, w) != nil {
		*w = generateResponse{}
		return w, json.Unmarshal(data, w)
	}
	return w, nil
}

// maxNestingDepth is encoding/json's limit on nested arrays and objects,
// which gjson does not have.
const maxNestingDepth = 10000

// tooDeep reports whether data nests arrays and objects close to
// encoding/json's limit; such input is left to encoding/json.
func tooDeep(data []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth >= maxNestingDepth-10 {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// errSlowPath means the fast path cannot decode the input exactly as
// encoding/json would; the input is decoded by encoding/json whole.
var errSlowPath = errors.New("slow path")

var responseKeys = []string{"candidates", "promptFeedback", "usageMetadata", "modelVersion", "responseId", "error"}

// decodeResponseFields decodes a GenerateContentResponse object. Fields
// decoded by hand that hold an object or array are decoded once: encoding/json
// merges a repeated one into the first, which the slow path reproduces.
func decodeResponseFields(root gjson.Result, w *generateResponse) error {
	var err error
	var seenCandidates, seenUsage bool
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "candidates":
			if seenCandidates {
				err = errSlowPath
				break
			}
			seenCandidates = true
			err = decodeCandidates(v, &w.Candidates)
		case "promptFeedback":
			err = slow(v, &w.PromptFeedback)
		case "usageMetadata":
			if seenUsage {
				err = errSlowPath
				break
			}
			seenUsage = true
			err = decodeUsage(v, &w.UsageMetadata)
		case "modelVersion":
			err = str(v, &w.ModelVersion)
		case "responseId":
			err = str(v, &w.ResponseID)
		case "error":
			err = slow(v, &w.Error)
		default:
			err = unknownKey(k, responseKeys)
		}
		return err == nil
	})
	return err
}

var candidateKeys = []string{"index", "content", "finishReason", "finishMessage", "logprobsResult"}

func decodeCandidates(v gjson.Result, out *[]candidate) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray():
		return errSlowPath
	}
	cands := make([]candidate, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		cands = append(cands, candidate{})
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = errSlowPath
		default:
			err = decodeCandidate(e, &cands[len(cands)-1])
		}
		return err == nil
	})
	*out = cands
	return err
}

func decodeCandidate(e gjson.Result, c *candidate) error {
	var err error
	seenContent := false
	e.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			err = intField(v, &c.Index)
		case "content":
			if seenContent {
				err = errSlowPath
				break
			}
			seenContent = true
			err = decodeContent(v, &c.Content)
		case "finishReason":
			err = str(v, &c.FinishReason)
		case "finishMessage":
			err = str(v, &c.FinishMessage)
		case "logprobsResult":
			err = slow(v, &c.LogprobsResult)
		default:
			err = unknownKey(k, candidateKeys)
		}
		return err == nil
	})
	return err
}

var contentKeys = []string{"parts"}

func decodeContent(v gjson.Result, c *respContent) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return errSlowPath
	}
	var err error
	seenParts := false
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "parts":
			if seenParts {
				err = errSlowPath
				break
			}
			seenParts = true
			err = decodeParts(v, &c.Parts)
		default: // role, which the translator does not read
			err = unknownKey(k, contentKeys)
		}
		return err == nil
	})
	return err
}

var partKeys = []string{"text", "thought", "thoughtSignature", "functionCall"}

func decodeParts(v gjson.Result, out *[]respPart) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray():
		return errSlowPath
	}
	parts := make([]respPart, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		parts = append(parts, respPart{})
		p := &parts[len(parts)-1]
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = errSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "text":
					err = str(v, &p.Text)
				case "thought":
					err = boolField(v, &p.Thought)
				case "thoughtSignature":
					err = str(v, &p.ThoughtSignature)
				case "functionCall":
					err = slow(v, &p.FunctionCall)
				default:
					err = unknownKey(k, partKeys)
				}
				return err == nil
			})
		}
		return err == nil
	})
	*out = parts
	return err
}

var usageKeys = []string{"promptTokenCount", "cachedContentTokenCount", "candidatesTokenCount", "toolUsePromptTokenCount",
	"thoughtsTokenCount", "totalTokenCount", "promptTokensDetails", "candidatesTokensDetails"}

func decodeUsage(v gjson.Result, out **usageMetadata) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsObject():
		return errSlowPath
	}
	u := new(usageMetadata)
	*out = u
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "promptTokenCount":
			err = intField(v, &u.PromptTokenCount)
		case "cachedContentTokenCount":
			err = intField(v, &u.CachedContentTokenCount)
		case "candidatesTokenCount":
			err = intField(v, &u.CandidatesTokenCount)
		case "toolUsePromptTokenCount":
			err = intField(v, &u.ToolUsePromptTokenCount)
		case "thoughtsTokenCount":
			err = intField(v, &u.ThoughtsTokenCount)
		case "totalTokenCount":
			err = intField(v, &u.TotalTokenCount)
		case "promptTokensDetails":
			err = slow(v, &u.PromptTokensDetails)
		case "candidatesTokensDetails":
			err = slow(v, &u.CandidatesTokensDetails)
		default:
			err = unknownKey(k, usageKeys)
		}
		return err == nil
	})
	return err
}

// str stores a JSON string. null leaves dst unchanged, as encoding/json
// does; a string with escapes or invalid UTF-8 is decoded by encoding/json,
// whose unescaping and U+FFFD replacement are the reference.
func str(v gjson.Result, dst *string) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.String:
		if strings.IndexByte(v.Raw, '\\') >= 0 || !utf8.ValidString(v.Str) {
			return json.Unmarshal([]byte(v.Raw), dst)
		}
		*dst = v.Str
		return nil
	}
	return errSlowPath
}

func boolField(v gjson.Result, dst *bool) error {
	switch v.Type {
	case gjson.Null:
	case gjson.True:
		*dst = true
	case gjson.False:
		*dst = false
	default:
		return errSlowPath
	}
	return nil
}

func intField(v gjson.Result, dst *int) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.Number:
		n, err := strconv.ParseInt(v.Raw, 10, 0)
		if err != nil {
			return errSlowPath // 1.5, 1e3, overflow: encoding/json reports it
		}
		*dst = int(n)
		return nil
	}
	return errSlowPath
}

// slow decodes a rare field with encoding/json, into the field as it is
// (as encoding/json would, for a repeated key).
func slow[T any](v gjson.Result, dst *T) error {
	return json.Unmarshal([]byte(v.Raw), dst)
}

// unknownKey ignores a key the type does not have, as encoding/json does,
// unless encoding/json could match it to a field case-insensitively.
func unknownKey(k gjson.Result, known []string) error {
	if strings.IndexByte(k.Raw, '\\') >= 0 {
		return errSlowPath // an escaped key may spell a known one
	}
	for i := 0; i < len(k.Str); i++ {
		if k.Str[i] >= utf8.RuneSelf {
			return errSlowPath // Unicode case folding: leave it to encoding/json
		}
	}
	for _, name := range known {
		if strings.EqualFold(k.Str, name) {
			return errSlowPath
		}
	}
	return nil
}
