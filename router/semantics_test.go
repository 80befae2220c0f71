package router_test

import (
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
