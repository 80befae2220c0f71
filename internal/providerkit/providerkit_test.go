package providerkit_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassifyHTTP(t *testing.T) {
	t.Parallel()
	other := errors.New("dial tcp: refused")
	assert.Same(t, other, providerkit.ClassifyHTTP(other, nil), "non-HTTP errors pass through")

	se := &httpx.StatusError{StatusCode: 429, Header: http.Header{"Retry-After": {"3"}}, Body: []byte(`{"error":"slow"}`)}
	var gotStatus int
	var gotBody string
	err := providerkit.ClassifyHTTP(fmt.Errorf("send: %w", se), func(status int, h http.Header, body []byte) *llm.Error {
		gotStatus, gotBody = status, string(body)
		return &llm.Error{Kind: llm.KindRateLimit, StatusCode: status, RetryAfter: httpx.RetryAfter(h)}
	})
	require.ErrorIs(t, err, llm.ErrRateLimit)
	assert.Equal(t, 429, gotStatus)
	assert.Equal(t, `{"error":"slow"}`, gotBody)
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3*time.Second, le.RetryAfter)
	var back *httpx.StatusError
	assert.ErrorAs(t, err, &back, "the status error stays the cause")
}

func TestEnv(t *testing.T) {
	t.Setenv("LLMUX_TEST_A", "")
	t.Setenv("LLMUX_TEST_B", "b")
	t.Setenv("LLMUX_TEST_C", "c")
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"LLMUX_TEST_UNSET"}, ""},
		{[]string{"LLMUX_TEST_A", "LLMUX_TEST_B", "LLMUX_TEST_C"}, "b"}, // set but empty is skipped
		{[]string{"LLMUX_TEST_C", "LLMUX_TEST_B"}, "c"},
	} {
		assert.Equal(t, tc.want, providerkit.Env(tc.names...), "Env(%q)", tc.names)
	}
}
