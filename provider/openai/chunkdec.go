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
// token chunk costs three allocations instead of fifteen. Rare fields (tool
// calls, logprobs, usage...) go through encoding/json; input the fast path
// does not handle exactly as encoding/json would (keys differing only in
// case, escaped strings, invalid UTF-8) is decoded by encoding/json whole.
func decodeChunk(data []byte) (*chunk, error) {
	return jsonx.Decode(data, decodeChunkFields)
}

var chunkKeys = []string{"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "usage", "error"}

func decodeChunkFields(root gjson.Result, c *chunk) error {
	var err error
	seenChoices := false
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			err = jsonx.Str(v, &c.ID)
		case "object":
			err = jsonx.Str(v, &c.Object)
		case "created":
			err = jsonx.Int64(v, &c.Created)
		case "model":
			err = jsonx.Str(v, &c.Model)
		case "system_fingerprint":
			err = jsonx.Str(v, &c.SystemFingerprint)
		case "service_tier":
			err = jsonx.Str(v, &c.ServiceTier)
		case "choices":
			if seenChoices {
				// encoding/json merges a repeated array into the first
				// element by element: leave that to it.
				err = jsonx.ErrSlowPath
				break
			}
			seenChoices = true
			err = decodeChoices(v, &c.Choices)
		case "usage":
			err = jsonx.Slow(v, &c.Usage)
		case "error":
			err = jsonx.Slow(v, &c.Error)
		default:
			err = jsonx.UnknownKey(k, chunkKeys)
		}
		return err == nil
	})
	return err
}

var choiceKeys = []string{"index", "delta", "finish_reason", "logprobs"}

func decodeChoices(v gjson.Result, out *[]llm.ChunkChoice) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray():
		return jsonx.ErrSlowPath // let encoding/json report the type error
	}
	choices := make([]llm.ChunkChoice, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		var ch llm.ChunkChoice
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = jsonx.ErrSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "index":
					err = jsonx.Int(v, &ch.Index)
				case "delta":
					err = decodeDelta(v, &ch.Delta)
				case "finish_reason":
					err = jsonx.Str(v, &ch.FinishReason)
				case "logprobs":
					err = jsonx.Slow(v, &ch.Logprobs)
				default:
					err = jsonx.UnknownKey(k, choiceKeys)
				}
				return err == nil
			})
		}
		choices = append(choices, ch)
		return err == nil
	})
	*out = choices
	return err
}

var deltaKeys = []string{"role", "content", "refusal", "tool_calls", "reasoning_content", "thinking_blocks", "audio", "annotations", "provider_specific_fields"}

func decodeDelta(v gjson.Result, d *llm.Delta) error {
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
				d.Role = llm.Role(s)
			}
		case "content":
			err = jsonx.Str(v, &d.Content)
		case "refusal":
			err = jsonx.Str(v, &d.Refusal)
		case "reasoning_content":
			err = jsonx.Str(v, &d.ReasoningContent)
		case "tool_calls":
			err = jsonx.Slow(v, &d.ToolCalls)
		case "thinking_blocks":
			err = jsonx.Slow(v, &d.ThinkingBlocks)
		case "audio":
			err = jsonx.Slow(v, &d.Audio)
		case "annotations":
			err = jsonx.Slow(v, &d.Annotations)
		case "provider_specific_fields":
			err = jsonx.Slow(v, &d.ProviderSpecificFields)
		default:
			err = jsonx.UnknownKey(k, deltaKeys)
		}
		return err == nil
	})
	return err
}
