package replicate

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

// errorFromBody reads Replicate's error envelope, RFC 7807 problem details
// ({"type", "title", "status", "detail", "instance"}, as replicate-python's
// ReplicateError reads it), and classifies it. A model's input validation
// error (422) has a list of {"loc", "msg", "type"} as its detail. status is
// 0 for an envelope inside a 2xx answer, whose own status then gives the
// Kind.
func errorFromBody(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	root := gjson.ParseBytes(body)
	title, detail := root.Get("title"), root.Get("detail")
	switch {
	case detail.Type == gjson.String:
		e.Message = detail.Str
	case detail.IsArray():
		var msgs []string
		detail.ForEach(func(_, v gjson.Result) bool {
			m := v.Get("msg").String()
			if loc := v.Get("loc"); loc.IsArray() {
				var parts []string
				for _, p := range loc.Array() {
					parts = append(parts, p.String())
				}
				m = strings.Join(parts, ".") + ": " + m
			}
			msgs = append(msgs, m)
			return true
		})
		e.Message = strings.Join(msgs, "; ")
	case root.Get("error").Type == gjson.String:
		e.Message = root.Get("error").Str
	default:
		e.Message = strings.TrimSpace(string(body))
	}
	if title.Type == gjson.String && title.Str != "" && !strings.HasPrefix(e.Message, title.Str) {
		if e.Message == "" {
			e.Message = title.Str
		} else {
			e.Message = title.Str + ": " + e.Message
		}
	}
	if len(e.Message) > 2000 {
		e.Message = e.Message[:2000]
	}
	if t := root.Get("type"); t.Type == gjson.String {
		e.Code = t.Str
	}
	kindStatus := status
	if s := root.Get("status"); status == 0 && s.Type == gjson.Number {
		kindStatus = int(s.Int())
	}
	e.Kind = kindOf(kindStatus, e.Message)
	return e
}

// kindOf maps a status and, where Replicate gives no code, documented
// message patterns to a Kind.
func kindOf(status int, msg string) llm.Kind {
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
		if k := failureKind(msg); k != llm.KindServer {
			return k
		}
	}
	if status >= 400 && status < 600 {
		return llm.KindFromStatus(status)
	}
	return llm.KindServer
}
