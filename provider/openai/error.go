package openai

import (
	"net/http"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/providerkit"
	"github.com/tidwall/gjson"
)

// classify turns an HTTP error response into an *llm.Error; other errors
// pass through for the client to classify (connection, context).
func (p *Provider) classify(err error) error {
	return providerkit.ClassifyHTTP(err, p.errorFromBody)
}

// ErrorFromBody classifies an error answer of an OpenAI-compatible API with
// the Spec's error codes: status is the HTTP status, or 0 for an error event
// inside a 200 stream. Translators built on this engine use it for error
// events they find themselves.
func (p *Provider) ErrorFromBody(status int, header http.Header, body []byte) *llm.Error {
	return p.errorFromBody(status, header, body)
}

// errorFromBody reads OpenAI's error envelope {"error": {"message", "type",
// "param", "code"}}, or the shapes compatible servers send instead: a bare
// {"error": "..."}, a top-level {"object": "error", "message", "type",
// "code"} (vLLM, Mistral), or a validation error {"detail": ...} (FastAPI
// servers, Mistral's 422). status is 0 for an error event inside a 200
// stream.
func (p *Provider) errorFromBody(status int, header http.Header, body []byte) *llm.Error {
	e := &llm.Error{StatusCode: status, RetryAfter: httpx.RetryAfter(header)}
	root := gjson.ParseBytes(body)
	env := root.Get("error")
	typ := ""
	switch {
	case env.IsObject():
		e.Message = env.Get("message").String()
		typ = env.Get("type").String()
		e.Code = env.Get("code").String()
		// Azure's content-filter results: "innererror" on the wire,
		// "inner_error" in its OpenAPI description.
		if d := env.Get("innererror"); d.Exists() {
			e.Detail = []byte(d.Raw)
		} else if d := env.Get("inner_error"); d.Exists() {
			e.Detail = []byte(d.Raw)
		}
	case env.Type == gjson.String:
		e.Message = env.Str
		typ = root.Get("error_type").String() // Hugging Face's TGI
	case root.Get("message").Exists():
		m := root.Get("message")
		if m.Type == gjson.String {
			e.Message = m.Str
		} else {
			e.Message = m.Raw
		}
		typ = root.Get("type").String()
		e.Code = root.Get("code").String()
	case root.Get("detail").Exists():
		d := root.Get("detail")
		if d.Type == gjson.String {
			e.Message = d.Str
		} else {
			e.Message = d.Raw
			e.Detail = []byte(d.Raw)
		}
	default:
		e.Message = strings.TrimSpace(string(body))
		if len(e.Message) > 2000 {
			e.Message = e.Message[:2000]
		}
	}
	if e.Code == "" {
		e.Code = typ
	}
	if status == 0 && p.spec.StatusInCode {
		if c := env.Get("code"); c.Type == gjson.Number && c.Num >= 400 && c.Num < 600 && c.Num == float64(int(c.Num)) {
			status = int(c.Num)
			e.StatusCode = status
		}
	}
	e.Kind = p.kindOf(status, e.Code, typ, e.Message)
	return e
}

// kindOf maps a status and the API's error code, type and (where OpenAI
// gives no code) documented message patterns to a Kind: first the Spec's
// own codes, then OpenAI's.
func (p *Provider) kindOf(status int, code, typ, msg string) llm.Kind {
	if len(p.spec.ErrorCodes) > 0 {
		if k, ok := p.spec.ErrorCodes[code]; ok {
			return k
		}
		if k, ok := p.spec.ErrorCodes[typ]; ok {
			return k
		}
	}
	return kindOf(status, code, typ, msg)
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
