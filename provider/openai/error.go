package openai

import (
	"errors"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/tidwall/gjson"
)

// classify turns an HTTP error response into an *llm.Error; other errors
// pass through for the client to classify (connection, context).
func classify(err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	e := errorFromBody(se.StatusCode, se.Header, se.Body)
	e.Err = err
	return e
}

// errorFromBody reads OpenAI's error envelope {"error": {"message", "type",
// "param", "code"}} (or a bare {"error": "..."} / {"message": ...} as some
// compatible servers send) and classifies it. status is 0 for an error event
// inside a 200 stream.
func errorFromBody(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	root := gjson.ParseBytes(body)
	env := root.Get("error")
	typ := ""
	switch {
	case env.IsObject():
		e.Message = env.Get("message").String()
		typ = env.Get("type").String()
		e.Code = env.Get("code").String()
		if e.Code == "" {
			e.Code = typ
		}
		if d := env.Get("innererror"); d.Exists() {
			e.Detail = []byte(d.Raw)
		}
	case env.Type == gjson.String:
		e.Message = env.Str
	case root.Get("message").Type == gjson.String:
		e.Message = root.Get("message").Str
	default:
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	e.Kind = kindOf(status, e.Code, typ, e.Message)
	return e
}

// kindOf maps a status and OpenAI's error code, type and (where OpenAI gives
// no code) documented message patterns to a Kind.
func kindOf(status int, code, typ, msg string) llm.Kind {
	switch code {
	case "context_length_exceeded", "string_above_max_length":
		return llm.KindContextWindowExceeded
	case "content_policy_violation", "content_filter":
		return llm.KindContentPolicy
	case "insufficient_quota", "billing_hard_limit_reached":
		return llm.KindQuotaExceeded
	case "invalid_api_key":
		return llm.KindAuthentication
	case "model_not_found":
		if status == 0 || status == http.StatusNotFound || status == http.StatusBadRequest {
			return llm.KindNotFound
		}
	}
	if status == http.StatusBadRequest || status == 0 {
		lower := strings.ToLower(msg)
		switch {
		case strings.Contains(lower, "maximum context length"),
			strings.Contains(lower, "context length exceeded"),
			strings.Contains(lower, "context_length_exceeded"),
			strings.Contains(lower, "prompt is too long"):
			return llm.KindContextWindowExceeded
		case strings.Contains(lower, "content management policy"),
			strings.Contains(lower, "rejected by our safety system"):
			return llm.KindContentPolicy
		}
	}
	if status != 0 {
		return llm.KindFromStatus(status)
	}
	// An error event inside a 200 stream: only the type tells.
	switch typ {
	case "rate_limit_error", "rate_limit_exceeded", "tokens", "requests":
		return llm.KindRateLimit
	case "overloaded_error", "service_unavailable":
		return llm.KindOverloaded
	case "invalid_request_error":
		return llm.KindInvalidRequest
	case "authentication_error":
		return llm.KindAuthentication
	case "insufficient_quota":
		return llm.KindQuotaExceeded
	}
	return llm.KindServer
}
