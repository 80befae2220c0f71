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
// for how long (0: no cooldown). minute holds the deployment's outcomes in
// the current minute, this failure included.
type CooldownPolicy func(err error, minute Outcomes) time.Duration

// Cooldown defaults: LiteLLM's DEFAULT_FAILURE_THRESHOLD_PERCENT (0.5),
// DEFAULT_FAILURE_THRESHOLD_MINIMUM_REQUESTS (5),
// DEFAULT_COOLDOWN_TIME_SECONDS (5) and DEFAULT_ALLOWED_FAILS (3, for the
// count rule, CooldownAfter, which is not the default).
const (
	DefaultFailureRate  = 0.5
	DefaultMinRequests  = 5
	DefaultCooldownTime = 5 * time.Second
	DefaultAllowedFails = 3
)

// DefaultCooldown is the default CooldownPolicy: CooldownOnFailureRate of
// DefaultFailureRate, DefaultMinRequests and DefaultCooldownTime.
var DefaultCooldown = CooldownOnFailureRate(DefaultFailureRate, DefaultMinRequests, DefaultCooldownTime)

// CooldownOnFailureRate returns LiteLLM's default policy: a deployment
// cools down at once on an error that says it cannot serve (see
// CoolsAtOnce: 429, 401, 403, 404), and otherwise when more than rate of
// its requests in the current minute failed, once it has served at least
// minRequests in that minute. The cooldown lasts the error's Retry-After
// when the provider gave one, else d. Failures that say nothing about the
// deployment (see CountsAsFailure) never count.
//
// Unlike a count of failures, a rate does not cool healthy deployments
// down under high traffic: three deployments failing 25% of 100 requests a
// minute all keep serving.
func CooldownOnFailureRate(rate float64, minRequests int, d time.Duration) CooldownPolicy {
	return func(err error, m Outcomes) time.Duration {
		if !CountsAsFailure(err) {
			return 0
		}
		total := m.Total()
		if !CoolsAtOnce(err) && (total < minRequests || float64(m.Failures) <= rate*float64(total)) {
			return 0
		}
		return cooldownFor(err, d)
	}
}

// CooldownAfter returns the count rule (LiteLLM's allowed_fails): a
// deployment cools down at once on an error that says it cannot serve (see
// CoolsAtOnce), and otherwise once it has failed more than allowedFails
// times in the current minute, whatever its traffic. The cooldown lasts the
// error's Retry-After when the provider gave one, else d.
func CooldownAfter(allowedFails int, d time.Duration) CooldownPolicy {
	return func(err error, m Outcomes) time.Duration {
		if !CountsAsFailure(err) {
			return 0
		}
		if !CoolsAtOnce(err) && m.Failures <= allowedFails {
			return 0
		}
		return cooldownFor(err, d)
	}
}

func cooldownFor(err error, d time.Duration) time.Duration {
	var e *llm.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return d
}

// CoolsAtOnce reports whether err says that the deployment cannot serve
// for now, whatever its failure rate: a 429 (rate limited), 401 or 403 (its
// key is revoked or lacks a permission; deployments carry their own keys)
// or 404 (its model or endpoint does not exist), or, without a status, an
// error of kind rate limit, authentication, permission denied or not found.
func CoolsAtOnce(err error) bool {
	var e *llm.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case 0:
		switch e.Kind {
		case llm.KindRateLimit, llm.KindAuthentication, llm.KindPermissionDenied, llm.KindNotFound:
			return true
		}
	}
	return false
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
	ContentPolicyFallback                     // ContentPolicyFallbacks, else as GenericFallback
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
