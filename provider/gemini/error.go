package gemini

import (
	"net/http"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/tidwall/gjson"
)

// ClassifyError turns an HTTP error answer (*httpx.StatusError, as
// internal/httpx.Do returns it) from the Gemini API or Vertex AI into an
// *llm.Error; other errors are returned as they are, for the client to
// classify (connection, context).
func ClassifyError(err error) error {
	return providerkit.ClassifyHTTP(err, errorFromBody)
}

// errorFromBody reads the google.rpc.Status envelope {"error": {"code",
// "message", "status", "details"}} (Vertex AI sometimes wraps it in a
// one-element array) and classifies it. status is 0 for an error sent
// inside a 200 stream, in which case the envelope's code stands for it.
func errorFromBody(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	root := gjson.ParseBytes(body)
	if root.IsArray() {
		root = root.Get("0")
	}
	env := root.Get("error")
	reason := ""
	code := status
	if env.IsObject() {
		e.Message = env.Get("message").String()
		e.Code = env.Get("status").String()
		if code == 0 {
			code = int(env.Get("code").Int())
		}
		env.Get("details").ForEach(func(_, d gjson.Result) bool {
			typ := d.Get("@type").String()
			switch {
			case strings.HasSuffix(typ, "google.rpc.RetryInfo"):
				if delay, err := time.ParseDuration(d.Get("retryDelay").String()); err == nil && delay > e.RetryAfter {
					e.RetryAfter = delay
				}
			case strings.HasSuffix(typ, "google.rpc.ErrorInfo"):
				reason = d.Get("reason").String()
			}
			return true
		})
		if d := env.Get("details"); d.Exists() {
			e.Detail = []byte(d.Raw)
		}
	} else {
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	e.Kind = kindOf(code, e.Code, reason, e.Message)
	return e
}

// kindOf maps an HTTP status, a google.rpc status name, an ErrorInfo reason
// and (for INVALID_ARGUMENT only, where Google gives no code) documented
// message patterns to a Kind; an error with none of these it knows is
// KindServer, never KindUnknown.
func kindOf(status int, rpc, reason, msg string) llm.Kind {
	switch reason {
	case "API_KEY_INVALID", "API_KEY_EXPIRED", "ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED":
		return llm.KindAuthentication
	case "SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED":
		return llm.KindPermissionDenied
	}
	switch rpc {
	case "INVALID_ARGUMENT", "OUT_OF_RANGE":
		lower := strings.ToLower(msg)
		if strings.Contains(lower, "exceeds the maximum number of tokens") ||
			strings.Contains(lower, "token count") && strings.Contains(lower, "exceeds") {
			return llm.KindContextWindowExceeded
		}
		return llm.KindInvalidRequest
	case "FAILED_PRECONDITION":
		return llm.KindInvalidRequest
	case "UNAUTHENTICATED":
		return llm.KindAuthentication
	case "PERMISSION_DENIED":
		return llm.KindPermissionDenied
	case "NOT_FOUND":
		return llm.KindNotFound
	case "ALREADY_EXISTS", "ABORTED":
		return llm.KindConflict
	case "RESOURCE_EXHAUSTED":
		return llm.KindRateLimit
	case "UNAVAILABLE":
		return llm.KindOverloaded
	case "DEADLINE_EXCEEDED":
		return llm.KindTimeout
	case "CANCELLED":
		return llm.KindCanceled
	case "INTERNAL", "UNKNOWN", "DATA_LOSS":
		return llm.KindServer
	case "UNIMPLEMENTED":
		return llm.KindUnsupported
	}
	if status != 0 {
		if k := llm.KindFromStatus(status); k != llm.KindUnknown {
			return k
		}
	}
	return llm.KindServer // an error envelope whose code means nothing (such as 1)
}
