package ollama_test

import (
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogprobs: logprobs and top_logprobs go over the wire as Ollama's
// ChatRequest takes them (ollama-openapi.yaml: logprobs boolean,
// top_logprobs integer), and the answer's logprobs (Logprob: token, logprob,
// bytes, top_logprobs of TokenLogprob — OpenAI's shape) become
// choices[0].logprobs.content, streamed (each line's logprobs) and not.
func TestLogprobs(t *testing.T) {
	t.Parallel()
	body := `{"model":"llama3.2","created_at":"2025-06-01T10:00:00Z","message":{"role":"assistant","content":"Hi!"},"done":true,"done_reason":"stop",
		"prompt_eval_count":5,"eval_count":2,
		"logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105]},{"token":"Hello","logprob":-2.5,"bytes":[72,101,108,108,111]}]},
		{"token":"!","logprob":-0.25,"bytes":[33],"top_logprobs":[{"token":"!","logprob":-0.25,"bytes":[33]}]}]}`
	stream := `{"model":"llama3.2","created_at":"2025-06-01T10:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false,` +
		`"logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105]},{"token":"Hello","logprob":-2.5,"bytes":[72,101,108,108,111]}]}]}` + "\n" +
		`{"model":"llama3.2","created_at":"2025-06-01T10:00:00Z","message":{"role":"assistant","content":"!"},"done":false,` +
		`"logprobs":[{"token":"!","logprob":-0.25,"bytes":[33],"top_logprobs":[{"token":"!","logprob":-0.25,"bytes":[33]}]}]}` + "\n" +
		`{"model":"llama3.2","created_at":"2025-06-01T10:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":2}` + "\n"
	check := func(t *testing.T, _ *http.Request, b []byte) {
		assert.Contains(t, string(b), `"logprobs":true`)
		assert.Contains(t, string(b), `"top_logprobs":2`)
	}
	whole, _ := providertest.Server(t, check, "application/json", []byte(body))
	lines, _ := providertest.Server(t, check, "application/x-ndjson", []byte(stream))
	req := llm.CompletionRequest{Model: "ollama/llama3.2", Messages: []llm.Message{llm.UserText("hi")}, Logprobs: true, TopLogprobs: llm.Ptr(2)}
	want := &llm.Logprobs{Content: []llm.TokenLogprob{
		{Token: "Hi", Logprob: -0.1, Bytes: []int{72, 105}, TopLogprobs: []llm.TopLogprob{{Token: "Hi", Logprob: -0.1, Bytes: []int{72, 105}}, {Token: "Hello", Logprob: -2.5, Bytes: []int{72, 101, 108, 108, 111}}}},
		{Token: "!", Logprob: -0.25, Bytes: []int{33}, TopLogprobs: []llm.TopLogprob{{Token: "!", Logprob: -0.25, Bytes: []int{33}}}},
	}}
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(whole.URL))
	require.NoError(t, err)
	assert.Equal(t, want, resp.Choices[0].Logprobs)
	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), req, llm.WithBaseURL(lines.URL)))
	require.NoError(t, err)
	assert.Equal(t, want, sresp.Choices[0].Logprobs)
}
