package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/tidwall/gjson"
)

// StreamDecoder turns the Messages API's streaming events into OpenAI-shaped
// chunks, one event at a time. It is the state machine behind
// Provider.CompletionStream and is exported for the platforms that carry the
// same events in another framing (Bedrock's event stream, Vertex AI's SSE).
// The zero value is ready to use; a StreamDecoder serves one stream.
//
// message_start gives the first chunk (role, id, model) and the input token
// counts, which are held; text_delta becomes Content, thinking_delta
// ReasoningContent, input_json_delta a tool call's argument fragment (after a
// first chunk with its index, id and name at content_block_start); a
// thinking or redacted_thinking block goes out whole in ThinkingBlocks at its
// content_block_stop; message_delta's stop reason and usage are held and sent
// on the last chunk, at message_stop. ping and unknown event types produce no
// chunk; an error event is returned as the classified error.
type StreamDecoder struct {
	id      string
	model   string
	created int64
	usage   usage
	finish  string
	calls   int          // tool calls seen (the next call's index)
	blocks  []blockState // by content block index
	done    bool         // message_stop seen
	ev      event        // reused decode target

}

type blockKind uint8

const (
	kindOther blockKind = iota
	kindText
	kindTool
	kindJSON // JSONTool: its input is content
	kindThinking
	kindRedacted
)

type blockState struct {
	kind      blockKind
	call      int  // tool call index
	hasArgs   bool // an argument fragment was sent
	thinking  []byte
	signature []byte
	data      string
}

// Done reports whether message_stop was seen: a stream that ends before it
// was cut short.
func (d *StreamDecoder) Done() bool { return d.done }

// Decode decodes one event. eventType is the SSE event name, or "" to take
// it from the JSON's type field (as on Bedrock). It returns a nil chunk for
// events that produce none. data is not retained.
func (d *StreamDecoder) Decode(eventType string, data []byte) (*llm.Chunk, error) {
	if eventType == "content_block_delta" || (eventType == "" && bytes.Contains(data, []byte(`"content_block_delta"`))) {
		if c, err, ok := d.fastDelta(data); ok {
			return c, err
		}
	}
	ev := &d.ev
	*ev = event{}
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, badResponse(err, data)
	}
	typ := eventType
	if typ == "" {
		typ = ev.Type
	}
	switch typ {
	case "message_start":
		if ev.Message == nil {
			return nil, badResponse(nil, data)
		}
		d.id, d.model, d.created = ev.Message.ID, ev.Message.Model, time.Now().Unix()
		d.usage.merge(&ev.Message.Usage)

		c := d.chunk()
		c.Choices[0].Delta.Role = llm.RoleAssistant
		return c, nil
	case "content_block_start":
		return d.blockStart(ev, data)
	case "content_block_delta":
		if ev.Delta == nil {
			return nil, badResponse(nil, data)
		}
		return d.blockDelta(ev.Index, ev.Delta, data)
	case "content_block_stop":
		return d.blockStop(ev)
	case "message_delta":
		if ev.Delta != nil && ev.Delta.StopReason != "" {
			d.finish = ev.Delta.StopReason
		}
		if ev.Usage != nil {
			d.usage.merge(ev.Usage)
		}
		return nil, nil
	case "message_stop":
		d.done = true
		c := d.chunk()
		c.Choices[0].FinishReason = finishReason(d.finish, d.calls == 0 && d.hasJSONTool())
		c.Usage = d.usage.toLLM()
		return c, nil
	case "error":
		return nil, ClassifyError(0, nil, data)
	}
	return nil, nil // ping and event types added after this translator
}

func (d *StreamDecoder) hasJSONTool() bool {
	for i := range d.blocks {
		if d.blocks[i].kind == kindJSON {
			return true
		}
	}
	return false
}

// chunkAlloc holds a chunk and its one choice, so that both take one
// allocation.
type chunkAlloc struct {
	chunk  llm.Chunk
	choice [1]llm.ChunkChoice
}

// chunk returns a new chunk with one empty choice.
func (d *StreamDecoder) chunk() *llm.Chunk {
	a := &chunkAlloc{chunk: llm.Chunk{ID: d.id, Object: "chat.completion.chunk", Created: d.created, Model: d.model}}
	a.chunk.Choices = a.choice[:]
	return &a.chunk
}

const maxBlocks = 1 << 16

func (d *StreamDecoder) block(i int, data []byte) (*blockState, error) {
	if i < 0 || i >= maxBlocks {
		return nil, badResponse(nil, data)
	}
	for len(d.blocks) <= i {
		d.blocks = append(d.blocks, blockState{})
	}
	return &d.blocks[i], nil
}

func (d *StreamDecoder) blockStart(ev *event, data []byte) (*llm.Chunk, error) {
	cb := ev.ContentBlock
	if cb == nil {
		return nil, badResponse(nil, data)
	}
	st, err := d.block(ev.Index, data)
	if err != nil {
		return nil, err
	}
	*st = blockState{}
	switch cb.Type {
	case "text":
		st.kind = kindText
		if cb.Text != "" {
			c := d.chunk()
			c.Choices[0].Delta.Content = cb.Text
			return c, nil
		}
	case "tool_use":
		if cb.Name == JSONTool {
			st.kind = kindJSON
			return nil, nil
		}
		st.kind, st.call = kindTool, d.calls
		d.calls++
		c := d.chunk()
		c.Choices[0].Delta.ToolCalls = []llm.ToolCallDelta{{Index: st.call, ID: cb.ID, Type: "function",
			Function: llm.FunctionCallDelta{Name: cb.Name}}}
		return c, nil
	case "thinking":
		st.kind = kindThinking
		st.thinking = append(st.thinking, cb.Thinking...)
		st.signature = append(st.signature, cb.Signature...)
		if cb.Thinking != "" {
			c := d.chunk()
			c.Choices[0].Delta.ReasoningContent = cb.Thinking
			return c, nil
		}
	case "redacted_thinking":
		st.kind, st.data = kindRedacted, cb.Data
	}
	return nil, nil
}

func (d *StreamDecoder) blockDelta(index int, dl *delta, data []byte) (*llm.Chunk, error) {
	st, err := d.block(index, data)
	if err != nil {
		return nil, err
	}
	switch dl.Type {
	case "text_delta":
		if dl.Text == "" {
			return nil, nil
		}
		c := d.chunk()
		c.Choices[0].Delta.Content = dl.Text
		return c, nil
	case "input_json_delta":
		if dl.PartialJSON == "" {
			return nil, nil
		}
		c := d.chunk()
		switch st.kind {
		case kindJSON:
			st.hasArgs = true
			c.Choices[0].Delta.Content = dl.PartialJSON
		case kindTool:
			st.hasArgs = true
			c.Choices[0].Delta.ToolCalls = []llm.ToolCallDelta{{Index: st.call, Function: llm.FunctionCallDelta{Arguments: dl.PartialJSON}}}
		default:
			return nil, nil // a server tool's input
		}
		return c, nil
	case "thinking_delta":
		st.thinking = append(st.thinking, dl.Thinking...)
		if dl.Thinking == "" {
			return nil, nil
		}
		c := d.chunk()
		c.Choices[0].Delta.ReasoningContent = dl.Thinking
		return c, nil
	case "signature_delta":
		st.signature = append(st.signature, dl.Signature...)
	}
	return nil, nil // citations_delta and later delta types
}

func (d *StreamDecoder) blockStop(ev *event) (*llm.Chunk, error) {
	if ev.Index < 0 || ev.Index >= len(d.blocks) {
		return nil, nil
	}
	st := &d.blocks[ev.Index]
	var tb llm.ThinkingBlock
	switch st.kind {
	case kindThinking:
		tb = llm.ThinkingBlock{Type: "thinking", Thinking: string(st.thinking), Signature: string(st.signature)}
	case kindRedacted:
		tb = llm.ThinkingBlock{Type: "redacted_thinking", Data: st.data}
	case kindTool, kindJSON:
		if st.hasArgs {
			return nil, nil
		}
		// A call without arguments streams no fragment; send "{}" so that
		// the arguments are JSON, as in a non-streamed answer.
		st.hasArgs = true
		c := d.chunk()
		if st.kind == kindJSON {
			c.Choices[0].Delta.Content = "{}"
		} else {
			c.Choices[0].Delta.ToolCalls = []llm.ToolCallDelta{{Index: st.call, Function: llm.FunctionCallDelta{Arguments: "{}"}}}
		}
		return c, nil
	default:
		return nil, nil
	}
	st.thinking, st.signature, st.data = nil, nil, ""
	c := d.chunk()
	c.Choices[0].Delta.ThinkingBlocks = []llm.ThinkingBlock{tb}
	return c, nil
}

// fastDelta decodes a content_block_delta, most of a stream's events, with
// gjson over one copy of the event instead of encoding/json's reflection;
// the delta's strings are substrings of that copy. ok is false when the event
// is not a plain delta of a known type, for the general path to decode.
func (d *StreamDecoder) fastDelta(data []byte) (c *llm.Chunk, err error, ok bool) {
	js := string(data)
	if !gjson.Valid(js) {
		return nil, badResponse(errors.New("invalid JSON"), data), true
	}
	if gjson.Get(js, "type").Str != "content_block_delta" {
		return nil, nil, false
	}
	index, dr := gjson.Get(js, "index"), gjson.Get(js, "delta")
	typ := dr.Get("type")
	if index.Type != gjson.Number || typ.Type != gjson.String {
		return nil, nil, false
	}
	dl := delta{Type: typ.Str}
	var v gjson.Result
	switch dl.Type {
	case "text_delta":
		if v = dr.Get("text"); v.Type == gjson.String {
			err = jsonx.Str(v, &dl.Text)
		}
	case "input_json_delta":
		if v = dr.Get("partial_json"); v.Type == gjson.String {
			err = jsonx.Str(v, &dl.PartialJSON)
		}
	case "thinking_delta":
		if v = dr.Get("thinking"); v.Type == gjson.String {
			err = jsonx.Str(v, &dl.Thinking)
		}
	case "signature_delta":
		if v = dr.Get("signature"); v.Type == gjson.String {
			err = jsonx.Str(v, &dl.Signature)
		}
	default:
		return nil, nil, false
	}
	if v.Type != gjson.String {
		return nil, nil, false
	}
	if err != nil { // jsonx.Str replaces invalid UTF-8 as encoding/json does; it cannot fail on a valid string
		return nil, badResponse(err, data), true
	}
	c, err = d.blockDelta(int(index.Int()), &dl, data)
	return c, err, true
}
