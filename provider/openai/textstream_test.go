package openai_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// text.sse is the stream of OpenAI's documented example of a streamed legacy
// completion (POST /completions with "stream": true; the text_completion
// chunk of the createCompletion example in
// /work/shared/specs/openai-openapi.yaml), cut into the pieces of
// text.response.json, with the usage chunk that stream_options.include_usage
// adds (choices empty) and [DONE].

func textStreamReq() llm.TextCompletionRequest {
	return llm.TextCompletionRequest{Model: "openai/gpt-3.5-turbo-instruct", Prompt: llm.StringList{"Say this is a test"}, MaxTokens: 7, Temperature: llm.Ptr(0.0)}
}

func TestTextCompletionStream(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "/v1/completions", r.URL.Path)
		assert.Equal(t, "Bearer k", r.Header.Get("Authorization"))
		assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
		assert.JSONEq(t, `{"model":"gpt-3.5-turbo-instruct","prompt":["Say this is a test"],"max_tokens":7,"temperature":0,"stream":true,"stream_options":{"include_usage":true}}`, string(body))
	}, "text/event-stream", providertest.Fixture(t, "text.sse"))
	var chunks []*llm.TextChunk
	for c, err := range llm.TextCompletionStream(t.Context(), textStreamReq(), llm.WithBaseURL(srv.URL+"/v1"), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.Len(t, chunks, 7)
	last := chunks[len(chunks)-1]
	require.NotNil(t, last.Usage)
	for _, c := range chunks[:6] {
		assert.Nil(t, c.Usage)
		assert.Len(t, c.Choices, 1)
	}
	require.NotNil(t, last.Meta.Cost)
	assert.True(t, last.Meta.Cost.Known, last.Meta.Cost.Reason)
	assert.Equal(t, "99", last.Meta.Header.Get("X-Ratelimit-Remaining-Requests"))

	got, err := llm.CollectText(func(yield func(*llm.TextChunk, error) bool) {
		for _, c := range chunks {
			if !yield(c, nil) {
				return
			}
		}
	})
	require.NoError(t, err)
	var want llm.TextCompletionResponse
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "text.response.json"), &want))
	assert.Equal(t, want.Text(), got.Text())
	assert.Equal(t, want.FinishReason(), got.FinishReason())
	assert.Equal(t, want.Usage, got.Usage)
	assert.Equal(t, "openai", got.Meta.Provider)
}

// TestTextCompletionStreamUsageOnLastChunk: a compatible server that sends
// the usage with the finish reason (no usage-only chunk) still has it on a
// last chunk without choices.
func TestTextCompletionStreamUsageOnLastChunk(t *testing.T) {
	t.Parallel()
	body := `data: {"id":"c","object":"text_completion","model":"m","choices":[{"index":0,"text":"hi","finish_reason":null}]}` + "\n\n" +
		`data: {"id":"c","object":"text_completion","model":"m","choices":[{"index":0,"text":"!","finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}` + "\n\n" +
		"data: [DONE]\n\n"
	srv, _ := server(t, nil, "text/event-stream", []byte(body))
	var chunks []*llm.TextChunk
	for c, err := range llm.TextCompletionStream(t.Context(), textStreamReq(), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.Len(t, chunks, 3)
	assert.Nil(t, chunks[1].Usage)
	assert.Equal(t, "stop", chunks[1].FinishReason())
	assert.Empty(t, chunks[2].Choices)
	assert.Equal(t, 3, chunks[2].Usage.TotalTokens)
}

func TestTextCompletionStreamFailures(t *testing.T) {
	t.Parallel()
	good := `data: {"id":"c","object":"text_completion","model":"m","choices":[{"index":0,"text":"hi","finish_reason":null}]}` + "\n\n"
	cases := []struct {
		name   string
		ctype  string
		body   string
		kind   llm.Kind
		chunks int
	}{
		{"cut off before [DONE]", "text/event-stream", good, llm.KindBadResponse, 1},
		{"error event", "text/event-stream", good + "data: " + errorBody("requests", "rate_limit_exceeded", "Rate limit reached") + "\n\n", llm.KindRateLimit, 1},
		{"named error event", "text/event-stream", good + "event: error\ndata: {\"message\":\"overloaded\",\"type\":\"server_error\"}\n\n", llm.KindServer, 1},
		{"malformed chunk", "text/event-stream", good + "data: {\"choices\":[{\"text\":42}]}\n\n", llm.KindBadResponse, 1},
		{"error envelope on 200", "application/json", errorBody("invalid_request_error", "", "bad prompt"), llm.KindInvalidRequest, 0},
		{"html page", "text/html", "<html>hi</html>", llm.KindBadResponse, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, nil, c.ctype, []byte(c.body))
			n, errs := 0, 0
			for chunk, err := range llm.TextCompletionStream(t.Context(), textStreamReq(), llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
				require.Zero(t, errs, "nothing after the error")
				if err != nil {
					errs++
					var le *llm.Error
					require.ErrorAs(t, err, &le)
					assert.Equal(t, c.kind, le.Kind, err.Error())
					continue
				}
				require.NotNil(t, chunk)
				n++
			}
			assert.Equal(t, 1, errs)
			assert.Equal(t, c.chunks, n)
		})
	}
}

func TestTextCompletionStreamUnsupported(t *testing.T) {
	t.Parallel()
	srv, hits := server(t, nil, "text/event-stream", nil)
	p := openai.NewCompatible(openai.Spec{Name: "nocompl", BaseURL: srv.URL, KeyOptional: true, NoTextCompletion: true})
	req := textStreamReq()
	req.Model = "nocompl/m"
	_, err := llm.CollectText(llm.TextCompletionStream(t.Context(), req, llm.WithProvider(p)))
	require.ErrorIs(t, err, llm.ErrUnsupported)
	assert.True(t, strings.Contains(err.Error(), "text completions"), err.Error())
	assert.Zero(t, hits.Load(), "nothing is sent")
}

// TestTextCompletionStreamNoDone: for a Spec with NoDone, a text stream
// that ends after a finish reason is complete (its usage goes out on a last
// chunk), and one that ends before is cut off.
func TestTextCompletionStreamNoDone(t *testing.T) {
	t.Parallel()
	hi := `data: {"id":"c","object":"text_completion","model":"m","choices":[{"index":0,"text":"hi","finish_reason":null}]}` + "\n\n"
	stop := `data: {"id":"c","object":"text_completion","model":"m","choices":[{"index":0,"text":"!","finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}` + "\n\n"
	cases := []struct {
		name   string
		body   string
		chunks int
		err    bool
	}{
		{"ends after the finish reason", hi + stop, 3, false},
		{"ends before a finish reason", hi, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, nil, "text/event-stream", []byte(c.body))
			p := openai.NewCompatible(openai.Spec{Name: "nodone", BaseURL: srv.URL, KeyOptional: true, NoDone: true})
			req := textStreamReq()
			req.Model = "nodone/m"
			var chunks []*llm.TextChunk
			var errs []error
			for chunk, err := range llm.TextCompletionStream(t.Context(), req, llm.WithProvider(p)) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				chunks = append(chunks, chunk)
			}
			require.Len(t, chunks, c.chunks)
			if c.err {
				require.Len(t, errs, 1)
				require.ErrorIs(t, errs[0], llm.ErrBadResponse)
				assert.Contains(t, errs[0].Error(), "finish reason")
				return
			}
			require.Empty(t, errs)
			last := chunks[len(chunks)-1]
			assert.Empty(t, last.Choices)
			require.NotNil(t, last.Usage)
			assert.Equal(t, 3, last.Usage.TotalTokens)
		})
	}
}
