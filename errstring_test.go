package llm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorTextHasOnePrefix checks the exact text of representative errors:
// the llm layer prefixes "llm: " once, whatever the error wraps.
func TestErrorTextHasOnePrefix(t *testing.T) {
	t.Parallel()
	upstream := &llm.Error{Kind: llm.KindRateLimit, Provider: "openai", Model: "gpt-4o", StatusCode: 429, Message: "slow down"}
	cases := []struct {
		name string
		call func() error
		want string
		kind llm.Kind
	}{
		{"validation", func() error {
			_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "mock/x"})
			return err
		}, "llm: mock/x: invalid request: messages is empty: a completion needs at least one message", llm.KindInvalidRequest},
		{"model string", func() error {
			_, err := llm.Completion(t.Context(), userReq("", "hi"))
			return err
		}, `llm: invalid request: model is empty; use a "provider/model" string such as "openai/gpt-4o" or "mock/test"`, llm.KindInvalidRequest},
		{"Errorf", func() error {
			return llm.Errorf(llm.KindInvalidRequest, "temperature is %d", -1)
		}, "llm: invalid request: temperature is -1", llm.KindInvalidRequest},
		{"unsupported capability", func() error {
			_, err := llm.NewClient(llm.WithProvider(nameOnly{})).Completion(t.Context(), userReq("bare/m", "hi"))
			return err
		}, "llm: bare/m: unsupported: provider bare does not support chat completions", llm.KindUnsupported},
		{"mock error scripted as an *Error wrapping an *Error", func() error {
			_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"),
				llm.WithMockResponse(llm.MockResponse{Err: &llm.Error{Kind: llm.KindRateLimit, Err: upstream}}))
			return err
		}, "llm: mock/x: rate limit: openai/gpt-4o: rate limit (429): slow down", llm.KindRateLimit},
		{"mock error scripted as a sentinel", func() error {
			_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"), llm.WithMockResponse(llm.MockResponse{Err: llm.ErrRateLimit}))
			return err
		}, "llm: mock/x: rate limit", llm.KindRateLimit},
		{"mock error scripted as a wrapped sentinel", func() error {
			_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"),
				llm.WithMockResponse(llm.MockResponse{Err: fmt.Errorf("budget of team a: %w", llm.ErrQuotaExceeded)}))
			return err
		}, "llm: mock/x: quota exceeded: budget of team a", llm.KindQuotaExceeded},
		{"mock error scripted as a plain error", func() error {
			_, err := llm.Completion(t.Context(), userReq("mock/x", "hi"), llm.WithMockResponse(llm.MockResponse{Err: errors.New("boom")}))
			return err
		}, "llm: mock/x: server: boom", llm.KindServer},
		{"provider error wrapping an *Error", func() error {
			return &llm.Error{Kind: llm.KindServer, Provider: "router", Model: "g", Err: upstream}
		}, "llm: router/g: server: openai/gpt-4o: rate limit (429): slow down", llm.KindServer},
		{"cause whose text starts with the prefix", func() error {
			return &llm.Error{Kind: llm.KindBadResponse, Provider: "acme", Err: errors.New("llm: truncated body")}
		}, "llm: acme: bad response: truncated body", llm.KindBadResponse},
		{"message that starts with the prefix", func() error {
			return llm.Errorf(llm.KindServer, "llm: llm: twice")
		}, "llm: server: twice", llm.KindServer},
		{"message that only contains the prefix", func() error {
			return llm.Errorf(llm.KindInvalidRequest, "use llm: a made-up syntax")
		}, "llm: invalid request: use llm: a made-up syntax", llm.KindInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.Equal(t, tc.kind, llm.KindOf(err))
			assert.Equal(t, 1, strings.Count(err.Error(), "llm: ")-strings.Count(tc.want[len("llm: "):], "llm: "), "one prefix: %s", err)
		})
	}
}

// TestKindOfSentinel checks that a bare or wrapped sentinel has its kind.
func TestKindOfSentinel(t *testing.T) {
	t.Parallel()
	assert.Equal(t, llm.KindRateLimit, llm.KindOf(llm.ErrRateLimit))
	assert.Equal(t, llm.KindQuotaExceeded, llm.KindOf(fmt.Errorf("x: %w", llm.ErrQuotaExceeded)))
	assert.Equal(t, llm.KindUnknown, llm.KindOf(errors.New("llm: rate limit")), "text is not a kind")
}

// nameOnly is a provider with no capability.
type nameOnly struct{}

func (nameOnly) Name() string { return "bare" }
