package replicate

import (
	"context"
	"net/http"
	"time"

	"github.com/llmux/llm"
)

// Polling backoff: the first poll comes pollInitial after the create
// answer (which already waited up to a minute with Prefer: wait), each
// later one pollFactor times longer, at most pollMax apart.
const (
	pollInitial = 500 * time.Millisecond
	pollFactor  = 2
	pollMax     = 5 * time.Second
)

// Completion implements llm.Completer: it creates a prediction, waiting for
// it with Prefer: wait, and polls it until it ends if it is still running.
func (p *Provider) Completion(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	t, err := parseTarget(req.Model)
	if err != nil {
		return nil, err
	}
	body, err := encodeRequest(req, cfg, t)
	if err != nil {
		return nil, err
	}
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	pred, header, raw, err := c.create(ctx, t, body, true)
	if err != nil {
		return nil, err
	}
	if !terminal(pred.Status) {
		if pred, header, raw, err = c.wait(ctx, pred); err != nil {
			return nil, err
		}
	}
	if pred.Status != statusSucceeded {
		return nil, failure(pred)
	}
	out, err := toResponse(pred, t)
	if err != nil {
		return nil, err
	}
	out.Meta.Header = header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	if out.Usage == nil {
		out.Meta.Cost = unknownCost(out.Model)
	}
	return out, nil
}

// wait polls a running prediction until it ends, with backoff. Every sleep
// watches ctx; when ctx ends, or a poll fails, the prediction is canceled
// (best effort, see conn.cancel) and the error returned.
func (c *conn) wait(ctx context.Context, pred *prediction) (*prediction, http.Header, []byte, error) {
	id := pred.ID
	delay := pollInitial
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			c.cancel(ctx, id)
			return nil, nil, nil, ctx.Err()
		case <-timer.C:
		}
		next, header, raw, err := c.get(ctx, id)
		if err != nil {
			c.cancel(ctx, id)
			return nil, nil, nil, err
		}
		if terminal(next.Status) {
			return next, header, raw, nil
		}
		delay = min(delay*pollFactor, pollMax)
		timer.Reset(delay)
	}
}
