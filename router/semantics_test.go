package router_test

import (
	"context"
	"iter"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// When a call's own failures cool every deployment of its group down, the
// caller sees the last real error (Kind, status, message), not a synthetic
// cooldown error; a call that finds them all cooling already gets the
// cooldown error.
func TestRealErrorWhenOwnFailuresCoolTheGroup(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		boom := &llm.Error{Kind: llm.KindServer, StatusCode: 500, Message: "boom"}
		a, b := &script{name: "a", always: boom}, &script{name: "b", always: boom}
		r, err := router.New([]router.Deployment{dep("g", a), dep("g", b)},
			router.WithCooldown(router.CooldownAfter(0, time.Minute)))
		require.NoError(t, err)
		_, err = r.Completion(t.Context(), req("g"))
		var le *llm.Error
		require.ErrorAs(t, err, &le)
		assert.Equal(t, llm.KindServer, le.Kind)
		assert.Equal(t, 500, le.StatusCode)
		assert.Equal(t, "boom", le.Message)
		var re *router.Error
		require.ErrorAs(t, err, &re)
		assert.True(t, re.RetryAt.IsZero(), "not a cooldown failure")
		assert.Equal(t, int64(1), a.calls.Load())
		assert.Equal(t, int64(1), b.calls.Load())

		_, err = r.Completion(t.Context(), req("g"))
		require.ErrorAs(t, err, &le)
		assert.Equal(t, llm.KindRateLimit, le.Kind)
		assert.Equal(t, "cooldown", le.Code)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, time.Now().Add(time.Minute), re.RetryAt)
	})
}

// A revoked key (401) or a missing permission (403) cools that deployment
// down and the call moves on to the next deployment of the group at once,
// without retrying the same one, also with retries off.
func TestAuthErrorsFailOverToNextDeployment(t *testing.T) {
	t.Parallel()
	for _, e := range []*llm.Error{
		{Kind: llm.KindAuthentication, StatusCode: 401, Message: "invalid api key"},
		{Kind: llm.KindPermissionDenied, StatusCode: 403, Message: "no access to model"},
	} {
		t.Run(e.Kind.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				bad, good := &script{name: "bad", always: e}, &script{name: "good"}
				r, err := router.New([]router.Deployment{dep("g", bad), dep("g", good, order(1))}, router.WithRetries(0))
				require.NoError(t, err)
				var tr router.Trace
				start := time.Now()
				resp, err := r.Completion(t.Context(), req("g"), router.CallTrace(&tr))
				require.NoError(t, err)
				assert.Equal(t, "good", resp.Meta.Deployment)
				assert.Zero(t, time.Since(start), "no wait")
				require.Len(t, tr.Attempts, 2)
				assert.Equal(t, e.Kind, tr.Attempts[0].Kind)
				h, err := r.Health(t.Context(), "g")
				require.NoError(t, err)
				assert.True(t, h[0].CoolingDown, "the deployment with the bad key cools down")
				for range 3 {
					resp, err := r.Completion(t.Context(), req("g"))
					require.NoError(t, err)
					assert.Equal(t, "good", resp.Meta.Deployment)
				}
				assert.Equal(t, int64(1), bad.calls.Load(), "never retried")

				// A group whose only deployment is revoked fails with the
				// real error after one attempt.
				only, fb := &script{name: "only", always: e}, &script{name: "fb"}
				r, err = router.New([]router.Deployment{dep("solo", only), dep("fb", fb)})
				require.NoError(t, err)
				_, err = r.Completion(t.Context(), req("solo"))
				assert.ErrorIs(t, err, e.Kind.Sentinel())
				assert.Equal(t, int64(1), only.calls.Load(), "no retry on the same deployment")
			})
		})
	}
}

// A rate limit whose retry would have to wait goes to a fallback group that
// can serve now, at once; it waits only when no fallback can serve.
func TestRateLimitGoesToReadyFallbackAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		limited := func() *llm.Error {
			return &llm.Error{Kind: llm.KindRateLimit, StatusCode: 429, RetryAfter: 5 * time.Second}
		}
		main, fb := &script{name: "main", fail: []error{limited()}}, &script{name: "fb"}
		r, err := router.New([]router.Deployment{dep("main", main), dep("fb", fb)}, router.WithFallbacks("main", "fb"))
		require.NoError(t, err)
		start := time.Now()
		resp, err := r.Completion(t.Context(), req("main"))
		require.NoError(t, err)
		assert.Equal(t, "fb", resp.Meta.Deployment)
		assert.Zero(t, time.Since(start), "the fallback could serve now")
		assert.Equal(t, int64(1), main.calls.Load())

		// The fallback cooling down too: wait for the Retry-After.
		main.mu.Lock()
		main.fail = []error{limited()}
		main.mu.Unlock()
		time.Sleep(5 * time.Second)
		require.NoError(t, r.Cooldown(t.Context(), "fb", time.Now().Add(time.Hour)))
		start = time.Now()
		resp, err = r.Completion(t.Context(), req("main"))
		require.NoError(t, err)
		assert.Equal(t, "main", resp.Meta.Deployment)
		assert.Equal(t, 5*time.Second, time.Since(start), "nothing else could serve: Retry-After honoured")
	})
}

// With WithWaitForCooldown, a call waits for a cooling group only when no
// fallback can serve now.
func TestWaitForCooldownPrefersReadyFallback(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		main, fb := &script{name: "main"}, &script{name: "fb"}
		r, err := router.New([]router.Deployment{dep("main", main), dep("fb", fb)},
			router.WithFallbacks("main", "fb"), router.WithWaitForCooldown())
		require.NoError(t, err)
		require.NoError(t, r.Cooldown(t.Context(), "main", time.Now().Add(5*time.Second)))
		start := time.Now()
		resp, err := r.Completion(t.Context(), req("main"))
		require.NoError(t, err)
		assert.Equal(t, "fb", resp.Meta.Deployment)
		assert.Zero(t, time.Since(start))

		require.NoError(t, r.Cooldown(t.Context(), "fb", time.Now().Add(time.Hour)))
		resp, err = r.Completion(t.Context(), req("main"))
		require.NoError(t, err)
		assert.Equal(t, "main", resp.Meta.Deployment)
		assert.Equal(t, 5*time.Second, time.Since(start), "waited for main: nothing else could serve")
	})
}

// A content-policy error uses the group's content-policy fallbacks; a group
// without them falls through to its generic fallbacks, then the default
// ones.
func TestContentPolicyFallsThroughToGenericThenDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []router.Option
		want string
	}{
		{"content-policy fallbacks", []router.Option{router.WithContentPolicyFallbacks("main", "lenient"), router.WithFallbacks("main", "gen"), router.WithDefaultFallbacks("def")}, "lenient"},
		{"generic fallbacks", []router.Option{router.WithFallbacks("main", "gen"), router.WithDefaultFallbacks("def")}, "gen"},
		{"default fallbacks", []router.Option{router.WithDefaultFallbacks("def")}, "def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			main := &script{name: "main", always: &llm.Error{Kind: llm.KindContentPolicy, StatusCode: 400, Message: "flagged"}}
			deps := []router.Deployment{dep("main", main), dep("lenient", &script{name: "lenient"}), dep("gen", &script{name: "gen"}), dep("def", &script{name: "def"})}
			r, err := router.New(deps, tt.opts...)
			require.NoError(t, err)
			resp, err := r.Completion(t.Context(), req("main"))
			require.NoError(t, err)
			assert.Equal(t, tt.want, resp.Meta.Deployment)
		})
	}
}

// A response that finishes with content_filter is a content-policy failure
// when the group has content-policy fallbacks: the fallback answers, for
// Completion and for streams (the filter shows before any chunk with
// content); without such fallbacks the filtered response is returned.
func TestContentFilterFinishUsesContentPolicyFallback(t *testing.T) {
	t.Parallel()
	filtered := func(context.Context, *llm.CompletionRequest) llm.MockResponse {
		return llm.MockResponse{Content: "[filtered]", FinishReason: llm.FinishContentFilter}
	}
	build := func(t *testing.T, opts ...router.Option) *router.Router {
		r, err := router.New([]router.Deployment{
			{ID: "main", Group: "main", Model: "mock/main", Options: []llm.Option{llm.WithMockResponder(filtered)}},
			dep("lenient", &script{name: "lenient"}),
		}, opts...)
		require.NoError(t, err)
		return r
	}
	t.Run("completion", func(t *testing.T) {
		t.Parallel()
		r := build(t, router.WithContentPolicyFallbacks("main", "lenient"))
		var tr router.Trace
		resp, err := r.Completion(t.Context(), req("main"), router.CallTrace(&tr))
		require.NoError(t, err)
		assert.Equal(t, "lenient", resp.Meta.Deployment)
		assert.Equal(t, "from lenient", resp.Text())
		require.Len(t, tr.Attempts, 2)
		assert.Equal(t, llm.KindContentPolicy, tr.Attempts[0].Kind)
		h, err := r.Health(t.Context(), "main")
		require.NoError(t, err)
		assert.Zero(t, h[0].Fails, "a filtered answer is not the deployment's failure")
		assert.False(t, h[0].CoolingDown)
	})
	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		// A provider whose stream is filtered from the start: a role
		// chunk, then the finish reason content_filter.
		cl := llm.NewClient(llm.WithProvider(filterStreamer{}))
		r, err := router.New([]router.Deployment{
			{ID: "main", Group: "main", Model: "filtering/x"},
			dep("lenient", &script{name: "lenient"}),
		}, router.WithClient(cl), router.WithContentPolicyFallbacks("main", "lenient"))
		require.NoError(t, err)
		var deployments []string
		var text string
		for chunk, err := range r.CompletionStream(t.Context(), req("main")) {
			require.NoError(t, err)
			deployments = append(deployments, chunk.Meta.Deployment)
			if len(chunk.Choices) > 0 {
				text += chunk.Choices[0].Delta.Content
			}
		}
		assert.Equal(t, "from lenient", text)
		assert.NotContains(t, deployments, "main", "no chunk of the filtered answer reached the caller")
	})
	t.Run("no content-policy fallbacks", func(t *testing.T) {
		t.Parallel()
		r := build(t, router.WithFallbacks("main", "lenient"))
		resp, err := r.Completion(t.Context(), req("main"))
		require.NoError(t, err)
		assert.Equal(t, "main", resp.Meta.Deployment)
		assert.Equal(t, llm.FinishContentFilter, resp.Choices[0].FinishReason)
	})
}

type filterStreamer struct{}

func (filterStreamer) Name() string { return "filtering" }

func (filterStreamer) CompletionStream(context.Context, *llm.CompletionRequest, *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		meta := &llm.Meta{Provider: "filtering"}
		if !yield(&llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Role: llm.RoleAssistant}}}, Meta: meta}, nil) {
			return
		}
		yield(&llm.Chunk{Choices: []llm.ChunkChoice{{FinishReason: llm.FinishContentFilter}}, Meta: meta}, nil)
	}
}

// Per-call fallbacks replace the group's configured ones for that call;
// CallNoFallbacks disables every fallback; unknown names are a clear error.
func TestCallFallbacks(t *testing.T) {
	t.Parallel()
	boom := statusErr(llm.KindServer, 500)
	main, gen, other := &script{name: "main", always: boom}, &script{name: "gen"}, &script{name: "other"}
	r, err := router.New([]router.Deployment{dep("main", main), dep("gen", gen), dep("other", other)},
		router.WithRetries(0), router.WithFallbacks("main", "gen"), router.WithDefaultFallbacks("gen"))
	require.NoError(t, err)
	ctx := t.Context()

	resp, err := r.Completion(ctx, req("main"), router.CallFallbacks("other"))
	require.NoError(t, err)
	assert.Equal(t, "other", resp.Meta.Deployment)

	_, err = r.Completion(ctx, req("main"), router.CallNoFallbacks())
	assert.ErrorIs(t, err, llm.ErrServer)
	assert.Zero(t, gen.calls.Load(), "no fallback at all")

	_, err = r.Completion(ctx, req("main"), router.CallFallbacks("nope"))
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Equal(t, `router: group "main": invalid request: CallFallbacks: unknown model group or deployment "nope"`, err.Error())

	// Through an llm.Client too.
	cl := llm.NewClient(llm.WithProvider(r.Provider()))
	resp, err = cl.Completion(ctx, req("router/main"), router.CallFallbacks("other"))
	require.NoError(t, err)
	assert.Equal(t, "other", resp.Meta.Deployment)
	assert.Zero(t, gen.calls.Load())
}

// A fallback may name one deployment by its ID; a Standby deployment (LiteLLM's
// weight: 0) is never picked for its group, only when named.
func TestDeploymentFallbacksAndStandby(t *testing.T) {
	t.Parallel()
	a, s, big1, big2 := &script{name: "a"}, &script{name: "s"}, &script{name: "big-1"}, &script{name: "big-2"}
	standby := func(d *router.Deployment) { d.Standby = true }
	r, err := router.New([]router.Deployment{dep("g", a), dep("g", s, standby), dep("big", big1), dep("big", big2)},
		router.WithRetries(0), router.WithFallbacks("g", "s", "big-2"))
	require.NoError(t, err)
	ctx := t.Context()
	for range 20 {
		resp, err := r.Completion(ctx, req("g"))
		require.NoError(t, err)
		assert.Equal(t, "a", resp.Meta.Deployment)
	}
	assert.Zero(t, s.calls.Load(), "standby is never picked for its group")

	require.NoError(t, r.Cooldown(ctx, "a", time.Now().Add(time.Hour)))
	resp, err := r.Completion(ctx, req("g"))
	require.NoError(t, err)
	assert.Equal(t, "s", resp.Meta.Deployment, "named in the fallbacks, the standby serves")

	s.setAlways(statusErr(llm.KindServer, 500))
	for range 5 {
		resp, err = r.Completion(ctx, req("g"))
		require.NoError(t, err)
		assert.Equal(t, "big-2", resp.Meta.Deployment, "the named deployment, not its group")
	}
	assert.Zero(t, big1.calls.Load())

	_, err = router.New([]router.Deployment{dep("g", a)}, router.WithFallbacks("g", "zzz"))
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
}

// Wildcard groups: a deployment whose group is a pattern serves any model
// that matches it, with the matched part substituted into its model
// string; an exact group wins, then the most specific pattern.
func TestWildcardGroups(t *testing.T) {
	t.Parallel()
	ok := []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "ok"})}
	r, err := router.New([]router.Deployment{
		{ID: "catch-all", Group: "*", Model: "mock/any-*", Options: ok},
		{ID: "anthropic", Group: "anthropic/*", Model: "mock/anth-*", Options: ok},
		{ID: "claude", Group: "anthropic/claude-*", Model: "mock/claude-*", Options: ok},
		{ID: "openai", Group: "openai/*", Model: "mock/*", Options: ok},
		{ID: "exact", Group: "openai/gpt-4o", Model: "mock/exact", Options: ok},
	})
	require.NoError(t, err)
	tests := []struct{ model, deployment, served string }{
		{"openai/gpt-4o-mini", "openai", "gpt-4o-mini"},
		{"openai/gpt-4o", "exact", "exact"},
		{"anthropic/claude-3-opus", "claude", "claude-3-opus"},
		{"anthropic/other", "anthropic", "anth-other"},
		{"gemini/gemini-2.0-flash", "catch-all", "any-gemini/gemini-2.0-flash"},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			t.Parallel()
			resp, err := r.Completion(t.Context(), req(tt.model))
			require.NoError(t, err)
			assert.Equal(t, tt.deployment, resp.Meta.Deployment)
			assert.Equal(t, tt.served, resp.Meta.Model, "the deployment's model with the match substituted")
			final, err := llm.Collect(r.CompletionStream(t.Context(), req(tt.model)))
			require.NoError(t, err)
			assert.Equal(t, tt.deployment, final.Meta.Deployment)
		})
	}
	_, err = router.New([]router.Deployment{{Group: "g", Model: "mock/x"}, {Group: "openai/*", Model: "openai/*"}}, router.WithFallbacks("g", "openai/*"))
	assert.ErrorIs(t, err, llm.ErrInvalidRequest, "a wildcard group cannot be a fallback")
}
