package cohere

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

// errorFromBody reads Cohere's envelope {"id": ..., "message": ...} and
// classifies it. status is 0 for an error inside a 200 stream.
func errorFromBody(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	root := gjson.ParseBytes(body)
	switch msg := root.Get("message"); {
	case msg.Type == gjson.String:
		e.Message = msg.Str
	case root.Get("error.message").Type == gjson.String:
		e.Message = root.Get("error.message").Str
	default:
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	e.Kind = kindOf(status, e.Message)
	return e
}

// kindOf maps a status and, where Cohere gives no code, documented message
// patterns to a Kind.
func kindOf(status int, msg string) llm.Kind {
	lower := strings.ToLower(msg)
	switch status {
	case 498: // a deny-listed token in the request or response
		return llm.KindContentPolicy
	case 499: // the request was cancelled by the user
		return llm.KindCanceled
	case http.StatusNotImplemented:
		return llm.KindUnsupported
	case http.StatusBadRequest, http.StatusUnprocessableEntity, 0:
		if strings.Contains(lower, "too many tokens") || strings.Contains(lower, "context length") ||
			strings.Contains(lower, "context window") {
			return llm.KindContextWindowExceeded
		}
	case http.StatusTooManyRequests:
		if strings.Contains(lower, "quota") || strings.Contains(lower, "billing") {
			return llm.KindQuotaExceeded
		}
	}
	if status != 0 {
		return llm.KindFromStatus(status)
	}
	return llm.KindServer
}
