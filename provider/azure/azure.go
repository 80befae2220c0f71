package azure

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/llmux/llm/provider/openai"
)

// DefaultAPIVersion is the api-version sent on the deployments route when
// none is configured: the latest GA (non-preview) version of the Azure
// OpenAI data-plane inference API.
const DefaultAPIVersion = "2024-10-21"

// DefaultAIAPIVersion is the api-version sent to an Azure AI Foundry
// "/models" endpoint (the Azure AI Model Inference API) when none is
// configured.
const DefaultAIAPIVersion = "2024-05-01-preview"

// TokenSource supplies Microsoft Entra ID bearer tokens, for keyless
// authentication. Token is called once per request and should cache and
// refresh tokens itself, as azidentity credentials do; the token must be
// issued for the scope "https://cognitiveservices.azure.com/.default".
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenFunc adapts a function to a TokenSource. With the Azure SDK:
//
//	cred, _ := azidentity.NewDefaultAzureCredential(nil)
//	ts := azure.TokenFunc(func(ctx context.Context) (string, error) {
//		t, err := cred.GetToken(ctx, policy.TokenRequestOptions{
//			Scopes: []string{"https://cognitiveservices.azure.com/.default"}})
//		return t.Token, err
//	})
type TokenFunc func(ctx context.Context) (string, error)

// Token implements TokenSource.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

type tokenKey struct{}

// WithTokenSource authenticates with Entra ID bearer tokens from ts instead
// of an API key, for calls to azure/ and azure_ai/ models:
//
//	llm.Completion(ctx, req, azure.WithTokenSource(ts))
func WithTokenSource(ts TokenSource) llm.Option { return llm.WithValue(tokenKey{}, ts) }

// The environment variables of the azure provider.
var (
	keyEnv     = []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY"}
	baseEnv    = []string{"AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"}
	versionEnv = []string{"AZURE_API_VERSION", "OPENAI_API_VERSION"}
	adTokenEnv = "AZURE_AD_TOKEN"

	aiKeyEnv     = []string{"AZURE_AI_API_KEY"}
	aiBaseEnv    = []string{"AZURE_AI_API_BASE"}
	aiVersionEnv = []string{"AZURE_AI_API_VERSION"}
)

// OpenAI is the Spec of Azure OpenAI: model strings "azure/<deployment>".
var OpenAI = openai.Spec{
	Name:             "azure",
	KeyEnv:           keyEnv,
	BaseURLEnv:       baseEnv,
	AuthHeader:       "api-key",
	IsReasoningModel: openai.IsReasoningModel,
	URL:              openAIURL,
	Auth:             auth(keyEnv),
}

// AI is the Spec of Azure AI Foundry model inference: model strings
// "azure_ai/<model>".
var AI = openai.Spec{
	Name:       "azure_ai",
	KeyEnv:     aiKeyEnv,
	BaseURLEnv: aiBaseEnv,
	AuthHeader: "api-key",
	URL:        aiURL,
	Auth:       auth(aiKeyEnv),
}

// New returns the Azure OpenAI provider.
func New() *openai.Provider { return openai.NewCompatible(OpenAI) }

// NewAI returns the Azure AI Foundry provider.
func NewAI() *openai.Provider { return openai.NewCompatible(AI) }

func init() {
	llm.Register("azure", New())
	llm.Register("azure_ai", NewAI())
}

// auth sets a bearer token from the configured TokenSource, else the API
// key in the api-key header, else a bearer token from AZURE_AD_TOKEN.
func auth(keyEnv []string) func(ctx context.Context, cfg *llm.Config, h http.Header) error {
	return func(ctx context.Context, cfg *llm.Config, h http.Header) error {
		if ts, ok := cfg.Value(tokenKey{}).(TokenSource); ok && ts != nil {
			tok, err := ts.Token(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return err
				}
				return &llm.Error{Kind: llm.KindAuthentication, Message: "cannot get an Entra ID token: " + err.Error(), Err: err}
			}
			cfg.AddSecret(tok)
			h.Set("Authorization", "Bearer "+tok)
			return nil
		}
		if key := cfg.Key(keyEnv...); key != "" {
			h.Set("api-key", key)
			return nil
		}
		if tok := providerkit.Env(adTokenEnv); tok != "" {
			cfg.AddSecret(tok)
			h.Set("Authorization", "Bearer "+tok)
			return nil
		}
		return &llm.Error{Kind: llm.KindAuthentication, Message: "no API key: set " + strings.Join(keyEnv, " or ") +
			" (or " + adTokenEnv + "), pass llm.WithAPIKey, or pass azure.WithTokenSource"}
	}
}

func noBase(name string, env []string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Message: "no base URL for provider " + name + ": set " +
		strings.Join(env, " or ") + " (such as https://<resource>.openai.azure.com) or pass llm.WithBaseURL"}
}

// openAIURL builds the URL of an Azure OpenAI call: the v1 route
// {endpoint}/openai/v1{path} when the API version is "v1", "latest" or
// "preview" or the base URL already ends in /openai/v1; otherwise the
// deployments route {endpoint}/openai/deployments/{deployment}{path}?api-version=.
func openAIURL(cfg *llm.Config, deployment, path string) (string, error) {
	base := cfg.BaseURLOr("", baseEnv...)
	if base == "" {
		return "", noBase("azure", baseEnv)
	}
	version := cfg.APIVersion
	if version == "" {
		version = providerkit.Env(versionEnv...)
	}
	if strings.HasSuffix(base, "/openai/v1") {
		base = strings.TrimSuffix(base, "/openai/v1")
		if version != "preview" {
			version = "v1"
		}
	}
	base = strings.TrimSuffix(base, "/openai")
	switch version {
	case "v1", "latest":
		return base + "/openai/v1" + path, nil
	case "preview":
		return base + "/openai/v1" + path + "?api-version=preview", nil
	case "":
		version = DefaultAPIVersion
	}
	return base + "/openai/deployments/" + url.PathEscape(deployment) + path + "?api-version=" + url.QueryEscape(version), nil
}

// aiURL builds the URL of an Azure AI Foundry call: {base}{path}, with an
// api-version query when one is configured or the base URL is a Foundry
// resource's "/models" endpoint, which requires it.
func aiURL(cfg *llm.Config, _ string, path string) (string, error) {
	base := cfg.BaseURLOr("", aiBaseEnv...)
	if base == "" {
		return "", noBase("azure_ai", aiBaseEnv)
	}
	version := cfg.APIVersion
	if version == "" {
		version = providerkit.Env(aiVersionEnv...)
	}
	if version == "" && strings.HasSuffix(base, "/models") {
		version = DefaultAIAPIVersion
	}
	if version == "" {
		return base + path, nil
	}
	return base + path + "?api-version=" + url.QueryEscape(version), nil
}
