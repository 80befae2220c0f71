package bedrock

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
)

// maxBlocks bounds the content block index a stream may use, so that a
// corrupt index cannot make the decoder allocate without limit.
const maxBlocks = 4096

// frameError returns the error carried by an exception or error message of
// an event stream, or nil for an event.
func frameError(m *eventstream.Message) *llm.Error {
	switch string(m.Value(":message-type")) {
	case "exception":
		name := string(m.Value(":exception-type"))
		var p struct {
			Message            string `json:"message"`
			OriginalStatusCode int64  `json:"originalStatusCode"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			p.Message = strings.TrimSpace(string(m.Payload))
		}
		return exception(0, name, p.Message, p.OriginalStatusCode)
	case "error":
		return exception(0, string(m.Value(":error-code")), string(m.Value(":error-message")), 0)
	}
	return nil
}

type blockKind uint8

const (
	blockText blockKind = iota
	blockTool
	blockJSON // JSONTool: its input is content
	blockReasoning
)

type blockState struct {
	kind      blockKind
	call      int  // tool call index
	args      bool // a tool call's arguments were sent
	thinking  strings.Builder
	signature string
	redacted  string
}

// converseDecoder turns ConverseStream events into chunks, one event-stream
// message at a time. It serves one stream.
type converseDecoder struct {
	id      string
	model   string
	created int64
	calls   int // tool calls seen: the next call's index
	json    bool
	blocks  []*blockState
	finish  string
	stopped bool // messageStop seen
	ev      streamEvent
	// guardrail is set when the request has a guardrail: the text is then
	// kept, for the error of an intervention.
	guardrail  bool
	text       strings.Builder
	intervened bool              // stopReason guardrail_intervened
	unknown    []json.RawMessage // events of unknown types
}

func newConverseDecoder(id, model string) *converseDecoder {
	return &converseDecoder{id: id, model: model, created: time.Now().Unix()}
}

func (d *converseDecoder) chunk(delta llm.Delta, finish string) *llm.Chunk {
	return &llm.Chunk{ID: d.id, Object: "chat.completion.chunk", Created: d.created, Model: d.model,
		Choices: []llm.ChunkChoice{{Index: 0, Delta: delta, FinishReason: finish}}}
}

func (d *converseDecoder) block(i int) (*blockState, error) {
	if i < 0 || i >= maxBlocks {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "content block index out of range in the Bedrock stream"}
	}
	for len(d.blocks) <= i {
		d.blocks = append(d.blocks, nil)
	}
	if d.blocks[i] == nil {
		d.blocks[i] = &blockState{}
	}
	return d.blocks[i], nil
}

// decode handles one message. It returns the chunk to yield (nil for none)
// and whether the stream is complete (the metadata event, which carries the
// usage, was seen).
func (d *converseDecoder) decode(m *eventstream.Message) (*llm.Chunk, bool, error) {
	if err := frameError(m); err != nil {
		return nil, false, err
	}
	typ := m.Value(":event-type")
	switch string(typ) {
	case "messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata":
	default:
		// An event type this version does not know: keep it, raw.
		if len(d.unknown) < maxBlocks {
			ev, _ := json.Marshal(map[string]json.RawMessage{string(typ): traceOf(m.Payload)})
			d.unknown = append(d.unknown, ev)
		}
		return nil, false, nil
	}
	ev := &d.ev
	*ev = streamEvent{}
	if err := json.Unmarshal(m.Payload, ev); err != nil {
		return nil, false, badResponse(err, m.Payload)
	}
	switch string(typ) {
	case "messageStart":
		return d.chunk(llm.Delta{Role: llm.RoleAssistant}, ""), false, nil
	case "contentBlockStart":
		b, err := d.block(ev.ContentBlockIndex)
		if err != nil {
			return nil, false, err
		}
		if ev.Start == nil || ev.Start.ToolUse == nil {
			return nil, false, nil
		}
		tu := ev.Start.ToolUse
		if tu.Name == JSONTool {
			b.kind = blockJSON
			d.json = true
			return nil, false, nil
		}
		b.kind, b.call = blockTool, d.calls
		d.calls++
		return d.chunk(llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: b.call, ID: tu.ToolUseID, Type: "function",
			Function: llm.FunctionCallDelta{Name: tu.Name}}}}, ""), false, nil
	case "contentBlockDelta":
		if ev.Delta == nil {
			return nil, false, badResponse(nil, m.Payload)
		}
		b, err := d.block(ev.ContentBlockIndex)
		if err != nil {
			return nil, false, err
		}
		return d.delta(b, ev.Delta), false, nil
	case "contentBlockStop":
		b, err := d.block(ev.ContentBlockIndex)
		if err != nil {
			return nil, false, err
		}
		if b.kind == blockTool && !b.args {
			// A call of a tool without parameters streams no input;
			// Converse gives its input as {}, and so does the stream.
			b.args = true
			return d.chunk(llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: b.call, Function: llm.FunctionCallDelta{Arguments: "{}"}}}}, ""), false, nil
		}
		if b.kind != blockReasoning {
			return nil, false, nil
		}
		tb := llm.ThinkingBlock{Type: "thinking", Thinking: b.thinking.String(), Signature: b.signature}
		if b.redacted != "" {
			tb = llm.ThinkingBlock{Type: "redacted_thinking", Data: b.redacted}
		}
		return d.chunk(llm.Delta{ThinkingBlocks: []llm.ThinkingBlock{tb}}, ""), false, nil
	case "messageStop":
		d.stopped = true
		d.intervened = ev.StopReason == stopGuardrail
		d.finish = finishReason(ev.StopReason)
		if d.json && d.calls == 0 && d.finish == llm.FinishToolCalls {
			d.finish = llm.FinishStop
		}
		return nil, false, nil
	case "metadata":
		if d.intervened {
			return nil, false, guardrailError(d.text.String(), ev.Trace)
		}
		c := d.final()
		t := traceOf(ev.Trace)
		if t != nil || len(d.unknown) > 0 {
			if len(c.Choices) == 0 {
				c.Choices = []llm.ChunkChoice{{}}
			}
			psf := map[string]any{}
			if t != nil {
				psf[PSFTrace] = t
			}
			if len(d.unknown) > 0 {
				psf[PSFUnknown] = d.unknown
			}
			c.Choices[0].Delta.ProviderSpecificFields = psf
		}
		c.Usage = usageOf(ev.Usage)
		if c.Usage == nil {
			c.Usage = &llm.Usage{}
		}
		return c, true, nil
	}
	return nil, false, nil
}

func (d *converseDecoder) delta(b *blockState, dl *blockDelta) *llm.Chunk {
	switch {
	case dl.ToolUse != nil:
		switch b.kind {
		case blockJSON:
			if dl.ToolUse.Input != "" {
				return d.chunk(llm.Delta{Content: dl.ToolUse.Input}, "")
			}
		case blockTool:
			if dl.ToolUse.Input != "" {
				b.args = true
				return d.chunk(llm.Delta{ToolCalls: []llm.ToolCallDelta{{Index: b.call, Function: llm.FunctionCallDelta{Arguments: dl.ToolUse.Input}}}}, "")
			}
		}
		return nil
	case dl.ReasoningContent != nil:
		rc := dl.ReasoningContent
		b.kind = blockReasoning
		b.thinking.WriteString(rc.Text)
		if rc.Signature != "" {
			b.signature = rc.Signature
		}
		if rc.RedactedContent != "" {
			b.redacted = rc.RedactedContent
		}
		if rc.Text != "" {
			return d.chunk(llm.Delta{ReasoningContent: rc.Text}, "")
		}
		return nil
	case dl.Text != "":
		if d.guardrail {
			d.text.WriteString(dl.Text)
		}
		return d.chunk(llm.Delta{Content: dl.Text}, "")
	}
	return nil
}

// final returns the last chunk: the finish reason, if messageStop gave one.
func (d *converseDecoder) final() *llm.Chunk {
	if d.finish == "" {
		return &llm.Chunk{ID: d.id, Object: "chat.completion.chunk", Created: d.created, Model: d.model, Choices: []llm.ChunkChoice{}}
	}
	return d.chunk(llm.Delta{}, d.finish)
}
