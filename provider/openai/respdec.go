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

func decodeResponseFields(root gjson.Result, r *chatResponse) error {
	e := envelope{id: &r.ID, object: &r.Object, created: &r.Created, model: &r.Model, fingerprint: &r.SystemFingerprint,
		tier: &r.ServiceTier, usage: &r.Usage, err: &r.Error}
	return decodeEnvelope(root, e, &r.Choices, decodeResponseChoice)
}

var responseChoiceKeys = []string{"index", "message", "finish_reason", "logprobs"}

func decodeResponseChoice(e gjson.Result, ch *llm.Choice) error {
	return jsonx.Object(e, func(k, v gjson.Result) error {
		if k.Str == "message" {
			return decodeMessage(v, &ch.Message)
		}
		return decodeChoiceField(k, v, responseChoiceKeys, &ch.Index, &ch.FinishReason, &ch.Logprobs)
	})
}

var messageKeys = []string{"role", "content", "name", "tool_calls", "tool_call_id", "refusal", "annotations", "reasoning_content",
	"thinking_blocks", "audio", "cache_control", "provider_specific_fields"}

func decodeMessage(v gjson.Result, m *llm.Message) error {
	return jsonx.Object(v, func(k, v gjson.Result) error {
		switch k.Str {
		case "role":
			return decodeRole(v, &m.Role)
		case "content":
			return decodeContent(v, &m.Content)
		case "name":
			return jsonx.Str(v, &m.Name)
		case "tool_calls":
			return jsonx.Array(v, &m.ToolCalls, int(v.Get("#").Int()), decodeToolCall)
		case "tool_call_id":
			return jsonx.Str(v, &m.ToolCallID)
		case "refusal":
			return jsonx.Str(v, &m.Refusal)
		case "reasoning_content":
			return jsonx.Str(v, &m.ReasoningContent)
		case "annotations":
			return jsonx.Slow(v, &m.Annotations)
		case "thinking_blocks":
			return jsonx.Slow(v, &m.ThinkingBlocks)
		case "audio":
			return jsonx.Slow(v, &m.Audio)
		case "cache_control":
			return jsonx.Slow(v, &m.CacheControl)
		case "provider_specific_fields":
			return jsonx.Slow(v, &m.ProviderSpecificFields)
		}
		return jsonx.UnknownKey(k, messageKeys)
	})
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

func decodeToolCall(e gjson.Result, tc *llm.ToolCall) error {
	return jsonx.Object(e, func(k, v gjson.Result) error {
		return decodeToolCallField(k, v, toolCallKeys, toolCall{&tc.ID, &tc.Type, &tc.Function.Name, &tc.Function.Arguments, &tc.ProviderSpecificFields})
	})
}
