package replicate

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// prediction is Replicate's prediction object (schemas_prediction_response
// in Replicate's OpenAPI description), as far as a chat call reads it.
type prediction struct {
	ID        string          `json:"id"`
	Model     string          `json:"model"`
	Version   string          `json:"version"`
	Status    string          `json:"status"`
	Output    json.RawMessage `json:"output"`
	Error     json.RawMessage `json:"error"`
	Metrics   *Metrics        `json:"metrics"`
	CreatedAt string          `json:"created_at"`
	URLs      struct {
		Get    string `json:"get"`
		Cancel string `json:"cancel"`
		Stream string `json:"stream"`
		Web    string `json:"web"`
	} `json:"urls"`
}

// Metrics are a prediction's metrics. Every prediction reports its times;
// Replicate's official language models also report their token counts,
// which become the response's usage. A response keeps them in the
// message's (for a stream: the last chunk's delta's)
// ProviderSpecificFields["metrics"] as a Metrics.
type Metrics struct {
	// PredictTime is the time the model ran, in seconds: what Replicate
	// bills for models priced by time.
	PredictTime float64 `json:"predict_time,omitempty"`
	// TotalTime is the time from creation to completion, in seconds.
	TotalTime float64 `json:"total_time,omitempty"`
	// InputTokenCount and OutputTokenCount are the model's token counts,
	// when it reports them.
	InputTokenCount  *float64 `json:"input_token_count,omitempty"`
	OutputTokenCount *float64 `json:"output_token_count,omitempty"`
	TimeToFirstToken float64  `json:"time_to_first_token,omitempty"`
	TokensPerSecond  float64  `json:"tokens_per_second,omitempty"`
}

// The statuses of a prediction.
const (
	statusStarting   = "starting"
	statusProcessing = "processing"
	statusSucceeded  = "succeeded"
	statusFailed     = "failed"
	statusCanceled   = "canceled"
	statusAborted    = "aborted"
)

// terminal reports whether a prediction with status s has ended. A status
// Replicate may add later counts as running: polling stays bounded by the
// caller's context and by the prediction's own deadline.
func terminal(s string) bool {
	switch s {
	case statusSucceeded, statusFailed, statusCanceled, statusAborted:
		return true
	}
	return false
}

// decodePrediction decodes a prediction, or the error envelope (RFC 7807
// problem details) a 2xx answer may carry instead.
func decodePrediction(raw []byte) (*prediction, error) {
	if isEnvelope(raw) {
		return nil, errorFromBody(0, nil, raw)
	}
	var p prediction
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, badResponse(err, raw)
	}
	if p.ID == "" || p.Status == "" {
		return nil, badResponse(errNotPrediction, raw)
	}
	return &p, nil
}

// isEnvelope reports whether raw is a problem-details error rather than a
// prediction: its status is a number (a prediction's is a string), or it has
// a title or detail and no id.
func isEnvelope(raw []byte) bool {
	r := gjson.ParseBytes(raw)
	if !r.IsObject() {
		return false
	}
	if r.Get("status").Type == gjson.Number {
		return true
	}
	return !r.Get("id").Exists() && (r.Get("detail").Exists() || r.Get("title").Exists())
}

// failure is the error of a prediction that ended without succeeding.
func failure(p *prediction) *llm.Error {
	msg := errorText(p.Error)
	switch p.Status {
	case statusCanceled:
		if msg == "" {
			msg = "the prediction was canceled"
		}
		return &llm.Error{Kind: llm.KindCanceled, Code: p.Status, Message: "prediction " + p.ID + ": " + msg}
	case statusAborted:
		if msg == "" {
			msg = "the prediction was aborted before it started (its deadline passed)"
		}
		return &llm.Error{Kind: llm.KindTimeout, Code: p.Status, Message: "prediction " + p.ID + ": " + msg}
	}
	if msg == "" {
		msg = "the prediction failed without an error message"
	}
	return &llm.Error{Kind: failureKind(msg), Code: statusFailed, Message: "prediction " + p.ID + " failed: " + msg}
}

// failureKind refines the Kind of a failed prediction from its error text,
// which is the model's own (Replicate sends no code): a prompt longer than
// the model's context and a safety checker's refusal are common and have
// Kinds of their own; anything else is the model failing, KindServer.
func failureKind(msg string) llm.Kind {
	lower := strings.ToLower(msg)
	for _, p := range []string{"context length", "context window", "maximum context", "prompt is too long", "too many tokens"} {
		if strings.Contains(lower, p) {
			return llm.KindContextWindowExceeded
		}
	}
	for _, p := range []string{"nsfw", "content policy", "flagged as sensitive", "safety filter"} {
		if strings.Contains(lower, p) {
			return llm.KindContentPolicy
		}
	}
	return llm.KindServer
}

// errorText is a prediction's error: a string, or (defensively) any other
// JSON value, compacted.
func errorText(raw json.RawMessage) string {
	r := gjson.ParseBytes(raw)
	switch r.Type {
	case gjson.Null:
		return ""
	case gjson.String:
		return r.Str
	case gjson.JSON:
		if m := r.Get("detail"); m.Type == gjson.String {
			return m.Str
		}
		if m := r.Get("message"); m.Type == gjson.String {
			return m.Str
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return ""
}

// outputText joins a prediction's output: language models answer with an
// array of tokens (Replicate shows them concatenated) or with one string;
// null is no output. Any other value is not a chat answer. It decodes with
// encoding/json, so that invalid UTF-8 becomes U+FFFD as in every other
// answer.
func outputText(raw json.RawMessage) (string, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return "", nil
	}
	switch trimmed[0] {
	case 'n':
		if string(trimmed) == "null" {
			return "", nil
		}
	case '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return "", badResponse(err, raw)
		}
		return s, nil
	case '[':
		var parts []*string
		if err := json.Unmarshal(trimmed, &parts); err != nil {
			return "", badResponse(errNotText, raw)
		}
		n := 0
		for _, p := range parts {
			if p != nil {
				n += len(*p)
			}
		}
		var b strings.Builder
		b.Grow(n)
		for _, p := range parts {
			if p != nil {
				b.WriteString(*p)
			}
		}
		return b.String(), nil
	}
	return "", badResponse(errNotText, raw)
}

// toResponse translates a succeeded prediction.
func toResponse(p *prediction, t target) (*llm.CompletionResponse, error) {
	text, err := outputText(p.Output)
	if err != nil {
		return nil, err
	}
	msg := llm.Message{Role: llm.RoleAssistant, Content: llm.Text(text), ProviderSpecificFields: extras(p)}
	return &llm.CompletionResponse{ID: p.ID, Object: "chat.completion", Created: created(p.CreatedAt), Model: modelOf(p, t),
		Choices: []llm.Choice{{Index: 0, Message: msg, FinishReason: llm.FinishStop}},
		Usage:   toUsage(p.Metrics)}, nil
}

// modelOf is the model a prediction ran, "owner/name", which is also how
// the model table names Replicate's models (without a version).
func modelOf(p *prediction, t target) string {
	if p.Model != "" {
		return p.Model
	}
	return t.model
}

// created is a prediction's creation time in Unix seconds, or now.
func created(s string) int64 {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Unix()
	}
	return time.Now().Unix()
}

// extras are the fields of a prediction with no OpenAI equivalent.
func extras(p *prediction) map[string]any {
	m := map[string]any{"prediction_id": p.ID}
	if p.Version != "" {
		m["version"] = p.Version
	}
	if p.Metrics != nil {
		m["metrics"] = *p.Metrics
	}
	return m
}

// toUsage maps the token counts of a prediction's metrics; it is nil when
// the model reports none.
func toUsage(m *Metrics) *llm.Usage {
	if m == nil || m.InputTokenCount == nil || m.OutputTokenCount == nil {
		return nil
	}
	in, out := int(*m.InputTokenCount), int(*m.OutputTokenCount)
	return &llm.Usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
}

// unknownCost is the cost of a call whose model reported no token counts:
// Replicate bills most models by the time they run, which the model table
// does not price.
func unknownCost(model string) *llm.Cost {
	return &llm.Cost{Model: "replicate/" + model, Reason: "Replicate reported no token counts for this prediction: " +
		"it bills this model by time (metrics.predict_time, in ProviderSpecificFields[\"metrics\"]), which the model table does not price"}
}

// validText returns b as a string with each invalid UTF-8 byte replaced by
// U+FFFD, as encoding/json decodes a JSON string.
func validText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var s strings.Builder
	s.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			s.WriteRune(utf8.RuneError)
		} else {
			s.Write(b[:n])
		}
		b = b[n:]
	}
	return s.String()
}

type constError string

func (e constError) Error() string { return string(e) }

const (
	errNotPrediction = constError("neither id nor status: not a prediction")
	errNotText       = constError("the output is not text (a string or an array of strings): not a chat model")
)

func badResponse(err error, raw []byte) *llm.Error {
	snippet := string(raw)
	if len(snippet) > 200 {
		snippet = snippet[:200] + "…"
	}
	return &llm.Error{Kind: llm.KindBadResponse, Message: "cannot decode Replicate's answer: " + err.Error() + ": " + snippet, Err: err}
}
