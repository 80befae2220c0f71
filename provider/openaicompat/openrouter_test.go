package openaicompat_test

import (
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenRouterErrorInBody checks OpenRouter's errors inside a 200 answer
// or stream. OpenRouter documents its envelope as {"error": {"code":
// number, "message", "metadata"}} where code is the HTTP status the error
// would have had (https://openrouter.ai/docs/api-reference/errors-and-debugging),
// sent in the body of a 200 once the model has started: the code, not the
// 200, decides the Kind, so that a request that will always fail is not
// retried as a server error. Mid-stream errors carry a string code
// ("server_error", the documented example; testdata/openrouter_error.sse),
// which classifies as before.
func TestOpenRouterErrorInBody(t *testing.T) {
	t.Parallel()
	envelope := func(code, msg string) string {
		return `{"error":{"code":` + code + `,"message":"` + msg + `","metadata":{}}}`
	}
	cases := []struct {
		name   string
		body   string
		kind   llm.Kind
		status int
	}{
		{"402 credits (documented example)", string(providertest.Fixture(t, "openrouter_error.response.json")), llm.KindQuotaExceeded, 402},
		{"400", envelope("400", "Invalid value for 'temperature'"), llm.KindInvalidRequest, 400},
		{"400 context window", envelope("400", "This endpoint's maximum context length is 8192 tokens"), llm.KindContextWindowExceeded, 400},
		{"401", envelope("401", "No auth credentials found"), llm.KindAuthentication, 401},
		{"403 moderation", envelope("403", "Input flagged by moderation"), llm.KindPermissionDenied, 403},
		{"408", envelope("408", "Request timed out"), llm.KindTimeout, 408},
		{"429", envelope("429", "Rate limit exceeded"), llm.KindRateLimit, 429},
		{"502", envelope("502", "Model is down"), llm.KindServer, 502},
		{"503", envelope("503", "No available provider meets your routing requirements"), llm.KindOverloaded, 503},
		{"string code", `{"error":{"code":"server_error","message":"Provider disconnected"}}`, llm.KindServer, 0},
		{"code out of range", envelope("200", "odd"), llm.KindServer, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, streamed := range []bool{false, true} {
				var err error
				if streamed {
					w := newWire(t, "text/event-stream", []byte("data: "+c.body+"\n\n"))
					_, err = llm.Collect(llm.CompletionStream(t.Context(), chatRequest(t, "openrouter/openai/gpt-4o"), w.client(), llm.WithAPIKey("or-1")))
				} else {
					w := newWire(t, "application/json", []byte(c.body))
					_, err = llm.Completion(t.Context(), chatRequest(t, "openrouter/openai/gpt-4o"), w.client(), llm.WithAPIKey("or-1"))
				}
				var le *llm.Error
				require.ErrorAs(t, err, &le, "streamed %v", streamed)
				assert.Equal(t, c.kind, le.Kind, "streamed %v: %v", streamed, err)
				assert.Equal(t, c.status, le.StatusCode, "streamed %v", streamed)
				assert.NotEmpty(t, le.Message)
			}
		})
	}
}

// TestOpenRouterMidStreamError checks OpenRouter's documented mid-stream
// error: the text before it arrives, then the error, once.
func TestOpenRouterMidStreamError(t *testing.T) {
	t.Parallel()
	w := newWire(t, "text/event-stream", providertest.Fixture(t, "openrouter_error.sse"))
	var text strings.Builder
	var errs []error
	for c, err := range llm.CompletionStream(t.Context(), chatRequest(t, "openrouter/openai/gpt-4o"), w.client(), llm.WithAPIKey("or-1")) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		text.WriteString(c.Text())
	}
	assert.Equal(t, "Hel", text.String())
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], llm.ErrServer)
	assert.Contains(t, errs[0].Error(), "Provider disconnected unexpectedly")
}
