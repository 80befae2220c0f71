package openai

import (
	"bytes"
	"encoding/json"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// editBody applies the Spec's Unsupported and Rename to an encoded request
// body in one pass over its top-level fields, keeping their order.
func (p *Provider) editBody(body []byte, model string, drop bool) ([]byte, error) {
	root := gjson.ParseBytes(body)
	touched := false
	for _, name := range p.spec.Unsupported {
		if root.Get(gjson.Escape(name)).Exists() {
			if !drop {
				return nil, llm.UnsupportedParam(name, "model "+model)
			}
			touched = true
		}
	}
	for from := range p.spec.Rename {
		if root.Get(gjson.Escape(from)).Exists() {
			touched = true
		}
	}
	if !touched {
		return body, nil
	}
	out := make([]byte, 0, len(body)+16)
	out = append(out, '{')
	first := true
	var err error
	root.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		for _, u := range p.spec.Unsupported {
			if name == u {
				return true
			}
		}
		if to, ok := p.spec.Rename[name]; ok {
			if root.Get(gjson.Escape(to)).Exists() {
				return true // the body already names the target (from Extra): it wins
			}
			name = to
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		var kb []byte
		if kb, err = json.Marshal(name); err != nil {
			return false
		}
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, v.Raw...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}

// hasError reports whether a JSON answer or event carries an error: an
// "error" field that is not null, or OpenAI-style {"object": "error"}.
func hasError(b []byte) bool {
	if !bytes.Contains(b, []byte(`"error"`)) {
		return false
	}
	r := gjson.GetManyBytes(b, "error", "object")
	return (r[0].Exists() && r[0].Type != gjson.Null) || r[1].Str == "error"
}

// moveReasoning copies the text of the Spec's ReasoningField into
// ReasoningContent, for a response's choices or a chunk's. It reads the
// field with gjson only when the raw JSON names it, so that answers without
// reasoning cost one byte scan.
func (p *Provider) moveReasoning(raw []byte, choices []llm.Choice, chunkChoices []llm.ChunkChoice) {
	field := p.spec.ReasoningField
	if !bytes.Contains(raw, p.reasoningKey) {
		return
	}
	// The common case, one choice, in one lookup.
	if len(choices) == 1 && choices[0].Message.ReasoningContent == "" {
		if t := gjson.GetBytes(raw, p.messageReasoning); t.Type == gjson.String {
			choices[0].Message.ReasoningContent = t.Str
		}
		return
	}
	if len(chunkChoices) == 1 && chunkChoices[0].Delta.ReasoningContent == "" {
		if t := gjson.GetBytes(raw, p.deltaReasoning); t.Type == gjson.String {
			chunkChoices[0].Delta.ReasoningContent = t.Str
		}
		return
	}
	list := gjson.GetBytes(raw, "choices")
	i := 0
	list.ForEach(func(_, c gjson.Result) bool {
		switch {
		case choices != nil && i < len(choices):
			m := &choices[i].Message
			if t := c.Get("message." + field); t.Type == gjson.String && m.ReasoningContent == "" {
				m.ReasoningContent = t.Str
			}
		case chunkChoices != nil && i < len(chunkChoices):
			d := &chunkChoices[i].Delta
			if t := c.Get("delta." + field); t.Type == gjson.String && d.ReasoningContent == "" {
				d.ReasoningContent = t.Str
			}
		}
		i++
		return true
	})
}

// usageAt reads usage from the Spec's UsagePath of a chunk, or nil.
func (p *Provider) usageAt(data []byte) *llm.Usage {
	if !bytes.Contains(data, p.usageKey) {
		return nil
	}
	r := gjson.GetBytes(data, p.spec.UsagePath)
	if !r.IsObject() {
		return nil
	}
	u := new(llm.Usage)
	if err := json.Unmarshal([]byte(r.Raw), u); err != nil {
		return nil
	}
	return u
}

// DecodeChunk decodes the data of one OpenAI stream event with the engine's
// fast decoder. Translators whose DecodeChunk hook handles shapes OpenAI's
// chunk lacks call it first and fall back to their own decoding when it
// fails, so that the common shape costs what it costs for OpenAI.
func DecodeChunk(data []byte) (*llm.Chunk, error) {
	c, err := decodeChunk(data)
	if err != nil {
		return nil, err
	}
	return &c.Chunk, nil
}
