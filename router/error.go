package router

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llm"
)

// Attempt is one try of a call on one deployment.
type Attempt struct {
	Group      string
	Deployment string // empty when no deployment was available
	Kind       llm.Kind
	Err        error // nil for the successful attempt
	Latency    time.Duration
}

// Error is the error of a call that every attempt failed. It wraps the last
// attempt's error (so llm.KindOf, errors.Is(err, llm.ErrRateLimit) and
// errors.As(err, &*llm.Error) see it) and lists the attempts.
type Error struct {
	// Group is the model group the call asked for.
	Group    string
	Attempts []Attempt
	// RetryAt is set when the call failed because every deployment was
	// cooling down or at its limits: the earliest time one recovers.
	RetryAt time.Time
	// Err is the last error.
	Err error
}

// Error implements error. It prints each piece once, one prefix per
// layer: the router's group and attempts, then the last error as its own
// layer prints it, without repeating the router for an error the router
// made itself:
//
//	router: group "g": 2 attempts failed [a: server; b: overloaded]: llm: azure/gpt-4o: overloaded (529): busy
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("router: group ")
	b.WriteString(strconv.Quote(e.Group))
	if n := len(e.Attempts); n > 0 {
		b.WriteString(": ")
		b.WriteString(strconv.Itoa(n))
		if n == 1 {
			b.WriteString(" attempt failed")
		} else {
			b.WriteString(" attempts failed")
		}
	}
	for i, a := range e.Attempts {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		if a.Deployment != "" {
			b.WriteString(a.Deployment)
		} else {
			b.WriteString(a.Group)
		}
		b.WriteString(": ")
		b.WriteString(a.Kind.String())
		if a.Latency > 0 {
			b.WriteString(" in ")
			b.WriteString(a.Latency.Round(time.Microsecond).String())
		}
		if i == len(e.Attempts)-1 {
			b.WriteByte(']')
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(withoutRouter(e.Err))
	}
	return b.String()
}

// withoutRouter prints err, without the "llm: router/<group>: " prefix
// when the router made it (the router's own layer already said so).
func withoutRouter(err error) string {
	s := err.Error()
	if le, ok := err.(*llm.Error); ok && le.Provider == "router" {
		prefix := "llm: router: "
		if le.Model != "" {
			prefix = "llm: router/" + le.Model + ": "
		}
		s = strings.TrimPrefix(s, prefix)
	}
	return s
}

// Unwrap returns the last error.
func (e *Error) Unwrap() error { return e.Err }

// unavailable is the error of a group none of whose deployments could take a
// call: a rate-limit error (code "cooldown", "rpm_limit", "tpm_limit",
// "max_parallel", "no_deployment") whose RetryAfter says when one recovers.
func unavailable(group, code string, retryAfter time.Duration, msg string) *llm.Error {
	k := llm.KindRateLimit
	switch code {
	case "no_deployment":
		k = llm.KindNotFound
	case "context_window":
		k = llm.KindContextWindowExceeded
	}
	return &llm.Error{Kind: k, Provider: "router", Model: group, Code: code, RetryAfter: retryAfter, Message: msg}
}

// configError is the error of New for a configuration it rejects.
func configError(err error, format string, args ...any) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Provider: "router", Message: fmt.Sprintf(format, args...), Err: err}
}

// stateError gives a State's error a Kind: the caller's cancellation and
// deadline keep theirs (KindCanceled, KindTimeout); any other failure of
// the state store is KindConnection (code "state"). The router only sees
// such errors from a State used without the fallback to memory (which
// absorbs a shared State's failures) or from a custom in-process State.
func stateError(err error) error {
	if llm.KindOf(err) != llm.KindUnknown {
		return err
	}
	return &llm.Error{Kind: llm.KindConnection, Provider: "router", Code: "state", Message: "state store: " + err.Error(), Err: err}
}
