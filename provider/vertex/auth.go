package vertex

import (
	"context"
	"crypto/sha256"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Scope is the OAuth2 scope of the access tokens the provider asks for.
const Scope = "https://www.googleapis.com/auth/cloud-platform"

// tokenTimeout bounds a token request: token sources have no context, so a
// hung token endpoint must not hang the call forever.
const tokenTimeout = 30 * time.Second

type (
	projectKey     struct{}
	locationKey    struct{}
	credsJSONKey   struct{}
	tokenSourceKey struct{}
)

// WithProject sets the Google Cloud project (else VERTEXAI_PROJECT, else the
// credentials' project).
func WithProject(id string) llm.Option { return llm.WithValue(projectKey{}, id) }

// WithLocation sets the Vertex AI location, such as "us-central1" or
// "global" (else VERTEXAI_LOCATION, else DefaultLocation).
func WithLocation(location string) llm.Option { return llm.WithValue(locationKey{}, location) }

// WithCredentialsJSON authenticates with a credentials file's content: a
// service-account key, authorized-user or external-account JSON. Give only
// credentials you trust: the file names the endpoints tokens are fetched
// from.
func WithCredentialsJSON(b []byte) llm.Option {
	return llm.WithValue(credsJSONKey{}, llm.Secret(b)) // never prints
}

// WithTokenSource authenticates with the access tokens of ts, which should
// cache them (oauth2.ReuseTokenSource). It wins over every other source.
func WithTokenSource(ts oauth2.TokenSource) llm.Option { return llm.WithValue(tokenSourceKey{}, ts) }

// credentials caches token sources by credential, for the life of the
// process: oauth2's sources keep the token and refresh it before expiry, so
// that a call fetches a token only when the cached one is about to expire.
type credentials struct {
	mu      sync.Mutex
	sources map[string]*google.Credentials
}

// token returns the bearer token of a call: an explicit token source, else
// llm.WithAPIKey taken as a ready access token, else the credentials JSON
// (WithCredentialsJSON, else the file GOOGLE_APPLICATION_CREDENTIALS names),
// else Application Default Credentials. projectID is the credentials'
// project, if they name one.
func (c *credentials) token(cfg *llm.Config) (token, projectID string, err error) {
	token, projectID, err = c.fetch(cfg)
	cfg.AddSecret(token) // scrubbed from the call's errors
	return token, projectID, err
}

func (c *credentials) fetch(cfg *llm.Config) (token, projectID string, err error) {
	if ts, ok := cfg.Value(tokenSourceKey{}).(oauth2.TokenSource); ok && ts != nil {
		t, err := ts.Token()
		if err != nil {
			return "", "", authError(err)
		}
		return t.AccessToken, "", nil
	}
	if cfg.APIKey != "" {
		return string(cfg.APIKey), "", nil
	}
	creds, err := c.lookup(cfg)
	if err != nil {
		return "", "", authError(err)
	}
	for _, r := range gjson.GetManyBytes(creds.JSON, "private_key", "client_secret", "refresh_token") {
		cfg.AddSecret(r.String())
	}
	t, err := creds.TokenSource.Token()
	if err != nil {
		return "", "", authError(err)
	}
	return t.AccessToken, creds.ProjectID, nil
}

func authError(err error) *llm.Error {
	return &llm.Error{Kind: llm.KindAuthentication, Message: "cannot get a Google OAuth2 access token: " + err.Error(), Err: err}
}

// lookup finds (or creates and caches) the credentials of a call.
func (c *credentials) lookup(cfg *llm.Config) (*google.Credentials, error) {
	var js []byte
	if s, _ := cfg.Value(credsJSONKey{}).(llm.Secret); s != "" {
		js = []byte(s)
	}
	key := "adc"
	path := ""
	switch {
	case js != nil:
		sum := sha256.Sum256(js)
		key = "json:" + string(sum[:])
	default:
		if path = os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"); path != "" {
			key = "file:" + path
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if creds, ok := c.sources[key]; ok {
		return creds, nil
	}
	// The context is kept by the token source for its refreshes, so it is
	// not the call's: it only carries the HTTP client.
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, tokenClient(cfg.HTTPClient))
	var creds *google.Credentials
	var err error
	switch {
	case js == nil && path == "":
		creds, err = google.FindDefaultCredentials(ctx, Scope)
	default:
		if js == nil {
			if js, err = os.ReadFile(path); err != nil {
				return nil, err
			}
		}
		typ := gjson.GetBytes(js, "type").String()
		creds, err = google.CredentialsFromJSONWithType(ctx, js, google.CredentialsType(typ), Scope)
	}
	if err != nil {
		return nil, err
	}
	if c.sources == nil {
		c.sources = map[string]*google.Credentials{}
	}
	c.sources[key] = creds
	return creds, nil
}

// tokenClient is the client token requests go through: the call's
// transport with a timeout.
func tokenClient(hc *http.Client) *http.Client {
	var t http.RoundTripper
	if hc != nil {
		t = hc.Transport
	}
	return &http.Client{Transport: t, Timeout: tokenTimeout}
}
