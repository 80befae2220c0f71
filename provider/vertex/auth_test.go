package vertex_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
	"github.com/llmux/llm/provider/vertex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// tokenServer is a Google OAuth2 token endpoint for service accounts: it
// checks the JWT-bearer grant (signature by key, issuer, audience, scope)
// and issues an access token, or fails with failStatus when set.
type tokenServer struct {
	srv        *httptest.Server
	hits       atomic.Int32
	failStatus int
}

func newTokenServer(t *testing.T, key *rsa.PublicKey, email string) *tokenServer {
	ts := &tokenServer{}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if ts.failStatus != 0 {
			w.WriteHeader(ts.failStatus)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`))
			return
		}
		assert.Equal(t, "/token", r.URL.Path)
		require.NoError(t, r.ParseForm())
		assert.Equal(t, "urn:ietf:params:oauth:grant-type:jwt-bearer", r.PostForm.Get("grant_type"))
		parts := strings.Split(r.PostForm.Get("assertion"), ".")
		require.Len(t, parts, 3)
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		require.NoError(t, err)
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		require.NoError(t, rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig), "the assertion is signed with the service account's key")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		var claims struct {
			Iss   string `json:"iss"`
			Aud   string `json:"aud"`
			Scope string `json:"scope"`
		}
		require.NoError(t, json.Unmarshal(payload, &claims))
		assert.Equal(t, email, claims.Iss)
		assert.Equal(t, ts.srv.URL+"/token", claims.Aud)
		assert.Equal(t, vertex.Scope, claims.Scope)
		_, _ = w.Write([]byte(`{"access_token":"ya29.from-service-account","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

// serviceAccount returns a service-account key file whose token_uri is a
// local token server.
func serviceAccount(t *testing.T) ([]byte, *tokenServer) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	email := "llmux-test@sa-project.iam.gserviceaccount.com"
	ts := newTokenServer(t, &key.PublicKey, email)
	js, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "sa-project",
		"private_key_id": "key-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   email,
		"client_id":      "1234567890",
		"token_uri":      ts.srv.URL + "/token",
	})
	require.NoError(t, err)
	return js, ts
}

// apiServer is a Vertex AI endpoint that checks the bearer token.
func apiServer(t *testing.T, wantToken string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	reply := providertest.Fixture(t, "../../gemini/testdata/text.response.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		assert.Equal(t, "Bearer "+wantToken, r.Header.Get("Authorization"))
		assert.Equal(t, "/v1/projects/sa-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent", r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func hi() llm.CompletionRequest {
	return llm.CompletionRequest{Model: "vertex_ai/gemini-2.5-flash", Messages: []llm.Message{llm.UserText("hi")}}
}

func clearEnv(t *testing.T) {
	for _, k := range []string{"VERTEXAI_PROJECT", "VERTEX_PROJECT", "GOOGLE_CLOUD_PROJECT", "VERTEXAI_LOCATION", "VERTEX_LOCATION", "GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_API_BASE"} {
		t.Setenv(k, "")
	}
}

// TestServiceAccountEndToEnd authenticates with a service-account JSON:
// the token is fetched from its token_uri once, cached for later calls, and
// the project comes from the file.
func TestServiceAccountEndToEnd(t *testing.T) {
	clearEnv(t)
	js, ts := serviceAccount(t)
	api, apiHits := apiServer(t, "ya29.from-service-account")
	client := llm.NewClient(llm.WithProvider(vertex.New(), llm.WithBaseURL(api.URL), vertex.WithCredentialsJSON(js)))
	for range 3 {
		resp, err := client.Completion(t.Context(), hi())
		require.NoError(t, err)
		assert.Equal(t, "Bonjour encore.", resp.Text())
	}
	assert.Equal(t, int32(3), apiHits.Load())
	assert.Equal(t, int32(1), ts.hits.Load(), "the token is cached")
}

func TestCredentialsFileFromEnv(t *testing.T) {
	clearEnv(t)
	js, ts := serviceAccount(t)
	path := filepath.Join(t.TempDir(), "sa.json")
	require.NoError(t, os.WriteFile(path, js, 0o600))
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	api, _ := apiServer(t, "ya29.from-service-account")
	client := llm.NewClient(llm.WithProvider(vertex.New(), llm.WithBaseURL(api.URL)))
	_, err := client.Completion(t.Context(), hi())
	require.NoError(t, err)
	_, err = client.Completion(t.Context(), hi())
	require.NoError(t, err)
	assert.Equal(t, int32(1), ts.hits.Load())
}

func TestTokenEndpointFailure(t *testing.T) {
	clearEnv(t)
	js, ts := serviceAccount(t)
	ts.failStatus = http.StatusBadRequest
	api, apiHits := apiServer(t, "never")
	client := llm.NewClient(llm.WithProvider(vertex.New(), llm.WithBaseURL(api.URL), vertex.WithCredentialsJSON(js)))
	_, err := client.Completion(t.Context(), hi())
	require.ErrorIs(t, err, llm.ErrAuthentication)
	var e *llm.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "vertex_ai", e.Provider)
	assert.Contains(t, e.Message, "invalid_grant")
	assert.NotContains(t, err.Error(), "PRIVATE KEY")
	var re *oauth2.RetrieveError
	assert.ErrorAs(t, err, &re, "the oauth2 error is kept")

	for _, err := range client.CompletionStream(t.Context(), hi()) {
		require.ErrorIs(t, err, llm.ErrAuthentication)
	}
	assert.Equal(t, int32(0), apiHits.Load(), "no API call without a token")

	// An unreachable token endpoint is an authentication error too.
	js2, ts2 := serviceAccount(t)
	ts2.srv.Close()
	client = llm.NewClient(llm.WithProvider(vertex.New(), llm.WithBaseURL(api.URL), vertex.WithCredentialsJSON(js2)))
	_, err = client.Completion(t.Context(), hi())
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Equal(t, int32(0), apiHits.Load())
}

func TestInvalidCredentials(t *testing.T) {
	clearEnv(t)
	client := llm.NewClient(llm.WithProvider(vertex.New(), vertex.WithProject("p"), vertex.WithCredentialsJSON([]byte(`{"type":"service_account","private_key":"nope"}`))))
	_, err := client.Completion(t.Context(), hi())
	require.ErrorIs(t, err, llm.ErrAuthentication)
}

func TestTokenSourceOption(t *testing.T) {
	clearEnv(t)
	api, _ := apiServer(t, "ya29.static")
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.static"})
	_, err := llm.Completion(t.Context(), hi(), llm.WithBaseURL(api.URL), vertex.WithTokenSource(ts), vertex.WithProject("sa-project"))
	require.NoError(t, err)
}

// TestTokensRedacted checks that OAuth access tokens, from a token source or
// fetched for a service account, are scrubbed from errors like API keys.
func TestTokensRedacted(t *testing.T) {
	clearEnv(t)
	js, _ := serviceAccount(t)
	cases := []struct {
		name, token string
		opt         llm.Option
	}{
		{"token source", "ya29.token-source-secret", vertex.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.token-source-secret"}))},
		{"service account", "ya29.from-service-account", vertex.WithCredentialsJSON(js)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := providertest.NewRecorder(t, 401, "application/json",
				[]byte(`{"error":{"code":401,"message":"Request had invalid authentication credentials: `+tc.token+`","status":"UNAUTHENTICATED"}}`))
			_, err := llm.Completion(t.Context(), hi(), llm.WithBaseURL(w.URL), tc.opt, vertex.WithProject("sa-project"))
			require.ErrorIs(t, err, llm.ErrAuthentication)
			r, _ := w.Last()
			require.Equal(t, "Bearer "+tc.token, r.Header.Get("Authorization"))
			providertest.AssertRedacted(t, err, tc.token)
		})
	}
}
