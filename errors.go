package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind classifies an Error. The zero value is KindUnknown. Kinds are an
// append-only list: a value keeps its meaning across releases.
type Kind uint8

// The kinds of error. Each has a sentinel (ErrRateLimit for KindRateLimit, ...)
// that errors.Is matches against any *Error of that kind.
const (
	KindUnknown               Kind = iota
	KindInvalidRequest             // malformed or unacceptable request (400, 422)
	KindAuthentication             // missing or wrong credentials (401)
	KindPermissionDenied           // credentials valid but not allowed (403)
	KindNotFound                   // model or resource does not exist (404)
	KindContextWindowExceeded      // the prompt does not fit the model's context window
	KindContentPolicy              // refused by the provider's content filter
	KindRateLimit                  // too many requests or tokens (429)
	KindQuotaExceeded              // out of credit, quota or budget
	KindTimeout                    // deadline passed or the provider timed out (408, 504)
	KindConnection                 // the provider could not be reached
	KindOverloaded                 // the provider is overloaded or unavailable (503, 529)
	KindServer                     // the provider failed (500, 502 and other 5xx)
	KindUnsupported                // the provider or model lacks the capability or parameter
	KindCanceled                   // the caller's context was canceled
	KindConflict                   // the request conflicts with the resource's state (409)
	KindRequestTooLarge            // the request body is too large (413)
	KindBadResponse                // the provider's answer could not be decoded
	numKinds
)

var kindNames = [numKinds]string{
	KindUnknown:               "unknown",
	KindInvalidRequest:        "invalid request",
	KindAuthentication:        "authentication",
	KindPermissionDenied:      "permission denied",
	KindNotFound:              "not found",
	KindContextWindowExceeded: "context window exceeded",
	KindContentPolicy:         "content policy",
	KindRateLimit:             "rate limit",
	KindQuotaExceeded:         "quota exceeded",
	KindTimeout:               "timeout",
	KindConnection:            "connection",
	KindOverloaded:            "overloaded",
	KindServer:                "server",
	KindUnsupported:           "unsupported",
	KindCanceled:              "canceled",
	KindConflict:              "conflict",
	KindRequestTooLarge:       "request too large",
	KindBadResponse:           "bad response",
}

// String returns the kind's name, such as "rate limit".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// kindError is the type of the sentinel errors.
type kindError struct{ k Kind }

func (e *kindError) Error() string { return prefix + e.k.String() }

// prefix starts the text of every error of the package, once.
const prefix = "llm: "

// isSentinel reports whether err is one of the sentinel errors themselves,
// whose text only repeats the kind.
func isSentinel(err error) bool {
	_, ok := err.(*kindError)
	return ok
}

// sentinelCause returns the Kind of the sentinel in err's chain, and the
// text of err without the sentinel's (fmt.Errorf("budget: %w",
// ErrQuotaExceeded) is "budget"), or ok false when err wraps none.
func sentinelCause(err error) (k Kind, msg string, ok bool) {
	var ke *kindError
	if !errors.As(err, &ke) {
		return KindUnknown, "", false
	}
	msg = err.Error()
	if msg == ke.Error() {
		return ke.k, "", true
	}
	return ke.k, strings.TrimSuffix(msg, ": "+ke.Error()), true
}

// Sentinel errors, one per Kind, for use with errors.Is.
var (
	ErrUnknown               error = &kindError{KindUnknown}
	ErrInvalidRequest        error = &kindError{KindInvalidRequest}
	ErrAuthentication        error = &kindError{KindAuthentication}
	ErrPermissionDenied      error = &kindError{KindPermissionDenied}
	ErrNotFound              error = &kindError{KindNotFound}
	ErrContextWindowExceeded error = &kindError{KindContextWindowExceeded}
	ErrContentPolicy         error = &kindError{KindContentPolicy}
	ErrRateLimit             error = &kindError{KindRateLimit}
	ErrQuotaExceeded         error = &kindError{KindQuotaExceeded}
	ErrTimeout               error = &kindError{KindTimeout}
	ErrConnection            error = &kindError{KindConnection}
	ErrOverloaded            error = &kindError{KindOverloaded}
	ErrServer                error = &kindError{KindServer}
	ErrUnsupported           error = &kindError{KindUnsupported}
	ErrCanceled              error = &kindError{KindCanceled}
	ErrConflict              error = &kindError{KindConflict}
	ErrRequestTooLarge       error = &kindError{KindRequestTooLarge}
	ErrBadResponse           error = &kindError{KindBadResponse}
)

var sentinels = [numKinds]error{
	ErrUnknown, ErrInvalidRequest, ErrAuthentication, ErrPermissionDenied, ErrNotFound,
	ErrContextWindowExceeded, ErrContentPolicy, ErrRateLimit, ErrQuotaExceeded, ErrTimeout,
	ErrConnection, ErrOverloaded, ErrServer, ErrUnsupported, ErrCanceled, ErrConflict,
	ErrRequestTooLarge, ErrBadResponse,
}

// Sentinel returns the sentinel error of k (ErrRateLimit for KindRateLimit).
func (k Kind) Sentinel() error {
	if k < numKinds {
		return sentinels[k]
	}
	return ErrUnknown
}

// Error is the one error type of the module: every failure of a call comes
// back as an *Error (possibly wrapped), whatever the provider.
//
//	if errors.Is(err, llm.ErrRateLimit) { ... }
//	var e *llm.Error
//	if errors.As(err, &e) { log.Print(e.Kind, e.StatusCode, e.RetryAfter) }
type Error struct {
	Kind       Kind
	Provider   string        // provider name, such as "openai"
	Model      string        // model as the provider knows it
	StatusCode int           // HTTP status, or 0 when there was no response
	Code       string        // the provider's error code or type, when it gave one
	Message    string        // the provider's message, or ours
	RetryAfter time.Duration // how long the provider asked the caller to wait, if it did
	// Detail holds extra structured information some providers send with an
	// error, such as Azure's content-filter results, as raw JSON.
	Detail []byte
	// Err is the underlying error, if any (a context error, a network error).
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(prefix)
	if e.Provider != "" {
		b.WriteString(e.Provider)
		if e.Model != "" {
			b.WriteByte('/')
			b.WriteString(e.Model)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.StatusCode != 0 || e.Code != "" {
		b.WriteString(" (")
		if e.StatusCode != 0 {
			b.WriteString(strconv.Itoa(e.StatusCode))
			if e.Code != "" {
				b.WriteByte(' ')
			}
		}
		b.WriteString(e.Code)
		b.WriteByte(')')
	}
	msg := e.Message
	if msg == "" && e.Err != nil && !isSentinel(e.Err) {
		msg = e.Err.Error()
	}
	// One prefix per layer: a message or cause that is itself an error of
	// this layer ("llm: openai/gpt-4o: ...") does not repeat it.
	for strings.HasPrefix(msg, prefix) {
		msg = msg[len(prefix):]
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// errorJSON is the JSON form of an Error: its safe fields only.
type errorJSON struct {
	Kind       string  `json:"kind"`
	Provider   string  `json:"provider,omitempty"`
	Model      string  `json:"model,omitempty"`
	Status     int     `json:"status,omitempty"`
	Code       string  `json:"code,omitempty"`
	Message    string  `json:"message,omitempty"`
	RetryAfter float64 `json:"retry_after,omitempty"` // seconds
	Cause      string  `json:"cause,omitempty"`
}

func (e Error) json() errorJSON {
	j := errorJSON{Kind: e.Kind.String(), Provider: e.Provider, Model: e.Model, Status: e.StatusCode,
		Code: e.Code, Message: e.Message, RetryAfter: e.RetryAfter.Seconds()}
	if e.Err != nil {
		j.Cause = e.Err.Error()
	}
	return j
}

// MarshalJSON implements json.Marshaler. The JSON holds the kind (its name),
// provider, model, status, code, message, retry_after (in seconds) and the
// text of the cause (scrubbed of credentials like the message, for an error
// a call returned), never the cause itself: the raw response body and
// headers of a failed request stay out of logs and API answers.
func (e Error) MarshalJSON() ([]byte, error) { return json.Marshal(e.json()) }

// LogValue implements slog.LogValuer: an error logged with slog is a group
// of the fields MarshalJSON writes.
func (e Error) LogValue() slog.Value {
	j := e.json()
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("kind", j.Kind))
	for _, a := range []struct{ k, v string }{{"provider", j.Provider}, {"model", j.Model}, {"code", j.Code}, {"message", j.Message}} {
		if a.v != "" {
			attrs = append(attrs, slog.String(a.k, a.v))
		}
	}
	if j.Status != 0 {
		attrs = append(attrs, slog.Int("status", j.Status))
	}
	if e.RetryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", e.RetryAfter))
	}
	if j.Cause != "" {
		attrs = append(attrs, slog.String("cause", j.Cause))
	}
	return slog.GroupValue(attrs...)
}

// Unwrap returns the underlying error, so that errors.Is(err,
// context.DeadlineExceeded) still holds for a timeout caused by the context.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's Kind. An unsupported error
// also matches errors.ErrUnsupported.
func (e *Error) Is(target error) bool {
	if target == e.Kind.Sentinel() {
		return true
	}
	return e.Kind == KindUnsupported && target == errors.ErrUnsupported
}

// KindOf returns the Kind of err: that of the first *Error in its chain,
// else that of a sentinel (ErrRateLimit...) in its chain, else the kind of a
// context error, else KindUnknown.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if k, _, ok := sentinelCause(err); ok {
		return k
	}
	switch {
	case err == nil:
		return KindUnknown
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	}
	return KindUnknown
}

// KindFromStatus returns the Kind that an HTTP status usually means. For
// provider authors: a provider's error classifier starts from it and refines
// it with the provider's error code.
func KindFromStatus(status int) Kind {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return KindInvalidRequest
	case http.StatusUnauthorized:
		return KindAuthentication
	case http.StatusPaymentRequired:
		return KindQuotaExceeded
	case http.StatusForbidden:
		return KindPermissionDenied
	case http.StatusNotFound:
		return KindNotFound
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return KindTimeout
	case http.StatusConflict:
		return KindConflict
	case http.StatusRequestEntityTooLarge:
		return KindRequestTooLarge
	case http.StatusTooManyRequests:
		return KindRateLimit
	case http.StatusServiceUnavailable, 529:
		return KindOverloaded
	}
	switch {
	case status >= 500:
		return KindServer
	case status >= 400:
		return KindInvalidRequest
	}
	return KindUnknown
}

// Errorf returns an *Error of kind k with a formatted message. For provider
// authors: translators report bad input and the like with it; the client
// adds the provider, the model and the "llm: " prefix, so the message has
// neither.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// UnsupportedParam returns the error for a request parameter the provider
// or model does not support: KindUnsupported, naming the parameter (and why,
// when why is not empty) and the option that drops such parameters instead.
// For provider authors: translators return it unless
// Config.DropUnsupportedParams is set, in which case they drop the
// parameter.
func UnsupportedParam(param, why string) *Error {
	msg := param + " is not supported"
	if why != "" {
		msg += " (" + why + ")"
	}
	return &Error{Kind: KindUnsupported, Code: "unsupported_parameter",
		Message: msg + "; remove it or pass llm.WithDropUnsupportedParams() to drop it"}
}
