package router_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzInvariants builds a random router from the seed (groups, deployments
// failing at random with random kinds, random and possibly cyclic
// fallbacks, random retry and attempt bounds), makes calls, and checks what
// must hold whatever the configuration:
//   - a call makes at most MaxAttempts attempts;
//   - each group is tried in one run of attempts (at most once per call),
//     with at most 1 + retries attempts on its deployments, not counting
//     the failovers after an authentication error (at most one per
//     deployment of the group);
//   - a success's last attempt names the deployment in Meta.Deployment;
//   - every deployment call is an attempt, and nothing stays in flight.
func FuzzInvariants(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1234, 99999} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		kinds := []llm.Kind{llm.KindServer, llm.KindOverloaded, llm.KindRateLimit, llm.KindTimeout, llm.KindAuthentication,
			llm.KindContentPolicy, llm.KindContextWindowExceeded, llm.KindInvalidRequest, llm.KindConnection}
		nGroups := 1 + rng.IntN(4)
		groups := make([]string, nGroups)
		for i := range groups {
			groups[i] = "g" + strconv.Itoa(i)
		}
		var calls atomic.Int64
		var deps []router.Deployment
		size := map[string]int{}
		for _, g := range groups {
			size[g] = 1 + rng.IntN(3)
			for j := range size[g] {
				failP := rng.Float64()
				kind := kinds[rng.IntN(len(kinds))]
				seedJ := rng.Uint64()
				var n atomic.Uint64
				deps = append(deps, router.Deployment{
					ID: g + "-" + strconv.Itoa(j), Group: g, Model: "mock/x", Order: rng.IntN(2),
					Options: []llm.Option{llm.WithMockResponder(func(context.Context, *llm.CompletionRequest) llm.MockResponse {
						calls.Add(1)
						r := rand.New(rand.NewPCG(seedJ, n.Add(1)))
						if r.Float64() < failP {
							return llm.MockResponse{Err: &llm.Error{Kind: kind, Message: "scripted"}}
						}
						return llm.MockResponse{Content: "ok"}
					})},
				})
			}
		}
		retries, maxAttempts := rng.IntN(4), 1+rng.IntN(12)
		opts := []router.Option{
			router.WithRetries(retries), router.WithMaxAttempts(maxAttempts),
			router.WithBackoff(func(int, error) time.Duration { return 0 }),
			router.WithCooldown(router.CooldownAfter(rng.IntN(3), time.Duration(rng.IntN(2))*time.Hour)),
		}
		randomList := func() []string {
			var l []string
			for range rng.IntN(4) {
				l = append(l, groups[rng.IntN(nGroups)])
			}
			return l
		}
		for _, g := range groups {
			opts = append(opts, router.WithFallbacks(g, randomList()...),
				router.WithContextWindowFallbacks(g, randomList()...), router.WithContentPolicyFallbacks(g, randomList()...))
		}
		opts = append(opts, router.WithDefaultFallbacks(randomList()...))
		r, err := router.New(deps, opts...)
		require.NoError(t, err)

		attempts := 0
		for range 20 {
			var tr router.Trace
			resp, err := r.Completion(t.Context(), llm.CompletionRequest{Model: groups[rng.IntN(nGroups)], Messages: []llm.Message{llm.UserText("hi")}}, router.CallTrace(&tr))
			require.LessOrEqual(t, len(tr.Attempts), maxAttempts)
			seen := map[string]bool{}
			perGroup, failovers := map[string]int{}, map[string]int{}
			for i, a := range tr.Attempts {
				if i == 0 || tr.Attempts[i-1].Group != a.Group {
					require.False(t, seen[a.Group], "group %s tried twice: %+v", a.Group, tr.Attempts)
					seen[a.Group] = true
				}
				if a.Deployment != "" {
					if a.Kind == llm.KindAuthentication {
						failovers[a.Group]++
					} else {
						perGroup[a.Group]++
					}
					attempts++
				}
			}
			for g, n := range perGroup {
				assert.LessOrEqual(t, n, 1+retries, "group %s", g)
			}
			for g, n := range failovers {
				assert.LessOrEqual(t, n, size[g], "group %s", g)
			}
			if err == nil {
				require.NotEmpty(t, tr.Attempts)
				last := tr.Attempts[len(tr.Attempts)-1]
				assert.NoError(t, last.Err)
				assert.Equal(t, resp.Meta.Deployment, last.Deployment)
			} else {
				var re *router.Error
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tr.Attempts, re.Attempts)
			}
		}
		assert.Equal(t, int64(attempts), calls.Load(), "every deployment call is an attempt")
		h, err := r.Health(t.Context(), "")
		require.NoError(t, err)
		for _, x := range h {
			assert.Zero(t, x.InFlight, x.ID)
		}
	})
}
