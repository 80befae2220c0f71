package router_test

import (
	"context"
	"encoding/json"
	"math"
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

// A wait never outlives the caller's deadline: a Retry-After that cannot
// fit fails the call at once with the rate-limit error and its RetryAfter,
// not with a timeout after sitting out the deadline.
func TestWaitNeverOutlivesDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", fail: []error{&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 20 * time.Second}}}
		r, err := router.New([]router.Deployment{dep("g", a)})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, err = r.Completion(ctx, req("g"))
		assert.Zero(t, time.Since(start), "no wait past the deadline")
		require.ErrorIs(t, err, llm.ErrRateLimit)
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 20*time.Second, le.RetryAfter)
		assert.Equal(t, int64(1), a.calls.Load())
	})
}

// A single wait is capped by WithMaxWait (default DefaultMaxWait), even
// without a deadline: a longer Retry-After fails the call at once.
func TestMaxWait(t *testing.T) {
	t.Parallel()
	rateLimited := func() *script {
		return &script{name: "a", fail: []error{&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 20 * time.Second}}}
	}
	tests := []struct {
		name     string
		opts     []router.Option
		wantErr  bool
		wantTime time.Duration
	}{
		{"default cap", nil, true, 0},
		{"cap below", []router.Option{router.WithMaxWait(19 * time.Second)}, true, 0},
		{"cap above", []router.Option{router.WithMaxWait(time.Minute)}, false, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				a := rateLimited()
				r, err := router.New([]router.Deployment{dep("g", a)}, tt.opts...)
				require.NoError(t, err)
				start := time.Now()
				_, err = r.Completion(t.Context(), req("g"))
				assert.Equal(t, tt.wantTime, time.Since(start))
				if tt.wantErr {
					require.ErrorIs(t, err, llm.ErrRateLimit)
					assert.Equal(t, int64(1), a.calls.Load())
				} else {
					require.NoError(t, err)
					assert.Equal(t, int64(2), a.calls.Load())
				}
			})
		})
	}
}

// WithWaitForCooldown obeys the cap too.
func TestWaitForCooldownCapped(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a"}
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithWaitForCooldown(), router.WithMaxWait(time.Second))
		require.NoError(t, err)
		require.NoError(t, r.Cooldown(t.Context(), "a", time.Now().Add(2*time.Second)))
		start := time.Now()
		_, err = r.Completion(t.Context(), req("g"))
		require.ErrorIs(t, err, llm.ErrRateLimit)
		assert.Zero(t, time.Since(start))
		assert.Zero(t, a.calls.Load())
	})
}

// A provider's huge Retry-After cannot cool a deployment down for years.
func TestCooldownIsCapped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []router.Option
		want time.Duration
	}{
		{"default", nil, router.DefaultMaxCooldown},
		{"option", []router.Option{router.WithMaxCooldown(time.Minute)}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				a := &script{name: "a", always: &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 86400000 * time.Second}}
				r, err := router.New([]router.Deployment{dep("g", a)}, tt.opts...)
				require.NoError(t, err)
				_, err = r.Completion(t.Context(), req("g"))
				require.ErrorIs(t, err, llm.ErrRateLimit)
				h, err := r.Health(t.Context(), "g")
				require.NoError(t, err)
				assert.True(t, h[0].CoolingDown)
				assert.Equal(t, tt.want, time.Until(h[0].CooldownUntil), "got cooldown until %v", h[0].CooldownUntil)
			})
		})
	}
}

// Errors that are the caller's (invalid request, or an error our code did
// not classify) never count against a deployment: ten of them in a minute
// leave it healthy.
func TestCallerErrorsNeverCoolDown(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	tests := []struct {
		name string
		err  error
		req  func(llm.CompletionRequest) llm.CompletionRequest
	}{
		{"invalid request", kindErr(llm.KindInvalidRequest), nil},
		{"encode error", func() error { _, err := json.Marshal(math.NaN()); return err }(), nil}, // a translator that cannot encode the caller's value
		{"NaN temperature", nil, func(r llm.CompletionRequest) llm.CompletionRequest { r.Temperature = &nan; return r }},
		{"unencodable Extra", nil, func(r llm.CompletionRequest) llm.CompletionRequest {
			r.Extra = map[string]any{"f": func() {}}
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := &script{name: "a", always: tt.err}
			r, err := router.New([]router.Deployment{dep("g", a)}, router.WithBackoff(noWait))
			require.NoError(t, err)
			rq := req("g")
			if tt.req != nil {
				rq = tt.req(rq)
			}
			for range 10 {
				_, _ = r.Completion(t.Context(), rq)
			}
			h, err := r.Health(t.Context(), "g")
			require.NoError(t, err)
			assert.False(t, h[0].CoolingDown, "a caller's error cooled the deployment down")
			assert.Zero(t, h[0].Fails)
			a.setAlways(nil)
			_, err = r.Completion(t.Context(), req("g"))
			assert.NoError(t, err)
		})
	}
}

// At the end of a cooldown, one probe goes to the deployment; the other
// callers keep treating it as cooling down until the probe succeeds, and a
// failed probe cools it down again.
func TestHalfOpenLetsOneProbeThrough(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: statusErr(llm.KindOverloaded, 503)}
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithWaitForCooldown())
		require.NoError(t, err)
		require.NoError(t, r.Cooldown(t.Context(), "a", time.Now().Add(5*time.Second)))
		ctx, cancel := context.WithTimeout(t.Context(), 7*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		var failed atomic.Int64
		for range 200 {
			wg.Go(func() {
				if _, err := r.Completion(ctx, req("g")); err != nil {
					failed.Add(1)
					assert.NotEqual(t, llm.KindUnknown, llm.KindOf(err))
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(1), a.calls.Load(), "one probe at the cooldown's end")
		assert.Equal(t, int64(200), failed.Load())
		h, err := r.Health(t.Context(), "g")
		require.NoError(t, err)
		assert.True(t, h[0].CoolingDown, "the failed probe cooled it down again")

		// Healthy again: at the next expiry one probe succeeds, then
		// everyone goes.
		a.setAlways(nil)
		time.Sleep(time.Until(h[0].CooldownUntil))
		var ok atomic.Int64
		for range 200 {
			wg.Go(func() {
				if _, err := r.Completion(t.Context(), req("g")); err == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int64(200), ok.Load())
		assert.Equal(t, int64(201), a.calls.Load())
	})
}

// Every error the router itself produces has a Kind, and is an *llm.Error.
func TestRouterErrorsHaveKinds(t *testing.T) {
	t.Parallel()
	s := &script{name: "a"}
	check := func(t *testing.T, err error, want llm.Kind) {
		t.Helper()
		require.Error(t, err)
		var le *llm.Error
		require.ErrorAs(t, err, &le, "%v", err)
		assert.Equal(t, want, llm.KindOf(err), "%v", err)
		assert.NotEmpty(t, le.Message)
	}
	t.Run("New", func(t *testing.T) {
		t.Parallel()
		for _, c := range []struct {
			deps []router.Deployment
			opts []router.Option
		}{
			{[]router.Deployment{{Model: "mock/x"}}, nil},
			{[]router.Deployment{{Group: "g", Model: "nope"}}, nil},
			{[]router.Deployment{dep("g", s), dep("g", s)}, nil},
			{[]router.Deployment{dep("g", s)}, []router.Option{router.WithFallbacks("g", "h")}},
			{[]router.Deployment{dep("g", s)}, []router.Option{router.WithDefaultFallbacks("h")}},
			{[]router.Deployment{dep("g", s)}, []router.Option{router.WithAlias("x", "h")}},
		} {
			_, err := router.New(c.deps, c.opts...)
			check(t, err, llm.KindInvalidRequest)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a"}
		r, err := router.New([]router.Deployment{
			dep("g", a, func(d *router.Deployment) { d.Tags = []string{"x"}; d.ContextWindow = 10; d.RPM = 1 }),
		})
		require.NoError(t, err)
		ctx := t.Context()
		_, err = r.Completion(ctx, req("nope"))
		check(t, err, llm.KindNotFound)
		_, err = r.Health(ctx, "nope")
		check(t, err, llm.KindNotFound)
		for _, err := range r.CompletionStream(ctx, req("nope")) {
			check(t, err, llm.KindNotFound)
		}
		_, err = r.Completion(ctx, req("g"), router.CallTags("y"))
		check(t, err, llm.KindNotFound)
		long := req("g")
		long.Messages = []llm.Message{llm.UserText(string(make([]byte, 1000)))}
		_, err = r.Completion(ctx, long)
		check(t, err, llm.KindContextWindowExceeded)
		_, err = r.Completion(ctx, req("g"))
		require.NoError(t, err)
		_, err = r.Completion(ctx, req("g"))
		check(t, err, llm.KindRateLimit)
		seq := r.CompletionStream(ctx, req("g"))
		for range seq {
		}
		for _, err := range seq {
			check(t, err, llm.KindInvalidRequest)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = r.Completion(cctx, req("g"))
		check(t, err, llm.KindCanceled)
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		time.Sleep(2 * time.Second)
		_, err = r.Completion(dctx, req("g"))
		check(t, err, llm.KindTimeout)
	})
}

// Streams follow the same deadline rule before their first chunk.
func TestStreamWaitNeverOutlivesDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", fail: []error{&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 20 * time.Second}}}
		r, err := router.New([]router.Deployment{dep("g", a)})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		var got error
		for _, err := range r.CompletionStream(ctx, req("g")) {
			if err != nil {
				got = err
			}
		}
		assert.Zero(t, time.Since(start))
		require.ErrorIs(t, got, llm.ErrRateLimit)
		assert.Equal(t, int64(1), a.calls.Load())
	})
}
