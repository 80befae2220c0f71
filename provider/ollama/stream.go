package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
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
		s := streamDecoder{meta: &llm.Meta{Header: resp.Header}, lines: ndjson.NewDecoder(resp.Body)}
		s.lines.Reader().SetMaxLineSize(cfg.MaxEventBytes)
		for {
			c, err := s.next()
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(c, nil) {
				return
			}
			if s.done {
				httpx.Drain(resp.Body)
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
	lines   *ndjson.Decoder
	model   string       // from the first line
	line    chatResponse // reused for every line
	later   laterLine    // reused for every line after the first
}

// laterLine is a line after the first, without the fields that do not
// change along a stream (model, created_at, role): they are read once, from
// the first line, which saves decoding three strings on every line.
type laterLine struct {
	Message struct {
		Content   string     `json:"content"`
		Thinking  string     `json:"thinking"`
		ToolCalls []toolCall `json:"tool_calls"`
	} `json:"message"`
	Done            bool               `json:"done"`
	DoneReason      string             `json:"done_reason"`
	PromptEvalCount int                `json:"prompt_eval_count"`
	EvalCount       int                `json:"eval_count"`
	Logprobs        []llm.TokenLogprob `json:"logprobs"`
	Error           json.RawMessage    `json:"error"`
}

// chunkAlloc holds a chunk and its one choice, so that both come from one
// allocation.
type chunkAlloc struct {
	chunk  llm.Chunk
	choice [1]llm.ChunkChoice
}

// next reads and translates the next line.
func (s *streamDecoder) next() (*llm.Chunk, error) {
	r := &s.line
	var err error
	if !s.started {
		*r = chatResponse{}
		err = s.lines.Decode(r)
		s.model = r.Model
	} else {
		s.later = laterLine{}
		err = s.lines.Decode(&s.later)
		l := &s.later
		*r = chatResponse{Model: s.model, Message: message{Content: l.Message.Content, Thinking: l.Message.Thinking, ToolCalls: l.Message.ToolCalls},
			Done: l.Done, DoneReason: l.DoneReason, PromptEvalCount: l.PromptEvalCount, EvalCount: l.EvalCount, Logprobs: l.Logprobs, Error: l.Error}
	}
	switch {
	case err == nil:
	case err == io.EOF:
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the stream ended before its final (done) message", Err: io.ErrUnexpectedEOF}
	case isSyntax(err):
		return nil, badResponse(err, s.lines.Line())
	case err != nil:
		return nil, err
	}
	if r.hasError() {
		return nil, errorFromBody(0, nil, s.lines.Line(), "")
	}
	if !s.started {
		t := createdAt(r.CreatedAt)
		s.id, s.created = responseID(t), t.Unix()
	}
	a := new(chunkAlloc)
	c := &a.chunk
	*c = llm.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: r.Model, Meta: s.meta, Choices: a.choice[:]}
	ch := &c.Choices[0]
	if !s.started {
		ch.Delta.Role = llm.RoleAssistant
		s.started = true
	}
	ch.Delta.Content = r.Message.Content
	ch.Delta.ReasoningContent = r.Message.Thinking
	ch.Logprobs = logprobs(r.Logprobs)
	for _, tc := range r.Message.ToolCalls {
		call := toToolCall(s.calls, tc)
		ch.Delta.ToolCalls = append(ch.Delta.ToolCalls, llm.ToolCallDelta{Index: s.calls, ID: call.ID, Type: "function",
			Function: llm.FunctionCallDelta{Name: call.Function.Name, Arguments: call.Function.Arguments}})
		s.calls++
	}
	if r.Done {
		s.done = true
		ch.FinishReason = finishReason(r.DoneReason, s.calls > 0)
		c.Usage = usage(r)
	}
	return c, nil
}

// isSyntax reports a line that is not a valid answer line (as opposed to a
// failure to read the body).
func isSyntax(err error) bool {
	var de *ndjson.DecodeError
	return errors.As(err, &de)
}
