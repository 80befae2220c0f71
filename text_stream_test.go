package llm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func textReq(model, prompt string) llm.TextCompletionRequest {
	return llm.TextCompletionRequest{Model: model, Prompt: llm.StringList{prompt}}
}

func TestTextCompletionStream(t *testing.T) {
	t.Parallel()
	script := llm.WithMockResponse(llm.MockResponse{Content: "This is indeed a test", Usage: &llm.Usage{PromptTokens: 5, CompletionTokens: 5, TotalTokens: 10}})
	var text strings.Builder
	var chunks []*llm.TextChunk
	for c, err := range llm.TextCompletionStream(t.Context(), textReq("mock/gpt-3.5-turbo-instruct", "Say this is a test"), script) {
		require.NoError(t, err)
		text.WriteString(c.Text())
		chunks = append(chunks, c)
	}
	assert.Equal(t, "This is indeed a test", text.String())
	require.Greater(t, len(chunks), 2)
	for _, c := range chunks[:len(chunks)-1] {
		assert.Nil(t, c.Usage, "usage is on the last chunk only")
		require.NotNil(t, c.Meta)
		assert.Equal(t, "mock", c.Meta.Provider)
		assert.Equal(t, "text_completion", c.Object)
	}
	assert.Equal(t, llm.FinishStop, chunks[len(chunks)-2].FinishReason())
	last := chunks[len(chunks)-1]
	assert.Empty(t, last.Choices)
	assert.Equal(t, "", last.Text(), "an accessor on the last chunk")
	require.NotNil(t, last.Usage)
	assert.Equal(t, 10, last.Usage.TotalTokens)
	require.NotNil(t, last.Meta.Cost, "the last chunk is priced")
	assert.True(t, last.Meta.Cost.Known, last.Meta.Cost.Reason)
	assert.Positive(t, last.Meta.Cost.Total)
	assert.Nil(t, chunks[0].Meta.Cost, "earlier chunks share a Meta without cost")
}

func TestCollectText(t *testing.T) {
	t.Parallel()
	stream := llm.TextCompletionStream(t.Context(), textReq("mock/gpt-3.5-turbo-instruct", "hi"), llm.WithMockResponse(llm.MockResponse{Content: "a b c", FinishReason: llm.FinishLength}))
	resp, err := llm.CollectText(stream)
	require.NoError(t, err)
	assert.Equal(t, "a b c", resp.Text())
	assert.Equal(t, llm.FinishLength, resp.FinishReason())
	assert.Equal(t, "text_completion", resp.Object)
	require.NotNil(t, resp.Usage)
	require.NotNil(t, resp.Meta.Cost)
}

func TestTextCompletionStreamContract(t *testing.T) {
	t.Parallel()
	t.Run("single use", func(t *testing.T) {
		t.Parallel()
		s := llm.TextCompletionStream(t.Context(), textReq("mock/x", "hi"))
		for range s {
		}
		var errs []error
		for c, err := range s {
			assert.Nil(t, c)
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], llm.ErrInvalidRequest)
	})
	t.Run("error last", func(t *testing.T) {
		t.Parallel()
		script := llm.WithMockResponse(llm.MockResponse{Content: "one two three four", Err: &llm.Error{Kind: llm.KindRateLimit}, ErrAfterChunks: 2})
		n, errs := 0, 0
		for c, err := range llm.TextCompletionStream(t.Context(), textReq("mock/x", "hi"), script) {
			require.Zero(t, errs, "nothing after the error")
			if err != nil {
				errs++
				assert.ErrorIs(t, err, llm.ErrRateLimit)
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, "mock", le.Provider)
				continue
			}
			require.NotNil(t, c)
			n++
		}
		assert.Equal(t, 2, n)
		assert.Equal(t, 1, errs)
	})
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		n := 0
		for range llm.TextCompletionStream(t.Context(), textReq("mock/x", "hi"), llm.WithMockResponse(llm.MockResponse{Content: "a b c d"})) {
			n++
			break
		}
		assert.Equal(t, 1, n)
	})
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := llm.CollectText(llm.TextCompletionStream(ctx, textReq("mock/x", "hi")))
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, llm.ErrCanceled)
	})
	t.Run("invalid", func(t *testing.T) {
		t.Parallel()
		_, err := llm.CollectText(llm.TextCompletionStream(t.Context(), llm.TextCompletionRequest{Model: "mock/x"}))
		assert.ErrorIs(t, err, llm.ErrInvalidRequest)
	})
	t.Run("unsupported", func(t *testing.T) {
		t.Parallel()
		_, err := llm.CollectText(llm.TextCompletionStream(t.Context(), textReq("bare/x", "hi"), llm.WithProvider(bareProvider{})))
		assert.ErrorIs(t, err, llm.ErrUnsupported)
		assert.True(t, errors.Is(err, errors.ErrUnsupported))
	})
}

// bareProvider has no capability.
type bareProvider struct{}

func (bareProvider) Name() string { return "bare" }
