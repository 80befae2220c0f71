package bedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
)

// SigningName is the SigV4 service name of the Bedrock runtime.
const SigningName = "bedrock"

// The environment variables the provider reads at call time (the AWS SDK's
// shared config loader reads its own: AWS_PROFILE, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE...).
const (
	EnvBearerToken = "AWS_BEARER_TOKEN_BEDROCK"
	EnvEndpoint    = "AWS_BEDROCK_RUNTIME_ENDPOINT"     // LiteLLM's name
	EnvEndpointAWS = "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" // the AWS SDKs' name
)

var signer = v4.NewSigner()

// chain is a lazily loaded AWS default configuration for one profile.
type chain struct {
	mu  sync.Mutex
	cfg *aws.Config
}

// defaultConfig loads (once, retrying after a failure) the SDK's default
// configuration for profile: environment, shared config and credentials
// files, SSO, web identity, container and instance roles. Its credential
// provider caches and refreshes credentials itself.
func (p *Provider) defaultConfig(ctx context.Context, profile string) (*aws.Config, error) {
	v, _ := p.chains.LoadOrStore(profile, &chain{})
	c := v.(*chain)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cfg != nil {
		return c.cfg, nil
	}
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	ac, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "cannot load the AWS configuration: " + err.Error(), Err: err}
	}
	c.cfg = &ac
	return c.cfg, nil
}

func profileOf(cfg *llm.Config) string {
	if p := stringValue(cfg, profileKey{}); p != "" {
		return p
	}
	return providerkit.Env("AWS_PROFILE", "AWS_DEFAULT_PROFILE")
}

// auth is how one call authenticates.
type auth struct {
	bearer string          // Bedrock API key
	creds  aws.Credentials // SigV4, when bearer is empty
}

// resolveAuth picks the credentials of a call, in order: llm.WithAPIKey (a
// Bedrock API key), WithCredentials, WithCredentialsProvider,
// AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN, then the SDK's default chain.
func (p *Provider) resolveAuth(ctx context.Context, cfg *llm.Config) (auth, error) {
	if cfg.APIKey != "" {
		return auth{bearer: string(cfg.APIKey)}, nil
	}
	if s, ok := cfg.Value(staticKey{}).(staticCredentials); ok && s != nil {
		c := s()
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return auth{}, &llm.Error{Kind: llm.KindAuthentication, Message: "bedrock.WithCredentials needs an access key id and a secret access key"}
		}
		return auth{creds: c}, nil
	}
	if cp, ok := cfg.Value(credsProvKey{}).(aws.CredentialsProvider); ok && cp != nil {
		return retrieve(ctx, cp, "bedrock.WithCredentialsProvider")
	}
	if tok := providerkit.Env(EnvBearerToken); tok != "" {
		return auth{bearer: tok}, nil
	}
	if id, secret := providerkit.Env("AWS_ACCESS_KEY_ID"), providerkit.Env("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return auth{creds: aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: providerkit.Env("AWS_SESSION_TOKEN"), Source: "environment"}}, nil
	}
	ac, err := p.defaultConfig(ctx, profileOf(cfg))
	if err != nil {
		return auth{}, err
	}
	if ac.Credentials == nil {
		return auth{}, noCredentials(nil)
	}
	return retrieve(ctx, ac.Credentials, "the AWS default credential chain")
}

func retrieve(ctx context.Context, cp aws.CredentialsProvider, from string) (auth, error) {
	c, err := cp.Retrieve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return auth{}, err
		}
		return auth{}, noCredentials(errors.New(from + ": " + err.Error()))
	}
	return auth{creds: c}, nil
}

func noCredentials(err error) *llm.Error {
	msg := "no AWS credentials: set " + EnvBearerToken + " (a Bedrock API key), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; or pass llm.WithAPIKey, bedrock.WithCredentials or bedrock.WithCredentialsProvider"
	if err != nil {
		msg += " (" + err.Error() + ")"
	}
	return &llm.Error{Kind: llm.KindAuthentication, Message: msg, Err: err}
}

// region resolves the region of a call: WithRegion, the model's ARN,
// AWS_REGION, AWS_DEFAULT_REGION, then the shared config profile.
func (p *Provider) region(ctx context.Context, cfg *llm.Config, id string) (string, error) {
	if r := stringValue(cfg, regionKey{}); r != "" {
		return r, nil
	}
	if r := arnRegion(id); r != "" {
		return r, nil
	}
	if r := providerkit.Env("AWS_REGION", "AWS_DEFAULT_REGION"); r != "" {
		return r, nil
	}
	ac, err := p.defaultConfig(ctx, profileOf(cfg))
	if err == nil && ac.Region != "" {
		return ac.Region, nil
	}
	return "", &llm.Error{Kind: llm.KindInvalidRequest, Message: "no AWS region: set AWS_REGION, pass bedrock.WithRegion or use a model ARN"}
}

// endpoint returns the runtime endpoint: llm.WithBaseURL,
// AWS_BEDROCK_RUNTIME_ENDPOINT, AWS_ENDPOINT_URL_BEDROCK_RUNTIME, else
// https://bedrock-runtime.{region}.amazonaws.com (.com.cn in China).
func endpoint(cfg *llm.Config, region string) string {
	base := cfg.BaseURLOr("", EnvEndpoint, EnvEndpointAWS)
	if base != "" {
		return stripDefaultPort(base)
	}
	suffix := ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = ".amazonaws.com.cn"
	}
	return "https://bedrock-runtime." + region + suffix
}

// stripDefaultPort drops ":443" from https and ":80" from http URLs, as the
// signer does for the Host it signs, so that the signed and sent hosts agree.
func stripDefaultPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
		u.Host = u.Hostname()
		return strings.TrimRight(u.String(), "/")
	}
	return base
}

// signRequest signs r with SigV4 for service and region at t; the payload
// hash is the SHA-256 of body, the exact bytes sent.
func signRequest(ctx context.Context, r *http.Request, body []byte, creds aws.Credentials, service, region string, t time.Time) error {
	sum := sha256.Sum256(body)
	return signer.SignHTTP(ctx, creds, r, hex.EncodeToString(sum[:]), service, region, t)
}

// post sends body to path under the model's URL ("/converse", "/invoke"...)
// with the call's authentication, and returns the open response.
func (p *Provider) post(ctx context.Context, cfg *llm.Config, id, path string, body []byte, h http.Header) (*http.Response, error) {
	a, err := p.resolveAuth(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// Scrubbed from the call's errors, whatever their source.
	cfg.AddSecret(a.bearer, a.creds.SecretAccessKey, a.creds.SessionToken)
	base := cfg.BaseURLOr("", EnvEndpoint, EnvEndpointAWS)
	var region string
	if a.bearer == "" || base == "" {
		if region, err = p.region(ctx, cfg, id); err != nil {
			return nil, err
		}
	}
	u := endpoint(cfg, region) + "/model/" + escapePath(id) + path
	h.Set("Content-Type", "application/json")
	if a.bearer != "" {
		h.Set("Authorization", "Bearer "+a.bearer)
	} else {
		// Sign a request built from the same URL, headers and body as the
		// one httpx sends, so that the signed host, path and content length
		// are the ones on the wire.
		sr, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "bad Bedrock endpoint URL: " + err.Error(), Err: err}
		}
		sr.Header = h
		if err := signRequest(ctx, sr, body, a.creds, SigningName, region, p.signingTime()); err != nil {
			return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "cannot sign the request: " + err.Error(), Err: err}
		}
	}
	resp, err := httpx.Do(ctx, cfg.HTTPClient, httpx.Request{URL: u, Header: h, Body: body})
	if err != nil {
		return nil, classify(err)
	}
	return resp, nil
}
