package router

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/llmux/llm"
)

// RetryPolicy reports whether a failed attempt may be retried (on the same
// model group; fallbacks are decided separately).
type RetryPolicy func(err error) bool

// DefaultRetryPolicy retries rate limits, timeouts, connection failures,
// overloaded providers, server errors and undecodable answers, and nothing
// else: not authentication, permission, not found, invalid request, context
// window, content policy, quota or cancellation, which would fail again.
func DefaultRetryPolicy(err error) bool {
	switch llm.KindOf(err) {
	case llm.KindRateLimit, llm.KindTimeout, llm.KindConnection, llm.KindOverloaded,
		llm.KindServer, llm.KindBadResponse:
		return true
	}
	return false
}

// Backoff returns how long to wait before retry number attempt (1 for the
// first retry) after err, when no other deployment can take the retry.
type Backoff func(attempt int, err error) time.Duration

// Backoff bounds of DefaultBackoff.
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 10 * time.Second
)

// DefaultBackoff honours the error's Retry-After ((*llm.Error).RetryAfter)
// and otherwise waits an exponential delay with full jitter:
// a random duration in [0, min(DefaultMaxBackoff, DefaultMinBackoff·2^(attempt-1))].
func DefaultBackoff(attempt int, err error) time.Duration {
	var e *llm.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return ExponentialBackoff(DefaultMinBackoff, DefaultMaxBackoff)(attempt, err)
}

// ExponentialBackoff returns a Backoff waiting a random duration in
// [0, min(maxWait, minWait·2^(attempt-1))] (full jitter), ignoring
// Retry-After.
func ExponentialBackoff(minWait, maxWait time.Duration) Backoff {
	return func(attempt int, _ error) time.Duration {
		d := minWait
		for i := 1; i < attempt && d < maxWait; i++ {
			d *= 2
		}
		d = min(d, maxWait)
		if d <= 0 {
			return 0
		}
		return rand.N(d + 1)
	}
}

// CooldownPolicy decides whether a failure puts a deployment in cooldown and
// for how long (0: no cooldown). fails counts the deployment's failures in
// the current minute, this one included.
type CooldownPolicy func(err error, fails int) time.Duration

// Cooldown defaults.
const (
	DefaultAllowedFails = 3
	DefaultCooldownTime = 5 * time.Second
)

// DefaultCooldown is the CooldownPolicy of DefaultAllowedFails and
// DefaultCooldownTime.
var DefaultCooldown = CooldownAfter(DefaultAllowedFails, DefaultCooldownTime)

// CooldownAfter returns LiteLLM's policy: a deployment cools down for d (or
// for the error's Retry-After when the provider gave one) immediately on a 429, 401, 404 or
// 408 (or an error of kind rate limit, authentication or not found without a
// status), and otherwise once it has failed more than allowedFails times in a
// minute. Failures that say nothing about the deployment (invalid request,
// context window, content policy, unsupported, cancellation) never count.
func CooldownAfter(allowedFails int, d time.Duration) CooldownPolicy {
	return func(err error, fails int) time.Duration {
		if !CountsAsFailure(err) {
			return 0
		}
		var e *llm.Error
		errors.As(err, &e)
		immediate := false
		if e != nil {
			switch e.StatusCode {
			case http.StatusTooManyRequests, http.StatusUnauthorized, http.StatusNotFound, http.StatusRequestTimeout:
				immediate = true
			case 0:
				switch e.Kind {
				case llm.KindRateLimit, llm.KindAuthentication, llm.KindNotFound:
					immediate = true
				}
			}
		}
		if !immediate && fails <= allowedFails {
			return 0
		}
		if e != nil && e.RetryAfter > 0 {
			return e.RetryAfter
		}
		return d
	}
}

// CountsAsFailure reports whether err says something about the deployment's
// health, so that it counts towards cooldown: not a bad request, a prompt
// too long, a content refusal, an unsupported parameter or the caller's
// cancellation, and not an error of unknown Kind. Every error that llmux
// produces has a Kind, so an unknown one comes from outside its
// classification (a custom provider or middleware, an encoding failure not
// mapped yet): it is not taken as the deployment's fault, since cooling a
// healthy deployment down on an error that may be the caller's is worse
// than not cooling down on one that is not (which DefaultRetryPolicy does
// not retry either).
func CountsAsFailure(err error) bool {
	switch llm.KindOf(err) {
	case llm.KindInvalidRequest, llm.KindContextWindowExceeded, llm.KindContentPolicy,
		llm.KindUnsupported, llm.KindCanceled, llm.KindRequestTooLarge, llm.KindConflict,
		llm.KindUnknown:
		return false
	}
	return true
}

// FallbackKind is which list of fallbacks an error selects.
type FallbackKind uint8

// The kinds of fallback.
const (
	NoFallback            FallbackKind = iota // the error is not worth a fallback
	GenericFallback                           // Fallbacks, then DefaultFallbacks
	ContextWindowFallback                     // ContextWindowFallbacks
	ContentPolicyFallback                     // ContentPolicyFallbacks
)

// FallbackPolicy decides which fallbacks, if any, an error calls for once a
// model group has failed.
type FallbackPolicy func(err error) FallbackKind

// DefaultFallbackPolicy sends context-window errors to the context-window
// fallbacks, content-policy errors to the content-policy fallbacks, invalid
// requests and cancellations nowhere (they would fail anywhere), and every
// other error to the generic fallbacks.
func DefaultFallbackPolicy(err error) FallbackKind {
	switch llm.KindOf(err) {
	case llm.KindContextWindowExceeded:
		return ContextWindowFallback
	case llm.KindContentPolicy:
		return ContentPolicyFallback
	case llm.KindInvalidRequest, llm.KindCanceled, llm.KindUnsupported:
		return NoFallback
	}
	return GenericFallback
}
