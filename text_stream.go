package llm

import (
	"context"
	"iter"
	"strings"
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
	return doStream(ctx, c, &textCompletionStream, &req, opts)
}

// textCompletionStream is the TextCompletionStream operation.
var textCompletionStream = streamOperation[TextStreamer, TextCompletionRequest, TextChunk]{
	name:   "streaming text completions",
	method: "TextCompletionStream",
	model:  func(r *TextCompletionRequest) *string { return &r.Model },
	stream: func(r *TextCompletionRequest) { r.Stream = true },
	check:  func(_ call, r *TextCompletionRequest) error { return validateTextCompletion(r) },
	call:   TextStreamer.TextCompletionStream,
	mock:   mockTextCompletionStream,
	meta:   func(c *TextChunk) **Meta { return &c.Meta },
	last:   func(c *TextChunk) bool { return c.Usage != nil },
	cost: func(provider, model string, c *TextChunk) *Cost {
		return costOf(provider, model, c.Model, "", c.Usage)
	},
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

// mockTextCompletionStream is the mock's TextCompletionStream: the script's
// content is streamed a word (or ChunkSize characters) per chunk, then the
// finish reason, then the usage, as CompletionStream streams it.
func mockTextCompletionStream(ctx context.Context, req *TextCompletionRequest, cfg *Config) iter.Seq2[*TextChunk, error] {
	return func(yield func(*TextChunk, error) bool) {
		creq := &CompletionRequest{Model: req.Model, Messages: []Message{UserText(strings.Join(req.Prompt, "\n"))}}
		r := mockScript(ctx, creq, cfg)
		id := "cmpl-mock-" + req.Model
		pace := mockPacer{ctx: ctx, r: &r}
		emit := func(text, finish string, usage *Usage) bool {
			if err := pace.next(); err != nil {
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
