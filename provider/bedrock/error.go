package bedrock

import (
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/tidwall/gjson"
)

// classify turns an HTTP error answer into an *llm.Error; other errors pass
// through for the client to classify (connection, context).
func classify(err error) error {
	return providerkit.ClassifyHTTP(err, errorFromBody)
}

// errorFromBody reads a Bedrock error answer: the error name from the
// x-amzn-ErrorType header ("ThrottlingException:http://internal.amazon.com/...")
// or the body's __type ("com.amazon.coral.service#ThrottlingException"), the
// message from the body's message (or Message) field.
func errorFromBody(status int, h http.Header, body []byte) *llm.Error {
	code := errorName(h.Get("X-Amzn-Errortype"))
	root := gjson.ParseBytes(body)
	if code == "" {
		code = errorName(root.Get("__type").String())
	}
	msg := root.Get("message").String()
	if msg == "" {
		msg = root.Get("Message").String()
	}
	if msg == "" && !root.IsObject() {
		msg = strings.TrimSpace(string(body))
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
	}
	e := exception(status, code, msg, root.Get("originalStatusCode").Int())
	e.RetryAfter = httpx.RetryAfter(h)
	return e
}

// errorName strips the namespace and the URI from an AWS error type.
func errorName(s string) string {
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// exception classifies a Bedrock error by name. status is the HTTP status, or
// 0 for an exception event inside a 200 stream (whose :exception-type is the
// camel-case name, such as "throttlingException"); original is a
// ModelStreamErrorException's originalStatusCode.
func exception(status int, code, msg string, original int64) *llm.Error {
	if code != "" {
		code = strings.ToUpper(code[:1]) + code[1:]
	}
	return &llm.Error{Kind: kindOf(status, code, msg, int(original)), StatusCode: status, Code: code, Message: msg}
}

// kindOf maps Bedrock's error names (from the service model) to kinds:
//
//	ValidationException             invalid request (context window exceeded
//	                                when the message matches contextPatterns)
//	AccessDeniedException           permission denied
//	UnrecognizedClientException,
//	InvalidSignatureException,
//	IncompleteSignatureException,
//	MissingAuthenticationToken(Exception),
//	ExpiredTokenException           authentication
//	ResourceNotFoundException       not found
//	ThrottlingException             rate limit
//	ServiceQuotaExceededException   quota exceeded
//	ModelTimeoutException           timeout
//	ModelNotReadyException          overloaded (the model is being loaded)
//	ServiceUnavailableException     overloaded
//	InternalServerException         server
//	ModelErrorException             server
//	ModelStreamErrorException       the kind of its originalStatusCode, else server
//	ConflictException               conflict
//
// Whatever the name, a message saying the output was blocked by content
// filtering (Claude's documented content-filter error, which Bedrock passes
// through) is content policy.
// Without a known name the status decides; an unknown stream exception is a
// server error.
func kindOf(status int, code, msg string, original int) llm.Kind {
	if contentFiltered(msg) {
		return llm.KindContentPolicy
	}
	switch code {
	case "ValidationException":
		if contextExceeded(msg) {
			return llm.KindContextWindowExceeded
		}
		return llm.KindInvalidRequest
	case "AccessDeniedException":
		return llm.KindPermissionDenied
	case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "ExpiredTokenException":
		return llm.KindAuthentication
	case "ResourceNotFoundException":
		return llm.KindNotFound
	case "ThrottlingException":
		return llm.KindRateLimit
	case "ServiceQuotaExceededException":
		return llm.KindQuotaExceeded
	case "ModelTimeoutException":
		return llm.KindTimeout
	case "ModelNotReadyException", "ServiceUnavailableException":
		return llm.KindOverloaded
	case "InternalServerException", "ModelErrorException":
		return llm.KindServer
	case "ModelStreamErrorException":
		if k := llm.KindFromStatus(original); original >= 400 && k != llm.KindUnknown {
			return k
		}
		return llm.KindServer
	case "ConflictException":
		return llm.KindConflict
	}
	if status == 0 {
		return llm.KindServer
	}
	if status == http.StatusBadRequest && contextExceeded(msg) {
		return llm.KindContextWindowExceeded
	}
	return llm.KindFromStatus(status)
}

// contextPatterns are the ValidationException messages Bedrock and the
// models behind it use for a prompt that does not fit the context window
// (Bedrock gives no distinct error name for it).
var contextPatterns = []string{
	"too many input tokens",
	"input is too long",
	"prompt is too long",
	"too many total text bytes",
	"maximum context length",
	"exceeds the maximum number of tokens",
	"context window",
	"input length and `max_tokens` exceed context limit",
}

// contentFiltered reports the content-filter message of the models behind
// Bedrock: Claude's "Output blocked by content filtering policy".
func contentFiltered(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "blocked by content filtering policy")
}

func contextExceeded(msg string) bool {
	m := strings.ToLower(msg)
	for _, p := range contextPatterns {
		if strings.Contains(m, p) {
			return true
		}
	}
	return false
}
