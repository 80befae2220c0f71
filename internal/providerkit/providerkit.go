// Package providerkit holds the helpers the module's own translators
// (provider/*) share and a third-party provider does not need: reading
// environment variables, and turning the module's HTTP status errors
// (internal/httpx, which only the module's send path produces) into
// *llm.Error values. What a third-party provider needs (llm.Register, the
// capability interfaces, llm.Config's accessors, llm.Errorf,
// llm.UnsupportedParam, llm.KindFromStatus, llm.WithValue) stays in package
// llm.
package providerkit

import (
	"errors"
	"net/http"
	"os"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// Env returns the value of the first of the environment variables that is
// set and not empty, or "". A credential read with it must be registered
// with llm.Config.AddSecret (an API key is read with llm.Config.Key, which
// does so).
func Env(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// ClassifyHTTP turns an HTTP error answer in err (as httpx.Do returns it)
// into the *llm.Error that classify makes from its status, headers and
// body, keeping err as the cause. Any other error (connection, context) is
// returned as it is, for the client to classify. Translators write classify
// once and use it for error answers and, with status 0, for error events
// inside a 200 stream.
func ClassifyHTTP(err error, classify func(status int, header http.Header, body []byte) *llm.Error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	e := classify(se.StatusCode, se.Header, se.Body)
	e.Err = err
	return e
}
