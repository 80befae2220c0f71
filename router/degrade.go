package router

import (
	"context"
	"sync/atomic"
	"time"
)

// Probe defaults of the fallback from a shared State to memory
// (WithStateProbe).
const (
	DefaultStateProbeInterval = time.Second
	DefaultStateProbeTimeout  = 100 * time.Millisecond
)

// WithStateProbe sets how often (every) and with what timeout a router
// whose shared State failed checks whether it answers again (defaults
// DefaultStateProbeInterval and DefaultStateProbeTimeout). The probe is
// the State operation of one call, not a background goroutine: at most one
// call at a time probes, and only that call can wait (up to timeout) for the
// failing State.
func WithStateProbe(every, timeout time.Duration) Option {
	return func(c *config) { c.probeEvery, c.probeTimeout = every, timeout }
}

// localToken marks the grants of the fallback memory state, so that their
// release goes there whatever the shared state's health is by then.
const localToken = "\x00local"

// fallback is the State of a router whose State is shared (any State but
// NewMemory's): it uses the shared State while it answers and, when an
// operation fails other than by the caller's context, switches at once to
// a fresh in-memory State, reports StateDegraded, and lets one call per
// probe interval try the shared State again (with the probe timeout); the
// first success switches back and reports StateRecovered. Shared state is
// an optimisation of correctness across instances, not a single point of
// failure.
type fallback struct {
	shared       State
	local        atomic.Pointer[memory]
	down         atomic.Bool
	probing      atomic.Bool
	nextProbe    atomic.Int64 // Unix ns of the real clock
	every, limit time.Duration
	emit         func(Event)
}

func newFallback(shared State, c *config) *fallback {
	f := &fallback{shared: shared, every: c.probeEvery, limit: c.probeTimeout, emit: c.emit}
	if f.every <= 0 {
		f.every = DefaultStateProbeInterval
	}
	if f.limit <= 0 {
		f.limit = DefaultStateProbeTimeout
	}
	f.local.Store(newMemory())
	return f
}

// route tells whether an operation goes to the shared State, and whether
// it is the probe (then the caller must end it with done).
func (f *fallback) route() (shared, probe bool) {
	if !f.down.Load() {
		return true, false
	}
	now := time.Now().UnixNano()
	if now >= f.nextProbe.Load() && f.probing.CompareAndSwap(false, true) {
		f.nextProbe.Store(now + int64(f.every))
		return true, true
	}
	return false, false
}

// probeCtx bounds a probe by the probe timeout.
func (f *fallback) probeCtx(ctx context.Context, probe bool) (context.Context, context.CancelFunc) {
	if !probe {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, f.limit)
}

// failed records the outcome of an operation on the shared State and
// reports whether it must be done in memory instead. An error caused by the
// caller's context is the caller's and is returned as it is.
func (f *fallback) failed(ctx context.Context, probe bool, err error) bool {
	if probe {
		defer f.probing.Store(false)
	}
	if err == nil {
		if probe && f.down.CompareAndSwap(true, false) {
			f.emit(Event{Kind: StateRecovered, Time: time.Now()})
		}
		return false
	}
	if ctx.Err() != nil {
		return false
	}
	if !probe && f.down.CompareAndSwap(false, true) {
		f.local.Store(newMemory())
		f.nextProbe.Store(time.Now().Add(f.every).UnixNano())
		f.emit(Event{Kind: StateDegraded, Time: time.Now(), Err: err})
	}
	return true
}

func (f *fallback) Stats(ctx context.Context, ids []string, now time.Time, out []Stats) error {
	if shared, probe := f.route(); shared {
		pctx, cancel := f.probeCtx(ctx, probe)
		err := f.shared.Stats(pctx, ids, now, out)
		cancel()
		if !f.failed(ctx, probe, err) {
			return err
		}
	}
	return f.local.Load().Stats(ctx, ids, now, out)
}

func (f *fallback) Acquire(ctx context.Context, a Acquire) (Grant, error) {
	if shared, probe := f.route(); shared {
		pctx, cancel := f.probeCtx(ctx, probe)
		g, err := f.shared.Acquire(pctx, a)
		cancel()
		if !f.failed(ctx, probe, err) {
			return g, err
		}
	}
	g, err := f.local.Load().Acquire(ctx, a)
	if g.Verdict == Granted {
		g.Token = localToken
	}
	return g, err
}

func (f *fallback) Release(ctx context.Context, r Release) (Outcomes, error) {
	if r.Token == localToken {
		r.Token = ""
		return f.local.Load().Release(ctx, r)
	}
	if shared, probe := f.route(); shared {
		pctx, cancel := f.probeCtx(ctx, probe)
		n, err := f.shared.Release(pctx, r)
		cancel()
		if !f.failed(ctx, probe, err) {
			return n, err
		}
	}
	// A request granted by the shared State, released while it is down:
	// its in-flight entry there expires with its lease; here it only
	// counts its outcome (and may take one off the local in-flight count
	// of an overlapping local request, an error bounded by the requests
	// in flight when the State failed).
	r.Probe = false
	return f.local.Load().Release(ctx, r)
}

func (f *fallback) Cooldown(ctx context.Context, id string, now, until time.Time) error {
	if shared, probe := f.route(); shared {
		pctx, cancel := f.probeCtx(ctx, probe)
		err := f.shared.Cooldown(pctx, id, now, until)
		cancel()
		if !f.failed(ctx, probe, err) {
			return err
		}
	}
	return f.local.Load().Cooldown(ctx, id, now, until)
}
