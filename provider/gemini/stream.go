package gemini

import (
	"context"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/sse"
	"github.com/tidwall/gjson"
)

// CompletionStream implements llm.Streamer.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		resp, err := p.send(ctx, req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		body, raw, err := httpx.StreamBody(resp, cfg.MaxResponseBytes)
		if err == nil && raw != nil && gjson.GetBytes(raw, "error").Exists() {
			err = errorFromBody(0, resp.Header, raw)
		}
		if err != nil {
			yield(nil, err)
			return
		}
		for c, err := range ReadStream(body, resp.Header, req.Model, cfg.MaxEventBytes) {
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// ReadStream decodes a :streamGenerateContent?alt=sse body into chunks, in
// the caller's goroutine; the caller closes body. Each event is a
// GenerateContentResponse; its usage (repeated on every event) is held and
// sent once, on a final chunk without choices. maxEvent caps one event (0
// means llm.DefaultMaxEventBytes).
func ReadStream(body io.Reader, header http.Header, model string, maxEvent int) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		dec := sse.NewDecoder(body)
		dec.SetMaxEventSize(maxEvent)
		sd := NewStreamDecoder(model)
		meta := &llm.Meta{Header: header}
		for {
			ev, err := dec.Next()
			if err == io.EOF {
				if !sd.Done() {
					yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the stream ended before a finish reason", Err: io.ErrUnexpectedEOF})
					return
				}
				if last := sd.Finish(); last != nil {
					last.Meta = meta
					yield(last, nil)
				}
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			c, err := sd.Decode(ev.Data)
			if err != nil {
				yield(nil, err)
				return
			}
			if c == nil {
				continue
			}
			c.Meta = meta
			if !yield(c, nil) {
				return
			}
		}
	}
}

// StreamDecoder turns the events of one Gemini stream into chunks. It keeps
// the per-candidate state (tool-call numbering, whether a call was made,
// whether the role was sent) and the latest usage.
type StreamDecoder struct {
	model    string
	id       string
	created  int64
	choices  []choiceState
	usage    *usageMetadata
	finished bool
}

// NewStreamDecoder returns a decoder for a stream of model.
func NewStreamDecoder(model string) *StreamDecoder {
	return &StreamDecoder{model: model, created: time.Now().Unix()}
}

// Decode decodes one event's data. It returns nil and no error for an event
// that carries nothing to send (usage alone); an error object inside the
// stream is classified, a blocked prompt is KindContentPolicy, and data
// that is not a GenerateContentResponse is KindBadResponse.
func (d *StreamDecoder) Decode(data []byte) (*llm.Chunk, error) {
	w, err := decodeGenerateResponse(data)
	if err != nil {
		return nil, badResponse(err, data)
	}
	if len(w.Error) > 0 && string(w.Error) != "null" {
		return nil, errorFromBody(0, nil, data)
	}
	if err := blocked(w); err != nil {
		return nil, err
	}
	if w.UsageMetadata != nil {
		d.usage = w.UsageMetadata
	}
	if d.id == "" {
		d.id = responseID(w)
	}
	if w.ModelVersion != "" {
		d.model = w.ModelVersion
	}
	var one *chunkOne
	var choices []llm.ChunkChoice
	if len(w.Candidates) == 1 {
		one = new(chunkOne)
		choices = one.choice[:0]
	}
	for i := range w.Candidates {
		c := &w.Candidates[i]
		idx := candidateIndex(c, i)
		for len(d.choices) <= idx {
			d.choices = append(d.choices, choiceState{})
		}
		st := &d.choices[idx]
		delta := st.delta(c)
		if !st.started {
			delta.Role = llm.RoleAssistant
			st.started = true
		}
		finish := st.finish(c.FinishReason)
		if delta.Role == "" && finish == "" && delta.Content == "" && delta.ReasoningContent == "" && len(delta.ToolCalls) == 0 &&
			delta.ProviderSpecificFields == nil && len(delta.Annotations) == 0 && c.LogprobsResult == nil {
			continue
		}
		if finish != "" {
			d.finished = true
		}
		choices = append(choices, llm.ChunkChoice{Index: idx, Delta: delta, FinishReason: finish, Logprobs: logprobs(c.LogprobsResult)})
	}
	if len(choices) == 0 {
		return nil, nil
	}
	if one != nil {
		one.chunk = llm.Chunk{ID: d.id, Object: "chat.completion.chunk", Created: d.created, Model: d.model, Choices: choices}
		return &one.chunk, nil
	}
	return d.chunk(choices), nil
}

// Done reports whether a candidate has finished (sent a finish reason):
// Gemini has no end-of-stream event, so a stream that ends before any
// finish reason was cut short.
func (d *StreamDecoder) Done() bool { return d.finished }

// Finish returns the final chunk carrying the usage, or nil when the stream
// reported none.
func (d *StreamDecoder) Finish() *llm.Chunk {
	if d.usage == nil {
		return nil
	}
	c := d.chunk([]llm.ChunkChoice{})
	searches := make([]int, len(d.choices))
	for i := range d.choices {
		searches[i] = d.choices[i].searches
	}
	c.Usage = withSearches(usage(d.usage), webSearches(d.model, searches...))
	return c
}

func (d *StreamDecoder) chunk(choices []llm.ChunkChoice) *llm.Chunk {
	return &llm.Chunk{ID: d.id, Object: "chat.completion.chunk", Created: d.created, Model: d.model, Choices: choices}
}

// chunkOne is a chunk and its one choice, allocated together (the common
// case: one candidate).
type chunkOne struct {
	chunk  llm.Chunk
	choice [1]llm.ChunkChoice
}
