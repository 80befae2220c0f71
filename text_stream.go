package llm

import (
	"context"
	"iter"
	"strings"
	"sync/atomic"
	"time"
)

// TextStreamer streams legacy text completions.
type TextStreamer interface {
	Provider
	// TextCompletionStream returns a single-use sequence of chunks read in
	// the caller's goroutine, with the contract of
	// Streamer.CompletionStream: ending the iteration or canceling ctx
	// closes the response body; an error is yielded at most once and ends
	// the sequence; the last chunk carries the usage.
	TextCompletionStream(ctx context.Context, req *TextCompletionRequest, cfg *Config) iter.Seq2[*TextChunk, error]
}

// TextChunk is one streamed piece of a legacy text completion, shaped as the
// text_completion objects of OpenAI's stream.
type TextChunk struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint,omitempty"`
	Choices           []TextChoice `json:"choices"`
	// Usage is set on the last chunk of a stream only.
	Usage *Usage `json:"usage,omitempty"`

	// Meta is shared by the chunks of one stream; the last chunk carries a
	// copy completed with latency and cost.
	Meta *Meta `json:"-"`
}

// Text returns the text of the first choice, or "" when there is none, as
// in the last chunk of a stream, which carries the usage and no choices.
func (c *TextChunk) Text() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].Text
}

// FinishReason returns the finish reason of the first choice, or "" when
// the chunk has none.
func (c *TextChunk) FinishReason() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].FinishReason
}

// TextCompletionStream streams a legacy text completion with the default
// client.
func TextCompletionStream(ctx context.Context, req TextCompletionRequest, opts ...Option) iter.Seq2[*TextChunk, error] {
	return Default().TextCompletionStream(ctx, req, opts...)
}

// TextCompletionStream streams a legacy text completion, with the contract
// of CompletionStream: the sequence is single-use and reads the response
// in the caller's goroutine; breaking out of the loop or canceling ctx
// closes the connection; an error is yielded at most once, as the last
// element; the last chunk carries the usage and Meta with cost, and no
// choices.
func (c *Client) TextCompletionStream(ctx context.Context, req TextCompletionRequest, opts ...Option) iter.Seq2[*TextChunk, error] {
	var used atomic.Bool
	return func(yield func(*TextChunk, error) bool) {
		if used.Swap(true) {
			yield(nil, Errorf(KindInvalidRequest, "stream already consumed: a TextCompletionStream sequence can be ranged over once"))
			return
		}
		start := time.Now()
		cl, err := c.resolve(req.Model, opts)
		if err != nil {
			yield(nil, err)
			return
		}
		if err := validateTextCompletion(&req); err != nil {
			yield(nil, cl.fail(ctx, err))
			return
		}
		p, ok := cl.provider.(TextStreamer)
		if !ok {
			yield(nil, cl.fail(ctx, unsupported(cl.name, "streaming text completions")))
			return
		}
		req.Model = cl.model
		req.Stream = true
		var meta *Meta
		for chunk, err := range p.TextCompletionStream(ctx, &req, cl.cfg) {
			if err == nil && chunk == nil {
				err = Errorf(KindBadResponse, "the provider streamed a nil chunk")
			}
			if err != nil {
				yield(nil, cl.fail(ctx, err))
				return
			}
			provided := chunk.Meta
			if meta == nil {
				meta = chunk.Meta
				if meta == nil {
					meta = &Meta{}
				}
				meta.Provider, meta.Model = cl.name, cl.model
				meta.TimeToFirstToken = time.Since(start)
			}
			chunk.Meta = meta
			if chunk.Usage != nil {
				last := *meta
				last.Latency = time.Since(start)
				if provided != nil && provided.Cost != nil {
					last.Cost = provided.Cost
				} else {
					last.Cost = costOf(cl.name, cl.model, chunk.Model, "", chunk.Usage)
				}
				chunk.Meta = &last
			}
			if !yield(chunk, nil) {
				return
			}
		}
	}
}

// CollectText reads a text completion stream to its end and folds its
// chunks into one response: per choice, the text concatenated and the last
// finish reason; the usage and Meta (with cost) of the last chunk. On a
// stream error it returns what was assembled so far together with the
// error.
func CollectText(stream iter.Seq2[*TextChunk, error]) (*TextCompletionResponse, error) {
	var (
		resp  = &TextCompletionResponse{Object: "text_completion"}
		texts []strings.Builder
		err   error
	)
	for c, e := range stream {
		if e != nil {
			err = e
			break
		}
		if resp.ID == "" {
			resp.ID, resp.Created, resp.Model = c.ID, c.Created, c.Model
		}
		if c.SystemFingerprint != "" {
			resp.SystemFingerprint = c.SystemFingerprint
		}
		if c.Usage != nil {
			u := *c.Usage
			resp.Usage = &u
		}
		if c.Meta != nil {
			resp.Meta = *c.Meta
		}
		for _, ch := range c.Choices {
			if ch.Index < 0 || ch.Index >= maxChoices {
				continue
			}
			for len(resp.Choices) <= ch.Index {
				resp.Choices = append(resp.Choices, TextChoice{Index: len(resp.Choices)})
				texts = append(texts, strings.Builder{})
			}
			texts[ch.Index].WriteString(ch.Text)
			if ch.FinishReason != "" {
				resp.Choices[ch.Index].FinishReason = ch.FinishReason
			}
			if ch.Logprobs != nil {
				lp := resp.Choices[ch.Index].Logprobs
				if lp == nil {
					lp = &TextLogprobs{}
					resp.Choices[ch.Index].Logprobs = lp
				}
				lp.Tokens = append(lp.Tokens, ch.Logprobs.Tokens...)
				lp.TokenLogprobs = append(lp.TokenLogprobs, ch.Logprobs.TokenLogprobs...)
				lp.TopLogprobs = append(lp.TopLogprobs, ch.Logprobs.TopLogprobs...)
				lp.TextOffset = append(lp.TextOffset, ch.Logprobs.TextOffset...)
			}
		}
	}
	for i := range resp.Choices {
		resp.Choices[i].Text = texts[i].String()
	}
	return resp, err
}

// TextCompletionStream implements TextStreamer: the script's content is
// streamed a word (or ChunkSize characters) per chunk, then the finish
// reason, then the usage, as CompletionStream streams it.
func (p mockProvider) TextCompletionStream(ctx context.Context, req *TextCompletionRequest, cfg *Config) iter.Seq2[*TextChunk, error] {
	return func(yield func(*TextChunk, error) bool) {
		creq := &CompletionRequest{Model: req.Model, Messages: []Message{UserText(strings.Join(req.Prompt, "\n"))}}
		r := p.script(ctx, creq, cfg)
		id := "cmpl-mock-" + req.Model
		sent := 0
		emit := func(text, finish string, usage *Usage) bool {
			if r.Err != nil && sent == r.ErrAfterChunks {
				yield(nil, r.Err)
				return false
			}
			if err := sleepCtx(ctx, r.ChunkDelay); err != nil {
				yield(nil, err)
				return false
			}
			c := &TextChunk{ID: id, Object: "text_completion", Model: req.Model, Usage: usage}
			if usage == nil {
				c.Choices = []TextChoice{{Text: text, FinishReason: finish}}
			} else {
				c.Choices = []TextChoice{}
				if mc := mockCost(cfg, req.Model, usage); mc != nil {
					c.Meta = &Meta{Cost: mc}
				}
			}
			sent++
			return yield(c, nil)
		}
		for _, piece := range splitChunks(r.Content, r.ChunkSize) {
			if !emit(piece, "", nil) {
				return
			}
		}
		if !emit("", r.FinishReason, nil) || !emit("", "", r.Usage) {
			return
		}
		if r.Err != nil {
			yield(nil, r.Err)
		}
	}
}
