package cohere_test

import (
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogprobs: logprobs: true goes over the wire as is
// (cohere-openapi.yaml, POST /v2/chat: "logprobs", boolean); the answer's
// logprobs (a list of LogprobItem: text, token_ids, logprobs — one log
// probability per token of the text chunk) become OpenAI's
// logprobs.content, one entry per text chunk whose logprob is the sum of
// its tokens' (the log probability of the chunk), streamed (the logprobs of
// content-delta events) and not. Cohere gives no alternatives: top_logprobs
// is KindUnsupported.
func TestLogprobs(t *testing.T) {
	t.Parallel()
	body := `{"id":"a","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hello world"}]},
		"logprobs":[{"text":"Hello","token_ids":[28339],"logprobs":[-0.25]},{"text":" world","token_ids":[2223,17],"logprobs":[-0.5,-0.125]}]}`
	sse := "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"a\"}\n\n" +
		"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hello\"}}},\"logprobs\":{\"text\":\"Hello\",\"token_ids\":[28339],\"logprobs\":[-0.25]}}\n\n" +
		"event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\" world\"}}},\"logprobs\":{\"text\":\" world\",\"token_ids\":[2223,17],\"logprobs\":[-0.5,-0.125]}}\n\n" +
		"event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\"}}\n\n"
	check := func(t *testing.T, _ *http.Request, b []byte) {
		assert.Contains(t, string(b), `"logprobs":true`)
	}
	whole, _ := providertest.Server(t, check, "application/json", []byte(body))
	stream, _ := providertest.Server(t, check, "text/event-stream", []byte(sse))
	req := llm.CompletionRequest{Model: "cohere/command-a-03-2025", Messages: []llm.Message{llm.UserText("hi")}, Logprobs: true}
	want := &llm.Logprobs{Content: []llm.TokenLogprob{
		{Token: "Hello", Logprob: -0.25, Bytes: []int{'H', 'e', 'l', 'l', 'o'}, TopLogprobs: []llm.TopLogprob{}},
		{Token: " world", Logprob: -0.625, Bytes: []int{' ', 'w', 'o', 'r', 'l', 'd'}, TopLogprobs: []llm.TopLogprob{}},
	}}
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"))
	require.NoError(t, err)
	assert.Equal(t, want, resp.Choices[0].Logprobs)
	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(stream.URL), llm.WithAPIKey("k")))
	require.NoError(t, err)
	assert.Equal(t, want, sresp.Choices[0].Logprobs)

	req.TopLogprobs = llm.Ptr(3)
	_, err = llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"))
	assert.ErrorIs(t, err, llm.ErrUnsupported)
	_, err = llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL), llm.WithAPIKey("k"), llm.WithDropUnsupportedParams())
	require.NoError(t, err, "dropped: logprobs without alternatives")
}
