package vertex

import (
	"testing"

	"github.com/llmux/llm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargetURL(t *testing.T) {
	t.Setenv("VERTEXAI_API_BASE", "")
	t.Setenv("VERTEXAI_LOCATION", "")
	t.Setenv("VERTEX_LOCATION", "")
	cases := []struct {
		name      string
		opts      []llm.Option
		publisher string
		model     string
		method    string
		want      string
	}{
		{"regional", []llm.Option{WithLocation("us-east5")}, "google", "gemini-2.5-pro", ":generateContent",
			"https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent"},
		{"default location", nil, "google", "gemini-2.5-flash", ":streamGenerateContent?alt=sse",
			"https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
		{"global", []llm.Option{WithLocation("global")}, "google", "gemini-3-pro-preview", ":generateContent",
			"https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent"},
		{"claude", []llm.Option{WithLocation("us-east5")}, "anthropic", "claude-opus-4-1@20250805", ":rawPredict",
			"https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4-1@20250805:rawPredict"},
		{"base URL and version", []llm.Option{llm.WithBaseURL("http://proxy.local/"), llm.WithAPIVersion("v1beta1")}, "google", "gemini-2.5-pro", ":generateContent",
			"http://proxy.local/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &llm.Config{}
			for _, o := range append([]llm.Option{llm.WithAPIKey("tok"), WithProject("p"), llm.WithHeader("X-Extra", "1")}, c.opts...) {
				o(cfg)
			}
			got, err := New().target(cfg, c.publisher, c.model, c.method)
			require.NoError(t, err)
			assert.Equal(t, c.want, got.URL)
			assert.Equal(t, "Bearer tok", got.Header.Get("Authorization"))
			assert.Equal(t, "1", got.Header.Get("X-Extra"))
		})
	}
}

func TestIsClaude(t *testing.T) {
	t.Parallel()
	for model, want := range map[string]bool{"claude-sonnet-4-5@20250929": true, "claude-3-haiku": true, "gemini-2.5-pro": false, "mistral-large": false} {
		assert.Equal(t, want, IsClaude(model), model)
	}
}
