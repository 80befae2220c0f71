package router

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/llmux/llm"
)

// scratch is the number of candidates a plan holds without allocating more.
const scratch = 8

// plan is the state of one call: the group being tried, the fallback groups
// still to try, the deployments that failed in this group, and the attempts.
// It is allocated once per call and carries the scratch space of the
// routing decisions, so that a decision allocates nothing more.
type plan struct {
	r        *Router
	req      *llm.CompletionRequest // &reqBuf
	reqBuf   llm.CompletionRequest
	co       callOptions
	asked    string // the group the call asked for
	askedG   *group
	caps     []string // what the stars of a wildcard group matched
	tokens   int
	group    *group
	tries    int    // failed attempts in the current group
	tried    []*dep // deployments that failed in the current group
	skip     []*dep // deployments of the current group not to try again (their key failed)
	queue    []string
	visited  []string
	lastErr  error
	realErr  error // the last error of a deployment (not a synthetic one)
	retryAt  time.Time
	attempts []Attempt
	stop     error // set when the call must end (caller's context done)

	countedModel string // the model whose tokenizer counted the prompt
	counted      int

	depBuf   [scratch]*dep
	idBuf    [scratch]string
	statBuf  [scratch]Stats
	candBuf  [scratch]Candidate
	triedBuf [4]*dep
	skipBuf  [2]*dep
	attBuf   [4]Attempt
	visBuf   [4]string
}

func (r *Router) newPlan(req *llm.CompletionRequest, co callOptions) (*plan, error) {
	g, caps := r.findGroup(req.Model)
	if g == nil {
		return nil, &Error{Group: req.Model, Err: unavailable(req.Model, "no_deployment", 0, "no such model group")}
	}
	for _, f := range co.fallbacks {
		if r.lookup(f) == nil {
			return nil, &Error{Group: req.Model, Err: &llm.Error{Kind: llm.KindInvalidRequest, Provider: "router", Model: req.Model,
				Message: "CallFallbacks: unknown model group or deployment " + strconv.Quote(f)}}
		}
	}
	p := planPool.Get().(*plan)
	p.reqBuf = *req // a copy, so that the caller's request need not escape
	p.r, p.req, p.co, p.asked, p.group, p.askedG, p.caps = r, &p.reqBuf, co, req.Model, g, g, caps
	p.tried = p.triedBuf[:0]
	p.skip = p.skipBuf[:0]
	p.attempts = p.attBuf[:0]
	p.visited = append(p.visBuf[:0], g.name)
	p.tokens = r.cfg.tokens(p.req)
	return p, nil
}

// planPool recycles plans: a plan is 2 KB of scratch space, and allocating
// it was half the cost of a routing decision (BenchmarkDecision: about
// 1.2 µs of a 3 µs decision on the loaded test machine, one allocation). A
// plan is owned by one call from newPlan to the single deferred
// releasePlan at the end of that call; nothing it holds outlives it (errors
// and traces get copies of the attempts, strategies must not keep their
// candidates).
var planPool = sync.Pool{New: func() any { return new(plan) }}

// releasePlan clears p (so that the pool holds no request or error alive)
// and returns it to the pool.
func releasePlan(p *plan) {
	*p = plan{}
	planPool.Put(p)
}

// next returns the deployment of the next attempt, acquired in State, or the
// call's final error.
func (p *plan) next(ctx context.Context) (*dep, Grant, error) {
	c := &p.r.cfg
	for {
		if p.stop != nil {
			return nil, Grant{}, p.final(p.stop)
		}
		if err := ctx.Err(); err != nil {
			return nil, Grant{}, p.final(err)
		}
		if p.group == nil {
			if len(p.queue) == 0 || len(p.attempts) >= c.maxAttempts {
				return nil, Grant{}, p.final(p.lastErr)
			}
			p.group = p.r.lookup(p.queue[0])
			p.queue = p.queue[1:]
			p.tries, p.tried, p.skip = 0, p.tried[:0], p.skip[:0]
		}
		if len(p.attempts) >= c.maxAttempts {
			return nil, Grant{}, p.final(p.lastErr)
		}
		now := c.now()
		d, g, why, err := p.pick(ctx, now, true)
		if err != nil {
			return nil, Grant{}, p.final(err)
		}
		if d != nil {
			return d, g, nil
		}
		if len(p.tried) > 0 {
			// A retry that no untried deployment can take: back off, then
			// retry those that failed, if they can be used by then.
			delay := c.backoff(p.tries, p.lastErr)
			_, _, why2, err := p.pick(ctx, now, false)
			if err != nil {
				return nil, Grant{}, p.final(err)
			}
			if why2.available || (!why2.retryAt.IsZero() && !why2.retryAt.After(now.Add(delay))) {
				if !why2.available {
					delay = max(delay, why2.retryAt.Sub(now))
					p.retryAt = why2.retryAt
				}
				if delay > 0 && (!why2.available || llm.KindOf(p.lastErr) == llm.KindRateLimit) && p.fallbackReady(ctx, now, p.lastErr) {
					// Waiting for a rate limit or a cooldown while a
					// fallback can serve now: go there now.
					p.groupFailed(p.lastErr)
					continue
				}
				if !p.canWait(ctx, delay) {
					// The wait does not fit the deadline or the cap:
					// the group fails now with the error that asked
					// for it (a rate limit keeps its RetryAfter).
					p.groupFailed(p.lastErr)
					continue
				}
				if err := sleep(ctx, delay); err != nil {
					return nil, Grant{}, p.final(err)
				}
				p.retryAt = time.Time{}
				p.tried = p.tried[:0]
				continue
			}
			why = why2
		}
		if c.waitCooldown && why.waitable {
			wait := 10 * time.Millisecond // max parallel or a probe in flight: poll
			if !why.retryAt.IsZero() {
				wait = why.retryAt.Sub(now)
			}
			if p.canWait(ctx, wait) && !p.fallbackReady(ctx, now, why.err(p.group.name, now)) {
				if err := sleep(ctx, wait); err != nil {
					return nil, Grant{}, p.final(err)
				}
				continue
			}
		}
		err = why.err(p.group.name, now)
		p.retryAt = why.retryAt
		p.attempts = append(p.attempts, Attempt{Group: p.group.name, Kind: llm.KindOf(err), Err: err})
		p.lastErr = err
		p.groupFailed(err)
	}
}

// modelOf returns the model string of d for this call: its Model, with
// the stars filled in when it serves the wildcard group the call matched.
func (p *plan) modelOf(d *dep) string {
	if p.caps != nil && p.group == p.askedG {
		return substitute(d.d.Model, p.caps)
	}
	return d.d.Model
}

// canWait reports whether a wait of d fits the router's cap (WithMaxWait)
// and ends before ctx's deadline.
func (p *plan) canWait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if d > p.r.cfg.maxWait {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || d < time.Until(dl)
}

// why tells why no deployment was picked.
type why struct {
	available  bool // some deployment is available (dry run)
	waitable   bool // all are cooling down or at limits
	retryAt    time.Time
	cooling    int
	limited    int
	window     int // skipped because the prompt does not fit
	standby    int // skipped because they serve only when named
	matched    int // deployments matching the tags
	lastReason Verdict
}

func (w *why) err(group string, now time.Time) error {
	var after time.Duration
	if !w.retryAt.IsZero() {
		after = max(w.retryAt.Sub(now), time.Millisecond)
	}
	switch {
	case w.matched == 0 && w.window == 0:
		return unavailable(group, "no_deployment", 0, "no deployment matches the call's tags")
	case w.matched == w.standby:
		return unavailable(group, "no_deployment", 0, "every deployment is on standby")
	case w.matched == w.window+w.standby:
		return unavailable(group, "context_window", 0, "the prompt does not fit the context window of any deployment")
	case w.limited == 0:
		return unavailable(group, "cooldown", after, "every deployment is cooling down")
	}
	code := "rpm_limit"
	switch w.lastReason {
	case AtTPM:
		code = "tpm_limit"
	case AtParallel:
		code = "max_parallel"
	case CoolingDown:
		code = "cooldown"
	}
	return unavailable(group, code, after, "every deployment is cooling down or at its limits")
}

func (w *why) wait(v Verdict, at time.Time) {
	w.waitable = true
	if v == CoolingDown {
		w.cooling++
	} else {
		w.limited++
		w.lastReason = v
	}
	if !at.IsZero() && (w.retryAt.IsZero() || at.Before(w.retryAt)) {
		w.retryAt = at
	}
}

func tagged(d *dep, tags []string, tag string) bool {
	if tag != "" {
		return slices.Contains(d.d.Tags, tag)
	}
	for _, t := range tags {
		if slices.Contains(d.d.Tags, t) {
			return true
		}
	}
	return false
}

// pick chooses and acquires a deployment of the current group. With
// acquire false it only reports (in why.available) whether one is available
// counting the ones already tried.
func (p *plan) pick(ctx context.Context, now time.Time, acquire bool) (*dep, Grant, why, error) {
	r := p.r
	var w why
	deps := p.depBuf[:0]
	tags := p.co.tags
	for pass := 0; pass < 2; pass++ {
		for _, d := range p.group.deps {
			if len(tags) > 0 && !tagged(d, tags, tagIf(pass == 1, "default")) {
				continue
			}
			w.matched++
			if d.d.Standby && !p.group.named {
				w.standby++
				continue
			}
			if !p.fits(d) {
				w.window++
				continue
			}
			if acquire && slices.Contains(p.tried, d) || slices.Contains(p.skip, d) {
				continue
			}
			deps = append(deps, d)
		}
		if len(tags) == 0 || w.matched > 0 {
			break
		}
	}
	if len(deps) == 0 {
		return nil, Grant{}, w, nil
	}
	useStats := !acquire || needsStats(r.cfg.strategy)
	stats := p.statBuf[:0]
	if useStats {
		ids := p.idBuf[:0]
		for _, d := range deps {
			ids = append(ids, d.d.ID)
		}
		if cap(stats) < len(ids) {
			stats = make([]Stats, len(ids))
		}
		stats = stats[:len(ids)]
		if err := r.cfg.state.Stats(ctx, ids, now, stats); err != nil {
			return nil, Grant{}, w, stateError(err)
		}
	}
	// The available candidates (as far as the statistics tell), stably
	// sorted by Order.
	cands := p.candBuf[:0]
	for i, d := range deps {
		c := Candidate{Deployment: &d.d, Tokens: p.tokens, InputPrice: d.in, OutputPrice: d.out, PriceKnown: d.priced, dep: d}
		if useStats {
			s := &stats[i]
			a := Acquire{Deployment: d.d.ID, Limits: d.limits, Tokens: p.tokens, Now: now}
			if v, at := check(&a, minuteOf(now), s.CooldownUntil, s.InFlight, s.RPM, s.TPM); v != Granted {
				w.wait(v, at)
				continue
			}
			c.Stats = *s
		}
		j := len(cands)
		cands = append(cands, c)
		for ; j > 0 && cands[j-1].Deployment.Order > c.Deployment.Order; j-- {
			cands[j] = cands[j-1]
		}
		cands[j] = c
	}
	if !acquire {
		w.available = len(cands) > 0
		return nil, Grant{}, w, nil
	}
	for len(cands) > 0 {
		// The strategy picks within the lowest tier.
		tier := 1
		for tier < len(cands) && cands[tier].Deployment.Order == cands[0].Deployment.Order {
			tier++
		}
		i := r.cfg.strategy.Pick(cands[:tier])
		if i < 0 || i >= tier {
			i = 0
		}
		d := cands[i].dep
		g, err := r.cfg.state.Acquire(ctx, Acquire{Deployment: d.d.ID, Limits: d.limits, Tokens: p.tokens, Now: now, Lease: r.cfg.lease})
		if err != nil {
			return nil, Grant{}, w, stateError(err)
		}
		if g.Verdict == Granted {
			return d, g, w, nil
		}
		// Cooling down or at a limit (or taken meanwhile by another
		// call): ask again without it.
		w.wait(g.Verdict, g.RetryAt)
		cands = slices.Delete(cands, i, i+1)
	}
	return nil, Grant{}, w, nil
}

// fits reports whether the prompt fits d's context window. Close to the
// window, the default estimate is replaced by a count with the tokenizer
// (once per model and call).
func (p *plan) fits(d *dep) bool {
	if d.window <= 0 || p.tokens*3 < d.window {
		return true
	}
	if p.r.cfg.customTokens {
		return p.tokens <= d.window
	}
	if p.countedModel != d.d.Model {
		p.countedModel, p.counted = d.d.Model, llm.CountTokens(d.d.Model, p.req).Tokens
	}
	return p.counted <= d.window
}

func tagIf(ok bool, tag string) string {
	if ok {
		return tag
	}
	return ""
}

// succeed releases a successful attempt.
func (p *plan) succeed(ctx context.Context, d *dep, g Grant, latency time.Duration, u *llm.Usage) {
	rel := Release{Deployment: d.d.ID, Token: g.Token, Minute: g.Minute, Latency: latency, Probe: g.Probe, Now: p.r.cfg.now()}
	if u != nil {
		rel.TokenDelta = u.TotalTokens - p.tokens
	}
	// State errors after the call cannot change its outcome; a shared
	// state's lease expires what could not be released.
	_, _ = p.r.cfg.state.Release(detach(ctx), rel)
	p.attempts = append(p.attempts, Attempt{Group: d.d.Group, Deployment: d.d.ID, Latency: latency})
	if t := p.co.trace; t != nil {
		t.Deployment = d.d.ID
		t.Attempts = slices.Clone(p.attempts)
	}
}

// fail releases a failed attempt, cools the deployment down if the policy
// says so, and decides between a retry and the fallbacks.
func (p *plan) fail(ctx context.Context, d *dep, g Grant, err error, latency time.Duration) {
	c := &p.r.cfg
	now := c.now()
	sctx := detach(ctx)
	counts := CountsAsFailure(err) && ctx.Err() == nil
	minute, _ := c.state.Release(sctx, Release{Deployment: d.d.ID, Token: g.Token, Minute: g.Minute, Failed: counts, Neutral: !counts, Probe: g.Probe, Now: now})
	if counts {
		cd := c.cooldown(err, minute)
		if g.Probe && cd <= 0 {
			// A failed probe always cools the deployment down again.
			cd = DefaultCooldownTime
		}
		if c.maxCooldown > 0 {
			cd = min(cd, c.maxCooldown)
		}
		if cd > 0 {
			_ = c.state.Cooldown(sctx, d.d.ID, now, now.Add(cd))
		}
	}
	p.attempts = append(p.attempts, Attempt{Group: d.d.Group, Deployment: d.d.ID, Kind: llm.KindOf(err), Err: err, Latency: latency})
	p.lastErr, p.realErr = err, err
	p.retryAt = time.Time{}
	if ctx.Err() != nil {
		p.stop = err
		return
	}
	if failsOver(err) {
		// The deployment's own key or permission failed: the next
		// deployment of the group may serve (deployments carry their own
		// keys); this one is not tried again in this call.
		p.tried = slices.DeleteFunc(p.tried, func(x *dep) bool { return x == d })
		p.skip = append(p.skip, d)
		if len(p.skip)+len(p.tried) < len(p.group.deps) {
			return
		}
		p.groupFailed(err)
		return
	}
	if c.retryPolicy(err) && p.tries < c.retries {
		p.tries++
		p.tried = append(p.tried, d)
		return
	}
	p.groupFailed(err)
}

// failsOver reports whether err is a deployment's own authentication or
// permission failure: the call moves on to another deployment of the
// group, without retrying this one (which the failure cools down).
func failsOver(err error) bool {
	switch llm.KindOf(err) {
	case llm.KindAuthentication, llm.KindPermissionDenied:
		return true
	}
	return false
}

// fallbackList returns the fallbacks that err calls for when the current
// group fails.
func (p *plan) fallbackList(err error) []string {
	c := &p.r.cfg
	name := p.group.name
	if p.co.noFallbacks {
		return nil
	}
	kind := c.fallbackPolicy(err)
	switch kind {
	case ContextWindowFallback:
		return c.cwFallbacks[name]
	case ContentPolicyFallback:
		// Without content-policy fallbacks of its own, the group's
		// generic fallbacks apply, then the default ones (as LiteLLM).
		if list, ok := c.cpFallbacks[name]; ok {
			return list
		}
		kind = GenericFallback
	}
	if kind != GenericFallback {
		return nil
	}
	if p.co.ownFallback && p.group == p.askedG {
		return p.co.fallbacks
	}
	if list, ok := c.fallbacks[name]; ok {
		return list
	}
	return c.defaultFallback
}

// fallbackReady reports whether a fallback group that err calls for, not
// tried yet in this call, has a deployment available now.
func (p *plan) fallbackReady(ctx context.Context, now time.Time, err error) bool {
	cur := p.group
	defer func() { p.group = cur }()
	for _, f := range p.fallbackList(err) {
		if slices.Contains(p.visited, f) {
			continue
		}
		if p.group = p.r.lookup(f); p.group == nil {
			continue
		}
		if _, _, w, err := p.pick(ctx, now, false); err == nil && w.available {
			return true
		}
	}
	return false
}

// groupFailed moves on to the fallbacks that err calls for.
func (p *plan) groupFailed(err error) {
	for _, f := range p.fallbackList(err) {
		if !slices.Contains(p.visited, f) {
			p.visited = append(p.visited, f)
			p.queue = append(p.queue, f)
		}
	}
	p.group = nil
}

// final is the error that ends the call. A call that tried deployments
// ends with the last real error, even when every deployment was cooling
// down or at a limit by the end (its own failures may have cooled them):
// the synthetic "unavailable" error is for a call that never reached a
// deployment.
func (p *plan) final(err error) error {
	if err == nil {
		err = p.lastErr
	}
	if err == p.lastErr && p.realErr != nil && err != p.realErr {
		err = p.realErr
	}
	if k := llm.KindOf(err); (k == llm.KindCanceled || k == llm.KindTimeout) && !isLLMError(err) {
		// The caller's context ended between attempts.
		err = &llm.Error{Kind: k, Provider: "router", Model: p.asked, Message: err.Error(), Err: err}
	}
	e := &Error{Group: p.asked, Attempts: slices.Clone(p.attempts), Err: err}
	if !p.retryAt.IsZero() && err == p.lastErr {
		e.RetryAt = p.retryAt
	}
	if t := p.co.trace; t != nil {
		t.Attempts = e.Attempts
	}
	return e
}

func isLLMError(err error) bool {
	var e *llm.Error
	return errors.As(err, &e)
}

// detach returns a context for recording an attempt's outcome in State even
// when ctx has ended.
func detach(ctx context.Context) context.Context {
	if ctx.Err() != nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
