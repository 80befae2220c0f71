package router

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llmux/llm"
)

// CompletionStream routes a streamed chat completion, like Completion.
// Retries and fallbacks apply until the first chunk is yielded: a deployment
// that fails before its first chunk (or within its StreamTimeout) is
// replaced transparently. Once a chunk has reached the caller, a later error
// ends the sequence as it would without a router (the caller holds part of
// an answer that another deployment would not continue); it is still counted
// against the deployment. Every chunk's Meta.Deployment names the
// deployment; the sequence is single-use and reads in the caller's
// goroutine.
func (r *Router) CompletionStream(ctx context.Context, req llm.CompletionRequest, opts ...llm.Option) iter.Seq2[*llm.Chunk, error] {
	return r.stream(ctx, &req, opts, readOpts(opts))
}

func (r *Router) stream(ctx context.Context, req *llm.CompletionRequest, opts []llm.Option, co callOptions) iter.Seq2[*llm.Chunk, error] {
	var used atomic.Bool
	return func(yield func(*llm.Chunk, error) bool) {
		if used.Swap(true) {
			yield(nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: "router", Message: "stream already consumed: a CompletionStream sequence can be ranged over once"})
			return
		}
		p, err := r.newPlan(req, co)
		if err != nil {
			yield(nil, err)
			return
		}
		defer releasePlan(p)
		cl := r.client()
		model := req.Model
		var cs continuation
		for {
			d, g, err := p.next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			areq := req
			if cs.from != "" {
				areq = cs.request(req)
			}
			areq.Model = p.modelOf(d)
			done, err := r.streamAttempt(ctx, p, d, g, cl.CompletionStream, areq, opts, &cs, yield)
			req.Model = model
			if done {
				if err != nil {
					yield(nil, err)
				}
				return
			}
		}
	}
}

type streamFunc func(context.Context, llm.CompletionRequest, ...llm.Option) iter.Seq2[*llm.Chunk, error]

// streamAttempt runs one attempt. done reports that the call is over: it
// succeeded, the caller stopped, or it failed after its first chunk (then
// err is to be yielded).
func (r *Router) streamAttempt(ctx context.Context, p *plan, d *dep, g Grant, start streamFunc, req *llm.CompletionRequest, opts []llm.Option, cs *continuation, yield func(*llm.Chunk, error) bool) (done bool, err error) {
	t0 := time.Now()
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOut atomic.Bool
	var timer *time.Timer
	if d.d.StreamTimeout > 0 {
		timer = time.AfterFunc(d.d.StreamTimeout, func() { timedOut.Store(true); cancel() })
	}
	var ttft time.Duration
	first := true
	yielded := false
	// With content-policy fallbacks, chunks without content (the role
	// chunk) are held back until one with content comes, so that an
	// answer filtered from the start (finish reason content_filter) can
	// still go to the fallback. Held chunks are copies: a provider may
	// reuse its chunk.
	filters := p.filters()
	var held []*llm.Chunk
	var usage *llm.Usage
	for chunk, cerr := range start(actx, *req, r.deploymentOptions(d, opts)...) {
		if cerr != nil {
			err = cerr
			break
		}
		if first {
			first = false
			if timer != nil && !timer.Stop() && timedOut.Load() {
				// The timeout fired as the chunk arrived: too late.
				err = streamTimeout(d)
				break
			}
			ttft = time.Since(t0)
		}
		if chunk.Meta != nil {
			chunk.Meta.Deployment = d.d.ID
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
			if c := d.customCost(usage); c != nil && chunk.Meta != nil {
				chunk.Meta.Cost = c
			}
		}
		if filters && !yielded {
			if chunkFiltered(chunk) {
				err = contentFiltered(p, d)
				break
			}
			if !hasPayload(chunk) {
				cp := *chunk
				cp.Choices = slices.Clone(chunk.Choices)
				held = append(held, &cp)
				continue
			}
			for _, h := range held {
				if !yield(h, nil) {
					p.succeed(ctx, d, g, ttft, usage)
					return true, nil
				}
			}
			held = nil
		}
		if !yielded && cs.from != "" && chunk.Meta != nil {
			// The chunk where the mid-stream fallback switched.
			m := *chunk.Meta
			m.ContinuedFrom = cs.from
			chunk.Meta = &m
			cs.from = ""
		}
		yielded = true
		cs.track(chunk)
		if !yield(chunk, nil) {
			p.succeed(ctx, d, g, ttft, usage)
			return true, nil
		}
	}
	if timer != nil {
		timer.Stop()
	}
	if err != nil && timedOut.Load() && ctx.Err() == nil {
		err = streamTimeout(d)
	}
	if err == nil {
		for _, h := range held {
			if !yield(h, nil) {
				break
			}
		}
		p.succeed(ctx, d, g, ttft, usage)
		return true, nil
	}
	p.fail(ctx, d, g, err, time.Since(t0))
	if yielded {
		if r.cfg.midStream && ctx.Err() == nil && !cs.tools && cs.text.Len() > 0 {
			cs.from = d.d.ID
			return false, nil
		}
		return true, p.final(err)
	}
	return false, nil
}

// continuation is what a stream yielded so far, for a mid-stream fallback
// (WithMidStreamFallback).
type continuation struct {
	text  strings.Builder // content of the first choice so far
	tools bool            // the answer so far holds tool calls
	from  string          // the deployment that failed, until the switch is marked
}

func (c *continuation) track(chunk *llm.Chunk) {
	for i := range chunk.Choices {
		ch := &chunk.Choices[i]
		if len(ch.Delta.ToolCalls) > 0 {
			c.tools = true
		}
		if ch.Index == 0 {
			c.text.WriteString(ch.Delta.Content)
		}
	}
}

// request returns req continued from the text so far: the text appended as
// an assistant message.
func (c *continuation) request(req *llm.CompletionRequest) *llm.CompletionRequest {
	cp := *req
	cp.Messages = append(slices.Clip(req.Messages), llm.AssistantText(c.text.String()))
	return &cp
}

// chunkFiltered reports whether a choice of chunk finished with
// content_filter.
func chunkFiltered(c *llm.Chunk) bool {
	for i := range c.Choices {
		if c.Choices[i].FinishReason == llm.FinishContentFilter {
			return true
		}
	}
	return false
}

// hasPayload reports whether chunk carries more than a role: content of
// any sort, a finish reason or the usage.
func hasPayload(c *llm.Chunk) bool {
	if c.Usage != nil {
		return true
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		d := &ch.Delta
		if ch.FinishReason != "" || d.Content != "" || d.Refusal != "" || d.ReasoningContent != "" ||
			len(d.ToolCalls) > 0 || len(d.ThinkingBlocks) > 0 || len(d.Audio) > 0 {
			return true
		}
	}
	return false
}

func streamTimeout(d *dep) error {
	return &llm.Error{Kind: llm.KindTimeout, Provider: "router", Model: d.d.Model,
		Message: "deployment " + d.d.ID + " sent no chunk within its stream timeout of " + d.d.StreamTimeout.String()}
}
