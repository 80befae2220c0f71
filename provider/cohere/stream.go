package cohere

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/llmux/llm/internal/sse"
	"github.com/tidwall/gjson"
)

// event is any v2 stream event; which fields are set depends on Type.
type event struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Index int    `json:"index"`
	Delta struct {
		Message struct {
			Role      string       `json:"role"`
			Content   eventContent `json:"content"`
			ToolPlan  string       `json:"tool_plan"`
			ToolCalls toolCall     `json:"tool_calls"`
			Citations *Citation    `json:"citations"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
		Usage        *usage `json:"usage"`
		Error        string `json:"error"`
	} `json:"delta"`
	Logprobs *logprobItem `json:"logprobs"` // content-delta
}

type eventContent struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Thinking string `json:"thinking"`
}

// startEvent is message-start, whose content, tool_calls and citations are
// empty lists rather than the single objects of the other events.
type startEvent struct {
	ID string `json:"id"`
}

// CompletionStream implements llm.Streamer.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		body, err := encodeRequest(req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := send(ctx, cfg, "/v2/chat", body, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		sbody, raw, err := httpx.StreamBody(resp, cfg.MaxResponseBytes)
		if err == nil && raw != nil && gjson.GetBytes(raw, "message").Type == gjson.String && !gjson.GetBytes(raw, "type").Exists() {
			err = errorFromBody(0, resp.Header, raw) // an error envelope in a 200 answer
		}
		if err != nil {
			yield(nil, err)
			return
		}
		s := streamDecoder{meta: &llm.Meta{Header: resp.Header}, model: req.Model, created: time.Now().Unix()}
		dec := sse.NewDecoder(sbody)
		dec.SetMaxEventSize(cfg.MaxEventBytes)
		for {
			ev, err := dec.Next()
			if err == io.EOF {
				yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the stream ended before message-end", Err: io.ErrUnexpectedEOF})
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			c, err := s.decode(ev.Data)
			if err != nil {
				yield(nil, err)
				return
			}
			if c != nil && !yield(c, nil) {
				return
			}
			if s.done {
				httpx.Drain(resp.Body)
				return
			}
		}
	}
}

// streamDecoder turns the events of one stream into chunks.
type streamDecoder struct {
	meta      *llm.Meta
	model     string
	id        string
	created   int64
	calls     []int // Cohere's index of each tool call, by our index
	citations []Citation
	toolPlan  strings.Builder
	unknown   []json.RawMessage // events of unknown types, raw
	other     []int64           // indexes of the content items of unknown types
	started   bool              // message-start was seen
	done      bool
	ev        event         // reused for every event
	jdec      jsonx.Decoder // reused for every event
}

// chunkAlloc holds a chunk and its one choice, so that both come from one
// allocation.
type chunkAlloc struct {
	chunk  llm.Chunk
	choice [1]llm.ChunkChoice
}

func (s *streamDecoder) chunk() (*llm.Chunk, *llm.ChunkChoice) {
	a := new(chunkAlloc)
	a.chunk = llm.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model, Meta: s.meta, Choices: a.choice[:]}
	return &a.chunk, &a.choice[0]
}

// callIndex returns our index of the tool call Cohere numbers i.
func (s *streamDecoder) callIndex(i int) int {
	for k, ci := range s.calls {
		if ci == i {
			return k
		}
	}
	s.calls = append(s.calls, i)
	return len(s.calls) - 1
}

// decode translates one event's data; it returns a nil chunk for events
// that carry nothing to yield.
func (s *streamDecoder) decode(data []byte) (*llm.Chunk, error) {
	if string(data) == "[DONE]" {
		s.done = true
		return nil, nil
	}
	// message-start comes first, once; sniffing its type only until then
	// keeps later events to one decode.
	if !s.started && gjson.GetBytes(data, "type").Str == "message-start" {
		s.started = true
		var st startEvent
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, badResponse(err, data)
		}
		s.id = st.ID
		c, ch := s.chunk()
		ch.Delta.Role = llm.RoleAssistant
		return c, nil
	}
	s.ev = event{}
	ev := &s.ev
	if err := s.jdec.Decode(data, ev); err != nil {
		// An event of a type we do not know may have any shape, and so may
		// the events of a content item of a type we do not know: keep it.
		if t := gjson.GetBytes(data, "type"); t.Type == gjson.String &&
			(!knownEvent(t.Str) || s.otherItem(t.Str, indexOf(data), gjson.GetBytes(data, "delta.message.content.type").Str)) {
			s.unknown = append(s.unknown, compact(data))
			return nil, nil
		}
		return nil, badResponse(err, data)
	}
	m := &ev.Delta.Message
	switch ev.Type {
	case "content-start", "content-delta", "content-end":
		if (ev.Type == "content-start" || len(s.other) > 0) && s.otherItem(ev.Type, int64(ev.Index), m.Content.Type) {
			s.unknown = append(s.unknown, compact(data))
			return nil, nil
		}
		if ev.Type == "content-end" {
			return nil, nil
		}
		if m.Content.Text == "" && m.Content.Thinking == "" && ev.Logprobs == nil {
			return nil, nil
		}
		c, ch := s.chunk()
		ch.Delta.Content = m.Content.Text
		ch.Delta.ReasoningContent = m.Content.Thinking
		if ev.Logprobs != nil {
			ch.Logprobs = &llm.Logprobs{Content: []llm.TokenLogprob{ev.Logprobs.tokenLogprob()}}
		}
		return c, nil
	case "tool-plan-delta":
		if m.ToolPlan == "" {
			return nil, nil
		}
		s.toolPlan.WriteString(m.ToolPlan)
		c, ch := s.chunk()
		ch.Delta.ReasoningContent = m.ToolPlan
		return c, nil
	case "tool-call-start":
		tc := m.ToolCalls
		c, ch := s.chunk()
		ch.Delta.ToolCalls = []llm.ToolCallDelta{{Index: s.callIndex(ev.Index), ID: tc.ID, Type: "function",
			Function: llm.FunctionCallDelta{Name: tc.Function.Name, Arguments: tc.Function.Arguments}}}
		return c, nil
	case "tool-call-delta":
		args := m.ToolCalls.Function.Arguments
		if args == "" {
			return nil, nil
		}
		c, ch := s.chunk()
		ch.Delta.ToolCalls = []llm.ToolCallDelta{{Index: s.callIndex(ev.Index), Function: llm.FunctionCallDelta{Arguments: args}}}
		return c, nil
	case "citation-start":
		if m.Citations != nil {
			s.citations = append(s.citations, *m.Citations)
		}
		return nil, nil
	case "message-end":
		s.done = true
		finish, err := finishReason(ev.Delta.FinishReason, ev.Delta.Error, len(s.calls) > 0)
		if err != nil {
			return nil, err
		}
		if ev.Delta.Error != "" {
			return nil, &llm.Error{Kind: llm.KindServer, Message: ev.Delta.Error}
		}
		c, ch := s.chunk()
		ch.FinishReason = finish
		plan := ""
		if len(s.calls) > 0 {
			plan = s.toolPlan.String()
		}
		ch.Delta.ProviderSpecificFields = extras(ev.Delta.Usage, s.citations, plan, s.unknown)
		ch.Delta.Annotations = annotations(s.citations)
		c.Usage = toUsage(ev.Delta.Usage)
		return c, nil
	case "":
		// No type: an error object ({"message": ...}) in the stream.
		if gjson.GetBytes(data, "message").Type == gjson.String {
			return nil, errorFromBody(0, nil, data)
		}
		return nil, badResponse(errNoType, data)
	}
	if !knownEvent(ev.Type) {
		s.unknown = append(s.unknown, compact(data))
	}
	// content-end, tool-call-end, citation-end and debug carry nothing.
	return nil, nil
}

// otherItem reports whether a content event (typ, of the content item at
// index, whose content-start gives the item's type) is about a content item
// of a type the translator does not know, whose events are kept raw. It
// records such an item's index at its content-start.
func (s *streamDecoder) otherItem(typ string, index int64, itemType string) bool {
	switch typ {
	case "content-start":
		if itemType == "" || itemType == "text" || itemType == "thinking" {
			return false
		}
		if index >= 0 && len(s.other) < maxOtherItems {
			s.other = append(s.other, index)
		}
		return true
	case "content-delta", "content-end":
		return index >= 0 && slices.Contains(s.other, index)
	}
	return false
}

// indexOf returns an event's index, or -1 if it has none that is an integer.
func indexOf(data []byte) int64 {
	i := gjson.GetBytes(data, "index")
	if i.Type != gjson.Number || i.Num != float64(int64(i.Num)) {
		return -1
	}
	return int64(i.Num)
}

// maxOtherItems bounds the content items of unknown types a stream tracks.
const maxOtherItems = 1024

// knownEvent reports whether t is an event type of the v2 stream.
func knownEvent(t string) bool {
	switch t {
	case "message-start", "content-start", "content-delta", "content-end", "tool-plan-delta", "tool-call-start",
		"tool-call-delta", "tool-call-end", "citation-start", "citation-end", "message-end", "debug":
		return true
	}
	return false
}

const errNoType = constError("event without a type")
