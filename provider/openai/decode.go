package openai

import (
	"encoding/json"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// The wire objects that a chat response (respdec.go) and a stream chunk
// (chunkdec.go) share are decoded here, by one piece of code for both fast
// decoders: the envelope, the keys common to their choices and tool calls,
// function calls, logprobs and usage.

// envelope points at the fields of a chat response or a chunk other than
// its choices.
type envelope struct {
	id, object, model, fingerprint, tier *string
	created                              *int64
	usage                                **llm.Usage
	err                                  *json.RawMessage
}

var envelopeKeys = []string{"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "usage", "error"}

// decodeEnvelope decodes a chat response or a chunk: its fields into e, and
// each of its choices with choice.
func decodeEnvelope[C any](root gjson.Result, e envelope, choices *[]C, choice func(gjson.Result, *C) error) error {
	return jsonx.Object(root, func(k, v gjson.Result) error {
		switch k.Str {
		case "id":
			return jsonx.Str(v, e.id)
		case "object":
			return jsonx.Str(v, e.object)
		case "created":
			return jsonx.Int64(v, e.created)
		case "model":
			return jsonx.Str(v, e.model)
		case "system_fingerprint":
			return jsonx.Str(v, e.fingerprint)
		case "service_tier":
			return jsonx.Str(v, e.tier)
		case "choices":
			return jsonx.Array(v, choices, 1, choice)
		case "usage":
			return decodeUsage(v, e.usage)
		case "error":
			return jsonx.Slow(v, e.err)
		}
		return jsonx.UnknownKey(k, envelopeKeys)
	})
}

// decodeChoiceField decodes a key that a response's choice and a chunk's
// share (index, finish_reason, logprobs); any other key is checked against
// keys, the choice's own.
func decodeChoiceField(k, v gjson.Result, keys []string, index *int, finish *string, logprobs **llm.Logprobs) error {
	switch k.Str {
	case "index":
		return jsonx.Int(v, index)
	case "finish_reason":
		return jsonx.Str(v, finish)
	case "logprobs":
		return decodeLogprobs(v, logprobs)
	}
	return jsonx.UnknownKey(k, keys)
}

// decodeRole decodes a message's or a delta's role (null leaves it as it
// is).
func decodeRole(v gjson.Result, role *llm.Role) error {
	var s string
	err := jsonx.Str(v, &s)
	if v.Type != gjson.Null {
		*role = llm.Role(s)
	}
	return err
}

// toolCall points at the fields that a tool call and a tool-call delta
// share.
type toolCall struct {
	id, typ, name, args *string
	fields              *map[string]any // provider_specific_fields
}

// decodeToolCallField decodes a key that a tool call and a tool-call delta
// share (id, type, function, provider_specific_fields); any other key is
// checked against keys, the call's own.
func decodeToolCallField(k, v gjson.Result, keys []string, tc toolCall) error {
	switch k.Str {
	case "id":
		return jsonx.Str(v, tc.id)
	case "type":
		return jsonx.Str(v, tc.typ)
	case "function":
		return decodeFunction(v, tc.name, tc.args)
	case "provider_specific_fields":
		return jsonx.Slow(v, tc.fields)
	}
	return jsonx.UnknownKey(k, keys)
}

var functionKeys = []string{"name", "arguments"}

// decodeFunction decodes a function call (or a piece of one) into its name
// and arguments.
func decodeFunction(v gjson.Result, name, args *string) error {
	return jsonx.Object(v, func(k, v gjson.Result) error {
		switch k.Str {
		case "name":
			return jsonx.Str(v, name)
		case "arguments":
			return jsonx.Str(v, args)
		}
		return jsonx.UnknownKey(k, functionKeys)
	})
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
	return jsonx.Object(v, func(k, v gjson.Result) error {
		switch k.Str {
		case "prompt_tokens":
			return jsonx.Int(v, &u.PromptTokens)
		case "completion_tokens":
			return jsonx.Int(v, &u.CompletionTokens)
		case "total_tokens":
			return jsonx.Int(v, &u.TotalTokens)
		case "prompt_tokens_details":
			d := &u.PromptTokensDetails
			return decodeCounts(v, promptDetailKeys, []*int{&d.CachedTokens, &d.AudioTokens, &d.ImageTokens, &d.TextTokens,
				&d.CacheCreationTokens, &d.CacheCreation1hTokens})
		case "completion_tokens_details":
			d := &u.CompletionTokensDetails
			return decodeCounts(v, completionDetailKeys, []*int{&d.ReasoningTokens, &d.AudioTokens, &d.ImageTokens,
				&d.AcceptedPredictionTokens, &d.RejectedPredictionTokens, &d.VideoTokens})
		case "server_tool_use":
			return jsonx.Slow(v, &u.ServerToolUse)
		}
		return jsonx.UnknownKey(k, usageKeys)
	})
}

// The keys of the token details, in the order of the fields decodeUsage
// gives decodeCounts for them.
var (
	promptDetailKeys     = []string{"cached_tokens", "audio_tokens", "image_tokens", "text_tokens", "cache_creation_tokens", "cache_creation_1h_tokens"}
	completionDetailKeys = []string{"reasoning_tokens", "audio_tokens", "image_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens", "video_tokens"}
)

// decodeCounts decodes an object of integer counts into a struct value
// (null leaves it as it is, as encoding/json does): the count of keys[i]
// goes to fields[i].
func decodeCounts(v gjson.Result, keys []string, fields []*int) error {
	return jsonx.Object(v, func(k, v gjson.Result) error {
		for i, key := range keys {
			if k.Str == key {
				return jsonx.Int(v, fields[i])
			}
		}
		return jsonx.UnknownKey(k, keys)
	})
}
