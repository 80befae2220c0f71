package ollama

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/ndjson"
)

// CompletionStream implements llm.Streamer.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		body, err := encodeRequest(req, cfg, true)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := send(ctx, cfg, req.Model, body, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		s := streamDecoder{meta: &llm.Meta{Header: resp.Header}}
		lines := ndjson.NewReader(resp.Body)
		for {
			line, err := lines.Next()
			if err == io.EOF {
				yield(nil, fmt.Errorf("ollama: the stream ended before its final (done) message: %w", io.ErrUnexpectedEOF))
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			c, err := s.decode(line)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(c, nil) || s.done {
				return
			}
		}
	}
}

// streamDecoder turns the lines of one stream into chunks.
type streamDecoder struct {
	meta    *llm.Meta
	id      string
	created int64
	calls   int  // tool calls seen so far
	started bool // the first chunk (with the role) went out
	done    bool
}

// decode translates one NDJSON line.
func (s *streamDecoder) decode(line []byte) (*llm.Chunk, error) {
	var r chatResponse
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, badResponse(err, line)
	}
	if r.hasError() {
		return nil, errorFromBody(0, nil, line, "")
	}
	if !s.started {
		t := createdAt(r.CreatedAt)
		s.id, s.created = responseID(t), t.Unix()
	}
	c := &llm.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: r.Model, Meta: s.meta,
		Choices: []llm.ChunkChoice{{Index: 0}}}
	ch := &c.Choices[0]
	if !s.started {
		ch.Delta.Role = llm.RoleAssistant
		s.started = true
	}
	ch.Delta.Content = r.Message.Content
	ch.Delta.ReasoningContent = r.Message.Thinking
	for _, tc := range r.Message.ToolCalls {
		call := toToolCall(s.calls, tc)
		ch.Delta.ToolCalls = append(ch.Delta.ToolCalls, llm.ToolCallDelta{Index: s.calls, ID: call.ID, Type: "function",
			Function: llm.FunctionCallDelta{Name: call.Function.Name, Arguments: call.Function.Arguments}})
		s.calls++
	}
	if r.Done {
		s.done = true
		ch.FinishReason = finishReason(r.DoneReason, s.calls > 0)
		c.Usage = usage(&r)
	}
	return c, nil
}
