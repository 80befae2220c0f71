package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llm"
)

// redactKey is the key the redaction check authenticates with.
const redactKey = "sk-providertest-secret-0123456789"

// keyRedacted checks that the key a call used, from llm.WithAPIKey and from
// the provider's environment variable (Harness.KeyEnv), appears in no
// rendering of the error of any failure: a 401 that echoes it in its body
// and headers, streamed or not; an error event inside a 200 stream that
// echoes it; a refused connection and a URL that does not parse, whose
// errors print a base URL holding it.
func keyRedacted(t *testing.T, h Harness) {
	type source struct {
		name string
		opts func(base string) []llm.Option
	}
	sources := []source{{"Option", func(base string) []llm.Option {
		return append(h.Options(base), llm.WithAPIKey(redactKey))
	}}}
	if h.KeyEnv != "" {
		sources = append(sources, source{"Env", func(base string) []llm.Option {
			opts := h.Options
			if h.EnvOptions != nil {
				opts = h.EnvOptions
			}
			return append(opts(base), llm.WithAPIKey("")) // the environment's key, then
		}})
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			if src.name == "Env" {
				t.Setenv(h.KeyEnv, redactKey)
			}
			t.Run("Status401", func(t *testing.T) { redactStatus(t, h, src.opts) })
			if h.ErrorEventFrame != nil {
				t.Run("MidStream", func(t *testing.T) { redactMidStream(t, h, src.opts) })
			}
			t.Run("ConnectionRefused", func(t *testing.T) {
				srv := httptest.NewServer(http.NotFoundHandler())
				base := srv.URL
				srv.Close() // nothing listens there now
				// The key as the base URL's user name, which a *url.Error prints.
				base = strings.Replace(base, "://", "://"+redactKey+"@", 1)
				redactCall(t, h, src.opts(base), llm.KindConnection)
			})
			t.Run("BadURL", func(t *testing.T) {
				redactCall(t, h, src.opts("http://127.0.0.1:1/\x7f"+redactKey), llm.KindInvalidRequest)
			})
		})
	}
}

// redactStatus answers 401 with the key in the body and headers, and checks
// that the request carried the key (so that the check is not vacuous).
func redactStatus(t *testing.T, h Harness, opts func(string) []llm.Option) {
	carried := make(chan bool, 4)
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) {
		carried <- strings.Contains(fmt.Sprint(r.Header), redactKey) || strings.Contains(r.URL.String(), redactKey)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+redactKey+`"`)
		w.Header().Set("X-Echo-Key", redactKey)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"message":"Incorrect API key provided: ` + redactKey + `","type":"invalid_request_error","code":"invalid_api_key"},"message":"bad key ` + redactKey + `","detail":"` + redactKey + `"}`))
	})
	o := append(opts(e.srv.URL), llm.WithHTTPClient(e.client))
	_, err := llm.Completion(t.Context(), request(h.Model), o...)
	checkRedacted(t, "Completion", err, llm.KindAuthentication)
	var serr error
	for _, err := range llm.CompletionStream(t.Context(), request(h.Model), o...) {
		if err != nil {
			serr = err
		}
	}
	checkRedacted(t, "CompletionStream", serr, llm.KindAuthentication)
	for range 2 {
		if !<-carried {
			t.Error("the request did not carry the key: the provider did not authenticate with it")
		}
	}
}

func redactMidStream(t *testing.T, h Harness, opts func(string) []llm.Option) {
	frames := append(firstFrames(h), h.ErrorEventFrame("upstream failed for key "+redactKey))
	e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames) })
	o := append(opts(e.srv.URL), llm.WithHTTPClient(e.client))
	var errs []error
	for _, err := range llm.CompletionStream(t.Context(), request(h.Model), o...) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want exactly one: %v", len(errs), errs)
	}
	checkRedacted(t, "CompletionStream", errs[0], llm.KindUnknown)
}

// redactCall makes a call that fails before any answer, streamed and not.
func redactCall(t *testing.T, h Harness, opts []llm.Option, want llm.Kind) {
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	opts = append(opts, llm.WithHTTPClient(client))
	_, err := llm.Completion(t.Context(), request(h.Model), opts...)
	checkRedacted(t, "Completion", err, want)
	var serr error
	for _, err := range llm.CompletionStream(t.Context(), request(h.Model), opts...) {
		if err != nil {
			serr = err
		}
	}
	checkRedacted(t, "CompletionStream", serr, want)
}

// checkRedacted checks that err is an *llm.Error of kind want (any known
// kind when want is KindUnknown) that does not print the key.
func checkRedacted(t *testing.T, what string, err error, want llm.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error", what)
	}
	if k := llm.KindOf(err); k == llm.KindUnknown || (want != llm.KindUnknown && k != want) {
		t.Errorf("%s: got kind %v, want %v: %v", what, k, want, err)
	}
	AssertRedacted(t, err, redactKey)
}

// AssertRedacted fails t if any of secrets appears in a rendering of err:
// err.Error(); fmt's %v, %+v, %#v, %s and %q; a record logged with slog's
// JSON and text handlers; json.Marshal(err); and the same for every error
// of its Unwrap chain. Provider tests use it for credentials the provider
// derives or reads itself (OAuth tokens, AWS keys).
func AssertRedacted(t testing.TB, err error, secrets ...string) {
	t.Helper()
	for what, s := range Renderings(err) {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("a secret appears in %s of the error: %s", what, s)
			}
		}
	}
}

// Renderings returns the ways an error commonly gets printed, by name: see
// AssertRedacted.
func Renderings(err error) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, err error, depth int)
	walk = func(prefix string, err error, depth int) {
		if err == nil || depth > 32 {
			return
		}
		out[prefix+"Error()"] = err.Error()
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out[prefix+verb] = fmt.Sprintf(verb, err)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(prefix+"Unwrap().", u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for i, e := range u.Unwrap() {
				walk(fmt.Sprintf("%sUnwrap()[%d].", prefix, i), e, depth+1)
			}
		}
	}
	walk("", err, 0)
	var jb, tb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Error("call failed", "err", err)
	slog.New(slog.NewTextHandler(&tb, nil)).Error("call failed", "err", err)
	out["slog JSON"], out["slog text"] = jb.String(), tb.String()
	b, jerr := json.Marshal(err)
	if jerr != nil {
		b = []byte(jerr.Error())
	}
	out["json.Marshal"] = string(b)
	return out
}
