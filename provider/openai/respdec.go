package openai

import (
	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// decodeChatResponse decodes a non-streamed answer, with the same result as
// json.Unmarshal into chatResponse (a differential fuzz test holds it to
// that) at a fraction of its cost, in the way decodeChunk decodes a chunk:
// the common fields (content as a string, tool calls, usage, nulls) on the
// fast path, rare ones (content parts, annotations, logprobs, audio...)
// through encoding/json, and input the fast path cannot decode exactly as
// encoding/json would through encoding/json whole.
func decodeChatResponse(data []byte) (*chatResponse, error) {
	return jsonx.Decode(data, decodeResponseFields)
}

var responseKeys = []string{"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "usage", "error"}

func decodeResponseFields(root gjson.Result, r *chatResponse) error {
	var err error
	seenChoices := false
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			err = jsonx.Str(v, &r.ID)
		case "object":
			err = jsonx.Str(v, &r.Object)
		case "created":
			err = jsonx.Int64(v, &r.Created)
		case "model":
			err = jsonx.Str(v, &r.Model)
		case "system_fingerprint":
			err = jsonx.Str(v, &r.SystemFingerprint)
		case "service_tier":
			err = jsonx.Str(v, &r.ServiceTier)
		case "choices":
			if seenChoices {
				err = jsonx.ErrSlowPath // encoding/json merges a repeated array
				break
			}
			seenChoices = true
			err = decodeResponseChoices(v, &r.Choices)
		case "usage":
			err = decodeUsage(v, &r.Usage)
		case "error":
			err = jsonx.Slow(v, &r.Error)
		default:
			err = jsonx.UnknownKey(k, responseKeys)
		}
		return err == nil
	})
	return err
}

var responseChoiceKeys = []string{"index", "message", "finish_reason", "logprobs"}

func decodeResponseChoices(v gjson.Result, out *[]llm.Choice) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray():
		return jsonx.ErrSlowPath
	}
	choices := make([]llm.Choice, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		choices = append(choices, llm.Choice{})
		ch := &choices[len(choices)-1]
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = jsonx.ErrSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "index":
					err = jsonx.Int(v, &ch.Index)
				case "message":
					err = decodeMessage(v, &ch.Message)
				case "finish_reason":
					err = jsonx.Str(v, &ch.FinishReason)
				case "logprobs":
					err = decodeLogprobs(v, &ch.Logprobs)
				default:
					err = jsonx.UnknownKey(k, responseChoiceKeys)
				}
				return err == nil
			})
		}
		return err == nil
	})
	*out = choices
	return err
}

var messageKeys = []string{"role", "content", "name", "tool_calls", "tool_call_id", "refusal", "annotations", "reasoning_content",
	"thinking_blocks", "audio", "cache_control", "provider_specific_fields"}

func decodeMessage(v gjson.Result, m *llm.Message) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return jsonx.ErrSlowPath
	}
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			var s string
			err = jsonx.Str(v, &s)
			if v.Type != gjson.Null {
				m.Role = llm.Role(s)
			}
		case "content":
			err = decodeContent(v, &m.Content)
		case "name":
			err = jsonx.Str(v, &m.Name)
		case "tool_calls":
			err = decodeToolCalls(v, &m.ToolCalls)
		case "tool_call_id":
			err = jsonx.Str(v, &m.ToolCallID)
		case "refusal":
			err = jsonx.Str(v, &m.Refusal)
		case "reasoning_content":
			err = jsonx.Str(v, &m.ReasoningContent)
		case "annotations":
			err = jsonx.Slow(v, &m.Annotations)
		case "thinking_blocks":
			err = jsonx.Slow(v, &m.ThinkingBlocks)
		case "audio":
			err = jsonx.Slow(v, &m.Audio)
		case "cache_control":
			err = jsonx.Slow(v, &m.CacheControl)
		case "provider_specific_fields":
			err = jsonx.Slow(v, &m.ProviderSpecificFields)
		default:
			err = jsonx.UnknownKey(k, messageKeys)
		}
		return err == nil
	})
	return err
}

// decodeContent decodes content as llm.Content.UnmarshalJSON does: null is
// no content, a string is text, and parts go to encoding/json.
func decodeContent(v gjson.Result, c *llm.Content) error {
	switch v.Type {
	case gjson.Null:
		*c = llm.Content{}
		return nil
	case gjson.String:
		c.Parts = nil
		return jsonx.Str(v, &c.Text)
	}
	return jsonx.Slow(v, c)
}

var toolCallKeys = []string{"id", "type", "function", "provider_specific_fields"}

func decodeToolCalls(v gjson.Result, out *[]llm.ToolCall) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray() || *out != nil:
		return jsonx.ErrSlowPath
	}
	calls := make([]llm.ToolCall, 0, v.Get("#").Int())
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		calls = append(calls, llm.ToolCall{})
		tc := &calls[len(calls)-1]
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = jsonx.ErrSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "id":
					err = jsonx.Str(v, &tc.ID)
				case "type":
					err = jsonx.Str(v, &tc.Type)
				case "function":
					err = decodeFunction(v, &tc.Function.Name, &tc.Function.Arguments)
				case "provider_specific_fields":
					err = jsonx.Slow(v, &tc.ProviderSpecificFields)
				default:
					err = jsonx.UnknownKey(k, toolCallKeys)
				}
				return err == nil
			})
		}
		return err == nil
	})
	*out = calls
	return err
}
