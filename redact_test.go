package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"syscall"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKeyEnv is the environment variable the leaky provider reads its key
// from, as real providers read OPENAI_API_KEY and the like.
const testKeyEnv = "LLMUX_REDACT_TEST_KEY"

// leaky is a provider whose every failure echoes the key it was given, the
// way real servers and transports do: in a 401 body and header, in a URL,
// in a mid-stream error event.
type leaky struct {
	fail func(key string) error
	// midStream yields one chunk before the error.
	midStream bool
}

func (leaky) Name() string { return "leaky" }

func (p leaky) Completion(_ context.Context, _ *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	return nil, p.fail(cfg.Key(testKeyEnv))
}

func (p leaky) CompletionStream(_ context.Context, _ *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		key := cfg.Key(testKeyEnv)
		if p.midStream && !yield(&llm.Chunk{Choices: []llm.ChunkChoice{{Delta: llm.Delta{Content: "one "}}}}, nil) {
			return
		}
		yield(nil, p.fail(key))
	}
}

func urlError(key string) error {
	return &url.Error{Op: "Post", URL: "http://" + key + "@127.0.0.1:1/v1/chat/completions?key=" + key,
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
}

// leakyErrors are the failures, each with the Kind it must classify as.
var leakyErrors = []struct {
	name string
	kind llm.Kind
	fail func(key string) error
}{
	{"status body and header", llm.KindAuthentication, func(key string) error {
		return &httpx.StatusError{StatusCode: 401, Header: http.Header{"Www-Authenticate": {"Bearer " + key}},
			Body: []byte(`{"error":{"message":"Incorrect API key provided: ` + key + `"}}`)}
	}},
	{"classified status", llm.KindAuthentication, func(key string) error {
		se := &httpx.StatusError{StatusCode: 401, Header: http.Header{"X-Echo": {key}}, Body: []byte(`{"message":"bad key ` + key + `"}`)}
		return providerkit.ClassifyHTTP(se, func(status int, _ http.Header, body []byte) *llm.Error {
			return &llm.Error{Kind: llm.KindAuthentication, StatusCode: status, Message: "bad key " + key, Code: "invalid_api_key",
				Detail: body}
		})
	}},
	{"connection", llm.KindConnection, urlError},
	{"error wrapping a url error", llm.KindConnection, func(key string) error {
		return &llm.Error{Kind: llm.KindConnection, Err: urlError(key)}
	}},
	{"url parse", llm.KindInvalidRequest, func(key string) error {
		_, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/\x7f"+key, nil)
		return err
	}},
	{"wrapped error", llm.KindAuthentication, func(key string) error {
		return fmt.Errorf("calling https://%s@api.example.com: %w", key, &llm.Error{Kind: llm.KindAuthentication, Message: "key " + key + " revoked"})
	}},
	{"event", llm.KindServer, func(key string) error {
		return &llm.Error{Kind: llm.KindServer, Message: "stream failed for " + key, Err: errors.New("event: " + key)}
	}},
}

// TestKeyScrubbed checks that the key a call used, from llm.WithAPIKey or
// from the provider's environment variable, appears in no rendering of any
// error the call returns, streamed or not (no t.Parallel: t.Setenv).
func TestKeyScrubbed(t *testing.T) {
	const key = "sk-live-0123456789abcdefghij"
	for _, src := range []string{"option", "env"} {
		t.Run(src, func(t *testing.T) {
			var opts []llm.Option
			if src == "option" {
				opts = append(opts, llm.WithAPIKey(key))
			} else {
				t.Setenv(testKeyEnv, key)
			}
			for _, tc := range leakyErrors {
				for _, mode := range []string{"completion", "stream", "mid-stream"} {
					t.Run(tc.name+"/"+mode, func(t *testing.T) {
						p := leaky{fail: tc.fail, midStream: mode == "mid-stream"}
						c := llm.NewClient(llm.WithProvider(p))
						var err error
						if mode == "completion" {
							_, err = c.Completion(t.Context(), userReq("leaky/m", "hi"), opts...)
						} else {
							_, err = llm.Collect(c.CompletionStream(t.Context(), userReq("leaky/m", "hi"), opts...))
						}
						require.Error(t, err)
						assertNoSecret(t, err, key)
						assert.Equal(t, tc.kind, llm.KindOf(err), "kind of %v", err)
					})
				}
			}
		})
	}
}

// renderings returns every way an error commonly gets printed: its text,
// fmt verbs, slog (JSON and text), JSON, and the same for each error of its
// Unwrap chain.
func renderings(t *testing.T, err error) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		if err == nil {
			return
		}
		out[prefix+"Error()"] = err.Error()
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out[prefix+verb] = fmt.Sprintf(verb, err)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(prefix+"Unwrap().", u.Unwrap())
		case interface{ Unwrap() []error }:
			for i, e := range u.Unwrap() {
				walk(fmt.Sprintf("%sUnwrap()[%d].", prefix, i), e)
			}
		}
	}
	walk("", err)
	var jb, tb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Error("call failed", "err", err, slog.Any("any", err))
	slog.New(slog.NewTextHandler(&tb, nil)).Error("call failed", "err", err, slog.Any("any", err))
	out["slog JSON"], out["slog text"] = jb.String(), tb.String()
	b, jerr := json.Marshal(err)
	require.NoError(t, jerr)
	out["json.Marshal"] = string(b)
	return out
}

func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for what, s := range renderings(t, err) {
		for _, secret := range secrets {
			assert.NotContains(t, s, secret, "the secret appears in %s", what)
		}
	}
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	// The JSON of an *Error holds the safe fields only: never the raw
	// response body or headers of the cause.
	b, jerr := json.Marshal(le)
	require.NoError(t, jerr)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	allowed := []string{"kind", "provider", "model", "status", "code", "message", "retry_after", "cause"}
	for k := range m {
		assert.True(t, slices.Contains(allowed, k), "json.Marshal(err) has field %q: %s", k, b)
	}
	assert.Equal(t, le.Kind.String(), m["kind"], "%s", b)
}

// TestScrubKeepsChain checks that scrubbing leaves errors.Is and errors.As
// working through the cause.
func TestScrubKeepsChain(t *testing.T) {
	t.Parallel()
	const key = "sk-chain-0123456789"
	p := leaky{fail: func(key string) error {
		return fmt.Errorf("%w: %w", context.DeadlineExceeded, urlError(key))
	}}
	_, err := llm.NewClient(llm.WithProvider(p)).Completion(t.Context(), userReq("leaky/m", "hi"), llm.WithAPIKey(key))
	assertNoSecret(t, err, key)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, llm.ErrTimeout)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	var ue *url.Error
	assert.ErrorAs(t, err, &ue)
	var ne net.Error
	assert.ErrorAs(t, err, &ne)
}

// TestShortKeyNotScrubbed documents the floor: keys shorter than six bytes
// are not scrubbed, so that a test key such as "x" does not blank out every
// x of a message.
func TestShortKeyNotScrubbed(t *testing.T) {
	t.Parallel()
	p := leaky{fail: func(key string) error { return &llm.Error{Kind: llm.KindAuthentication, Message: "bad key " + key} }}
	c := llm.NewClient(llm.WithProvider(p))
	_, err := c.Completion(t.Context(), userReq("leaky/m", "hi"), llm.WithAPIKey("abcde"))
	assert.EqualError(t, err, "llm: leaky/m: authentication: bad key abcde")
	_, err = c.Completion(t.Context(), userReq("leaky/m", "hi"), llm.WithAPIKey("abcdef"))
	assert.EqualError(t, err, "llm: leaky/m: authentication: bad key [REDACTED]")
}

// capture is a provider that hands its Config to f and fails with f's error.
type capture struct{ f func(cfg *llm.Config) error }

func (capture) Name() string { return "capture" }

func (p capture) Completion(_ context.Context, _ *llm.CompletionRequest, cfg *llm.Config) (*llm.CompletionResponse, error) {
	return nil, p.f(cfg)
}

type credsKey struct{}

// TestConfigNeverPrintsCredentials checks that a Config, as providers get
// it, prints no credential through fmt, slog or JSON: not its API key, not
// credential headers, not a password or query in its base URL, not the
// provider-specific option values it holds.
func TestConfigNeverPrintsCredentials(t *testing.T) {
	t.Parallel()
	secrets := []string{"sk-cfg-0123456789", "pw-secret-123", "q-secret-123", "hdr-secret-123", `"private_key":"PEM-secret"`, "PEM-secret"}
	var cfgs []any
	p := capture{f: func(cfg *llm.Config) error {
		cfgs = append(cfgs, cfg, *cfg)
		return errors.New("done")
	}}
	_, err := llm.NewClient(llm.WithProvider(p)).Completion(t.Context(), userReq("capture/m", "hi"),
		llm.WithAPIKey(secrets[0]), llm.WithBaseURL("https://user:pw-secret-123@example.com/v1?key=q-secret-123"),
		llm.WithHeader("Authorization", "Bearer hdr-secret-123"), llm.WithHeader("X-Trace", "t1"),
		llm.WithValue(credsKey{}, []byte(`{"private_key":"PEM-secret"}`)), llm.WithValue("plain", "PEM-secret"))
	require.Error(t, err)
	require.Len(t, cfgs, 2)
	for _, cfg := range cfgs {
		var jb, tb bytes.Buffer
		slog.New(slog.NewJSONHandler(&jb, nil)).Info("cfg", "cfg", cfg)
		slog.New(slog.NewTextHandler(&tb, nil)).Info("cfg", "cfg", cfg)
		b, err := json.Marshal(cfg)
		require.NoError(t, err)
		outs := map[string]string{"slog JSON": jb.String(), "slog text": tb.String(), "json": string(b)}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			outs[verb] = fmt.Sprintf(verb, cfg)
		}
		for what, out := range outs {
			for _, s := range secrets {
				assert.NotContains(t, out, s, "%T %s: %s", cfg, what, out)
			}
		}
		// What is safe to print still prints, for debugging.
		plus := fmt.Sprintf("%+v", cfg)
		for _, want := range []string{"capture", "example.com", "X-Trace", "Authorization", "[REDACTED]"} {
			assert.Contains(t, plus, want, "%T", cfg)
		}
	}
}

// TestRegisteredSecretsScrubbed checks that credentials a provider derives
// (Config.AddSecret) and credential headers given with WithHeader are
// scrubbed like the API key.
func TestRegisteredSecretsScrubbed(t *testing.T) {
	t.Parallel()
	const token, header = "ya29.derived-access-token", "hdr-bearer-0123456789"
	p := capture{f: func(cfg *llm.Config) error {
		cfg.AddSecret(token, "")
		return &llm.Error{Kind: llm.KindAuthentication, Message: "token " + token + " and header " + header + " rejected",
			Err: urlError(token)}
	}}
	_, err := llm.NewClient(llm.WithProvider(p)).Completion(t.Context(), userReq("capture/m", "hi"),
		llm.WithHeader("Authorization", "Bearer "+header))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assertNoSecret(t, err, token, header)
	assert.Contains(t, err.Error(), "token [REDACTED] and header [REDACTED] rejected")
}
