package anthropic

import (
	"net/http"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/tidwall/gjson"
)

// ClassifyError turns an Anthropic error answer into an *llm.Error. body is
// Anthropic's envelope {"type":"error","error":{"type","message"}} (a bare
// {"message": ...} as some gateways send, or any text, is accepted too);
// status is the HTTP status, or 0 for an error event inside a 200 stream.
// The error type is the Code and decides the Kind:
//
//	invalid_request_error  invalid request (context window exceeded when the
//	                       message says "prompt is too long" or that the
//	                       input exceeds the context limit; content policy
//	                       when it says "Output blocked by content
//	                       filtering policy")
//	authentication_error   authentication
//	permission_error       permission denied
//	not_found_error        not found
//	request_too_large      request too large
//	rate_limit_error       rate limit
//	billing_error          quota exceeded
//	timeout_error          timeout
//	api_error              server
//	overloaded_error       overloaded
//
// Without a known type the status decides (llm.KindFromStatus), and an
// unknown error event is a server error. RetryAfter comes from the
// retry-after header, else from the reset time of an exhausted
// anthropic-ratelimit-* limit.
func ClassifyError(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: retryAfter(header, time.Now())}
	root := gjson.ParseBytes(body)
	env := root.Get("error")
	switch {
	case env.IsObject():
		e.Code = env.Get("type").String()
		e.Message = env.Get("message").String()
	case root.Get("message").Type == gjson.String:
		e.Message = root.Get("message").Str
		e.Code = root.Get("type").String()
		if e.Code == "error" {
			e.Code = ""
		}
	default:
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	e.Kind = kindOf(status, e.Code, e.Message)
	if e.Kind == llm.KindInvalidRequest && status != 0 {
		// A gateway's generic type under a specific status (401, 429...):
		// the status says more.
		if k := llm.KindFromStatus(status); k != llm.KindInvalidRequest && k != llm.KindUnknown {
			e.Kind = k
		}
	}
	return e
}

// kindOf maps an error type (and, for invalid_request_error, Anthropic's
// documented "prompt is too long" message) to a Kind.
func kindOf(status int, typ, msg string) llm.Kind {
	switch typ {
	case "invalid_request_error":
		if contextExceeded(msg) {
			return llm.KindContextWindowExceeded
		}
		if contentFiltered(msg) {
			return llm.KindContentPolicy
		}
		return llm.KindInvalidRequest
	case "authentication_error":
		return llm.KindAuthentication
	case "permission_error":
		return llm.KindPermissionDenied
	case "not_found_error":
		return llm.KindNotFound
	case "request_too_large":
		return llm.KindRequestTooLarge
	case "rate_limit_error":
		return llm.KindRateLimit
	case "billing_error":
		return llm.KindQuotaExceeded
	case "timeout_error":
		return llm.KindTimeout
	case "api_error":
		return llm.KindServer
	case "overloaded_error":
		return llm.KindOverloaded
	}
	if status == 0 {
		return llm.KindServer
	}
	k := llm.KindFromStatus(status)
	if k == llm.KindInvalidRequest && contextExceeded(msg) {
		return llm.KindContextWindowExceeded
	}
	if k == llm.KindInvalidRequest && contentFiltered(msg) {
		return llm.KindContentPolicy
	}
	return k
}

// contentFiltered reports Anthropic's documented output-filter message,
// "Output blocked by content filtering policy" (400 invalid_request_error).
func contentFiltered(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "blocked by content filtering policy")
}

func contextExceeded(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "prompt is too long") ||
		strings.Contains(m, "exceed context limit") ||
		strings.Contains(m, "exceeds the context window")
}

// retryAfter is the retry-after header, else (on a rate limit) the latest
// of Anthropic's anthropic-ratelimit-*-reset times (RFC 3339) that lies in
// the future.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d := httpx.RetryAfter(h); d > 0 || h == nil {
		return d
	}
	var d time.Duration
	for _, k := range [...]string{"Anthropic-Ratelimit-Requests-Reset", "Anthropic-Ratelimit-Tokens-Reset",
		"Anthropic-Ratelimit-Input-Tokens-Reset", "Anthropic-Ratelimit-Output-Tokens-Reset"} {
		if v := h.Get(k); v != "" && h.Get(strings.Replace(k, "Reset", "Remaining", 1)) == "0" {
			if t, err := time.Parse(time.RFC3339, v); err == nil && t.Sub(now) > d {
				d = t.Sub(now)
			}
		}
	}
	return d
}

// classify turns an HTTP error response into an *llm.Error; other errors
// pass through for the client to classify (connection, context).
func classify(err error) error {
	return providerkit.ClassifyHTTP(err, ClassifyError)
}
