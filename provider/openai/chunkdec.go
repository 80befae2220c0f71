package openai

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/llmux/llm"
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
	c := new(chunk)
	if !gjson.ValidBytes(data) {
		return c, json.Unmarshal(data, c) // encoding/json's own syntax error
	}
	root := gjson.Parse(string(data))
	if root.Type == gjson.Null {
		return c, nil
	}
	if !root.IsObject() {
		return c, json.Unmarshal(data, c)
	}
	if err := decodeChunkFields(root, c); err != nil {
		*c = chunk{}
		if errors.Is(err, errSlowPath) {
			return c, json.Unmarshal(data, c)
		}
		return c, err
	}
	return c, nil
}

// errSlowPath means the fast path cannot decode the input exactly as
// encoding/json would; the caller decodes it with encoding/json.
var errSlowPath = errors.New("slow path")

var chunkKeys = []string{"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "usage", "error"}

func decodeChunkFields(root gjson.Result, c *chunk) error {
	var err error
	seenChoices := false
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			err = str(v, &c.ID)
		case "object":
			err = str(v, &c.Object)
		case "created":
			err = int64Field(v, &c.Created)
		case "model":
			err = str(v, &c.Model)
		case "system_fingerprint":
			err = str(v, &c.SystemFingerprint)
		case "service_tier":
			err = str(v, &c.ServiceTier)
		case "choices":
			if seenChoices {
				// encoding/json merges a repeated array into the first
				// element by element: leave that to it.
				err = errSlowPath
				break
			}
			seenChoices = true
			err = decodeChoices(v, &c.Choices)
		case "usage":
			err = slow(v, &c.Usage)
		case "error":
			err = slow(v, &c.Error)
		default:
			err = unknownKey(k, chunkKeys)
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
		return errSlowPath // let encoding/json report the type error
	}
	choices := make([]llm.ChunkChoice, 0, 1)
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		var ch llm.ChunkChoice
		switch {
		case e.Type == gjson.Null:
		case !e.IsObject():
			err = errSlowPath
		default:
			e.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "index":
					err = intField(v, &ch.Index)
				case "delta":
					err = decodeDelta(v, &ch.Delta)
				case "finish_reason":
					err = str(v, &ch.FinishReason)
				case "logprobs":
					err = slow(v, &ch.Logprobs)
				default:
					err = unknownKey(k, choiceKeys)
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

var deltaKeys = []string{"role", "content", "refusal", "tool_calls", "reasoning_content", "thinking_blocks", "audio", "provider_specific_fields"}

func decodeDelta(v gjson.Result, d *llm.Delta) error {
	switch {
	case v.Type == gjson.Null:
		return nil
	case !v.IsObject():
		return errSlowPath
	}
	var err error
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			var s string
			err = str(v, &s)
			if v.Type != gjson.Null {
				d.Role = llm.Role(s)
			}
		case "content":
			err = str(v, &d.Content)
		case "refusal":
			err = str(v, &d.Refusal)
		case "reasoning_content":
			err = str(v, &d.ReasoningContent)
		case "tool_calls":
			err = slow(v, &d.ToolCalls)
		case "thinking_blocks":
			err = slow(v, &d.ThinkingBlocks)
		case "audio":
			err = slow(v, &d.Audio)
		case "provider_specific_fields":
			err = slow(v, &d.ProviderSpecificFields)
		default:
			err = unknownKey(k, deltaKeys)
		}
		return err == nil
	})
	return err
}

// str stores a JSON string. null leaves dst unchanged, as encoding/json
// does; escaped strings and invalid UTF-8 take the slow path, since
// encoding/json's unescaping and U+FFFD replacement are the reference.
func str(v gjson.Result, dst *string) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.String:
		if strings.IndexByte(v.Raw, '\\') >= 0 {
			return json.Unmarshal([]byte(v.Raw), dst)
		}
		if !utf8.ValidString(v.Str) {
			return errSlowPath
		}
		*dst = v.Str
		return nil
	}
	return errSlowPath
}

func int64Field(v gjson.Result, dst *int64) error {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.Number:
		n, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil {
			return errSlowPath // 1.5, 1e3, overflow: encoding/json reports it
		}
		*dst = n
		return nil
	}
	return errSlowPath
}

func intField(v gjson.Result, dst *int) error {
	var n int64
	if err := int64Field(v, &n); err != nil {
		return err
	}
	if v.Type == gjson.Number {
		if int64(int(n)) != n {
			return errSlowPath
		}
		*dst = int(n)
	}
	return nil
}

// slow decodes a rare field with encoding/json.
func slow[T any](v gjson.Result, dst *T) error {
	return json.Unmarshal([]byte(v.Raw), dst)
}

// unknownKey ignores a key the type does not have, as encoding/json does,
// unless encoding/json would match it to a field case-insensitively.
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
