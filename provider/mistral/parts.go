package mistral

import (
	"encoding/json"
	"maps"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/tidwall/gjson"
)

// Mistral's messages differ from OpenAI's (its OpenAPI description,
// ContentChunk): the roles are system, user, assistant and tool; a document
// is a DocumentURLChunk {"type": "document_url", "document_url",
// "document_name"} or, once uploaded, a FileChunk {"type": "file",
// "file_id"}; audio is an AudioChunk whose input_audio is the bare base64
// string.

// systemRole sends developer messages as system messages. It returns the
// messages, copied when one changes.
func systemRole(msgs []llm.Message) []llm.Message {
	var out []llm.Message
	for i := range msgs {
		if msgs[i].Role != llm.RoleDeveloper {
			continue
		}
		if out == nil {
			out = make([]llm.Message, len(msgs))
			copy(out, msgs)
		}
		out[i].Role = llm.RoleSystem
	}
	if out == nil {
		return msgs
	}
	return out
}

// mistralChunk is a content chunk of Mistral's own shape.
type mistralChunk struct {
	Type         string `json:"type"`
	DocumentURL  string `json:"document_url,omitempty"`
	DocumentName string `json:"document_name,omitempty"`
	FileID       string `json:"file_id,omitempty"`
	InputAudio   string `json:"input_audio,omitempty"`
}

// chunkOf returns Mistral's chunk for a file or audio part, or an
// llm.KindUnsupported error for one Mistral cannot take; ok is false for
// the parts OpenAI's shape serves.
func chunkOf(p *llm.Part) (c mistralChunk, ok bool, err error) {
	switch {
	case p.Type == llm.PartFile && p.File != nil:
		f := p.File
		id := f.FileID
		switch {
		case f.FileData != "" || strings.HasPrefix(id, "data:"):
			return c, false, llm.Errorf(llm.KindUnsupported, "mistral: a file part's file_data (an inline document) is not supported: Mistral takes a document by URL or by the id of a file uploaded to it (File.FileID)")
		case strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://"):
			return mistralChunk{Type: "document_url", DocumentURL: id, DocumentName: f.Filename}, true, nil
		case id != "":
			return mistralChunk{Type: "file", FileID: id}, true, nil
		}
	case p.Type == llm.PartInputAudio && p.InputAudio != nil && p.InputAudio.Data != "":
		return mistralChunk{Type: "input_audio", InputAudio: p.InputAudio.Data}, true, nil
	}
	return c, false, nil
}

// mistralParts rewrites the file and audio parts of r's messages into
// Mistral's chunks. The engine encodes messages in OpenAI's shape, so the
// rewritten messages go in Extra's "messages", which replaces them in the
// body; Extra is copied. An explicit "messages" in Extra is left alone.
func mistralParts(r *llm.CompletionRequest) error {
	type edit struct {
		msg, part int
		chunk     mistralChunk
	}
	var edits []edit
	for i := range r.Messages {
		parts := r.Messages[i].Content.Parts
		for j := range parts {
			c, ok, err := chunkOf(&parts[j])
			if err != nil {
				return err
			}
			if ok {
				edits = append(edits, edit{i, j, c})
			}
		}
	}
	if len(edits) == 0 {
		return nil
	}
	if _, ok := r.Extra["messages"]; ok {
		return nil
	}
	// The messages as the engine sends them (without the fields that are
	// ours), then each edited part replaced.
	body, err := openai.EncodeRequest(&llm.CompletionRequest{Model: r.Model, Messages: r.Messages}, &llm.Config{}, false)
	if err != nil {
		return err
	}
	msgs := gjson.GetBytes(body, "messages").Array()
	out := []byte{'['}
	k := 0
	for i, m := range msgs {
		if i > 0 {
			out = append(out, ',')
		}
		if k == len(edits) || edits[k].msg != i {
			out = append(out, m.Raw...)
			continue
		}
		content := m.Get("content").Array()
		parts := make([]json.RawMessage, len(content))
		for j, p := range content {
			parts[j] = json.RawMessage(p.Raw)
		}
		for ; k < len(edits) && edits[k].msg == i; k++ {
			b, err := json.Marshal(edits[k].chunk)
			if err != nil {
				return err
			}
			if edits[k].part >= len(parts) {
				return llm.Errorf(llm.KindInvalidRequest, "mistral: messages[%d]: part %d not encoded", i, edits[k].part)
			}
			parts[edits[k].part] = b
		}
		pb, err := json.Marshal(parts)
		if err != nil {
			return err
		}
		mb, err := setContent([]byte(m.Raw), pb)
		if err != nil {
			return err
		}
		out = append(out, mb...)
	}
	out = append(out, ']')
	extra := maps.Clone(r.Extra)
	if extra == nil {
		extra = map[string]any{}
	}
	extra["messages"] = json.RawMessage(out)
	r.Extra = extra
	return nil
}

// setContent replaces the "content" of the JSON object msg.
func setContent(msg, content []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(msg, &fields); err != nil {
		return nil, err
	}
	fields["content"] = content
	return json.Marshal(fields)
}
