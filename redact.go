package llm

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/llmux/llm/internal/httpx"
)

// minSecretLen is the shortest credential that is scrubbed: shorter values
// (test keys such as "x") would blank out common substrings of messages,
// and no provider issues keys that short.
const minSecretLen = 6

// secretSet holds the credentials one call used, whatever their source.
type secretSet struct {
	mu   sync.Mutex
	list []string
}

func (s *secretSet) add(v string) {
	if s == nil || len(v) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.list, v) {
		s.list = append(s.list, v)
	}
}

func (s *secretSet) snapshot() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.list)
}

// scrubber replaces the credentials of one call, longest first so that a
// key containing another is replaced whole.
type scrubber []string

// scrubberOf returns the scrubber of cfg: its API key, every credential
// providers read or derived for the call (Config.Key, Config.AddSecret) and
// the values of credential headers given with WithHeader.
func scrubberOf(cfg *Config) scrubber {
	if cfg == nil {
		return nil
	}
	s := scrubber(cfg.secrets.snapshot())
	s = s.with(string(cfg.APIKey))
	for name, vs := range cfg.Header {
		if !credentialHeader(name) {
			continue
		}
		for _, v := range vs {
			s = s.with(v)
			if _, tok, ok := strings.Cut(v, " "); ok { // "Bearer <token>", "Basic <creds>"
				s = s.with(strings.TrimSpace(tok))
			}
		}
	}
	slices.SortFunc(s, func(a, b string) int { return len(b) - len(a) })
	return s
}

func (s scrubber) with(v string) scrubber {
	if len(v) < minSecretLen || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// credentialHeader reports whether a header of that name carries a
// credential: Authorization, Cookie, and any name with "key", "token",
// "secret" or "auth" in it (api-key, x-api-key, x-goog-api-key...).
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "cookie" {
		return true
	}
	for _, w := range []string{"auth", "key", "token", "secret"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// scrub replaces the credentials in s.
func (s scrubber) scrub(v string) string {
	for _, secret := range s {
		if strings.Contains(v, secret) {
			v = strings.ReplaceAll(v, secret, redacted)
		}
	}
	return v
}

func (s scrubber) scrubBytes(b []byte) []byte {
	for _, secret := range s {
		if bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(redacted))
		}
	}
	return b
}

// scrubError removes the credentials from e's fields and from the text of
// every error of its cause's chain.
func (s scrubber) scrubError(e *Error) {
	if len(s) == 0 {
		return
	}
	e.Message = s.scrub(e.Message)
	e.Code = s.scrub(e.Code)
	e.Detail = s.scrubBytes(e.Detail)
	e.Err = s.wrap(e.Err)
}

// wrap returns err, or, when the text of an error of its chain holds a
// credential or the chain holds a raw HTTP response, a copy of the chain whose texts are scrubbed (see
// scrubbedError).
func (s scrubber) wrap(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	w, changed := s.mirror(err, 0)
	if !changed {
		return err
	}
	return w
}

// maxChainDepth bounds the chain mirror walks, against cyclic chains.
const maxChainDepth = 32

func (s scrubber) mirror(err error, depth int) (*scrubbedError, bool) {
	text := err.Error()
	m := &scrubbedError{msg: s.scrub(text), err: err}
	// A status error holds the raw response, whose headers and body %#v
	// would print: it is always replaced.
	_, raw := err.(*httpx.StatusError)
	changed := m.msg != text || raw
	var causes []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if c := u.Unwrap(); c != nil {
			causes = []error{c}
		}
	case interface{ Unwrap() []error }:
		causes = u.Unwrap()
	}
	if depth >= maxChainDepth {
		causes = nil
	}
	for _, c := range causes {
		if c == nil {
			continue
		}
		mc, ch := s.mirror(c, depth+1)
		m.causes = append(m.causes, mc)
		changed = changed || ch
	}
	return m, changed
}

// scrubbedError stands for an error whose text held a credential: it has
// the error's text with the credentials replaced by "[REDACTED]", and
// unwraps to the scrubbed copies of the error's causes, so that walking the
// chain (errors.Unwrap, %v of any link) never prints a credential. errors.Is
// and errors.As see through it to the original errors, so that
// errors.Is(err, context.DeadlineExceeded) and errors.As(err, &netErr)
// still work; a value that errors.As extracts is the original, unscrubbed.
type scrubbedError struct {
	msg    string
	err    error   // the original, for Is and As
	causes []error // scrubbed copies of err's causes
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.causes }

// Is reports whether the original error is target.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// As finds target in the original error's chain.
func (e *scrubbedError) As(target any) bool { return errors.As(e.err, target) }

// Format prints the scrubbed text with every verb, %#v included, so that no
// verb reaches the original error.
func (e *scrubbedError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q', verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, strconv.Quote(e.msg))
	default:
		fmt.Fprint(f, e.msg)
	}
}

// headerNames returns the names of h, sorted, for printing a Config: a
// header's name is shown, never its values.
func headerNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
