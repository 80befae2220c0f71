package gemini

import (
	"encoding/json"

	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// decodeGenerateResponse decodes a GenerateContentResponse (a whole answer
// or one stream event) with the same result as json.Unmarshal into a
// generateResponse (a differential fuzz test holds it to that: same value,
// same nil or non-nil error), but faster on the common shape. The data is
// copied to a string once and every string without escapes is a substring
// of it; candidates, parts and usage are decoded by hand. Rare fields
// (function calls, logprobs, grounding and url_context metadata, prompt
// feedback, an error object) go through encoding/json, and a part's other
// keys (code execution, unknown types) are kept raw; input the fast path cannot decode exactly as
// encoding/json would (duplicate object keys, keys matching a field only
// case-insensitively or escaped, wrong types, deep nesting) and any error
// are decoded by encoding/json whole, so errors read the same too.
func decodeGenerateResponse(data []byte) (*generateResponse, error) {
	return jsonx.Decode(data, decodeResponseFields)
}

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
				err = jsonx.ErrSlowPath
				break
			}
			seenCandidates = true
			err = decodeCandidates(v, &w.Candidates)
		case "promptFeedback":
			err = jsonx.Slow(v, &w.PromptFeedback)
		case "usageMetadata":
			if seenUsage {
				err = jsonx.ErrSlowPath
				break
			}
			seenUsage = true
			err = decodeUsage(v, &w.UsageMetadata)
		case "modelVersion":
			err = jsonx.Str(v, &w.ModelVersion)
		case "responseId":
			err = jsonx.Str(v, &w.ResponseID)
		case "error":
			err = jsonx.Slow(v, &w.Error)
		default:
			err = jsonx.UnknownKey(k, responseKeys)
		}
		return err == nil
	})
	return err
}

var candidateKeys = []string{"index", "content", "finishReason", "finishMessage", "logprobsResult", "groundingMetadata", "urlContextMetadata"}

func decodeCandidates(v gjson.Result, out *[]candidate) error {
	return jsonx.Array(v, out, 1, decodeCandidate)
}

func decodeCandidate(e gjson.Result, c *candidate) error {
	var err error
	seenContent := false
	var seenMeta map[string]bool
	e.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			err = jsonx.Int(v, &c.Index)
		case "content":
			if seenContent {
				err = jsonx.ErrSlowPath
				break
			}
			seenContent = true
			err = decodeContent(v, &c.Content)
		case "finishReason":
			err = jsonx.Str(v, &c.FinishReason)
		case "finishMessage":
			err = jsonx.Str(v, &c.FinishMessage)
		case "logprobsResult":
			err = jsonx.Slow(v, &c.LogprobsResult)
		case "groundingMetadata", "urlContextMetadata":
			// Rare; null and repeated keys go to the slow path, whose
			// candidate.UnmarshalJSON leaves meta out on null.
			if v.Type == gjson.Null || seenMeta[k.Str] {
				err = jsonx.ErrSlowPath
				break
			}
			if seenMeta == nil {
				seenMeta = make(map[string]bool, 2)
			}
			seenMeta[k.Str] = true
			if c.meta == nil {
				c.meta = new(candidateMeta)
			}
			dst := &c.meta.GroundingMetadata
			if k.Str == "urlContextMetadata" {
				dst = &c.meta.URLContextMetadata
			}
			err = jsonx.Slow(v, dst)
		default:
			err = jsonx.UnknownKey(k, candidateKeys)
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
		return jsonx.ErrSlowPath
	}
	var err error
	seenParts := false
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "parts":
			if seenParts {
				err = jsonx.ErrSlowPath
				break
			}
			seenParts = true
			err = decodeParts(v, &c.Parts)
		default: // role, which the translator does not read
			err = jsonx.UnknownKey(k, contentKeys)
		}
		return err == nil
	})
	return err
}

func decodeParts(v gjson.Result, out *[]respPart) error {
	return jsonx.Array(v, out, 1, decodePart)
}

func decodePart(e gjson.Result, p *respPart) error {
	return jsonx.Object(e, func(k, v gjson.Result) error {
		switch k.Str {
		case "text":
			return jsonx.Str(v, &p.Text)
		case "thought":
			return jsonx.Bool(v, &p.Thought)
		case "thoughtSignature":
			return jsonx.Str(v, &p.ThoughtSignature)
		case "functionCall":
			return jsonx.Slow(v, &p.FunctionCall)
		}
		// A key of no field is kept, as respPart.UnmarshalJSON keeps it.
		if err := jsonx.UnknownKey(k, partKeys); err != nil {
			return err
		}
		if p.Other == nil {
			p.Other = map[string]json.RawMessage{}
		}
		p.Other[k.Str] = json.RawMessage(v.Raw)
		return nil
	})
}

var usageKeys = []string{"promptTokenCount", "cachedContentTokenCount", "candidatesTokenCount", "toolUsePromptTokenCount",
	"thoughtsTokenCount", "totalTokenCount", "promptTokensDetails", "candidatesTokensDetails"}

func decodeUsage(v gjson.Result, out **usageMetadata) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsObject():
		return jsonx.ErrSlowPath
	}
	u := new(usageMetadata)
	*out = u
	return jsonx.Object(v, func(k, v gjson.Result) error {
		switch k.Str {
		case "promptTokenCount":
			return jsonx.Int(v, &u.PromptTokenCount)
		case "cachedContentTokenCount":
			return jsonx.Int(v, &u.CachedContentTokenCount)
		case "candidatesTokenCount":
			return jsonx.Int(v, &u.CandidatesTokenCount)
		case "toolUsePromptTokenCount":
			return jsonx.Int(v, &u.ToolUsePromptTokenCount)
		case "thoughtsTokenCount":
			return jsonx.Int(v, &u.ThoughtsTokenCount)
		case "totalTokenCount":
			return jsonx.Int(v, &u.TotalTokenCount)
		case "promptTokensDetails":
			return jsonx.Slow(v, &u.PromptTokensDetails)
		case "candidatesTokensDetails":
			return jsonx.Slow(v, &u.CandidatesTokensDetails)
		}
		return jsonx.UnknownKey(k, usageKeys)
	})
}
