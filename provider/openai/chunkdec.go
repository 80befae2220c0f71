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
			err = decodeUsage(v, &c.Usage)
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
		// Decoded in place: a choice of its own would escape to the heap
		// (the rare fields go through encoding/json) at ~200 bytes a chunk.
		choices = append(choices, llm.ChunkChoice{})
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
				case "delta":
					err = decodeDelta(v, &ch.Delta)
				case "finish_reason":
					err = jsonx.Str(v, &ch.FinishReason)
				case "logprobs":
					err = decodeLogprobs(v, &ch.Logprobs)
				default:
					err = jsonx.UnknownKey(k, choiceKeys)
				}
				return err == nil
			})
		}
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
			err = decodeToolCallDeltas(v, &d.ToolCalls)
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

var toolCallDeltaKeys = []string{"index", "id", "type", "function", "provider_specific_fields"}

// decodeToolCallDeltas decodes a delta's tool_calls, the whole of most
// chunks of a tool-call stream.
func decodeToolCallDeltas(v gjson.Result, out *[]llm.ToolCallDelta) error {
	switch {
	case v.Type == gjson.Null:
		*out = nil
		return nil
	case !v.IsArray() || *out != nil:
		// A repeated key: encoding/json decodes into the elements it has.
		return jsonx.ErrSlowPath
	}
	calls := make([]llm.ToolCallDelta, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		calls = append(calls, llm.ToolCallDelta{})
		tc := &calls[len(calls)-1]
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = jsonx.ErrSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "index":
					err = jsonx.Int(v, &tc.Index)
				case "id":
					err = jsonx.Str(v, &tc.ID)
				case "type":
					err = jsonx.Str(v, &tc.Type)
				case "function":
					err = decodeFunction(v, &tc.Function.Name, &tc.Function.Arguments)
				case "provider_specific_fields":
					err = jsonx.Slow(v, &tc.ProviderSpecificFields)
				default:
					err = jsonx.UnknownKey(k, toolCallDeltaKeys)
				}
				return err == nil
			})
		}
		return err == nil
	})
	*out = calls
	return err
}

var functionKeys = []string{"name", "arguments"}

// decodeFunction decodes a function call (or a piece of one) into its name
// and arguments.
func decodeFunction(v gjson.Result, name, args *string) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return jsonx.ErrSlowPath
	}
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "name":
			err = jsonx.Str(v, name)
		case "arguments":
			err = jsonx.Str(v, args)
		default:
			err = jsonx.UnknownKey(k, functionKeys)
		}
		return err == nil
	})
	return err
}

// decodeLogprobs decodes logprobs, null on almost every chunk.
func decodeLogprobs(v gjson.Result, dst **llm.Logprobs) error {
	if v.Type == gjson.Null {
		*dst = nil // as encoding/json sets a pointer
		return nil
	}
	return jsonx.Slow(v, dst)
}

var usageKeys = []string{"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details", "server_tool_use"}

// decodeUsage decodes usage: null on every chunk but the last of a stream
// that asked for it, and counts on the last.
func decodeUsage(v gjson.Result, dst **llm.Usage) error {
	switch {
	case v.Type == gjson.Null:
		*dst = nil
		return nil
	case !v.IsObject() || *dst != nil:
		return jsonx.ErrSlowPath
	}
	u := new(llm.Usage)
	*dst = u
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens":
			err = jsonx.Int(v, &u.PromptTokens)
		case "completion_tokens":
			err = jsonx.Int(v, &u.CompletionTokens)
		case "total_tokens":
			err = jsonx.Int(v, &u.TotalTokens)
		case "prompt_tokens_details":
			err = decodeInts(v, promptDetailKeys, func(k string) *int {
				d := &u.PromptTokensDetails
				switch k {
				case "cached_tokens":
					return &d.CachedTokens
				case "audio_tokens":
					return &d.AudioTokens
				case "image_tokens":
					return &d.ImageTokens
				case "text_tokens":
					return &d.TextTokens
				case "cache_creation_tokens":
					return &d.CacheCreationTokens
				case "cache_creation_1h_tokens":
					return &d.CacheCreation1hTokens
				}
				return nil
			})
		case "completion_tokens_details":
			err = decodeInts(v, completionDetailKeys, func(k string) *int {
				d := &u.CompletionTokensDetails
				switch k {
				case "reasoning_tokens":
					return &d.ReasoningTokens
				case "audio_tokens":
					return &d.AudioTokens
				case "image_tokens":
					return &d.ImageTokens
				case "accepted_prediction_tokens":
					return &d.AcceptedPredictionTokens
				case "rejected_prediction_tokens":
					return &d.RejectedPredictionTokens
				case "video_tokens":
					return &d.VideoTokens
				}
				return nil
			})
		case "server_tool_use":
			err = jsonx.Slow(v, &u.ServerToolUse)
		default:
			err = jsonx.UnknownKey(k, usageKeys)
		}
		return err == nil
	})
	return err
}

var (
	promptDetailKeys     = []string{"cached_tokens", "audio_tokens", "image_tokens", "text_tokens", "cache_creation_tokens", "cache_creation_1h_tokens"}
	completionDetailKeys = []string{"reasoning_tokens", "audio_tokens", "image_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens", "video_tokens"}
)

// decodeInts decodes an object of integer counts into a struct value (null
// leaves it as it is, as encoding/json does): field returns the field of a
// key, or nil for a key the struct does not have.
func decodeInts(v gjson.Result, keys []string, field func(k string) *int) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return jsonx.ErrSlowPath
	}
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		if f := field(k.Str); f != nil {
			err = jsonx.Int(v, f)
		} else {
			err = jsonx.UnknownKey(k, keys)
		}
		return err == nil
	})
	return err
}
