package router_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mockDep(group, id string, r llm.MockResponse, mod ...func(*router.Deployment)) router.Deployment {
	d := router.Deployment{ID: id, Group: group, Model: "mock/" + id, Options: []llm.Option{llm.WithMockResponse(r)}}
	for _, m := range mod {
		m(&d)
	}
	return d
}

func TestStreamFailsOverBeforeFirstChunk(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{
		mockDep("g", "a", llm.MockResponse{Err: kindErr(llm.KindOverloaded)}, order(0)),
		mockDep("g", "b", llm.MockResponse{Content: "one two three"}, order(1)),
	})
	require.NoError(t, err)
	var text strings.Builder
	var tr router.Trace
	n := 0
	for chunk, err := range r.CompletionStream(t.Context(), req("g"), router.CallTrace(&tr)) {
		require.NoError(t, err)
		require.NotNil(t, chunk.Meta)
		assert.Equal(t, "b", chunk.Meta.Deployment)
		for _, c := range chunk.Choices {
			text.WriteString(c.Delta.Content)
		}
		n++
	}
	assert.Equal(t, "one two three", text.String())
	assert.Greater(t, n, 3)
	require.Len(t, tr.Attempts, 2)
	assert.Equal(t, "a", tr.Attempts[0].Deployment)
	assert.Equal(t, llm.KindOverloaded, tr.Attempts[0].Kind)
	assert.Equal(t, "b", tr.Deployment)
}

// After the first chunk reached the caller, an error surfaces: no retry,
// no fallback, and the deployment is charged with the failure.
func TestStreamErrorAfterFirstChunkSurfaces(t *testing.T) {
	t.Parallel()
	b := &script{name: "b"}
	r, err := router.New([]router.Deployment{
		mockDep("g", "a", llm.MockResponse{Content: "one two three", Err: kindErr(llm.KindServer), ErrAfterChunks: 2}, order(0)),
		dep("g", b, order(1)),
		dep("fb", &script{name: "fb"}),
	}, router.WithFallbacks("g", "fb"))
	require.NoError(t, err)
	var chunks int
	var errs []error
	for chunk, err := range r.CompletionStream(t.Context(), req("g")) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		chunks++
		assert.Equal(t, "a", chunk.Meta.Deployment)
	}
	assert.Equal(t, 2, chunks)
	require.Len(t, errs, 1, "one error, last")
	assert.ErrorIs(t, errs[0], llm.ErrServer)
	var re *router.Error
	require.ErrorAs(t, errs[0], &re)
	require.Len(t, re.Attempts, 1)
	assert.Zero(t, b.calls.Load())
	h, err := r.Health(t.Context(), "g")
	require.NoError(t, err)
	assert.Equal(t, 1, h[0].Fails)
	assert.Zero(t, h[0].InFlight)
}

func TestStreamTimeoutBeforeFirstChunk(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r, err := router.New([]router.Deployment{
			mockDep("g", "slow", llm.MockResponse{Content: "late", ChunkDelay: time.Minute}, order(0), func(d *router.Deployment) { d.StreamTimeout = time.Second }),
			mockDep("g", "fast", llm.MockResponse{Content: "quick"}, order(1)),
		})
		require.NoError(t, err)
		start := time.Now()
		var tr router.Trace
		final, err := llm.Collect(r.CompletionStream(t.Context(), req("g"), router.CallTrace(&tr)))
		require.NoError(t, err)
		assert.Equal(t, "quick", final.Text())
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, llm.KindTimeout, tr.Attempts[0].Kind)
	})
}

// The stream timeout bounds the first chunk only: a slow stream that has
// started runs on.
func TestStreamTimeoutDoesNotCutAStartedStream(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r, err := router.New([]router.Deployment{
			mockDep("g", "a", llm.MockResponse{Content: "a b c d e", ChunkDelay: 400 * time.Millisecond}, func(d *router.Deployment) { d.StreamTimeout = time.Second }),
		})
		require.NoError(t, err)
		final, err := llm.Collect(r.CompletionStream(t.Context(), req("g")))
		require.NoError(t, err)
		assert.Equal(t, "a b c d e", final.Text())
	})
}

func TestStreamBreakReleases(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{mockDep("g", "a", llm.MockResponse{Content: "a b c d e f"})})
	require.NoError(t, err)
	for range r.CompletionStream(t.Context(), req("g")) {
		break
	}
	h, err := r.Health(t.Context(), "g")
	require.NoError(t, err)
	assert.Zero(t, h[0].InFlight)
	assert.Equal(t, 1, h[0].RPM)
	assert.Zero(t, h[0].Fails)
}

func TestStreamIsSingleUse(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{mockDep("g", "a", llm.MockResponse{})})
	require.NoError(t, err)
	s := r.CompletionStream(t.Context(), req("g"))
	_, err = llm.Collect(s)
	require.NoError(t, err)
	_, err = llm.Collect(s)
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
}

func TestStreamAllFail(t *testing.T) {
	t.Parallel()
	r, err := router.New([]router.Deployment{mockDep("g", "a", llm.MockResponse{Err: statusErr(llm.KindAuthentication, 401)})})
	require.NoError(t, err)
	var errs []error
	for _, err := range r.CompletionStream(t.Context(), req("g")) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], llm.ErrAuthentication)
}

func TestStreamCanceled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r, err := router.New([]router.Deployment{mockDep("g", "a", llm.MockResponse{Content: "a b c", ChunkDelay: time.Second})})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(1500*time.Millisecond, cancel)
		var errs []error
		chunks := 0
		for _, err := range r.CompletionStream(ctx, req("g")) {
			if err != nil {
				errs = append(errs, err)
			} else {
				chunks++
			}
		}
		assert.Equal(t, 1, chunks)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], context.Canceled)
		h, err := r.Health(t.Context(), "g")
		require.NoError(t, err)
		assert.Zero(t, h[0].Fails, "the caller's cancellation is not the deployment's failure")
	})
}

// Latency-based routing learns time to first token from streams.
func TestLatencyBasedLearnsFromStreams(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r, err := router.New([]router.Deployment{
			mockDep("g", "slow", llm.MockResponse{Content: "x", ChunkDelay: 500 * time.Millisecond}),
			mockDep("g", "fast", llm.MockResponse{Content: "x", ChunkDelay: 10 * time.Millisecond}),
		}, router.WithStrategy(router.LatencyBased(0.2)))
		require.NoError(t, err)
		for range 2 { // both unmeasured at first: each gets measured
			_, err := llm.Collect(r.CompletionStream(t.Context(), req("g")))
			require.NoError(t, err)
		}
		h, err := r.Health(t.Context(), "g")
		require.NoError(t, err)
		if h[0].Latency == 0 || h[1].Latency == 0 {
			// The random pick measured one twice: measure the other.
			for range 20 {
				_, err := llm.Collect(r.CompletionStream(t.Context(), req("g")))
				require.NoError(t, err)
			}
		}
		for range 10 {
			final, err := llm.Collect(r.CompletionStream(t.Context(), req("g")))
			require.NoError(t, err)
			assert.Equal(t, "fast", final.Meta.Deployment)
		}
	})
}

// With WithMidStreamFallback, a stream that fails after chunks were yielded
// continues on a fallback, whose request ends with the text so far as an
// assistant prefix; the first chunk of the continuation names the
// deployment that failed (Meta.ContinuedFrom). Off by default.
func TestMidStreamFallback(t *testing.T) {
	t.Parallel()
	broken := llm.MockResponse{Content: "Hello, wor", ChunkSize: 5, ErrAfterChunks: 3,
		Err: &llm.Error{Kind: llm.KindConnection, Message: "connection reset"}}
	var got *llm.CompletionRequest
	cont := func(_ context.Context, req *llm.CompletionRequest) llm.MockResponse {
		got = req
		return llm.MockResponse{Content: "ld!", ChunkSize: 5}
	}
	deps := []router.Deployment{
		{ID: "main", Group: "main", Model: "mock/main", Options: []llm.Option{llm.WithMockResponse(broken)}},
		{ID: "fb", Group: "fb", Model: "mock/fb", Options: []llm.Option{llm.WithMockResponder(cont)}},
	}
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		r, err := router.New(deps, router.WithRetries(0), router.WithFallbacks("main", "fb"), router.WithMidStreamFallback())
		require.NoError(t, err)
		var text string
		var switched []string
		for chunk, err := range r.CompletionStream(t.Context(), req("main")) {
			require.NoError(t, err)
			if len(chunk.Choices) > 0 {
				text += chunk.Choices[0].Delta.Content
			}
			if chunk.Meta != nil && chunk.Meta.ContinuedFrom != "" {
				switched = append(switched, chunk.Meta.Deployment+" after "+chunk.Meta.ContinuedFrom)
			}
		}
		assert.Equal(t, "Hello, world!", text)
		assert.Equal(t, []string{"fb after main"}, switched, "one chunk marks the switch")
		require.NotNil(t, got)
		last := got.Messages[len(got.Messages)-1]
		assert.Equal(t, llm.RoleAssistant, last.Role)
		assert.Equal(t, "Hello, wor", last.Content.Text)
	})
	t.Run("off by default", func(t *testing.T) {
		t.Parallel()
		r, err := router.New(deps, router.WithFallbacks("main", "fb"))
		require.NoError(t, err)
		_, err = llm.Collect(r.CompletionStream(t.Context(), req("main")))
		assert.ErrorIs(t, err, llm.ErrConnection)
	})
}
