package vertex_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

// TestPartnerModels sends partner models through the OpenAI engine with
// Vertex AI's URL and bearer token. Open models served as APIs ("MaaS":
// Llama, DeepSeek, Qwen, gpt-oss...) go to Vertex AI's Chat Completions
// endpoint with the publisher-qualified model in the body
// (https://cloud.google.com/vertex-ai/generative-ai/docs/maas/call-open-model-apis:
// POST https://{LOCATION}-aiplatform.googleapis.com/v1/projects/{PROJECT}/locations/{LOCATION}/endpoints/openapi/chat/completions,
// "model": "meta/llama-3.1-405b-instruct-maas"); Mistral's models to
// rawPredict and streamRawPredict of publishers/mistralai with Mistral's
// body (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/mistral).
// The answers are OpenAI's shape (testdata/llama.*).
func TestPartnerModels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		model      string // after vertex_ai/
		path       string // streamed path, when it differs
		streamPath string
		bodyModel  string
	}{
		{"meta/llama-3.1-405b-instruct-maas", "/v1/projects/proj-1/locations/us-east5/endpoints/openapi/chat/completions", "", "meta/llama-3.1-405b-instruct-maas"},
		{"deepseek-ai/deepseek-r1-0528-maas", "/v1/projects/proj-1/locations/us-east5/endpoints/openapi/chat/completions", "", "deepseek-ai/deepseek-r1-0528-maas"},
		{"qwen/qwen3-coder-480b-a35b-instruct-maas", "/v1/projects/proj-1/locations/us-east5/endpoints/openapi/chat/completions", "", "qwen/qwen3-coder-480b-a35b-instruct-maas"},
		{"mistral-large-2411", "/v1/projects/proj-1/locations/us-east5/publishers/mistralai/models/mistral-large-2411:rawPredict",
			"/v1/projects/proj-1/locations/us-east5/publishers/mistralai/models/mistral-large-2411:streamRawPredict", "mistral-large-2411"},
		{"mistralai/codestral-2", "/v1/projects/proj-1/locations/us-east5/publishers/mistralai/models/codestral-2:rawPredict",
			"/v1/projects/proj-1/locations/us-east5/publishers/mistralai/models/codestral-2:streamRawPredict", "codestral-2"},
	}
	for _, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			req := llm.CompletionRequest{Model: "vertex_ai/" + c.model, Messages: []llm.Message{llm.UserText("Why is the sky blue?")}, MaxTokens: 100}
			for _, stream := range []bool{false, true} {
				path, contentType, reply := c.path, "application/json", providertest.Fixture(t, "llama.response.json")
				if stream {
					contentType, reply = "text/event-stream", providertest.Fixture(t, "llama.sse")
					if c.streamPath != "" {
						path = c.streamPath
					}
				}
				srv, _ := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
					assert.Equal(t, http.MethodPost, r.Method)
					assert.Equal(t, path, r.URL.Path)
					assert.Equal(t, "Bearer ya29.test-token", r.Header.Get("Authorization"))
					assert.Equal(t, c.bodyModel, gjson.GetBytes(body, "model").String())
					assert.Equal(t, "Why is the sky blue?", gjson.GetBytes(body, "messages.0.content").String())
					assert.Equal(t, stream, gjson.GetBytes(body, "stream").Bool())
				}, contentType, reply)
				var resp *llm.CompletionResponse
				var err error
				if stream {
					resp, err = llm.Collect(llm.CompletionStream(t.Context(), req, vertexOptions(srv.URL)...))
				} else {
					resp, err = llm.Completion(t.Context(), req, vertexOptions(srv.URL)...)
				}
				require.NoError(t, err, "stream %v", stream)
				assert.Equal(t, "The sky is blue because of Rayleigh scattering.", resp.Choices[0].Message.Content.String())
				require.NotNil(t, resp.Usage)
				assert.Equal(t, 22, resp.Usage.TotalTokens)
				assert.Equal(t, "vertex_ai", resp.Meta.Provider)
				assert.Equal(t, c.model, resp.Meta.Model)
			}
		})
	}
}

// TestPartnerErrors: Vertex AI's own errors on a partner model (quota,
// permission, in the google.rpc envelope) keep their Kind.
func TestPartnerErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status int
		body   string
		kind   llm.Kind
	}{
		{429, rpcError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model"), llm.KindRateLimit},
		{403, rpcError(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied"), llm.KindPermissionDenied},
		{404, "[" + rpcError(404, "NOT_FOUND", "Publisher Model `meta/llama-9` not found.") + "]", llm.KindNotFound},
	} {
		t.Run(http.StatusText(c.status), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "/v1/projects/proj-1/locations/us-east5/endpoints/openapi/chat/completions", r.URL.Path)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			t.Cleanup(srv.Close)
			req := llm.CompletionRequest{Model: "vertex_ai/meta/llama-4-scout-17b-16e-instruct-maas", Messages: []llm.Message{llm.UserText("hi")}}
			_, err := llm.Completion(t.Context(), req, vertexOptions(srv.URL)...)
			var e *llm.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, c.kind, e.Kind, err.Error())
			assert.False(t, strings.Contains(err.Error(), "ya29.test-token"))
		})
	}
}
