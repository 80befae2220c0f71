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

// script is a scripted mock deployment: it answers its name, or fails with
// the errors queued in fail (one per call), counting calls.
type script struct {
	mu    sync.Mutex
	name  string
	fail  []error
	calls atomic.Int64
	delay time.Duration
	// always fails with this error when set.
	always error
}

func (s *script) respond(_ context.Context, _ *llm.CompletionRequest) llm.MockResponse {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.always != nil {
		return llm.MockResponse{Err: s.always, ChunkDelay: s.delay}
	}
	if len(s.fail) > 0 {
		err := s.fail[0]
		s.fail = s.fail[1:]
		return llm.MockResponse{Err: err, ChunkDelay: s.delay}
	}
	return llm.MockResponse{Content: "from " + s.name, ChunkDelay: s.delay}
}

func (s *script) setAlways(err error) {
	s.mu.Lock()
	s.always = err
	s.mu.Unlock()
}

func dep(group string, s *script, mod ...func(*router.Deployment)) router.Deployment {
	d := router.Deployment{ID: s.name, Group: group, Model: "mock/" + s.name, Options: []llm.Option{llm.WithMockResponder(s.respond)}}
	for _, m := range mod {
		m(&d)
	}
	return d
}

func order(n int) func(*router.Deployment) { return func(d *router.Deployment) { d.Order = n } }

func req(group string) llm.CompletionRequest {
	return llm.CompletionRequest{Model: group, Messages: []llm.Message{llm.UserText("hello")}}
}

func kindErr(k llm.Kind) error { return &llm.Error{Kind: k, Message: k.String()} }

func statusErr(k llm.Kind, status int) error {
	return &llm.Error{Kind: k, StatusCode: status, Message: k.String()}
}

func noWait(int, error) time.Duration { return 0 }

func TestRoutesToGroupAndNamesDeployment(t *testing.T) {
	t.Parallel()
	a, b := &script{name: "a"}, &script{name: "b"}
	r, err := router.New([]router.Deployment{dep("g1", a), dep("g2", b)})
	require.NoError(t, err)
	var tr router.Trace
	resp, err := r.Completion(t.Context(), req("g2"), router.CallTrace(&tr))
	require.NoError(t, err)
	assert.Equal(t, "from b", resp.Text())
	assert.Equal(t, "b", resp.Meta.Deployment)
	assert.Equal(t, "mock", resp.Meta.Provider)
	assert.Equal(t, "b", tr.Deployment)
	require.Len(t, tr.Attempts, 1)
	assert.Equal(t, int64(0), a.calls.Load())
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	s := &script{name: "a"}
	tests := []struct {
		name string
		deps []router.Deployment
		opts []router.Option
	}{
		{"no group", []router.Deployment{{Model: "mock/x"}}, nil},
		{"bad model", []router.Deployment{{Group: "g", Model: "nope"}}, nil},
		{"duplicate id", []router.Deployment{dep("g", s), dep("g", s)}, nil},
		{"unknown fallback", []router.Deployment{dep("g", s)}, []router.Option{router.WithFallbacks("g", "h")}},
		{"unknown default fallback", []router.Deployment{dep("g", s)}, []router.Option{router.WithDefaultFallbacks("h")}},
		{"unknown alias target", []router.Deployment{dep("g", s)}, []router.Option{router.WithAlias("x", "h")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := router.New(tt.deps, tt.opts...)
			assert.Error(t, err)
		})
	}
}

func TestDefaultIDsAreUnique(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{{Group: "g", Model: "mock/x"}, {Group: "g", Model: "mock/x"}})
	require.NoError(t, err)
	h, err := r.Health(t.Context(), "g")
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, "g/mock/x", h[0].ID)
	assert.Equal(t, "g/mock/x#2", h[1].ID)
}

func TestUnknownGroup(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{dep("g", &script{name: "a"})})
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("nope"))
	require.Error(t, err)
	assert.ErrorIs(t, err, llm.ErrNotFound)
}

func TestAlias(t *testing.T) {
	t.Parallel()
	a := &script{name: "a"}
	r, err := router.New([]router.Deployment{dep("g", a)}, router.WithAlias("gpt", "g"))
	require.NoError(t, err)
	resp, err := r.Completion(t.Context(), req("gpt"))
	require.NoError(t, err)
	assert.Equal(t, "from a", resp.Text())
}

// Strict order is kept under 429s: the first tier serves while it is
// healthy; a 429 cools it down and the next tier serves at once, without
// backoff; once the cooldown ends, the first tier serves again.
func TestStrictOrderUnder429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, b, c := &script{name: "a"}, &script{name: "b"}, &script{name: "c"}
		r, err := router.New([]router.Deployment{dep("g", c, order(3)), dep("g", b, order(2)), dep("g", a, order(1))},
			router.WithBackoff(func(int, error) time.Duration { t.Error("slept although b was healthy"); return 0 }))
		require.NoError(t, err)
		ctx := t.Context()
		for range 5 {
			resp, err := r.Completion(ctx, req("g"))
			require.NoError(t, err)
			assert.Equal(t, "a", resp.Meta.Deployment)
		}
		a.mu.Lock()
		a.fail = []error{&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 30 * time.Second}}
		a.mu.Unlock()
		start := time.Now()
		var tr router.Trace
		resp, err := r.Completion(ctx, req("g"), router.CallTrace(&tr))
		require.NoError(t, err)
		assert.Equal(t, "b", resp.Meta.Deployment)
		assert.Zero(t, time.Since(start), "no sleep: b could take the retry")
		require.Len(t, tr.Attempts, 2)
		assert.Equal(t, llm.KindRateLimit, tr.Attempts[0].Kind)
		for range 5 {
			resp, err := r.Completion(ctx, req("g"))
			require.NoError(t, err)
			assert.Equal(t, "b", resp.Meta.Deployment, "a is cooling down, b is next in order")
		}
		h, err := r.Health(ctx, "g")
		require.NoError(t, err)
		assert.True(t, h[2].CoolingDown, "a cooling down")
		assert.Equal(t, start.Add(30*time.Second), h[2].CooldownUntil, "Retry-After sets the cooldown")
		time.Sleep(30 * time.Second)
		resp, err = r.Completion(ctx, req("g"))
		require.NoError(t, err)
		assert.Equal(t, "a", resp.Meta.Deployment, "a recovered")
		assert.Zero(t, c.calls.Load())
	})
}

// A failing deployment is not retried while a healthy one exists.
func TestFailingDeploymentNotRetriedWhileHealthyExists(t *testing.T) {
	t.Parallel()
	bad, good := &script{name: "bad", always: statusErr(llm.KindServer, 500)}, &script{name: "good"}
	r, err := router.New([]router.Deployment{dep("g", bad), dep("g", good)}, router.WithStrategy(router.Priority()),
		router.WithBackoff(func(int, error) time.Duration { t.Error("backoff although good was healthy"); return 0 }))
	require.NoError(t, err)
	var tr router.Trace
	resp, err := r.Completion(t.Context(), req("g"), router.CallTrace(&tr))
	require.NoError(t, err)
	assert.Equal(t, "good", resp.Meta.Deployment)
	assert.Equal(t, int64(1), bad.calls.Load())
	require.Len(t, tr.Attempts, 2)
	assert.Equal(t, "bad", tr.Attempts[0].Deployment)
	assert.Equal(t, llm.KindServer, tr.Attempts[0].Kind)
}

// Failures beyond the allowed number per minute cool a deployment down;
// it recovers on its own when the cooldown ends.
func TestCooldownAfterAllowedFailsThenRecovery(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: statusErr(llm.KindServer, 500)}
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithRetries(0),
			router.WithCooldown(router.CooldownAfter(2, 10*time.Second)))
		require.NoError(t, err)
		ctx := t.Context()
		for i := range 3 {
			_, err := r.Completion(ctx, req("g"))
			assert.ErrorIs(t, err, llm.ErrServer, "call %d", i)
		}
		assert.Equal(t, int64(3), a.calls.Load())
		_, err = r.Completion(ctx, req("g"))
		var re *router.Error
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, err, llm.ErrRateLimit, "every deployment cooling down")
		assert.Equal(t, time.Now().Add(10*time.Second), re.RetryAt)
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "cooldown", le.Code)
		assert.Equal(t, 10*time.Second, le.RetryAfter)
		assert.Equal(t, int64(3), a.calls.Load(), "no call while cooling down")
		a.setAlways(nil)
		time.Sleep(10 * time.Second)
		resp, err := r.Completion(ctx, req("g"))
		require.NoError(t, err)
		assert.Equal(t, "from a", resp.Text())
	})
}

// The default policy is LiteLLM's: at once on 429, 401, 403 and 404,
// otherwise on a failure rate above 50% once the minute has 5 requests;
// the count rule is an option.
func TestCooldownPolicies(t *testing.T) {
	t.Parallel()
	ra := &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 42 * time.Second}
	countRule := router.CooldownAfter(router.DefaultAllowedFails, router.DefaultCooldownTime)
	tests := []struct {
		name   string
		policy router.CooldownPolicy
		err    error
		minute router.Outcomes
		want   time.Duration
	}{
		{"429", router.DefaultCooldown, statusErr(llm.KindRateLimit, 429), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"429 Retry-After", router.DefaultCooldown, ra, router.Outcomes{Failures: 1}, 42 * time.Second},
		{"401", router.DefaultCooldown, statusErr(llm.KindAuthentication, 401), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"403", router.DefaultCooldown, statusErr(llm.KindPermissionDenied, 403), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"404", router.DefaultCooldown, statusErr(llm.KindNotFound, 404), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"rate limit kind", router.DefaultCooldown, kindErr(llm.KindRateLimit), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"permission kind", router.DefaultCooldown, kindErr(llm.KindPermissionDenied), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
		{"408 is rate based", router.DefaultCooldown, statusErr(llm.KindTimeout, 408), router.Outcomes{Failures: 1}, 0},
		{"500 alone", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Failures: 1}, 0},
		{"500, 4 of 4 below the minimum", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Failures: 4}, 0},
		{"500, 3 of 5", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Successes: 2, Failures: 3}, router.DefaultCooldownTime},
		{"500, 3 of 6 is not above half", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Successes: 3, Failures: 3}, 0},
		{"500, 25 of 100", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Successes: 75, Failures: 25}, 0},
		{"500, 51 of 100", router.DefaultCooldown, statusErr(llm.KindServer, 500), router.Outcomes{Successes: 49, Failures: 51}, router.DefaultCooldownTime},
		{"400 never", router.DefaultCooldown, statusErr(llm.KindInvalidRequest, 400), router.Outcomes{Failures: 9}, 0},
		{"content policy never", router.DefaultCooldown, kindErr(llm.KindContentPolicy), router.Outcomes{Failures: 9}, 0},
		{"context window never", router.DefaultCooldown, kindErr(llm.KindContextWindowExceeded), router.Outcomes{Failures: 9}, 0},
		{"count rule, 3 fails", countRule, statusErr(llm.KindServer, 500), router.Outcomes{Failures: 3}, 0},
		{"count rule, 4 fails of 100", countRule, statusErr(llm.KindServer, 500), router.Outcomes{Successes: 96, Failures: 4}, router.DefaultCooldownTime},
		{"count rule, 401", countRule, statusErr(llm.KindAuthentication, 401), router.Outcomes{Failures: 1}, router.DefaultCooldownTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.policy(tt.err, tt.minute))
		})
	}
}

func TestRecoolingKeepsLaterDeadline(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{dep("g", &script{name: "a"})})
	require.NoError(t, err)
	ctx := t.Context()
	late := time.Now().Add(time.Hour)
	require.NoError(t, r.Cooldown(ctx, "a", late))
	require.NoError(t, r.Cooldown(ctx, "a", time.Now().Add(time.Minute)))
	h, err := r.Health(ctx, "g")
	require.NoError(t, err)
	assert.True(t, h[0].CooldownUntil.Equal(late), "got %v, want %v", h[0].CooldownUntil, late)
}

func TestRetryPolicyDefaults(t *testing.T) {
	t.Parallel()
	retry := []llm.Kind{llm.KindRateLimit, llm.KindTimeout, llm.KindConnection, llm.KindOverloaded, llm.KindServer}
	noRetry := []llm.Kind{llm.KindAuthentication, llm.KindInvalidRequest, llm.KindContextWindowExceeded, llm.KindContentPolicy,
		llm.KindPermissionDenied, llm.KindNotFound, llm.KindQuotaExceeded, llm.KindCanceled}
	for _, k := range retry {
		assert.True(t, router.DefaultRetryPolicy(kindErr(k)), k.String())
	}
	for _, k := range noRetry {
		assert.False(t, router.DefaultRetryPolicy(kindErr(k)), k.String())
	}
	assert.False(t, router.DefaultRetryPolicy(context.Canceled))
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 7*time.Second, router.DefaultBackoff(1, &llm.Error{Kind: llm.KindRateLimit, RetryAfter: 7 * time.Second}))
	for attempt := 1; attempt < 20; attempt++ {
		d := router.DefaultBackoff(attempt, kindErr(llm.KindServer))
		ceiling := min(router.DefaultMinBackoff<<(attempt-1), router.DefaultMaxBackoff)
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
	}
}

// Retry-After is honoured when the only deployment asks to wait: the retry
// comes exactly then, and not before.
func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", fail: []error{&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 3 * time.Second}}}
		r, err := router.New([]router.Deployment{dep("g", a)})
		require.NoError(t, err)
		start := time.Now()
		resp, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, "from a", resp.Text())
		assert.Equal(t, 3*time.Second, time.Since(start))
		assert.Equal(t, int64(2), a.calls.Load())
	})
}

// With one deployment, retries back off exponentially and stop at the
// retry count; the error lists each attempt.
func TestRetriesBackOffThenFail(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: kindErr(llm.KindOverloaded)}
		var waits []int
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithRetries(3),
			router.WithCooldown(func(error, router.Outcomes) time.Duration { return 0 }),
			router.WithBackoff(func(n int, _ error) time.Duration { waits = append(waits, n); return time.Duration(n) * time.Second }))
		require.NoError(t, err)
		start := time.Now()
		_, err = r.Completion(t.Context(), req("g"))
		require.ErrorIs(t, err, llm.ErrOverloaded)
		assert.Equal(t, 6*time.Second, time.Since(start))
		assert.Equal(t, []int{1, 2, 3}, waits)
		var re *router.Error
		require.ErrorAs(t, err, &re)
		require.Len(t, re.Attempts, 4)
		for _, at := range re.Attempts {
			assert.Equal(t, "a", at.Deployment)
			assert.Equal(t, llm.KindOverloaded, at.Kind)
		}
		assert.Contains(t, err.Error(), "4 attempts failed")
	})
}

// Canceling the context during a backoff returns at once.
func TestCancelDuringBackoffReturnsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: kindErr(llm.KindServer)}
		r, err := router.New([]router.Deployment{dep("g", a)},
			router.WithCooldown(func(error, router.Outcomes) time.Duration { return 0 }),
			router.WithBackoff(func(int, error) time.Duration { return 5 * time.Second }))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		_, err = r.Completion(ctx, req("g"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, llm.ErrCanceled)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, int64(1), a.calls.Load())
	})
}

func TestNoRetryOnNonRetryableKinds(t *testing.T) {
	t.Parallel()
	for _, k := range []llm.Kind{llm.KindInvalidRequest, llm.KindContentPolicy, llm.KindContextWindowExceeded} {
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			a, b := &script{name: "a", always: kindErr(k)}, &script{name: "b", always: kindErr(k)}
			r, err := router.New([]router.Deployment{dep("g", a), dep("g", b)})
			require.NoError(t, err)
			_, err = r.Completion(t.Context(), req("g"))
			assert.ErrorIs(t, err, k.Sentinel())
			assert.Equal(t, int64(1), a.calls.Load()+b.calls.Load())
		})
	}
}

func TestFallbacksByKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"generic", kindErr(llm.KindServer), "generic"},
		{"context window", kindErr(llm.KindContextWindowExceeded), "long"},
		{"content policy", kindErr(llm.KindContentPolicy), "lenient"},
		{"auth goes to generic", statusErr(llm.KindAuthentication, 401), "generic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			main := &script{name: "main", always: tt.err}
			gen, long, len := &script{name: "generic"}, &script{name: "long"}, &script{name: "lenient"}
			r, err := router.New([]router.Deployment{dep("main", main), dep("gen", gen), dep("long", long), dep("len", len)},
				router.WithBackoff(noWait),
				router.WithFallbacks("main", "gen"),
				router.WithContextWindowFallbacks("main", "long"),
				router.WithContentPolicyFallbacks("main", "len"))
			require.NoError(t, err)
			var tr router.Trace
			resp, err := r.Completion(t.Context(), req("main"), router.CallTrace(&tr))
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp.Meta.Deployment)
			assert.Equal(t, "main", tr.Attempts[0].Deployment)
		})
	}
}

func TestInvalidRequestDoesNotFallBack(t *testing.T) {
	t.Parallel()
	main, gen := &script{name: "main", always: kindErr(llm.KindInvalidRequest)}, &script{name: "gen"}
	r, err := router.New([]router.Deployment{dep("main", main), dep("gen", gen)}, router.WithFallbacks("main", "gen"))
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("main"))
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Zero(t, gen.calls.Load())
}

func TestDefaultFallback(t *testing.T) {
	t.Parallel()
	a, b, d := &script{name: "a", always: kindErr(llm.KindServer)}, &script{name: "b", always: kindErr(llm.KindServer)}, &script{name: "d"}
	r, err := router.New([]router.Deployment{dep("a", a), dep("b", b), dep("d", d)}, router.WithBackoff(noWait),
		router.WithRetries(0), router.WithFallbacks("a", "b"), router.WithDefaultFallbacks("d"))
	require.NoError(t, err)
	// a has its own list (b); b has none, so the default applies to it.
	var tr router.Trace
	resp, err := r.Completion(t.Context(), req("a"), router.CallTrace(&tr))
	require.NoError(t, err)
	assert.Equal(t, "d", resp.Meta.Deployment)
	require.Len(t, tr.Attempts, 3)
	assert.Equal(t, []string{"a", "b", "d"}, []string{tr.Attempts[0].Group, tr.Attempts[1].Group, tr.Attempts[2].Group})
}

// A cyclic fallback configuration ends, each group tried once, attempts
// bounded.
func TestCyclicFallbacksAreBounded(t *testing.T) {
	t.Parallel()
	a, b, c := &script{name: "a", always: kindErr(llm.KindServer)}, &script{name: "b", always: kindErr(llm.KindServer)}, &script{name: "c", always: kindErr(llm.KindServer)}
	r, err := router.New([]router.Deployment{dep("a", a), dep("b", b), dep("c", c)}, router.WithBackoff(noWait),
		router.WithCooldown(func(error, router.Outcomes) time.Duration { return 0 }),
		router.WithFallbacks("a", "b", "c"), router.WithFallbacks("b", "a", "c"), router.WithFallbacks("c", "a", "b"),
		router.WithDefaultFallbacks("a"))
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("a"))
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Attempts, 9, "3 groups × (1 + 2 retries)")
	assert.Equal(t, int64(3), a.calls.Load())
	assert.Equal(t, int64(3), b.calls.Load())
	assert.Equal(t, int64(3), c.calls.Load())

	r, err = router.New([]router.Deployment{dep("a", a), dep("b", b), dep("c", c)}, router.WithBackoff(noWait),
		router.WithCooldown(func(error, router.Outcomes) time.Duration { return 0 }),
		router.WithFallbacks("a", "b", "c"), router.WithFallbacks("b", "a", "c"), router.WithMaxAttempts(4))
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("a"))
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Attempts, 4, "max attempts")
}

// Multi-level: a's fallback b has its own fallback c.
func TestMultiLevelFallbacks(t *testing.T) {
	t.Parallel()
	a, b, c := &script{name: "a", always: kindErr(llm.KindServer)}, &script{name: "b", always: kindErr(llm.KindOverloaded)}, &script{name: "c"}
	r, err := router.New([]router.Deployment{dep("a", a), dep("b", b), dep("c", c)}, router.WithBackoff(noWait), router.WithRetries(0),
		router.WithFallbacks("a", "b"), router.WithFallbacks("b", "c"))
	require.NoError(t, err)
	resp, err := r.Completion(t.Context(), req("a"))
	require.NoError(t, err)
	assert.Equal(t, "c", resp.Meta.Deployment)
}

func TestContextWindowPreCheck(t *testing.T) {
	t.Parallel()
	small, big := &script{name: "small"}, &script{name: "big"}
	r, err := router.New([]router.Deployment{
		dep("small", small, func(d *router.Deployment) { d.ContextWindow = 10 }),
		dep("big", big, func(d *router.Deployment) { d.ContextWindow = 100000 }),
	}, router.WithContextWindowFallbacks("small", "big"))
	require.NoError(t, err)
	long := llm.CompletionRequest{Model: "small", Messages: []llm.Message{llm.UserText(string(make([]byte, 400)))}}
	var tr router.Trace
	resp, err := r.Completion(t.Context(), long, router.CallTrace(&tr))
	require.NoError(t, err)
	assert.Equal(t, "big", resp.Meta.Deployment)
	assert.Zero(t, small.calls.Load(), "skipped before the call")
	assert.Equal(t, llm.KindContextWindowExceeded, tr.Attempts[0].Kind)

	resp, err = r.Completion(t.Context(), req("small"))
	require.NoError(t, err)
	assert.Equal(t, "small", resp.Meta.Deployment)
}

func TestContextWindowFunc(t *testing.T) {
	t.Parallel()
	small, big := &script{name: "small"}, &script{name: "big"}
	r, err := router.New([]router.Deployment{dep("g", small), dep("g", big)},
		router.WithContextWindowFunc(func(m string) int {
			if m == "mock/small" {
				return 5
			}
			return 0
		}),
		router.WithTokenCounter(func(*llm.CompletionRequest) int { return 50 }))
	require.NoError(t, err)
	for range 20 {
		resp, err := r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, "big", resp.Meta.Deployment)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	free := &script{name: "free"}
	paid := &script{name: "paid"}
	def := &script{name: "def"}
	tag := func(tags ...string) func(*router.Deployment) { return func(d *router.Deployment) { d.Tags = tags } }
	r, err := router.New([]router.Deployment{dep("g", free, tag("free")), dep("g", paid, tag("paid", "premium")), dep("g", def, tag("default"))})
	require.NoError(t, err)
	for range 10 {
		resp, err := r.Completion(t.Context(), req("g"), router.CallTags("premium"))
		require.NoError(t, err)
		assert.Equal(t, "paid", resp.Meta.Deployment)
		resp, err = r.Completion(t.Context(), req("g"), router.CallTags("unknown"))
		require.NoError(t, err)
		assert.Equal(t, "def", resp.Meta.Deployment, "no deployment has the tag: the default ones")
	}
	r, err = router.New([]router.Deployment{dep("g", free, tag("free"))})
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("g"), router.CallTags("paid"))
	assert.ErrorIs(t, err, llm.ErrNotFound)
}

func TestRPMLimitAndError(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Start at the beginning of a minute.
		time.Sleep(time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)))
		a, b := &script{name: "a"}, &script{name: "b"}
		r, err := router.New([]router.Deployment{
			dep("g", a, func(d *router.Deployment) { d.RPM = 3 }),
			dep("g", b, func(d *router.Deployment) { d.RPM = 2 }),
		})
		require.NoError(t, err)
		for range 5 {
			_, err := r.Completion(t.Context(), req("g"))
			require.NoError(t, err)
		}
		assert.Equal(t, int64(3), a.calls.Load())
		assert.Equal(t, int64(2), b.calls.Load())
		_, err = r.Completion(t.Context(), req("g"))
		require.ErrorIs(t, err, llm.ErrRateLimit)
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "rpm_limit", le.Code)
		assert.Equal(t, time.Minute, le.RetryAfter)
		time.Sleep(time.Minute)
		_, err = r.Completion(t.Context(), req("g"))
		require.NoError(t, err, "new minute")
	})
}

func TestWaitForCooldown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a"}
		r, err := router.New([]router.Deployment{dep("g", a)}, router.WithWaitForCooldown())
		require.NoError(t, err)
		require.NoError(t, r.Cooldown(t.Context(), "a", time.Now().Add(5*time.Second)))
		start := time.Now()
		_, err = r.Completion(t.Context(), req("g"))
		require.NoError(t, err)
		assert.Equal(t, 5*time.Second, time.Since(start))

		// Not beyond the context's deadline: fail at once instead.
		require.NoError(t, r.Cooldown(t.Context(), "a", time.Now().Add(time.Hour)))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start = time.Now()
		_, err = r.Completion(ctx, req("g"))
		assert.ErrorIs(t, err, llm.ErrRateLimit)
		assert.Zero(t, time.Since(start))
	})
}

func TestMaxParallel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a, b := &script{name: "a", delay: time.Second}, &script{name: "b", delay: time.Second}
		r, err := router.New([]router.Deployment{
			dep("g", a, func(d *router.Deployment) { d.MaxParallel = 1 }),
			dep("g", b, func(d *router.Deployment) { d.MaxParallel = 1 }),
		})
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range 3 {
			wg.Go(func() { _, errs[i] = r.Completion(t.Context(), req("g")) })
		}
		wg.Wait()
		n := 0
		for _, err := range errs {
			if err != nil {
				n++
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, "max_parallel", le.Code)
			}
		}
		assert.Equal(t, 1, n, "two in flight at most")
		assert.Equal(t, int64(1), a.calls.Load())
		assert.Equal(t, int64(1), b.calls.Load())
		h, err := r.Health(t.Context(), "")
		require.NoError(t, err)
		assert.Zero(t, h[0].InFlight+h[1].InFlight)
	})
}

func TestDeploymentTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		slow, fast := &script{name: "slow", delay: time.Minute}, &script{name: "fast"}
		r, err := router.New([]router.Deployment{
			dep("g", slow, order(0), func(d *router.Deployment) { d.Timeout = time.Second }),
			dep("g", fast, order(1)),
		})
		require.NoError(t, err)
		start := time.Now()
		var tr router.Trace
		resp, err := r.Completion(t.Context(), req("g"), router.CallTrace(&tr))
		require.NoError(t, err)
		assert.Equal(t, "fast", resp.Meta.Deployment)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, llm.KindTimeout, tr.Attempts[0].Kind)
	})
}

func TestAsProvider(t *testing.T) {
	t.Parallel()
	a := &script{name: "a"}
	r, err := router.New([]router.Deployment{dep("g", a, func(d *router.Deployment) { d.Tags = []string{"x"} })})
	require.NoError(t, err)
	cl := llm.NewClient(llm.WithProvider(r.Provider()))
	var tr router.Trace
	resp, err := cl.Completion(t.Context(), req("router/g"), router.CallTags("x"), router.CallTrace(&tr))
	require.NoError(t, err)
	assert.Equal(t, "from a", resp.Text())
	assert.Equal(t, "router", resp.Meta.Provider)
	assert.Equal(t, "g", resp.Meta.Model)
	assert.Equal(t, "a", resp.Meta.Deployment)
	assert.Equal(t, "a", tr.Deployment)

	final, err := llm.Collect(cl.CompletionStream(t.Context(), req("router/g")))
	require.NoError(t, err)
	assert.Equal(t, "from a", final.Text())
	assert.Equal(t, "a", final.Meta.Deployment)

	_, err = cl.Completion(t.Context(), req("router/nope"))
	assert.ErrorIs(t, err, llm.ErrNotFound)
}

func TestErrorListsAttempts(t *testing.T) {
	t.Parallel()
	a, b := &script{name: "a", always: kindErr(llm.KindServer)}, &script{name: "b", always: kindErr(llm.KindOverloaded)}
	r, err := router.New([]router.Deployment{dep("g", a, order(0)), dep("g", b, order(1))}, router.WithRetries(1), router.WithBackoff(noWait))
	require.NoError(t, err)
	_, err = r.Completion(t.Context(), req("g"))
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "g", re.Group)
	require.Len(t, re.Attempts, 2)
	assert.Equal(t, "a", re.Attempts[0].Deployment)
	assert.Equal(t, "b", re.Attempts[1].Deployment)
	assert.ErrorIs(t, err, llm.ErrOverloaded, "wraps the last error")
	assert.True(t, errors.Is(re.Attempts[0].Err, llm.ErrServer))
	assert.Contains(t, err.Error(), "a: server")
	assert.Contains(t, err.Error(), "b: overloaded")
}

func TestCanceledBeforeCall(t *testing.T) {
	t.Parallel()
	a := &script{name: "a"}
	r, err := router.New([]router.Deployment{dep("g", a)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = r.Completion(ctx, req("g"))
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, llm.KindCanceled, le.Kind)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, a.calls.Load())
}

// A backoff that would end after the deadline is not started: the call
// fails at once with the error that asked for it, not with a timeout.
func TestBackoffPastDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: kindErr(llm.KindServer)}
		r, err := router.New([]router.Deployment{dep("g", a)},
			router.WithCooldown(func(error, router.Outcomes) time.Duration { return 0 }),
			router.WithBackoff(func(int, error) time.Duration { return 5 * time.Second }))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err = r.Completion(ctx, req("g"))
		assert.ErrorIs(t, err, llm.ErrServer)
		assert.Zero(t, time.Since(start))
		var re *router.Error
		require.ErrorAs(t, err, &re)
		require.Len(t, re.Attempts, 1)
		assert.Equal(t, llm.KindServer, re.Attempts[0].Kind)
	})
}

func TestAsProviderPricesFromResponseModel(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{{Group: "g", Model: "openai/gpt-4o",
		Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok"})}}})
	require.NoError(t, err)
	cl := llm.NewClient(llm.WithProvider(r.Provider()))
	resp, err := cl.Completion(t.Context(), req("router/g"))
	require.NoError(t, err)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known, "priced as gpt-4o, the model the response names")
	assert.Positive(t, resp.Meta.Cost.Total)
}

// The error of a failed call prints each piece of information once, one
// prefix per layer: the router's group and attempts, then the last error as
// its own layer prints it (a router-made error without repeating the
// router).
func TestErrorString(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		a := &script{name: "a", always: &llm.Error{Kind: llm.KindServer, StatusCode: 500, Message: "boom"}}
		b := &script{name: "b", always: &llm.Error{Kind: llm.KindOverloaded, StatusCode: 529, Message: "busy"}}
		r, err := router.New([]router.Deployment{dep("g", a), dep("g", b, order(1))},
			router.WithRetries(1), router.WithBackoff(noWait), router.WithCooldown(router.CooldownAfter(0, time.Minute)))
		require.NoError(t, err)
		_, err = r.Completion(t.Context(), req("g"))
		require.Error(t, err)
		assert.Equal(t, `router: group "g": 2 attempts failed [a: server; b: overloaded]: llm: mock/b: overloaded (529): busy`, err.Error())

		_, err = r.Completion(t.Context(), req("g"))
		assert.Equal(t, `router: group "g": 1 attempt failed [g: rate limit]: rate limit (cooldown): every deployment is cooling down (retry after 1m0s)`, err.Error())
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, `llm: router/g: rate limit (cooldown): every deployment is cooling down (retry after 1m0s)`, le.Error())

		_, err = r.Completion(t.Context(), req("nope"))
		assert.Equal(t, `router: group "nope": not found (no_deployment): no such model group`, err.Error())

		_, err = router.New([]router.Deployment{{Group: "g", Model: "mock/x"}}, router.WithFallbacks("g", "h"))
		assert.Equal(t, `llm: router: invalid request: fallbacks of g: unknown model group or deployment "h"`, err.Error())
	})
}
