package llm

import (
	"context"
	"iter"
	"sync/atomic"
	"time"
)

// The client has one call path, whatever the operation: resolve the model
// string (options, provider) → validate → find the capability → call → fill
// Meta (provider, model, latency, cost) → normalise the error (Kind,
// provider and model, credentials scrubbed). An operation is described by a
// package-level operation (or streamOperation) value and runs through do (or
// doStream), so that a new modality adds request and response types, a
// validator, a capability interface and provider code, and gets the mock,
// per-call options, Meta and error normalisation from this path.

// operation describes one non-streamed operation for do. Cap is the
// capability interface a provider implements to serve it. The values are
// package-level variables: do allocates nothing for them.
type operation[Cap Provider, Req, Resp any] struct {
	// name names the operation in errors: "provider x does not support <name>".
	name string
	// model returns the request's model field: do reads the model string
	// from it and sets it to the provider-side model before the call.
	model func(*Req) *string
	// check validates the request (and runs the pre-call checks the call
	// asked for); nil checks nothing.
	check func(call, *Req) error
	// call sends the request with the capability, usually a method
	// expression such as Completer.Completion.
	call func(Cap, context.Context, *Req, *Config) (*Resp, error)
	// mock answers the request for the mock provider (a "mock/..." model or
	// a call with WithMockResponse or WithMockResponder); nil makes the
	// operation unsupported by the mock.
	mock func(context.Context, *Req, *Config) (*Resp, error)
	// meta returns the result's Meta.
	meta func(*Resp) *Meta
	// cost prices a result the provider did not price; nil leaves Cost nil.
	cost func(provider, model string, resp *Resp) *Cost
}

// do runs one non-streamed operation on c.
func do[Cap Provider, Req, Resp any](ctx context.Context, c *Client, op *operation[Cap, Req, Resp], req *Req, opts []Option) (*Resp, error) {
	start := time.Now()
	model := op.model(req)
	cl, err := c.resolve(*model, opts)
	if err != nil {
		return nil, err
	}
	if op.check != nil {
		if err := op.check(cl, req); err != nil {
			return nil, cl.fail(ctx, err)
		}
	}
	var resp *Resp
	if _, mock := cl.provider.(mockProvider); mock {
		if op.mock == nil {
			return nil, cl.fail(ctx, unsupported(cl.name, op.name))
		}
		*model = cl.model
		resp, err = op.mock(ctx, req, cl.cfg)
	} else {
		p, ok := cl.provider.(Cap)
		if !ok {
			return nil, cl.fail(ctx, unsupported(cl.name, op.name))
		}
		*model = cl.model
		resp, err = op.call(p, ctx, req, cl.cfg)
	}
	if err == nil && resp == nil {
		err = errNoResponse()
	}
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	m := op.meta(resp)
	cl.finish(m, start)
	if m.Cost == nil && op.cost != nil { // a provider (such as a router with custom prices) may have priced it
		m.Cost = op.cost(cl.name, cl.model, resp)
	}
	return resp, nil
}

// streamOperation describes one streamed operation for doStream, as
// operation does for do.
type streamOperation[Cap Provider, Req, Chunk any] struct {
	// name names the operation in errors, as in operation.
	name string
	// method is the Client method, named in the error of a second range
	// over its sequence.
	method string
	// model returns the request's model field, as in operation.
	model func(*Req) *string
	// stream marks the request as streamed; nil leaves it.
	stream func(*Req)
	// check validates the request, as in operation.
	check func(call, *Req) error
	// call streams the request with the capability.
	call func(Cap, context.Context, *Req, *Config) iter.Seq2[*Chunk, error]
	// mock streams the mock provider's answer, as in operation.
	mock func(context.Context, *Req, *Config) iter.Seq2[*Chunk, error]
	// meta returns the chunk's Meta field. The chunks of a stream share one
	// Meta; the last one gets a copy completed with latency and cost.
	meta func(*Chunk) **Meta
	// last reports whether the chunk is the one that ends the stream's
	// accounting (it carries the usage).
	last func(*Chunk) bool
	// cost prices the stream from its last chunk when the provider did
	// not; nil leaves Cost nil.
	cost func(provider, model string, last *Chunk) *Cost
}

// doStream runs one streamed operation on c. The sequence is single-use and
// reads the response in the caller's goroutine; an error is yielded at most
// once, as the last element.
func doStream[Cap Provider, Req, Chunk any](ctx context.Context, c *Client, op *streamOperation[Cap, Req, Chunk], req *Req, opts []Option) iter.Seq2[*Chunk, error] {
	var used atomic.Bool
	return func(yield func(*Chunk, error) bool) {
		if used.Swap(true) {
			yield(nil, Errorf(KindInvalidRequest, "stream already consumed: a %s sequence can be ranged over once", op.method))
			return
		}
		start := time.Now()
		model := op.model(req)
		cl, err := c.resolve(*model, opts)
		if err != nil {
			yield(nil, err)
			return
		}
		if op.check != nil {
			if err := op.check(cl, req); err != nil {
				yield(nil, cl.fail(ctx, err))
				return
			}
		}
		var seq iter.Seq2[*Chunk, error]
		if _, mock := cl.provider.(mockProvider); mock {
			if op.mock == nil {
				yield(nil, cl.fail(ctx, unsupported(cl.name, op.name)))
				return
			}
			*model = cl.model
			if op.stream != nil {
				op.stream(req)
			}
			seq = op.mock(ctx, req, cl.cfg)
		} else {
			p, ok := cl.provider.(Cap)
			if !ok {
				yield(nil, cl.fail(ctx, unsupported(cl.name, op.name)))
				return
			}
			*model = cl.model
			if op.stream != nil {
				op.stream(req)
			}
			seq = op.call(p, ctx, req, cl.cfg)
		}
		var meta *Meta
		for chunk, err := range seq {
			if err == nil && chunk == nil {
				err = Errorf(KindBadResponse, "the provider streamed a nil chunk")
			}
			if err != nil {
				yield(nil, cl.fail(ctx, err))
				return
			}
			field := op.meta(chunk)
			provided := *field
			if meta == nil {
				meta = provided
				if meta == nil {
					meta = &Meta{}
				}
				meta.Provider, meta.Model = cl.name, cl.model
				meta.TimeToFirstToken = time.Since(start)
			}
			*field = meta
			if op.last(chunk) {
				last := *meta
				last.Latency = time.Since(start)
				if provided != nil && provided.Cost != nil {
					last.Cost = provided.Cost // priced by the provider (a router's custom prices)
				} else if op.cost != nil {
					last.Cost = op.cost(cl.name, cl.model, chunk)
				}
				*field = &last
			}
			if !yield(chunk, nil) {
				return
			}
		}
	}
}
