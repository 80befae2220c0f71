package openai

import (
	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// decodeChunk decodes one stream event's JSON into a chunk, with the same
// result as json.Unmarshal into chunk (a differential fuzz test holds it to
// that), but faster on the common shape: the event is copied to a string
// once and every field without escapes is a substring of it, so a typical
// token chunk costs three allocations instead of fifteen. The fields of
// real streams (nulls included, tool-call fragments, usage) stay on the
// fast path; rare ones (logprobs, audio, thinking blocks...) go through
// encoding/json; input the fast path does not handle exactly as
// encoding/json would (keys differing only in case, \u escapes, invalid
// UTF-8, a key repeated into a value already set) is decoded by
// encoding/json whole.
func decodeChunk(data []byte) (*chunk, error) {
	return jsonx.Decode(data, decodeChunkFields)
}

func decodeChunkFields(root gjson.Result, c *chunk) error {
	e := envelope{id: &c.ID, object: &c.Object, created: &c.Created, model: &c.Model, fingerprint: &c.SystemFingerprint,
		tier: &c.ServiceTier, usage: &c.Usage, err: &c.Error}
	return decodeEnvelope(root, e, &c.Choices, decodeChunkChoice)
}

var choiceKeys = []string{"index", "delta", "finish_reason", "logprobs"}

func decodeChunkChoice(e gjson.Result, ch *llm.ChunkChoice) error {
	return jsonx.Object(e, func(k, v gjson.Result) error {
		if k.Str == "delta" {
			return decodeDelta(v, &ch.Delta)
		}
		return decodeChoiceField(k, v, choiceKeys, &ch.Index, &ch.FinishReason, &ch.Logprobs)
	})
}

var deltaKeys = []string{"role", "content", "refusal", "tool_calls", "reasoning_content", "thinking_blocks", "audio", "annotations", "provider_specific_fields"}

func decodeDelta(v gjson.Result, d *llm.Delta) error {
	return jsonx.Object(v, func(k, v gjson.Result) error {
		switch k.Str {
		case "role":
			return decodeRole(v, &d.Role)
		case "content":
			return jsonx.Str(v, &d.Content)
		case "refusal":
			return jsonx.Str(v, &d.Refusal)
		case "reasoning_content":
			return jsonx.Str(v, &d.ReasoningContent)
		case "tool_calls":
			// The whole of most chunks of a tool-call stream.
			return jsonx.Array(v, &d.ToolCalls, 1, decodeToolCallDelta)
		case "thinking_blocks":
			return jsonx.Slow(v, &d.ThinkingBlocks)
		case "audio":
			return jsonx.Slow(v, &d.Audio)
		case "annotations":
			return jsonx.Slow(v, &d.Annotations)
		case "provider_specific_fields":
			return jsonx.Slow(v, &d.ProviderSpecificFields)
		}
		return jsonx.UnknownKey(k, deltaKeys)
	})
}

var toolCallDeltaKeys = []string{"index", "id", "type", "function", "provider_specific_fields"}

func decodeToolCallDelta(e gjson.Result, tc *llm.ToolCallDelta) error {
	return jsonx.Object(e, func(k, v gjson.Result) error {
		if k.Str == "index" {
			return jsonx.Int(v, &tc.Index)
		}
		return decodeToolCallField(k, v, toolCallDeltaKeys, toolCall{&tc.ID, &tc.Type, &tc.Function.Name, &tc.Function.Arguments, &tc.ProviderSpecificFields})
	})
}
