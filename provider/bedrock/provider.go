package bedrock

import (
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/llmux/llm"
)

// Provider is the Amazon Bedrock translator. It keeps no per-call state; it
// holds only the cache of the AWS default credential chains it has loaded
// (one per shared-config profile), so that credentials are resolved on the
// first call that needs them and refreshed by the SDK's cache after that.
// A Provider must not be copied.
type Provider struct {
	chains sync.Map         // profile name → *chain
	now    func() time.Time // signing clock; nil means time.Now (tests fix it)
}

// New returns a Bedrock provider with its own credential cache. The zero
// Provider is ready to use too.
func New() *Provider { return &Provider{} }

// signingTime is the time requests are signed at.
func (p *Provider) signingTime() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

func init() { llm.Register("bedrock", New()) }

// Name implements llm.Provider.
func (*Provider) Name() string { return "bedrock" }

type (
	regionKey    struct{}
	staticKey    struct{}
	credsProvKey struct{}
	profileKey   struct{}
)

// staticCredentials holds the keys of WithCredentials in a closure, so that
// printing a Config (with any verb) shows a function address, never a key.
type staticCredentials func() aws.Credentials

// WithRegion sets the AWS region, such as "us-east-1". Without it the region
// comes from the model's ARN, AWS_REGION, AWS_DEFAULT_REGION or the shared
// config profile, in that order.
func WithRegion(region string) llm.Option { return llm.WithValue(regionKey{}, region) }

// WithCredentials signs requests with static AWS keys (sessionToken may be
// empty), ahead of the environment and the shared config.
func WithCredentials(accessKeyID, secretAccessKey, sessionToken string) llm.Option {
	creds := aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Source: "bedrock.WithCredentials"}
	return llm.WithValue(staticKey{}, staticCredentials(func() aws.Credentials { return creds }))
}

// WithCredentialsProvider signs requests with credentials from p (an
// aws.CredentialsCache, an STS assume-role provider...), ahead of the
// environment and the shared config.
func WithCredentialsProvider(p aws.CredentialsProvider) llm.Option {
	return llm.WithValue(credsProvKey{}, p)
}

// WithProfile selects the shared config profile (~/.aws/config and
// ~/.aws/credentials) used when no other credentials are given, instead of
// AWS_PROFILE.
func WithProfile(name string) llm.Option { return llm.WithValue(profileKey{}, name) }

func stringValue(cfg *llm.Config, key any) string {
	s, _ := cfg.Value(key).(string)
	return s
}

// route is the API a model string selects.
type route uint8

const (
	routeConverse route = iota
	routeInvoke
)

// parseModel splits the provider-side model string into its route and the
// Bedrock model id: "converse/<id>", "invoke/<id>" or "<id>" (Converse).
func parseModel(model string) (route, string) {
	if id, ok := strings.CutPrefix(model, "invoke/"); ok {
		return routeInvoke, id
	}
	if id, ok := strings.CutPrefix(model, "converse/"); ok {
		return routeConverse, id
	}
	return routeConverse, model
}

// arnRegion returns the region of an ARN ("arn:aws:bedrock:us-west-2:..."),
// or "".
func arnRegion(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return ""
	}
	parts := strings.SplitN(id, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// isAnthropic reports Claude models, including cross-region inference
// profiles ("us.anthropic.claude-...") and ARNs that name one.
func isAnthropic(id string) bool {
	return strings.Contains(strings.ToLower(id), "anthropic.claude")
}

// escapePath escapes a model id for the URL path as AWS's REST-JSON
// protocol does: every byte but the unreserved characters A-Z a-z 0-9 - . _ ~
// is percent-encoded, so ARNs keep their ':' and '/' inside one segment.
func escapePath(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
