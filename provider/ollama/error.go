package ollama

import (
	"errors"
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/tidwall/gjson"
)

// classify turns a failed call into an *llm.Error: an HTTP error answer
// through errorFromBody, a refused connection into the "not running" error;
// other errors pass through for the client to classify.
func classify(err error, base, model string) error {
	var se *httpx.StatusError
	if errors.As(err, &se) {
		e := errorFromBody(se.StatusCode, se.Header, se.Body, model)
		e.Err = err
		return e
	}
	if isRefused(err) {
		return notRunning(base, err)
	}
	return err
}

// errorFromBody reads Ollama's envelope {"error": "<message>"} (also an
// {"error": {"message": ...}} object, as proxies send) and classifies it.
// status is 0 for an error line inside a 200 stream.
func errorFromBody(status int, header http.Header, body []byte, model string) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	env := gjson.GetBytes(body, "error")
	switch {
	case env.Type == gjson.String:
		e.Message = env.Str
	case env.IsObject():
		e.Message = env.Get("message").String()
		e.Code = env.Get("code").String()
	default:
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	e.Kind = kindOf(status, e.Message)
	if e.Kind == llm.KindNotFound && model != "" && strings.Contains(strings.ToLower(e.Message), "not found") {
		e.Message += " (pull it with `ollama pull " + model + "`)"
	}
	return e
}

// kindOf maps a status and Ollama's documented message patterns (it sends
// no error codes) to a Kind.
func kindOf(status int, msg string) llm.Kind {
	lower := strings.ToLower(msg)
	for _, p := range []string{"does not support tools", "does not support thinking", "does not support insert", "does not support chat", "does not support generate"} {
		if strings.Contains(lower, p) {
			return llm.KindUnsupported
		}
	}
	if status != 0 {
		return llm.KindFromStatus(status)
	}
	// An error line inside a 200 stream.
	switch {
	case strings.Contains(lower, "not found"):
		return llm.KindNotFound
	case strings.Contains(lower, "server busy"), strings.Contains(lower, "overloaded"):
		return llm.KindOverloaded
	}
	return llm.KindServer
}
