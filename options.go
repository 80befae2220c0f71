package llm

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/llmux/llm/internal/limit"
)

// Option configures transport and authentication, for a Client
// (NewClient(opts...)) or for one call (Completion(ctx, req, opts...)). Call
// options are applied after client options and so override them. Timeouts
// come from the context, not from options.
type Option func(*Config)

// Config is the resolved configuration of one call, as a provider sees it.
// For provider authors: users set it only through options. Providers fall
// back to their usual environment variables for fields left
// empty (see Config.Key and Config.BaseURLOr); they are read when a call is
// made, never at import.
//
// A Config never prints a credential: fmt (every verb), slog and JSON show
// only the fields String lists, so that logging a Config is safe.
type Config struct {
	// APIKey authenticates the call. It never prints: see Secret.
	APIKey Secret
	// BaseURL replaces the provider's default endpoint.
	BaseURL string
	// Header holds extra headers sent with every request.
	Header http.Header
	// HTTPClient sends the requests; nil means a shared default client.
	HTTPClient *http.Client
	// APIVersion selects a provider API version where the provider has one
	// (Azure's api-version, Anthropic's anthropic-version).
	APIVersion string
	// DropUnsupportedParams makes translators drop request parameters the
	// model does not support instead of failing with KindUnsupported.
	DropUnsupportedParams bool
	// RawResponse keeps the provider's response body in Meta.Raw.
	RawResponse bool
	// MaxResponseBytes caps a non-streamed response body and MaxEventBytes
	// one event of a stream; 0 means DefaultMaxResponseBytes and
	// DefaultMaxEventBytes. See WithMaxResponseBytes.
	MaxResponseBytes, MaxEventBytes int

	provider  string
	values    map[any]any
	providers map[string]Provider
	mock      *MockResponse
	responder MockResponder
	preCheck  func(provider, model string, req *CompletionRequest) error
	secrets   *secretSet // the credentials the call used, for scrubbing
}

// Provider returns the name of the provider the call goes to. For provider
// authors.
func (c *Config) Provider() string { return c.provider }

// Value returns the provider-specific option stored under key by WithValue,
// or nil. For provider authors: the typed options of a provider package read
// their values with it.
func (c *Config) Value(key any) any { return c.values[key] }

// Key returns the API key: the configured one, else the first non-empty
// environment variable of envVars. For provider authors: providers read their key with it so that
// the client scrubs the key from the call's errors whatever its source: the
// value it returns is recorded as a secret of the call (see AddSecret).
func (c *Config) Key(envVars ...string) string {
	if c.APIKey != "" {
		return string(c.APIKey)
	}
	k := env(envVars...)
	c.AddSecret(k)
	return k
}

// AddSecret registers credentials of the call that did not come from Key.
// For provider authors: a provider registers the tokens it derived or
// fetched (OAuth access tokens, Entra ID tokens) and the keys it read from
// the environment itself (an AWS secret access key or session token, a
// bearer token) or from a credentials file. The client replaces them with
// "[REDACTED]" in the call's error, its message, its code and the text of
// every error of its cause's chain, as it does the API key. Values shorter
// than six bytes are not scrubbed (they would blank out common substrings;
// no provider issues keys that short). AddSecret is safe for concurrent use;
// on a Config the client did not make it does nothing.
func (c *Config) AddSecret(secrets ...string) {
	for _, s := range secrets {
		c.secrets.add(s)
	}
}

// BaseURLOr returns the configured base URL, else the first non-empty
// environment variable of envVars, else def, without a trailing slash. For
// provider authors.
func (c *Config) BaseURLOr(def string, envVars ...string) string {
	u := c.BaseURL
	if u == "" {
		u = env(envVars...)
	}
	if u == "" {
		u = def
	}
	return strings.TrimRight(u, "/")
}

// env returns the value of the first of the environment variables that is
// set and not empty. (Translators use internal/providerkit.Env.)
func env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// NewHeader returns a header holding the configured extra headers, for a
// provider to add its own to. For provider authors.
func (c *Config) NewHeader() http.Header {
	h := make(http.Header, len(c.Header)+4)
	for k, v := range c.Header {
		h[k] = v
	}
	return h
}

// WithAPIKey sets the API key.
func WithAPIKey(key string) Option { return func(c *Config) { c.APIKey = Secret(key) } }

// WithBaseURL sets the base URL of the provider's API.
func WithBaseURL(url string) Option { return func(c *Config) { c.BaseURL = url } }

// WithHeader adds a header sent with every request.
func WithHeader(key, value string) Option {
	return func(c *Config) {
		h := make(http.Header, len(c.Header)+1)
		for k, v := range c.Header {
			h[k] = v
		}
		h.Add(key, value)
		c.Header = h
	}
}

// WithHTTPClient sets the HTTP client that sends requests.
func WithHTTPClient(hc *http.Client) Option { return func(c *Config) { c.HTTPClient = hc } }

// WithAPIVersion sets the provider's API version.
func WithAPIVersion(v string) Option { return func(c *Config) { c.APIVersion = v } }

// WithDropUnsupportedParams makes translators drop parameters a model does not
// support (such as temperature for OpenAI's o-series) instead of returning a
// KindUnsupported error.
func WithDropUnsupportedParams() Option {
	return func(c *Config) { c.DropUnsupportedParams = true }
}

// WithRawResponse keeps the provider's raw response body in Meta.Raw.
func WithRawResponse() Option { return func(c *Config) { c.RawResponse = true } }

// Default read caps: see WithMaxResponseBytes and WithMaxEventBytes.
const (
	DefaultMaxResponseBytes = limit.DefaultBody  // 32 MiB
	DefaultMaxEventBytes    = limit.DefaultEvent // 8 MiB
)

// WithMaxResponseBytes caps the body of a non-streamed answer at n bytes
// (default DefaultMaxResponseBytes); a larger one fails with KindBadResponse
// without being read past the cap. n <= 0 restores the default.
func WithMaxResponseBytes(n int) Option { return func(c *Config) { c.MaxResponseBytes = n } }

// WithMaxEventBytes caps one event of a stream (an SSE event or line, an
// NDJSON line, an AWS event-stream message) at n bytes (default
// DefaultMaxEventBytes); a larger one ends the stream with KindBadResponse.
// A stream as a whole is not capped. n <= 0 restores the default.
func WithMaxEventBytes(n int) Option { return func(c *Config) { c.MaxEventBytes = n } }

// WithValue stores a provider-specific option. For provider authors:
// provider packages export typed options built on it (such as a thinking
// budget); keys should be unexported types, as with context.WithValue.
func WithValue(key, value any) Option {
	return func(c *Config) {
		m := make(map[any]any, len(c.values)+1)
		for k, v := range c.values {
			m[k] = v
		}
		m[key] = value
		c.values = m
	}
}

// ForProvider applies opts only to calls that go to the named provider, so
// that one client can hold a key per provider:
//
//	llm.NewClient(llm.ForProvider("openai", llm.WithAPIKey(k1)),
//	    llm.ForProvider("anthropic", llm.WithAPIKey(k2)))
func ForProvider(name string, opts ...Option) Option {
	return func(c *Config) {
		if c.provider == name {
			for _, o := range opts {
				o(c)
			}
		}
	}
}

// WithProvider routes model strings "name/..." (name being p.Name()) to p,
// ahead of the registry, and applies opts to those calls. It is the explicit
// route that needs no registration:
//
//	c := llm.NewClient(llm.WithProvider(anthropic.New(), llm.WithAPIKey(k)))
func WithProvider(p Provider, opts ...Option) Option {
	name := p.Name()
	return func(c *Config) {
		m := make(map[string]Provider, len(c.providers)+1)
		for k, v := range c.providers {
			m[k] = v
		}
		m[name] = p
		c.providers = m
		if c.provider == name {
			for _, o := range opts {
				o(c)
			}
		}
	}
}

// Secret is a credential. It formats as "[REDACTED]" with every fmt verb, in
// JSON and in slog, so that a Config or an error can be printed safely; use
// string(s) where the value is really needed.
type Secret string

const redacted = "[REDACTED]"

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Format implements fmt.Formatter, so that every verb redacts.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// configView is what prints of a Config: no credential, no option value.
type configView struct {
	Provider              string   `json:"provider,omitempty"`
	APIKey                Secret   `json:"api_key,omitempty"`
	BaseURL               string   `json:"base_url,omitempty"`
	Header                []string `json:"header,omitempty"` // names only
	APIVersion            string   `json:"api_version,omitempty"`
	DropUnsupportedParams bool     `json:"drop_unsupported_params,omitempty"`
	RawResponse           bool     `json:"raw_response,omitempty"`
	HTTPClient            bool     `json:"http_client,omitempty"`
	Values                []string `json:"values,omitempty"` // the types of the keys
}

func (c Config) view() configView {
	v := configView{Provider: c.provider, APIKey: c.APIKey, BaseURL: safeURL(c.BaseURL, c.APIKey),
		APIVersion:            c.APIVersion,
		DropUnsupportedParams: c.DropUnsupportedParams, RawResponse: c.RawResponse, HTTPClient: c.HTTPClient != nil}
	if len(c.Header) > 0 {
		v.Header = headerNames(c.Header)
	}
	for k := range c.values {
		v.Values = append(v.Values, fmt.Sprintf("%T", k))
	}
	slices.Sort(v.Values)
	return v
}

// safeURL returns u without its user information and query, which may
// hold credentials, and without key.
func safeURL(u string, key Secret) string {
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Opaque != "" {
		return redacted
	}
	s := p.Scheme + "://"
	if p.User != nil {
		s += redacted + "@"
	}
	s += p.Host + p.EscapedPath()
	if p.RawQuery != "" || p.ForceQuery {
		s += "?" + redacted
	}
	if len(key) >= minSecretLen {
		s = strings.ReplaceAll(s, string(key), redacted)
	}
	return s
}

// String returns the printable fields of c: the provider, base URL (without
// user information or query), header names, API version, flags, and the
// types of the provider-specific option keys. It never shows the API key,
// header values or option values, which may be credentials (a
// service-account JSON, a token source).
func (c Config) String() string {
	v := c.view()
	var b strings.Builder
	b.WriteString("{Provider:" + v.Provider)
	field := func(name, val string) {
		if val != "" {
			b.WriteString(" " + name + ":" + val)
		}
	}
	field("APIKey", v.APIKey.String())
	field("BaseURL", v.BaseURL)
	if len(v.Header) > 0 {
		field("Header", "["+strings.Join(v.Header, " ")+"]")
	}
	field("APIVersion", v.APIVersion)
	if v.DropUnsupportedParams {
		field("DropUnsupportedParams", "true")
	}
	if v.RawResponse {
		field("RawResponse", "true")
	}
	if v.HTTPClient {
		field("HTTPClient", "set")
	}
	if len(v.Values) > 0 {
		field("Values", "["+strings.Join(v.Values, " ")+"]")
	}
	b.WriteByte('}')
	return b.String()
}

// GoString implements fmt.GoStringer, for %#v; see String.
func (c Config) GoString() string { return "llm.Config" + c.String() }

// Format implements fmt.Formatter, so that every verb prints String (and
// %#v GoString), never the fields themselves.
func (c Config) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(c.String()))
	default:
		fmt.Fprint(f, c.String())
	}
}

// MarshalJSON implements json.Marshaler with the fields String prints.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// LogValue implements slog.LogValuer: String's fields as a group.
func (c Config) LogValue() slog.Value {
	v := c.view()
	attrs := []slog.Attr{slog.String("provider", v.Provider)}
	for _, a := range []struct{ k, v string }{{"api_key", v.APIKey.String()}, {"base_url", v.BaseURL},
		{"api_version", v.APIVersion}} {
		if a.v != "" {
			attrs = append(attrs, slog.String(a.k, a.v))
		}
	}
	if len(v.Header) > 0 {
		attrs = append(attrs, slog.Any("header", v.Header))
	}
	if len(v.Values) > 0 {
		attrs = append(attrs, slog.Any("values", v.Values))
	}
	return slog.GroupValue(attrs...)
}
