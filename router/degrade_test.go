package router_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flaky is a shared State that can be made to fail like an unreachable
// Redis, counting the operations that reach it.
type flaky struct {
	router.State
	down  atomic.Bool
	delay time.Duration // of a failing operation
	ops   atomic.Int64
}

var errUnreachable = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (f *flaky) fail(ctx context.Context) error {
	f.ops.Add(1)
	if !f.down.Load() {
		return nil
	}
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return errUnreachable
}

func (f *flaky) Stats(ctx context.Context, ids []string, now time.Time, out []router.Stats) error {
	if err := f.fail(ctx); err != nil {
		return err
	}
	return f.State.Stats(ctx, ids, now, out)
}

func (f *flaky) Acquire(ctx context.Context, a router.Acquire) (router.Grant, error) {
	if err := f.fail(ctx); err != nil {
		return router.Grant{}, err
	}
	return f.State.Acquire(ctx, a)
}

func (f *flaky) Release(ctx context.Context, r router.Release) (router.Outcomes, error) {
	if err := f.fail(ctx); err != nil {
		return router.Outcomes{}, err
	}
	return f.State.Release(ctx, r)
}

func (f *flaky) Cooldown(ctx context.Context, id string, now, until time.Time) error {
	if err := f.fail(ctx); err != nil {
		return err
	}
	return f.State.Cooldown(ctx, id, now, until)
}

// When the shared State fails, calls go on with local state at once (no
// call waits for the failing store again until the next probe), the router
// says so through its events, and it goes back to the shared State when a
// probe finds it answering.
func TestStateFailureDegradesToMemory(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st := &flaky{State: router.NewMemory(), delay: 50 * time.Millisecond}
		a := &script{name: "a"}
		var mu sync.Mutex
		var events []router.Event
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithState(st),
			router.WithStrategy(router.LeastBusy()),
			router.WithEvents(func(e router.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }))
		require.NoError(t, err)
		call := func() time.Duration {
			t.Helper()
			start := time.Now()
			_, err := r.Completion(t.Context(), req("g"))
			require.NoError(t, err)
			return time.Since(start)
		}
		call()
		st.down.Store(true)
		// The first call to meet the failure pays for it once; the
		// following ones do not touch the store.
		assert.LessOrEqual(t, call(), 50*time.Millisecond)
		before := st.ops.Load()
		for range 50 {
			assert.Zero(t, call())
		}
		assert.Equal(t, before, st.ops.Load(), "no call went to the failing store")
		h, err := r.Health(t.Context(), "g")
		require.NoError(t, err)
		assert.Equal(t, 51, h[0].RPM, "local state counts")

		// A probe per interval, bounded by the probe timeout.
		time.Sleep(router.DefaultStateProbeInterval)
		assert.LessOrEqual(t, call(), router.DefaultStateProbeTimeout)
		assert.Equal(t, before+1, st.ops.Load(), "one probe")
		assert.Zero(t, call())
		assert.Equal(t, before+1, st.ops.Load())

		st.down.Store(false)
		time.Sleep(router.DefaultStateProbeInterval)
		call()
		before = st.ops.Load()
		call()
		assert.Greater(t, st.ops.Load(), before, "back on the shared state")

		mu.Lock()
		defer mu.Unlock()
		require.Len(t, events, 2)
		assert.Equal(t, router.StateDegraded, events[0].Kind)
		assert.ErrorIs(t, events[0].Err, errUnreachable)
		assert.Equal(t, router.StateRecovered, events[1].Kind)
	})
}

// The caller's own cancellation during a State operation is not a failure
// of the store.
func TestCanceledStateOperationDoesNotDegrade(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st := &flaky{State: router.NewMemory(), delay: time.Second}
		st.down.Store(true)
		var n atomic.Int64
		r, err := router.New([]router.Deployment{dep("g", &script{name: "a"})}, router.WithState(st),
			router.WithEvents(func(router.Event) { n.Add(1) }))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err = r.Completion(ctx, req("g"))
		assert.ErrorIs(t, err, llm.ErrTimeout)
		assert.Zero(t, n.Load())
	})
}
