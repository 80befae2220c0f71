// Package statetest is the conformance suite of router.State
// implementations, as testing/slogtest is for slog handlers. Every State
// (router.NewMemory, redisstate.State, your own) must pass Run.
package statetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Run checks the State contract. newState returns a fresh, empty State for
// each subtest (for a shared store: under a key prefix of its own); pairs of
// States it returns are independent. Run calls t.Parallel in its subtests.
func Run(t *testing.T, newState func(t *testing.T) router.State) {
	t.Helper()
	// A fixed moment at the start of a minute, so that windows are
	// predictable.
	t0 := time.Unix(1_800_000_000-1_800_000_000%60, 0)
	tests := []struct {
		name string
		f    func(t *testing.T, ctx context.Context, s router.State, t0 time.Time)
	}{
		{"AcquireCountsAndReleaseUncounts", acquireCounts},
		{"RPMLimit", rpmLimit},
		{"TPMLimit", tpmLimit},
		{"MaxParallel", maxParallel},
		{"CooldownKeepsLaterDeadline", cooldown},
		{"OutcomesPerMinute", outcomes},
		{"LatencyAverage", latency},
		{"TokenDelta", tokenDelta},
		{"ConcurrentAcquireNeverExceedsLimit", concurrent},
		{"UnknownDeploymentIsEmpty", unknown},
		{"HalfOpenProbe", halfOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f(t, t.Context(), newState(t), t0)
		})
	}
}

func stats(t *testing.T, ctx context.Context, s router.State, id string, now time.Time) router.Stats {
	t.Helper()
	out := make([]router.Stats, 1)
	require.NoError(t, s.Stats(ctx, []string{id}, now, out))
	return out[0]
}

func acquire(t *testing.T, ctx context.Context, s router.State, id string, l router.Limits, tokens int, now time.Time) router.Grant {
	t.Helper()
	g, err := s.Acquire(ctx, router.Acquire{Deployment: id, Limits: l, Tokens: tokens, Now: now, Lease: time.Minute})
	require.NoError(t, err)
	return g
}

func release(t *testing.T, ctx context.Context, s router.State, id string, g router.Grant, failed bool, lat time.Duration, now time.Time) router.Outcomes {
	t.Helper()
	n, err := s.Release(ctx, router.Release{Deployment: id, Token: g.Token, Minute: g.Minute, Failed: failed, Latency: lat, Now: now})
	require.NoError(t, err)
	return n
}

func acquireCounts(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	g1 := acquire(t, ctx, s, "a", router.Limits{}, 10, t0)
	g2 := acquire(t, ctx, s, "a", router.Limits{}, 5, t0.Add(time.Second))
	require.Equal(t, router.Granted, g1.Verdict)
	require.Equal(t, router.Granted, g2.Verdict)
	assert.Equal(t, router.MinuteOf(t0), g1.Minute)
	st := stats(t, ctx, s, "a", t0.Add(2*time.Second))
	assert.Equal(t, router.Stats{InFlight: 2, RPM: 2, TPM: 15}, st)
	release(t, ctx, s, "a", g1, false, 0, t0.Add(3*time.Second))
	release(t, ctx, s, "a", g2, false, 0, t0.Add(3*time.Second))
	st = stats(t, ctx, s, "a", t0.Add(4*time.Second))
	assert.Equal(t, 0, st.InFlight)
	assert.Equal(t, 2, st.RPM, "requests stay counted in their minute")
	st = stats(t, ctx, s, "a", t0.Add(time.Minute))
	assert.Equal(t, router.Stats{}, st, "a new minute starts empty")
	// Other deployments are independent.
	assert.Equal(t, router.Stats{}, stats(t, ctx, s, "b", t0))
}

func rpmLimit(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	l := router.Limits{RPM: 3}
	for i := range 3 {
		g := acquire(t, ctx, s, "a", l, 1, t0.Add(time.Duration(i)*time.Second))
		require.Equal(t, router.Granted, g.Verdict)
		release(t, ctx, s, "a", g, false, 0, t0)
	}
	g := acquire(t, ctx, s, "a", l, 1, t0.Add(30*time.Second))
	assert.Equal(t, router.AtRPM, g.Verdict)
	assert.True(t, g.RetryAt.Equal(t0.Add(time.Minute)), "got %v, want the next minute %v", g.RetryAt, t0.Add(time.Minute))
	g = acquire(t, ctx, s, "a", l, 1, t0.Add(time.Minute))
	assert.Equal(t, router.Granted, g.Verdict, "next minute")
}

func tpmLimit(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	l := router.Limits{TPM: 100}
	assert.Equal(t, router.Granted, acquire(t, ctx, s, "a", l, 60, t0).Verdict)
	assert.Equal(t, router.AtTPM, acquire(t, ctx, s, "a", l, 60, t0).Verdict)
	assert.Equal(t, router.Granted, acquire(t, ctx, s, "a", l, 40, t0).Verdict)
	// A request larger than the limit goes alone in an empty minute.
	assert.Equal(t, router.Granted, acquire(t, ctx, s, "b", l, 500, t0).Verdict)
	assert.Equal(t, router.AtTPM, acquire(t, ctx, s, "b", l, 1, t0).Verdict)
}

func maxParallel(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	l := router.Limits{MaxParallel: 2}
	g1 := acquire(t, ctx, s, "a", l, 1, t0)
	g2 := acquire(t, ctx, s, "a", l, 1, t0)
	require.Equal(t, router.Granted, g1.Verdict)
	require.Equal(t, router.Granted, g2.Verdict)
	assert.Equal(t, router.AtParallel, acquire(t, ctx, s, "a", l, 1, t0).Verdict)
	release(t, ctx, s, "a", g1, true, 0, t0)
	g3 := acquire(t, ctx, s, "a", l, 1, t0)
	assert.Equal(t, router.Granted, g3.Verdict, "a released slot is free again, failed or not")
	assert.Equal(t, 2, stats(t, ctx, s, "a", t0).InFlight)
}

func cooldown(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	require.NoError(t, s.Cooldown(ctx, "a", t0, t0.Add(time.Hour)))
	require.NoError(t, s.Cooldown(ctx, "a", t0, t0.Add(time.Minute)))
	st := stats(t, ctx, s, "a", t0)
	assert.True(t, st.CooldownUntil.Equal(t0.Add(time.Hour)), "got %v, want the later deadline", st.CooldownUntil)
	g := acquire(t, ctx, s, "a", router.Limits{}, 1, t0.Add(time.Minute))
	assert.Equal(t, router.CoolingDown, g.Verdict)
	assert.True(t, g.RetryAt.Equal(t0.Add(time.Hour)))
	assert.Equal(t, router.Granted, acquire(t, ctx, s, "a", router.Limits{}, 1, t0.Add(time.Hour)).Verdict, "recovers at the deadline")
	assert.Equal(t, router.Granted, acquire(t, ctx, s, "b", router.Limits{}, 1, t0).Verdict, "others unaffected")
}

// outcomes checks that Release counts successes and failures in the
// current minute, and neither for a neutral outcome (the caller's error).
func outcomes(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	for i := 1; i <= 3; i++ {
		g := acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
		assert.Equal(t, router.Outcomes{Failures: i}, release(t, ctx, s, "a", g, true, 0, t0))
	}
	g := acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	assert.Equal(t, router.Outcomes{Successes: 1, Failures: 3}, release(t, ctx, s, "a", g, false, time.Second, t0))
	g = acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	assert.Equal(t, router.Outcomes{Successes: 2, Failures: 3}, release(t, ctx, s, "a", g, false, 0, t0), "a success without latency counts too")
	g = acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	o, err := s.Release(ctx, router.Release{Deployment: "a", Token: g.Token, Minute: g.Minute, Neutral: true, Now: t0})
	require.NoError(t, err)
	assert.Equal(t, router.Outcomes{Successes: 2, Failures: 3}, o, "a neutral outcome counts as neither")
	st := stats(t, ctx, s, "a", t0)
	assert.Equal(t, 3, st.Fails)
	assert.Equal(t, 2, st.Successes)
	g = acquire(t, ctx, s, "a", router.Limits{}, 1, t0.Add(time.Minute))
	assert.Equal(t, router.Outcomes{Failures: 1}, release(t, ctx, s, "a", g, true, 0, t0.Add(time.Minute)), "a new minute counts anew")
	st = stats(t, ctx, s, "a", t0.Add(time.Minute))
	assert.Equal(t, router.Outcomes{Failures: 1}, router.Outcomes{Successes: st.Successes, Failures: st.Fails})
}

func latency(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	g := acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	release(t, ctx, s, "a", g, false, 100*time.Millisecond, t0)
	assert.Equal(t, 100*time.Millisecond, stats(t, ctx, s, "a", t0).Latency)
	g = acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	release(t, ctx, s, "a", g, false, 200*time.Millisecond, t0)
	want := time.Duration(router.LatencyAlpha*200e6 + (1-router.LatencyAlpha)*100e6)
	assert.InDelta(t, float64(want), float64(stats(t, ctx, s, "a", t0).Latency), 1e3)
	g = acquire(t, ctx, s, "a", router.Limits{}, 1, t0)
	release(t, ctx, s, "a", g, true, time.Hour, t0)
	assert.InDelta(t, float64(want), float64(stats(t, ctx, s, "a", t0).Latency), 1e3, "failures do not count")
}

func tokenDelta(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	g := acquire(t, ctx, s, "a", router.Limits{}, 100, t0)
	_, err := s.Release(ctx, router.Release{Deployment: "a", Token: g.Token, Minute: g.Minute, TokenDelta: 50, Now: t0})
	require.NoError(t, err)
	assert.Equal(t, 150, stats(t, ctx, s, "a", t0).TPM)
	g = acquire(t, ctx, s, "a", router.Limits{}, 100, t0)
	_, err = s.Release(ctx, router.Release{Deployment: "a", Token: g.Token, Minute: g.Minute, TokenDelta: -1000, Now: t0})
	require.NoError(t, err)
	assert.Equal(t, 0, stats(t, ctx, s, "a", t0).TPM, "never negative")
}

func concurrent(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	const workers, each, limit = 16, 25, 137
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				g, err := s.Acquire(ctx, router.Acquire{Deployment: "a", Limits: router.Limits{RPM: limit}, Tokens: 1, Now: t0, Lease: time.Minute})
				if !assert.NoError(t, err) {
					return
				}
				if g.Verdict == router.Granted {
					granted.Add(1)
					_, err := s.Release(ctx, router.Release{Deployment: "a", Token: g.Token, Minute: g.Minute, Now: t0})
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(limit), granted.Load())
	st := stats(t, ctx, s, "a", t0)
	assert.Equal(t, limit, st.RPM)
	assert.Equal(t, 0, st.InFlight)
}

func unknown(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	out := make([]router.Stats, 3)
	require.NoError(t, s.Stats(ctx, []string{"x", "y", "z"}, t0, out))
	assert.Equal(t, make([]router.Stats, 3), out)
}

// halfOpen checks that a deployment whose cooldown ended lets exactly one
// probe through, whatever the concurrency, and that the probe's outcome
// decides what follows.
func halfOpen(t *testing.T, ctx context.Context, s router.State, t0 time.Time) {
	release := func(g router.Grant, failed, neutral bool, now time.Time) {
		t.Helper()
		_, err := s.Release(ctx, router.Release{Deployment: "d", Token: g.Token, Minute: g.Minute, Failed: failed, Neutral: neutral, Probe: g.Probe, Now: now})
		require.NoError(t, err)
	}
	require.NoError(t, s.Cooldown(ctx, "d", t0, t0.Add(5*time.Second)))
	g := acquire(t, ctx, s, "d", router.Limits{}, 1, t0.Add(time.Second))
	assert.Equal(t, router.CoolingDown, g.Verdict)

	// At the end: exactly one of many concurrent Acquires is the probe.
	t1 := t0.Add(6 * time.Second)
	var probes, granted atomic.Int64
	var probe router.Grant
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			g, err := s.Acquire(ctx, router.Acquire{Deployment: "d", Tokens: 1, Now: t1, Lease: time.Minute})
			assert.NoError(t, err)
			if g.Verdict == router.Granted {
				granted.Add(1)
			}
			if g.Probe {
				probes.Add(1)
				mu.Lock()
				probe = g
				mu.Unlock()
			} else {
				assert.Equal(t, router.CoolingDown, g.Verdict)
				assert.True(t, g.RetryAt.IsZero(), "a probe in flight has no known end")
			}
		})
	}
	wg.Wait()
	require.Equal(t, int64(1), probes.Load(), "one probe")
	assert.Equal(t, int64(1), granted.Load())
	st := stats(t, ctx, s, "d", t1)
	assert.True(t, st.HalfOpen)

	// The caller's error says nothing: the next Acquire probes again.
	release(probe, false, true, t1)
	probe = acquire(t, ctx, s, "d", router.Limits{}, 1, t1)
	require.True(t, probe.Probe)
	// A failed probe stays in flight until the next cooldown.
	release(probe, true, false, t1)
	assert.Equal(t, router.CoolingDown, acquire(t, ctx, s, "d", router.Limits{}, 1, t1).Verdict)
	require.NoError(t, s.Cooldown(ctx, "d", t1, t1.Add(5*time.Second)))
	assert.Equal(t, router.CoolingDown, acquire(t, ctx, s, "d", router.Limits{}, 1, t1.Add(time.Second)).Verdict)

	// A successful probe opens the deployment for everyone.
	t2 := t1.Add(6 * time.Second)
	probe = acquire(t, ctx, s, "d", router.Limits{}, 1, t2)
	require.True(t, probe.Probe)
	release(probe, false, false, t2)
	for range 3 {
		g := acquire(t, ctx, s, "d", router.Limits{}, 1, t2)
		assert.Equal(t, router.Granted, g.Verdict)
		assert.False(t, g.Probe)
		release(g, false, false, t2)
	}
	assert.False(t, stats(t, ctx, s, "d", t2).HalfOpen)
}
