package statetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counter is a mock deployment that counts its calls and can be made to
// fail.
type counter struct {
	calls atomic.Int64
	err   atomic.Pointer[llm.Error]
}

func (c *counter) respond(context.Context, *llm.CompletionRequest) llm.MockResponse {
	c.calls.Add(1)
	if e := c.err.Load(); e != nil {
		return llm.MockResponse{Err: e}
	}
	return llm.MockResponse{Content: "ok"}
}

func (c *counter) deployment(id, group string) router.Deployment {
	return router.Deployment{ID: id, Group: group, Model: "mock/" + id, Options: []llm.Option{llm.WithMockResponder(c.respond)}}
}

// fixedClock is a clock stopped at the start of the current minute, so that a
// test's rate windows do not roll over while it runs.
func fixedClock() func() time.Time {
	t0 := time.Now().Truncate(time.Minute)
	return func() time.Time { return t0 }
}

// Load runs goroutines × calls routed calls over five deployments with
// weights 1 to 5 on s, then checks that every call succeeded, that no
// request is left in flight, and that the traffic split follows the weights
// (within 15%). It then has goroutines calls race for five deployments
// limited to rpm requests a minute each, and checks that exactly 5 × rpm
// succeed and the rest fail with a rate-limit error.
func Load(t *testing.T, s router.State, goroutines, calls, rpm int) {
	t.Helper()
	ctx := t.Context()
	var deps []router.Deployment
	counters := make([]*counter, 5)
	for i := range counters {
		counters[i] = &counter{}
		d := counters[i].deployment("w"+string(rune('1'+i)), "weighted")
		d.Weight = float64(i + 1)
		deps = append(deps, d)
		l := counters[i].deployment("l"+string(rune('1'+i)), "limited")
		l.RPM = rpm
		deps = append(deps, l)
	}
	r, err := router.New(deps, router.WithState(s), router.WithClock(fixedClock()), router.WithRetries(0))
	require.NoError(t, err)

	var failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range calls {
				if _, err := r.Completion(ctx, llm.CompletionRequest{Model: "weighted", Messages: []llm.Message{llm.UserText("hi")}}); err != nil {
					failed.Add(1)
					firstErr.Do(func() { t.Errorf("call failed: %v", err) })
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	total := goroutines * calls
	for i, c := range counters {
		want := float64(total) * float64(i+1) / 15
		assert.InEpsilon(t, want, float64(c.calls.Load()), 0.15, "deployment w%d: got %d calls, want about %.0f", i+1, c.calls.Load(), want)
	}
	h, err := r.Health(ctx, "weighted")
	require.NoError(t, err)
	sum := 0
	for _, x := range h {
		assert.Zero(t, x.InFlight, x.ID)
		sum += x.RPM
	}
	assert.Equal(t, total, sum, "every request counted")

	var ok, limited atomic.Int64
	for range goroutines {
		wg.Go(func() {
			_, err := r.Completion(ctx, llm.CompletionRequest{Model: "limited", Messages: []llm.Message{llm.UserText("hi")}})
			switch {
			case err == nil:
				ok.Add(1)
			case llm.KindOf(err) == llm.KindRateLimit:
				limited.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	want := min(5*rpm, goroutines)
	assert.Equal(t, int64(want), ok.Load(), "rpm limits hold exactly")
	assert.Equal(t, int64(goroutines-want), limited.Load())
	h, err = r.Health(ctx, "limited")
	require.NoError(t, err)
	for _, x := range h {
		assert.LessOrEqual(t, x.RPM, rpm, x.ID)
		assert.Zero(t, x.InFlight, x.ID)
	}
}

// Shared checks that two routers whose States a and b share one store agree:
// an rpm limit holds across both, and a cooldown set by one is seen by the
// other.
func Shared(t *testing.T, a, b router.State) {
	t.Helper()
	ctx := t.Context()
	x, y := &counter{}, &counter{}
	deps := func() []router.Deployment {
		dx, dy := x.deployment("x", "g"), y.deployment("y", "g")
		dx.RPM, dy.Order = 30, 1
		return []router.Deployment{dx, dy}
	}
	clock := fixedClock()
	ra, err := router.New(deps(), router.WithState(a), router.WithClock(clock), router.WithStrategy(router.Priority()))
	require.NoError(t, err)
	rb, err := router.New(deps(), router.WithState(b), router.WithClock(clock), router.WithStrategy(router.Priority()))
	require.NoError(t, err)

	// 100 calls, half on each router: x takes exactly its 30, y the rest.
	var wg sync.WaitGroup
	for i := range 100 {
		r := ra
		if i%2 == 1 {
			r = rb
		}
		wg.Go(func() {
			_, err := r.Completion(ctx, llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hi")}})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, int64(30), x.calls.Load(), "x's rpm limit holds across both routers")
	assert.Equal(t, int64(70), y.calls.Load())

	// A 429 seen by ra cools x down for rb too.
	x2, y2 := &counter{}, &counter{}
	x2.err.Store(&llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: time.Minute})
	deps2 := func() []router.Deployment {
		dx, dy := x2.deployment("x2", "h"), y2.deployment("y2", "h")
		dy.Order = 1
		return []router.Deployment{dx, dy}
	}
	ra, err = router.New(deps2(), router.WithState(a), router.WithClock(clock))
	require.NoError(t, err)
	rb, err = router.New(deps2(), router.WithState(b), router.WithClock(clock))
	require.NoError(t, err)
	resp, err := ra.Completion(ctx, llm.CompletionRequest{Model: "h", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
	assert.Equal(t, "y2", resp.Meta.Deployment)
	assert.Equal(t, int64(1), x2.calls.Load())
	h, err := rb.Health(ctx, "h")
	require.NoError(t, err)
	assert.True(t, h[0].CoolingDown, "rb sees ra's cooldown")
	assert.True(t, h[0].CooldownUntil.Equal(clock().Add(time.Minute)), "got %v", h[0].CooldownUntil)
	for range 5 {
		resp, err := rb.Completion(ctx, llm.CompletionRequest{Model: "h", Messages: []llm.Message{llm.UserText("hi")}})
		require.NoError(t, err)
		assert.Equal(t, "y2", resp.Meta.Deployment)
	}
	assert.Equal(t, int64(1), x2.calls.Load(), "rb never called the cooled deployment")
}

// patterned is a mock deployment that fails its calls whose number (1, 2,
// ...) fail selects, with err.
type patterned struct {
	id    string
	calls atomic.Int64
	fail  func(n int64) bool
	err   *llm.Error
}

func (p *patterned) respond(context.Context, *llm.CompletionRequest) llm.MockResponse {
	if n := p.calls.Add(1); p.fail != nil && p.fail(n) {
		e := *p.err // a copy per call: the client completes the error it gets
		return llm.MockResponse{Err: &e}
	}
	return llm.MockResponse{Content: "ok"}
}

// Cooldowns runs the high-traffic cooldown scenarios on States from
// newState (a fresh, empty State per scenario): 100 calls in one minute
// over three deployments a, b, c of a group (in Priority order, so that
// the outcome is exact: b serves the retries of a, c those of b), with the
// default policy (LiteLLM's failure rate) and with the count rule (both
// with one-hour cooldowns, so that none ends during a slow run), and
// checks the exact set of deployments cooling down afterwards, how many
// calls failed and how many of those were refused because every deployment
// was cooling down.
//
//   - all healthy at 25% errors (every 4th call of each fails with a 500):
//     none cools down, and one call in 100 fails (a, b and c all failed
//     it); under the count rule (3 allowed fails) all three cool down one
//     after the other, and 64 calls fail, 63 of them refused;
//   - one bad deployment (every call a 500): it alone cools down, after 5
//     calls, and no call fails; under the count rule the healthy b cools
//     down too;
//   - one deployment at 60% errors: it alone cools down, at its 6th call;
//   - one rate-limited deployment (every call a 429): it alone cools down,
//     at its first 429.
func Cooldowns(t *testing.T, newState func(t *testing.T) router.State) {
	t.Helper()
	server := &llm.Error{Kind: llm.KindServer, StatusCode: 500, Message: "boom"}
	limited := &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, Message: "slow down"}
	every4th := func(n int64) bool { return n%4 == 0 }
	always := func(int64) bool { return true }
	sixtyPct := func(n int64) bool { return n%5 == 1 || n%5 == 2 || n%5 == 3 }
	// The default rules with a cooldown of an hour instead of 5 s: a
	// shared State's cooldowns expire in real time (Redis TTLs), and a
	// scenario may take seconds on a loaded machine.
	rateRule := router.CooldownOnFailureRate(router.DefaultFailureRate, router.DefaultMinRequests, time.Hour)
	countRule := router.CooldownAfter(router.DefaultAllowedFails, time.Hour)
	type dep struct {
		fail func(int64) bool
		err  *llm.Error
	}
	healthy := dep{every4th, server}
	tests := []struct {
		name        string
		policy      router.CooldownPolicy
		deps        [3]dep
		wantCooled  []string
		wantFailed  int   // calls that failed
		wantRefused int   // of those, refused with a cooldown error
		wantCallsA  int64 // calls that reached a
	}{
		{"all healthy at 25% errors", rateRule, [3]dep{healthy, healthy, healthy}, nil, 1, 0, 100},
		{"all healthy at 25% errors, count rule", countRule, [3]dep{healthy, healthy, healthy}, []string{"a", "b", "c"}, 64, 63, 16},
		{"one bad deployment", rateRule, [3]dep{{always, server}, healthy, {}}, []string{"a"}, 0, 0, router.DefaultMinRequests},
		{"one bad deployment, count rule", countRule, [3]dep{{always, server}, healthy, {}}, []string{"a", "b"}, 0, 0, router.DefaultAllowedFails + 1},
		{"one at 60% errors", rateRule, [3]dep{{sixtyPct, server}, healthy, {}}, []string{"a"}, 0, 0, 6},
		{"one rate-limited deployment", rateRule, [3]dep{{always, limited}, healthy, {}}, []string{"a"}, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			var deps []router.Deployment
			var ps []*patterned
			for i, d := range tt.deps {
				p := &patterned{id: string(rune('a' + i)), fail: d.fail, err: d.err}
				ps = append(ps, p)
				deps = append(deps, router.Deployment{ID: p.id, Group: "g", Model: "mock/" + p.id, Options: []llm.Option{llm.WithMockResponder(p.respond)}})
			}
			var degraded atomic.Pointer[router.Event]
			opts := []router.Option{router.WithState(newState(t)), router.WithClock(fixedClock()),
				router.WithEvents(func(e router.Event) {
					if e.Kind == router.StateDegraded {
						degraded.CompareAndSwap(nil, &e)
					}
				}),
				router.WithStrategy(router.Priority()), router.WithBackoff(func(int, error) time.Duration { return 0 })}
			opts = append(opts, router.WithCooldown(tt.policy))
			r, err := router.New(deps, opts...)
			require.NoError(t, err)
			failed, refused := 0, 0
			for range 100 {
				_, err := r.Completion(ctx, llm.CompletionRequest{Model: "g", Messages: []llm.Message{llm.UserText("hi")}})
				if err != nil {
					failed++
					var le *llm.Error
					if errors.As(err, &le) && le.Code == "cooldown" {
						refused++
					}
				}
			}
			if e := degraded.Load(); e != nil {
				t.Fatalf("the State failed during the scenario (%v): the router went on with local state, so the counts are not the State's", e.Err)
			}
			h, err := r.Health(ctx, "g")
			require.NoError(t, err)
			var cooled []string
			for _, x := range h {
				if x.CoolingDown {
					cooled = append(cooled, x.ID)
				}
				assert.Zero(t, x.InFlight, x.ID)
			}
			assert.Equal(t, tt.wantCooled, cooled, "deployments cooling down")
			assert.Equal(t, tt.wantFailed, failed, "failed calls")
			assert.Equal(t, tt.wantRefused, refused, "calls refused with a cooldown error")
			assert.Equal(t, tt.wantCallsA, ps[0].calls.Load(), "calls of a")
		})
	}
}
