package bedrock

import (
	"bytes"
	"encoding/json"

	"github.com/llmux/llm"
)

// GuardrailTrace is the trace behaviour of a guardrail
// (GuardrailConfiguration.trace).
type GuardrailTrace string

// The trace behaviours Bedrock documents.
const (
	GuardrailTraceEnabled     GuardrailTrace = "enabled"
	GuardrailTraceDisabled    GuardrailTrace = "disabled"
	GuardrailTraceEnabledFull GuardrailTrace = "enabled_full"
)

// PSFTrace is the key of the message's (or the last chunk's delta's)
// ProviderSpecificFields that holds Converse's trace object (the guardrail's
// assessment), as a json.RawMessage.
const PSFTrace = "trace"

// PSFUnknown is the key of the ProviderSpecificFields that holds, as a
// []json.RawMessage, the content blocks (raw) and stream events (as
// {"<event type>": <payload>}) of types this translator does not know.
const PSFUnknown = "unknown"

type guardrailKey struct{}

// guardrail is the configuration WithGuardrail sets.
type guardrail struct {
	ID      string         `json:"guardrailIdentifier"`
	Version string         `json:"guardrailVersion"`
	Trace   GuardrailTrace `json:"trace,omitempty"`
}

// WithGuardrail applies the guardrail id (its identifier or ARN) at version
// (a number or "DRAFT") to chat calls, with the given trace behaviour ("" for
// Bedrock's default). On Converse it is the body's guardrailConfig; on the
// InvokeModel route, the X-Amzn-Bedrock-Guardrail* and X-Amzn-Bedrock-Trace
// headers. Extra["guardrailConfig"] replaces it. A call the guardrail
// intervenes in fails with a KindContentPolicy error (see the package doc).
func WithGuardrail(id, version string, trace GuardrailTrace) llm.Option {
	return llm.WithValue(guardrailKey{}, &guardrail{ID: id, Version: version, Trace: trace})
}

// stopGuardrail is the stopReason of an answer a guardrail intervened in.
const stopGuardrail = "guardrail_intervened"

// guardrailOf returns the guardrail of WithGuardrail, or nil.
func guardrailOf(cfg *llm.Config) *guardrail {
	g, _ := cfg.Value(guardrailKey{}).(*guardrail)
	return g
}

// traceOf returns a response's trace compacted, or nil when there is none.
func traceOf(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return nil
	}
	return b.Bytes()
}

// guardrailError is the error of an answer a guardrail intervened in:
// Bedrock answers 200 with the guardrail's replacement text, which is no
// answer of the model's. It is KindContentPolicy, so that content-policy
// fallbacks run; Detail holds {"text": <replacement>, "trace": <trace>}.
func guardrailError(text string, trace json.RawMessage) *llm.Error {
	detail, _ := json.Marshal(struct {
		Text  string          `json:"text"`
		Trace json.RawMessage `json:"trace,omitempty"`
	}{text, traceOf(trace)})
	msg := "the Bedrock guardrail intervened"
	if text != "" {
		msg += ": " + text
	}
	return &llm.Error{Kind: llm.KindContentPolicy, Code: stopGuardrail, Message: msg, Detail: detail}
}
