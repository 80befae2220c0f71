package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

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
// on the last chunk, at message_stop. A text block's citations_delta events
// are held until its content_block_stop, where its web citations go out as
// Annotations (their span is then known) and all of them, so far, under
// CitationsField of ProviderSpecificFields. Any other block (server tools and
// their results, types newer than this translator) goes out raw at its
// content_block_stop, with all such blocks so far, under BlocksField; a
// chunk's ProviderSpecificFields thus replace the previous ones, as Collect
// folds them. ping and unknown event and delta types produce no chunk; an
// error event is returned as the classified error.
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

	runes int               // characters of content sent so far (citation indexes)
	kept  []json.RawMessage // blocks kept raw (BlocksField), so far
	cites []Citation        // citations (CitationsField), so far
}

type blockKind uint8

const (
	kindOther blockKind = iota
	kindText
	kindTool
	kindJSON // JSONTool: its input is content
	kindThinking
	kindRedacted
	kindKept // kept raw: a server tool's block, or a newer type
)

type blockState struct {
	kind      blockKind
	call      int  // tool call index
	hasArgs   bool // an argument fragment was sent
	thinking  []byte
	signature []byte
	data      string

	start int               // kindText: the content's length in characters at the block's start
	cites []json.RawMessage // kindText: its citations
	raw   string            // kindKept: the block from content_block_start
	input []byte            // kindKept: input_json_delta fragments
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
		// An event of a type added after this translator may hold fields
		// of known events' names in other shapes: it is skipped.
		typ, ok := eventType, true
		if typ == "" {
			typ, ok = typeOf(data)
		}
		if ok && json.Valid(data) && !knownEvent(typ) {
			return nil, nil
		}
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
		return d.blockDelta(ev.Index, ev.Delta.Type, ev.Delta.value(), ev.Delta.Citation, data)
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

// knownEvent reports whether typ is an event type the decoder reads.
func knownEvent(typ string) bool {
	switch typ {
	case "message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "error":
		return true
	}
	return false
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
		st.kind, st.start = kindText, d.runes
		for _, c := range cb.Citations {
			st.cites = append(st.cites, compactRaw(c))
		}
		if cb.Text != "" {
			return d.content(cb.Text), nil
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
	default:
		st.kind, st.raw = kindKept, gjson.GetBytes(data, "content_block").Raw
	}
	return nil, nil
}

// content returns a chunk with content s, counting its characters.
func (d *StreamDecoder) content(s string) *llm.Chunk {
	d.runes += utf8.RuneCountInString(s)
	c := d.chunk()
	c.Choices[0].Delta.Content = s
	return c
}

// blockDelta applies a content_block_delta of type typ to block index: s is
// the delta's text, partial_json, thinking or signature (by type), and cite
// a citations_delta's citation.
func (d *StreamDecoder) blockDelta(index int, typ, s string, cite json.RawMessage, data []byte) (*llm.Chunk, error) {
	st, err := d.block(index, data)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "text_delta":
		if s == "" {
			return nil, nil
		}
		return d.content(s), nil
	case "input_json_delta":
		if s == "" {
			return nil, nil
		}
		switch st.kind {
		case kindJSON:
			st.hasArgs = true
			return d.content(s), nil
		case kindTool:
			st.hasArgs = true
			c := d.chunk()
			c.Choices[0].Delta.ToolCalls = []llm.ToolCallDelta{{Index: st.call, Function: llm.FunctionCallDelta{Arguments: s}}}
			return c, nil
		case kindKept:
			st.input = append(st.input, s...) // a server tool's input
		}
		return nil, nil
	case "citations_delta":
		if st.kind == kindText && len(cite) > 0 {
			st.cites = append(st.cites, compactRaw(cite))
		}
		return nil, nil
	case "thinking_delta":
		st.thinking = append(st.thinking, s...)
		if s == "" {
			return nil, nil
		}
		c := d.chunk()
		c.Choices[0].Delta.ReasoningContent = s
		return c, nil
	case "signature_delta":
		st.signature = append(st.signature, s...)
	}
	return nil, nil // delta types added after this translator
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
		if st.kind == kindJSON {
			return d.content("{}"), nil
		}
		c := d.chunk()
		c.Choices[0].Delta.ToolCalls = []llm.ToolCallDelta{{Index: st.call, Function: llm.FunctionCallDelta{Arguments: "{}"}}}
		return c, nil
	case kindText:
		return d.citeStop(st), nil
	case kindKept:
		return d.keptStop(st), nil
	default:
		return nil, nil
	}
	st.thinking, st.signature, st.data = nil, nil, ""
	c := d.chunk()
	c.Choices[0].Delta.ThinkingBlocks = []llm.ThinkingBlock{tb}
	return c, nil
}

// citeStop ends a text block: its citations, now that the span of its text
// is known, go out as annotations and with all citations so far.
func (d *StreamDecoder) citeStop(st *blockState) *llm.Chunk {
	if len(st.cites) == 0 {
		return nil
	}
	c := d.chunk()
	dl := &c.Choices[0].Delta
	for _, raw := range st.cites {
		d.cites = append(d.cites, Citation{StartIndex: st.start, EndIndex: d.runes, Citation: raw})
		if a, ok := annotation(raw, st.start, d.runes); ok {
			dl.Annotations = append(dl.Annotations, a)
		}
	}
	st.cites = nil
	dl.ProviderSpecificFields = map[string]any{CitationsField: d.cites[:len(d.cites):len(d.cites)]}
	return c
}

// keptStop ends a block kept raw: it goes out with all kept blocks so far,
// a server tool's streamed input put in its place.
func (d *StreamDecoder) keptStop(st *blockState) *llm.Chunk {
	raw := []byte(st.raw)
	if !json.Valid(raw) {
		return nil // not a block any API sends (decoding it as an event succeeded)
	}
	if len(st.input) > 0 && json.Valid(st.input) {
		if merged, err := jsonx.MergeObject(raw, map[string]any{"input": json.RawMessage(st.input)}); err == nil {
			raw = merged
		}
	}
	d.kept = append(d.kept, compactRaw(raw))
	st.raw, st.input = "", nil
	c := d.chunk()
	c.Choices[0].Delta.ProviderSpecificFields = map[string]any{BlocksField: d.kept[:len(d.kept):len(d.kept)]}
	return c
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
	var field string
	switch typ.Str {
	case "text_delta":
		field = "text"
	case "input_json_delta":
		field = "partial_json"
	case "thinking_delta":
		field = "thinking"
	case "signature_delta":
		field = "signature"
	default:
		return nil, nil, false
	}
	v := dr.Get(field)
	if v.Type != gjson.String {
		return nil, nil, false
	}
	var str string
	if err := jsonx.Str(v, &str); err != nil { // jsonx.Str replaces invalid UTF-8 as encoding/json does; it cannot fail on a valid string
		return nil, badResponse(err, data), true
	}
	c, err = d.blockDelta(int(index.Int()), typ.Str, str, nil, data)
	return c, err, true
}
