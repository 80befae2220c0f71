package router

import (
	"context"
	"iter"
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
		for {
			d, g, err := p.next(ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			req.Model = d.d.Model
			done, err := r.streamAttempt(ctx, p, d, g, cl.CompletionStream, req, opts, yield)
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
func (r *Router) streamAttempt(ctx context.Context, p *plan, d *dep, g Grant, start streamFunc, req *llm.CompletionRequest, opts []llm.Option, yield func(*llm.Chunk, error) bool) (done bool, err error) {
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
		p.succeed(ctx, d, g, ttft, usage)
		return true, nil
	}
	p.fail(ctx, d, g, err, time.Since(t0))
	if !first {
		return true, p.final(err)
	}
	return false, nil
}

func streamTimeout(d *dep) error {
	return &llm.Error{Kind: llm.KindTimeout, Provider: "router", Model: d.d.Model,
		Message: "deployment " + d.d.ID + " sent no chunk within its stream timeout of " + d.d.StreamTimeout.String()}
}
